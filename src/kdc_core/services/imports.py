"""Running a registered importer: read everything first, then apply in one transaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import click

from kdc_core.app import Kdc
from kdc_core.changes import ChangeSet
from kdc_core.interchange import Importer
from kdc_core.logs import scrub, source_label

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
    label = source_label(source)
    fields: dict[str, Any] = {"importer": importer.name, "source": label, "dry_run": dry_run}
    log.info("import %s from %s started", importer.name, label, extra=fields)
    started = time.perf_counter()
    warned = 0

    def warn(warnings: Iterable[str]) -> None:
        nonlocal warned
        for warning in warnings:
            warned += 1
            log.warning("import %s from %s: %s", importer.name, label, scrub(warning), extra=fields)
            if on_warning is not None:
                on_warning(warning)

    try:
        if progress:
            click.echo(f"Reading {source} …", err=True)
        records = importer.load(source, kdc.settings, **(options or {}))
        warn(getattr(records, "warnings", ()))
        if progress:
            click.echo(
                f"Read {len(records)} records; applying{' (dry run)' if dry_run else ''} …",
                err=True,
            )
        with kdc.unit_of_work(source=f"import:{importer.name}", dry_run=dry_run) as uow:
            changes = importer.apply(uow, records)
        warn(changes.warnings)
    except Exception as exc:
        seconds = time.perf_counter() - started
        log.warning(
            "import %s from %s failed after %.2f s (%s); nothing was written",
            importer.name,
            label,
            seconds,
            type(exc).__name__,
            extra=fields | {"outcome": "failed", "duration_s": round(seconds, 3)},
        )
        raise
    seconds = time.perf_counter() - started
    counts = {
        f"{entity} {action}": n
        for entity, by in changes.summary().items()
        for action, n in by.items()
    }
    log.info(
        "import %s from %s %s in %.2f s: %d records read, %d changes, %d warnings",
        importer.name,
        label,
        "checked (dry run)" if dry_run else "applied",
        seconds,
        len(records),
        len(changes),
        warned,
        extra=fields
        | {
            "outcome": "dry-run" if dry_run else "applied",
            "duration_s": round(seconds, 3),
            "records": len(records),
            "changes": len(changes),
            "warnings": warned,
            "counts": counts,
        },
    )
    return changes
