"""The commands ``kdc import NAME`` and ``kdc export NAME`` make for each registered importer
and exporter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kdc_core.cli import echo_json, pass_kdc

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.interchange import Exporter, Importer


def import_command(importer: Importer) -> click.Command:
    """``kdc import NAME SOURCE``: run ``importer`` (one transaction; ``--dry-run`` to
    preview, ``--json`` for one document)."""

    @click.command(importer.name, help=importer.help)
    @click.argument("source")
    @click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
    @click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
    @pass_kdc
    def run(kdc: Kdc, source: str, dry_run: bool, as_json: bool, **options: Any) -> None:
        from kdc_core.services.imports import run_import

        warnings: list[str] = []
        changes = run_import(
            kdc,
            importer,
            source,
            dry_run=dry_run,
            progress=not as_json,
            options=options,
            on_warning=warnings.append,
        )
        if not as_json:
            for warning in warnings:
                click.echo(f"Warning: {warning}")
        if as_json:
            echo_json(
                {
                    "importer": importer.name,
                    "source": source,
                    "dry_run": dry_run,
                    "changes": len(changes),
                    "summary": changes.summary(),
                    "warnings": warnings,
                    "details": [
                        {
                            "entity": c.entity,
                            "action": c.action.value,
                            "label": c.label,
                            "fields": list(c.fields),
                        }
                        for c in changes
                    ],
                }
            )
            return
        verb = "Would make" if dry_run else "Made"
        if not changes:
            click.echo(f"{importer.name}: 0 changes — the database already matches {source}.")
            return
        for c in changes:
            fields = f" ({', '.join(c.fields)})" if c.fields else ""
            click.echo(f"  {c.action.value:<11} {c.entity:<16} {c.label}{fields}")
        summary = "; ".join(
            f"{entity}: " + ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
            for entity, counts in sorted(changes.summary().items())
        )
        click.echo(f"{verb} {len(changes)} changes. {summary}")
        if dry_run:
            click.echo("Dry run: nothing was written.")

    run.params.extend(importer.options)
    return run


def export_command(exporter: Exporter) -> click.Command:
    """``kdc export NAME [--out FILE]``: write what ``exporter`` gives (a file is written
    whole or not at all)."""

    @click.command(exporter.name, help=exporter.help)
    @click.option(
        "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout."
    )
    @click.option("--json", "as_json", is_flag=True, hidden=True, help="Accepted for symmetry.")
    @pass_kdc
    def run(kdc: Kdc, out: Path | None, as_json: bool, **options: Any) -> None:
        with kdc.unit_of_work(source=f"export:{exporter.name}", dry_run=True) as uow:
            text = exporter.export(uow, **options)
        if out is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            tmp = out.with_name(out.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)
            click.echo(f"Wrote {out} ({len(text.encode())} bytes).", err=True)

    run.params.extend(exporter.options)
    return run
