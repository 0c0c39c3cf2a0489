"""Turning a ``[plugins.NAME]`` table into a frozen attrs value, checked key by key.

A plugin declares its section as an attrs class; :meth:`kdc_core.config.Settings.plugin_config`
reads the table into it. Unknown keys, missing required keys and values of the wrong type
fail with a :class:`~kdc_core.errors.ConfigError` naming the key. Checks beyond the type go
on the field with :func:`setting`::

    @attrs.frozen
    class ModernGovConfig:
        base_url: str | None = setting(None, expect="an http(s) URL", check=is_url)
        timeout: float = setting(30.0, expect="a positive number of seconds", check=positive)
        password: str = setting(secret=True)   # only as {"$env" = "NAME"}

``check(value)`` returns ``True``/``None`` when the value is fine, ``False`` for the
``expect`` message, or a string saying what is wrong; to name a part of the value (one
entry of a table), raise :class:`InvalidSetting` with ``part``. Types understood: ``str``, ``int``,
``float`` (an int is accepted), ``bool``, ``X | None``, ``Literal[...]``, ``list[X]``,
``tuple[X, ...]``, ``dict[str, X]``/``Mapping[str, X]`` and nested attrs classes (tables).
"""

from __future__ import annotations

import collections.abc
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, Union

import attrs

from kdc_core.errors import ConfigError

C = TypeVar("C")

_EXPECT = "kdc_expect"
_CHECK = "kdc_check"
_SECRET = "kdc_secret"

Check = Callable[[Any], "bool | str | None"]


def setting(
    default: Any = attrs.NOTHING,
    *,
    expect: str | None = None,
    check: Check | None = None,
    secret: bool = False,
    repr: bool = True,
    converter: Callable[[Any], Any] | None = None,
    factory: Callable[[], Any] | None = None,
) -> Any:
    """An attrs field of a plugin config class, with what the config helper checks.

    :param default: the value when the key is absent; leave it out for a required key.
    :param expect: what a good value is, for messages ("a positive number of seconds").
    :param check: a check beyond the type (see the module docstring).
    :param secret: the value must be written ``{"$env" = "NAME"}``; it is left out of repr.
    :param repr: False to keep the value out of repr and out of messages.
    :param converter: normalises the value when the class is built (``str.rstrip`` …).
    """
    metadata = {_EXPECT: expect, _CHECK: check, _SECRET: secret}
    if factory is not None:
        return attrs.field(factory=factory, metadata=metadata, converter=converter)
    return attrs.field(
        default=default, metadata=metadata, repr=repr and not secret, converter=converter
    )


class InvalidSetting(ValueError):
    """Raised by a ``check`` to name what is wrong; ``part`` names an entry of the value
    (``"shoe_size"`` makes the key ``plugins.NAME.columns.shoe_size``)."""

    def __init__(self, message: str, part: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.part = part


class _Bad(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def positive(value: float) -> bool:
    """A number above zero (and not NaN)."""
    return not math.isnan(value) and value > 0


def build(
    cls: type[C],
    section: Mapping[str, Any],
    prefix: str,
    where: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> C:
    """Read ``section`` (the raw table, ``$env`` unresolved) into ``cls``.

    :param prefix: the key of the table (``plugins.moderngov``), for messages.
    :param where: the config file, for messages (left out when ``None``).
    :param environ: where ``{"$env": NAME}`` values come from.
    :raises ConfigError: naming the key at fault.
    """
    try:
        return _build(cls, section, prefix, environ or {})
    except _Bad as bad:
        start = f"{where}: " if where else ""
        raise ConfigError(f"{start}{bad.key}: {bad.message}", key=bad.key) from None


def _build(cls: type[C], section: Any, prefix: str, environ: Mapping[str, str]) -> C:
    if not isinstance(section, Mapping):
        raise _Bad(prefix, f"must be a table, not {section!r}")
    fields = {f.name: f for f in attrs.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(section) - set(fields))
    if unknown:
        raise _Bad(f"{prefix}.{unknown[0]}", f"unknown key; known: {', '.join(sorted(fields))}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for name, field in fields.items():
        key = f"{prefix}.{name}"
        if not field.init:
            continue
        if name not in section:
            if field.default is attrs.NOTHING:
                raise _Bad(key, "is required")
            continue
        raw = section[name]
        expect = field.metadata.get(_EXPECT)
        if field.metadata.get(_SECRET) and not _is_env(raw):
            raise _Bad(key, 'secrets come from the environment: write {"$env" = "VARIABLE"}')
        value = _convert(_env(raw, key, environ), hints[name], key, expect, environ)
        check = field.metadata.get(_CHECK)
        if check is not None and value is not None:
            try:
                verdict = check(value)
            except InvalidSetting as invalid:
                part = f"{key}.{invalid.part}" if invalid.part is not None else key
                raise _Bad(part, invalid.message) from None
            shown = _shown(raw) if field.repr else "the value given"
            if verdict is False:
                raise _Bad(key, f"must be {expect or 'valid'}, not {shown}")
            if isinstance(verdict, str):
                raise _Bad(key, f"{verdict}, not {shown}")
        values[name] = value
    return cls(**values)


def _is_env(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"$env"}


def _env(value: Any, key: str, environ: Mapping[str, str]) -> Any:
    if _is_env(value):
        name = value["$env"]
        if name not in environ:
            raise _Bad(key, f"environment variable {name} is not set")
        return environ[name]
    return value


def _shown(raw: Any) -> str:
    return "the value from the environment" if _is_env(raw) else repr(raw)


_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}


def _convert(value: Any, tp: Any, key: str, expect: str | None, environ: Mapping[str, str]) -> Any:
    def bad() -> _Bad:
        return _Bad(key, f"must be {expect or _describe(tp)}, not {value!r}")

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        for option in options:
            try:
                return _convert(value, option, key, expect, environ)
            except _Bad:
                continue
        raise bad()
    if origin is Literal:
        if value in args:
            return value
        raise _Bad(key, f"must be one of {', '.join(map(repr, args))}, not {value!r}")
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise bad()
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad()
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise bad()
    if tp is str:
        if isinstance(value, str):
            return value
        raise bad()
    if origin in (list, tuple, frozenset, collections.abc.Sequence):
        if not isinstance(value, list | tuple):
            raise bad()
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                raise bad()
            return tuple(
                _convert(v, a, f"{key}[{i}]", None, environ)
                for i, (v, a) in enumerate(zip(value, args, strict=True))
            )
        item = args[0] if args else Any
        items = [
            _convert(_env(v, f"{key}[{i}]", environ), item, f"{key}[{i}]", None, environ)
            for i, v in enumerate(value)
        ]
        if origin is list:
            return items
        return frozenset(items) if origin is frozenset else tuple(items)
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, Mapping):
            raise bad()
        item = args[1] if args else Any
        return {
            str(k): _convert(_env(v, f"{key}.{k}", environ), item, f"{key}.{k}", None, environ)
            for k, v in value.items()
        }
    if isinstance(tp, type) and attrs.has(tp):
        return _build(tp, value, key, environ)
    if isinstance(tp, type):
        if isinstance(value, tp):
            return value
        raise bad()
    return value


def _describe(tp: Any) -> str:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp in _NAMES:
        return _NAMES[tp]
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in args if a is not type(None))
    if origin in (list, tuple, frozenset, collections.abc.Sequence):
        return f"a list of {_describe(args[0]).removeprefix('a ')}s" if args else "a list"
    if origin in (dict, collections.abc.Mapping) or (isinstance(tp, type) and attrs.has(tp)):
        return "a table"
    return getattr(tp, "__name__", str(tp))
