"""Named things plugins register (importers, rules, sections, mailers …), one registry type.

The application object fills each registry once, at startup, from a ``kdc_register_*`` hook
(:func:`kdc_core.plugins.collect`). A registry remembers which plugin registered each name,
so a second claim on a name fails startup naming both plugins.

Every registry is filled by every ``kdc`` command, so what a plugin registers should be cheap
to make: a callable that needs heavy modules (a parser, icalendar, the calendar's services)
can be registered as :func:`deferred`, which imports them only when it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from kdc_core.errors import PluginError

T = TypeVar("T")


class Registry(Generic[T]):
    """Things of one kind, by name, in the order they were registered.

    :param kind: what the things are, for messages (``"mailer"``, ``"protocol rule"``).
    :param key: the attribute that names an item (``name`` for most, ``id`` for rules).
    """

    def __init__(self, kind: str, key: str = "name") -> None:
        self.kind = kind
        self.key = key
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    def register(self, item: T, plugin: str | None = None) -> None:
        """Add ``item``; ``plugin`` names who registered it, for the duplicate message.

        :raises PluginError: the name is taken, naming both plugins when known.
        """
        name = getattr(item, self.key)
        if not isinstance(name, str):
            raise PluginError(
                f"{plugin or 'a plugin'} registered a {self.kind} without a "
                f"string {self.key}: {item!r}"
            )
        if name in self._items:
            first, second = sorted(
                (self._owners.get(name) or "another plugin", plugin or "another plugin")
            )
            raise PluginError(
                f"two plugins register the {self.kind} {name!r}: {first} and {second}"
            )
        self._items[name] = item
        if plugin is not None:
            self._owners[name] = plugin

    def owner(self, name: str) -> str | None:
        """The plugin that registered ``name`` (``None`` when registered directly)."""
        return self._owners.get(name)

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def get(self, name: str) -> T:
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[T]:
        """The items in the order they were registered."""
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        """The names, sorted."""
        return sorted(self._items)

    def values(self) -> list[T]:
        """The items, sorted by name."""
        return [self._items[n] for n in self.names()]

    def __repr__(self) -> str:
        return f"<Registry of {len(self)} {self.kind}(s): {', '.join(self.names())}>"


def deferred(target: str) -> Callable[..., Any]:
    """A stand-in for the function ``target`` (``"module:attribute"``) that imports its module
    only when first called, then calls it with the same arguments.

    For registered things whose work needs heavy imports, e.g. an importer's ``load`` and
    ``apply``: registering them costs nothing until that importer is run.

    >>> dumps = deferred("json:dumps")
    >>> dumps([1])
    '[1]'
    """
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise ValueError(f"{target!r} is not 'module:attribute'")
    found: list[Callable[..., Any]] = []

    def call(*args: Any, **kwargs: Any) -> Any:
        if not found:
            import importlib

            found.append(getattr(importlib.import_module(module), attribute))
        return found[0](*args, **kwargs)

    call.__name__ = attribute
    call.__qualname__ = f"deferred({target})"
    call.__doc__ = f"Calls {target}, imported when first called."
    return call
