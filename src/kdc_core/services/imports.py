"""Running a registered importer: read everything first, then apply in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import click

from kdc_core.app import Kdc
from kdc_core.changes import ChangeSet
from kdc_core.interchange import Importer

log = logging.getLogger(__name__)


def run_import(
    kdc: Kdc,
    importer: Importer,
    source: str,
    *,
    dry_run: bool = False,
    progress: bool = False,
    options: Mapping[str, Any] | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> ChangeSet:
    """Load ``source`` with the importer, then apply it in one unit of work.

    A load error (bad file, bad record) raises before anything is written; an apply error
    rolls the whole transaction back. With ``dry_run`` the changes are computed and reported
    but rolled back.

    :param options: values of the importer's extra command-line options, passed to ``load``.
    :param on_warning: called with each of the loaded records' ``warnings`` (an importer's
        ``load`` may return a sequence with a ``warnings`` attribute: records it left out or
        took as they are), then with the applied :class:`ChangeSet`'s ``warnings`` (what
        ``apply`` left out once it could see the database); all are logged too.
    :returns: the changes made (or that would be made).
    """
    if progress:
        click.echo(f"Reading {source} …", err=True)
    records = importer.load(source, kdc.settings, **(options or {}))

    def warn(warnings: Iterable[str]) -> None:
        for warning in warnings:
            log.warning("import %s from %s: %s", importer.name, source, warning)
            if on_warning is not None:
                on_warning(warning)

    warn(getattr(records, "warnings", ()))
    if progress:
        click.echo(
            f"Read {len(records)} records; applying{' (dry run)' if dry_run else ''} …", err=True
        )
    with kdc.unit_of_work(source=f"import:{importer.name}", dry_run=dry_run) as uow:
        changes = importer.apply(uow, records)
    warn(changes.warnings)
    return changes
