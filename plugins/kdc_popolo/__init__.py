"""Popolo JSON export: ``kdc export popolo [--out FILE]``.

Writes the councillors and officers, the council with its political groups, directorates,
services, teams and committees, the wards, the posts (three councillor seats per ward,
officers' job titles) and the memberships joining them (officers' ward assignments, named
contacts and link officers with the ward as area), in the shapes of the Popolo specification
(https://www.popoloproject.com/specs/). See :mod:`kdc_popolo.document` for the choices made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kdc_core import hookimpl
from kdc_core.interchange import Exporter
from kdc_core.lazy import exports
from kdc_core.registry import deferred

if TYPE_CHECKING:
    from kdc_popolo.document import Snapshot, build_document, export_popolo

__all__ = ["Snapshot", "build_document", "export_popolo", "kdc_register_exporters"]

# What the package gives from kdc_popolo.document, imported when first asked for:
# registering the exporter, which every command does, needs none of it.
__getattr__ = exports(
    __name__, dict.fromkeys(("Snapshot", "build_document", "export_popolo"), "kdc_popolo.document")
)


EXPORTER = Exporter(
    name="popolo",
    help="Popolo JSON: persons, organizations, areas (wards), posts and memberships.",
    export=deferred("kdc_popolo.document:export_popolo"),
    suffix=".json",
    media_type="application/json",
)


@hookimpl
def kdc_register_exporters(register: Callable[[Exporter], None]) -> None:
    register(EXPORTER)
