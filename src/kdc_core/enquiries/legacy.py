"""Import enquiries from the legacy casework system's CSV export.

Columns: legacy_reference, councillor, ward, category, service, description, received_at
(ISO), and optionally status, constituent_name, constituent_email, constituent_phone,
constituent_address. A row whose legacy reference is already here is skipped, so running the
import again changes nothing. Every row is checked before anything is written; any bad row
stops the whole import, named by line.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import attrs
from sqlalchemy import select

from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import service
from kdc_core.enquiries.values import Constituent, NewEnquiry, Status
from kdc_core.errors import ImportFailed, KdcError
from kdc_core.unit_of_work import UnitOfWork

REQUIRED = ("legacy_reference", "councillor", "ward", "category", "service", "description",
            "received_at")  # fmt: skip
ACTOR = "legacy import"


@attrs.frozen
class ImportReport:
    created: tuple[tuple[str, str], ...]  # (legacy reference, new reference)
    skipped: tuple[str, ...]


def _row(line: int, data: dict[str, str], where: str) -> tuple[NewEnquiry, Status]:
    missing = [c for c in REQUIRED if not (data.get(c) or "").strip()]
    if missing:
        raise ImportFailed(f"{where} line {line}: missing {', '.join(missing)}")
    try:
        received = dt.datetime.fromisoformat(data["received_at"].strip())
    except ValueError:
        raise ImportFailed(
            f"{where} line {line}: received_at {data['received_at']!r} is not an ISO date-time"
        ) from None
    if received.tzinfo is None:
        received = received.replace(tzinfo=dt.UTC)
    try:
        status = Status((data.get("status") or "received").strip())
    except ValueError:
        raise ImportFailed(f"{where} line {line}: unknown status {data['status']!r}") from None
    new = NewEnquiry(
        councillors=(data["councillor"].strip(),),
        ward=data["ward"].strip(),
        category=data["category"].strip(),
        service=data["service"].strip(),
        description=data["description"].strip(),
        received_at=received,
        constituent=Constituent(
            *(
                (data.get(f"constituent_{k}") or "").strip() or None
                for k in ("name", "email", "phone", "address")
            )
        ),
        legacy_reference=data["legacy_reference"].strip(),
    )
    return new, status


def import_legacy(uow: UnitOfWork, path: Path) -> ImportReport:
    """Import every new row of ``path`` in the caller's transaction."""
    where = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportFailed(f"{where}: no column {', '.join(missing)} in the header")
            rows = [(n, _row(n, d, where)) for n, d in enumerate(reader, start=2)]
    except OSError as exc:
        raise ImportFailed(f"{where}: {exc.strerror}") from None
    seen: dict[str, int] = {}
    for line, (new, _status) in rows:
        ref = new.legacy_reference or ""
        if ref in seen:
            raise ImportFailed(f"{where} line {line}: {ref} repeats line {seen[ref]}")
        seen[ref] = line
    existing = set(
        uow.session.scalars(
            select(EnquiryRow.legacy_reference).where(EnquiryRow.legacy_reference.in_(seen))
        )
    )
    created, skipped = [], []
    for line, (new, status) in sorted(rows, key=lambda r: (r[1][0].received_at, r[0])):
        if new.legacy_reference in existing:
            skipped.append(new.legacy_reference or "")
            continue
        try:
            made = service.create(uow, new, ACTOR, notify=False)
        except KdcError as exc:
            raise ImportFailed(f"{where} line {line} ({new.legacy_reference}): {exc}") from None
        if status is not Status.RECEIVED:
            row = store.enquiry_row(uow.session, made.reference)
            store.audit(uow.session, row, ACTOR, "imported", "status", row.status, status.value)
            row.status = status.value
            when = new.received_at
            if status in (Status.RESOLVED, Status.CLOSED):
                row.resolved_at = when
                row.resolved_in_time = None  # the legacy export does not say
            if status is Status.CLOSED:
                row.closed_at = when
        created.append((new.legacy_reference or "", made.reference))
    uow.session.flush()
    return ImportReport(tuple(created), tuple(skipped))
