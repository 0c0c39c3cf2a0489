"""Import enquiries from the legacy casework system's CSV export.

Columns: legacy_reference, councillor, ward, category, service, description, received_at,
and optionally status, constituent_name, constituent_email, constituent_phone,
constituent_address. A row whose legacy reference is already here is skipped, so running the
import again changes nothing. Every row is checked before anything is written; any bad row
stops the whole import, named by line.

``received_at`` is read as people in the UK write it (:func:`parse_received`): ``02/11/2026``
is 2 November 2026; ``2/11/2026``, ``02/11/2026 14:30``, ISO dates and ISO date-times (with or
without seconds or an offset) are read too. A time without an offset is the council's local
time; a date alone is the start of that local day.

The import is tolerant of history: a category the database does not know is created
*inactive* (with the default timescales), so the old case keeps its category while new
enquiries cannot use it until someone makes it active; each such row is reported as a warning
naming its line (in the report, so in the command's output and JSON, and in the log).
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from pathlib import Path

import attrs
from sqlalchemy import select

from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import categories, service
from kdc_core.enquiries.values import Constituent, NewEnquiry, Status
from kdc_core.errors import ImportFailed, KdcError
from kdc_core.unit_of_work import UnitOfWork

REQUIRED = ("legacy_reference", "councillor", "ward", "category", "service", "description",
            "received_at")  # fmt: skip
ACTOR = "legacy import"


log = logging.getLogger(__name__)

_UK = re.compile(
    r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
FORMS = "02/11/2026, 02/11/2026 14:30, 2026-11-02 or 2026-11-02T14:30"


@attrs.frozen
class ImportReport:
    created: tuple[tuple[str, str], ...]  # (legacy reference, new reference)
    skipped: tuple[str, ...]
    #: rows imported with something to know (a category created inactive), line named.
    warnings: tuple[str, ...] = ()


def parse_received(text: str, tz: dt.tzinfo) -> dt.datetime:
    """When a legacy case came in, as the export wrote it (day first, as in the UK).

    ``02/11/2026`` and ``2/11/2026`` (2 November), ``02/11/2026 14:30`` (seconds allowed),
    ``2026-11-02``, ``2026-11-02T14:30`` (or with a space; seconds, fractions and an offset
    allowed). A time without an offset is local to ``tz``; a date alone is the start of
    that day in ``tz``.

    :raises ValueError: anything else, or a day that does not exist (31/02/2026).
    """
    value = text.strip()
    uk = _UK.fullmatch(value)
    if uk:
        parts = uk.groupdict()
        return dt.datetime(
            int(parts["y"]),
            int(parts["m"]),
            int(parts["d"]),
            int(parts["H"] or 0),
            int(parts["M"] or 0),
            int(parts["S"] or 0),
            tzinfo=tz,
        )
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].+)?", value):
        raise ValueError(value)
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _row(line: int, data: dict[str, str], where: str, tz: dt.tzinfo) -> tuple[NewEnquiry, Status]:
    missing = [c for c in REQUIRED if not (data.get(c) or "").strip()]
    if missing:
        raise ImportFailed(f"{where} line {line}: missing {', '.join(missing)}")
    try:
        received = parse_received(data["received_at"], tz)
    except ValueError:
        raise ImportFailed(
            f"{where} line {line}: received_at {data['received_at']!r} is not a date we can "
            f"read (write it like {FORMS})"
        ) from None
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
            tz = uow.settings.tz
            rows = [(n, _row(n, d, where, tz)) for n, d in enumerate(reader, start=2)]
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
    created, skipped, warnings = [], [], []
    for line, (new, status) in sorted(rows, key=lambda r: (r[1][0].received_at, r[0])):
        if new.legacy_reference in existing:
            skipped.append(new.legacy_reference or "")
            continue
        if store.category_row(uow.session, new.category) is None:
            categories.set_category(uow, new.category, active=False)
            warning = (
                f"{where} line {line} ({new.legacy_reference}): the category "
                f"{new.category!r} was not known; it was created inactive with the default "
                "timescales (make it active with `kdc enquiries category-set` to use it again)"
            )
            log.warning("%s", warning)
            warnings.append(warning)
        try:
            made = service.create(uow, new, ACTOR, notify=False, any_category=True)
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
    return ImportReport(tuple(created), tuple(skipped), tuple(warnings))
