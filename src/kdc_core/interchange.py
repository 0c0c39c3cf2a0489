"""Importers and exporters that plugins register (``kdc import …`` / ``kdc export …``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kdc_core.registry import Registry

__all__ = ["Exporter", "Importer", "Registry"]  # Registry: kept here for older imports

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
        record at fault. Writes nothing. The sequence may carry ``warnings`` (a tuple of
        strings: records left out or taken as they are); ``kdc import`` prints each, lists them
        under ``"warnings"`` in ``--json`` and logs them.
    :ivar apply: ``apply(uow, records) -> ChangeSet``; writes through the unit of work. What
        it leaves out once it can see the database (a record naming someone not known here)
        goes in the ChangeSet's ``warnings``, reported like ``load``'s.
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
