"""Importers and exporters that plugins register (``kdc import …`` / ``kdc export …``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from kdc_core.errors import DuplicateName

if TYPE_CHECKING:
    from kdc_core.changes import ChangeSet
    from kdc_core.unit_of_work import UnitOfWork


@attrs.frozen
class Importer:
    """Reads a source into records, then applies them inside one unit of work.

    :ivar name: the subcommand name (``kdc import NAME``).
    :ivar help: one line for ``--help``.
    :ivar load: ``load(source, settings) -> records``; reads and checks the whole source
        (file path or URL) and raises :class:`kdc_core.errors.ImportFailed` naming the
        record at fault. Writes nothing.
    :ivar apply: ``apply(uow, records) -> ChangeSet``; writes through the unit of work.
    :ivar options: extra :class:`click.Option` objects for the command; their values are
        passed to ``load`` as keyword arguments (``load(source, settings, kind=...)``).
    """

    name: str
    help: str
    load: Callable[..., Sequence[Any]]
    apply: Callable[[UnitOfWork, Sequence[Any]], ChangeSet]
    options: tuple[Any, ...] = ()


@attrs.frozen
class Exporter:
    """Writes the data out in some format (``kdc export NAME``).

    :ivar export: ``export(uow) -> str``; reads through the unit of work.
    :ivar options: extra :class:`click.Option` objects for the command; their values are
        passed to ``export`` as keyword arguments (``export(uow, ward="Dalton")``).
    """

    name: str
    help: str
    export: Callable[..., str]
    suffix: str = ".txt"
    media_type: str = "text/plain"
    options: tuple[Any, ...] = ()


T = TypeVar("T")


class Registry(Generic[T]):
    """Names things as plugins register them and refuses duplicates."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, item: T) -> None:
        name: str = item.name  # type: ignore[attr-defined]
        if name in self._items:
            raise DuplicateName(f"two plugins register the {self.kind} {name!r}")
        self._items[name] = item

    def __getitem__(self, name: str) -> T:
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def names(self) -> list[str]:
        return sorted(self._items)

    def values(self) -> list[T]:
        return [self._items[n] for n in self.names()]
