"""Enquiry use cases on a unit of work: create, change status, extend, assign, note, search,
overdue.

Every change appends to the audit trail in the same transaction, and queues the messages it
promises (:mod:`kdc_core.enquiries.messages`) in that transaction too: the value a change
returns carries them in ``Enquiry.told``. Constituent details are personal data: the trail
names the fields that changed but never copies their values.
"""

from __future__ import annotations

import datetime as dt
import logging

import attrs
from sqlalchemy import func, or_, select

from kdc_core.db.enquiries import EnquiryNoteRow, EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow, OfficerRow, WardRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import categories, messages, routing
from kdc_core.enquiries.timescales import add_working_days, due_dates
from kdc_core.enquiries.values import (
    MAX_EXTENSIONS,
    OPEN_STATUSES,
    TRANSITIONS,
    Enquiry,
    NewEnquiry,
    Note,
    Status,
    Told,
)
from kdc_core.errors import KdcError
from kdc_core.mail.addresses import AddressError, optional_address
from kdc_core.people.lookup import (
    resolve_councillor,
    resolve_officer,
    resolve_service,
    resolve_ward,
)
from kdc_core.timewords import govuk_date
from kdc_core.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


class EnquiryError(KdcError):
    """A change the enquiry's rules do not allow (the message says which rule)."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def create(
    uow: UnitOfWork,
    new: NewEnquiry,
    actor: str,
    *,
    notify: bool = True,
    any_category: bool = False,
) -> Enquiry:
    """Open an enquiry: take a reference, compute due dates, route it, audit it, and queue
    the councillors' and the named officer's messages (not when ``notify`` is false: an
    import of old cases tells nobody).

    The constituent's email, when given, must be one valid address (stored in normal form).
    The category must exist and be active (a near miss is refused with the closest names);
    when ``new.service`` is empty the category's default service takes the enquiry. People
    and places are names or ids (:mod:`kdc_core.people.lookup`). A councillor who does not
    represent the ward does not stop it: the value returned says so in ``warnings`` (and the
    log, with the reference and the councillor only).
    """
    if not new.councillors:
        raise EnquiryError("an enquiry needs the councillor raising it")
    if not new.description.strip():
        raise EnquiryError("an enquiry needs a description")
    try:
        constituent_email = optional_address(new.constituent.email)
    except AddressError as exc:
        raise EnquiryError(f"the constituent's email: {exc}") from None
    session = uow.session
    category = categories.for_new_enquiry(uow, new.category, inactive_ok=any_category)
    ward = resolve_ward(session, new.ward)
    if new.service.strip():
        service = resolve_service(session, new.service)
    elif category.service is not None:
        service = resolve_service(session, category.service)
    else:
        raise EnquiryError(
            f"an enquiry needs a service: name one, or give the category {category.name!r} "
            "a default service"
        )
    raising = [resolve_councillor(session, name) for name in new.councillors]
    councillor_ids = [c.id for c in raising]
    joint_ids = [resolve_officer(session, name).id for name in new.joint_officers]
    received_at = new.received_at or _now()
    if received_at.tzinfo is None:
        raise EnquiryError(f"received_at {received_at.isoformat()} has no time zone")
    received = received_at.astimezone(uow.settings.tz).date()
    acknowledge_by, respond_by = due_dates(received, category)
    chosen = routing.route(session, ward.id, service.id)
    number = store.next_number(session, received.year)
    row = EnquiryRow(
        reference=store.format_reference(received.year, number),
        year=received.year,
        number=number,
        legacy_reference=new.legacy_reference,
        ward_id=ward.id,
        service_id=service.id,
        category=category.name,
        description=new.description.strip(),
        constituent_name=new.constituent.name,
        constituent_email=constituent_email,
        constituent_phone=new.constituent.phone,
        constituent_address=new.constituent.address,
        status=Status.RECEIVED.value,
        received_at=received_at,
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
        original_respond_by=respond_by,
        extension_stage=0,
        officer_id=chosen.officer_id,
        routed_by=chosen.routed_by,
        advocacy=new.advocacy or chosen.officer_id is None,
        info_public=new.info_public,
        info_not_barred=new.info_not_barred,
        info_not_confidential=new.info_not_confidential,
    )
    kinds = ["councillor"] + ["joint_councillor"] * (len(councillor_ids) - 1)
    for person_id, kind in dict(zip(councillor_ids, kinds, strict=True)).items():
        row.people.append(EnquiryPersonRow(kind=kind, person_id=person_id))
    for officer_id in dict.fromkeys(joint_ids):
        row.people.append(EnquiryPersonRow(kind="joint_officer", person_id=officer_id))
    session.add(row)
    session.flush()
    store.audit(session, row, actor, "created", "status", None, row.status)
    store.audit(session, row, actor, "routed", "officer", None, chosen.routed_by)
    session.flush()
    warnings = _outside_ward(raising, ward)
    for warning in warnings:
        log.warning("%s: %s", row.reference, warning)
    told = messages.created(uow, row) if notify else None
    return attrs.evolve(_told(get(uow, row.reference), told), warnings=tuple(warnings))


def _outside_ward(councillors: list[CouncillorRow], ward: WardRow) -> list[str]:
    """A warning for each councillor on the enquiry who does not represent its ward."""
    out = []
    for c in dict.fromkeys(councillors):
        if c.ward_id != ward.id:
            theirs = f"they represent {c.ward.name} ward" if c.ward else "they have no ward"
            out.append(
                f"Cllr {c.name} does not represent {ward.name} ward ({theirs}); the enquiry "
                "was logged all the same"
            )
    return out


def _told(enquiry: Enquiry, told: Told | None) -> Enquiry:
    return attrs.evolve(enquiry, told=told)


def get(uow: UnitOfWork, reference: str) -> Enquiry:
    row = store.enquiry_row(uow.session, reference)
    return store.to_values(uow.session, [row], detail=True)[0]


def update_status(
    uow: UnitOfWork,
    reference: str,
    status: Status | str,
    actor: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Enquiry:
    """Move the enquiry on; reopening (a resolved or closed enquiry going back to an open
    status) is allowed only inside the category's follow-up window. Closing a resolved
    enquiry keeps when it was resolved and whether that was in time."""
    session = uow.session
    row = store.enquiry_row(session, reference)
    if row.anonymised_at is not None:
        raise EnquiryError(f"{row.reference} has been anonymised and cannot change")
    try:
        target = Status(status)
    except ValueError:
        known = ", ".join(s.value for s in Status if s is not Status.EXTENDED)
        raise EnquiryError(f"unknown status {status!r} (use one of: {known})") from None
    current = Status(row.status)
    if target not in TRANSITIONS[current]:
        hint = "use `extend` to extend" if target is Status.EXTENDED else "not allowed"
        raise EnquiryError(f"{row.reference}: {current.value} → {target.value} is {hint}")
    now = now or _now()
    if current in (Status.RESOLVED, Status.CLOSED) and target in OPEN_STATUSES:
        settings = store.category_settings(session, row.category)
        since = row.closed_at or row.resolved_at or now
        if now > since + dt.timedelta(days=settings.follow_up_days):
            raise EnquiryError(
                f"{row.reference} was {current.value} on {govuk_date(since, uow.settings.tz)}; the "
                f"{settings.follow_up_days}-day follow-up window has passed: open a new enquiry"
            )
        store.audit(session, row, actor, "reopened", "status", current.value, target.value, now)
        row.closed_at = None
        row.resolved_at = None
        row.resolved_in_time = None
    else:
        store.audit(session, row, actor, "status", "status", current.value, target.value, now)
    row.status = target.value
    if target is Status.ACKNOWLEDGED:
        row.acknowledged_at = now
    elif target is Status.RESOLVED:
        row.resolved_at = now
        row.resolved_in_time = now.astimezone(uow.settings.tz).date() <= row.respond_by
    elif target is Status.CLOSED:
        row.closed_at = now
    if note:
        _note(uow, row, note, actor, now)
    session.flush()
    told = messages.status_changed(uow, row, current.value, note)
    return _told(get(uow, row.reference), told)


def extend(
    uow: UnitOfWork,
    reference: str,
    reason: str,
    actor: str,
    new_due: dt.date | None = None,
) -> Enquiry:
    """Extend the response date (at most twice), with a reason; the default new date is the
    category's response time again, counted from the current due date."""
    session = uow.session
    row = store.enquiry_row(session, reference)
    if not reason.strip():
        raise EnquiryError("an extension needs a reason")
    if Status(row.status) not in OPEN_STATUSES:
        raise EnquiryError(f"{row.reference} is {row.status}: only open enquiries are extended")
    if row.extension_stage >= MAX_EXTENSIONS:
        raise EnquiryError(f"{row.reference} has had both extensions already")
    if new_due is None:
        days = store.category_settings(session, row.category).respond_days
        new_due = add_working_days(row.respond_by, days)
    if new_due <= row.respond_by:
        raise EnquiryError(
            f"the new due date {new_due} must be after the current one ({row.respond_by})"
        )
    stage = row.extension_stage + 1
    old_due = row.respond_by
    store.audit(session, row, actor, f"extension {stage}", "respond_by", row.respond_by, new_due)
    if row.status != Status.EXTENDED.value:
        store.audit(session, row, actor, "status", "status", row.status, Status.EXTENDED.value)
    row.extension_stage = stage
    row.extension_reason = reason.strip()
    row.respond_by = new_due
    row.status = Status.EXTENDED.value
    _note(uow, row, f"Extension {stage}: {reason.strip()}", actor, _now())
    session.flush()
    told = messages.extended(uow, row, old_due, reason.strip())
    return _told(get(uow, row.reference), told)


def find_officer(uow: UnitOfWork, name_or_id: str) -> OfficerRow:
    """An officer by person id, "Given Family" name (any case) or database id.

    :raises NotFound: nobody matches (the message suggests the closest names), or several
        officers share the name (the message lists their person ids).
    """
    return resolve_officer(uow.session, name_or_id)


def assign(
    uow: UnitOfWork, reference: str, officer: str, actor: str, reason: str | None = None
) -> Enquiry:
    """Name ``officer`` (a name, person id or id) as the enquiry's officer — from nobody or
    from someone else —, audit it (who, when, old → new; the reason as a note), and queue the
    messages: the new officer gets the case, the previous one hears it moved, the
    councillors hear who has it now."""
    session = uow.session
    row = store.enquiry_row(session, reference)
    if row.anonymised_at is not None:
        raise EnquiryError(f"{row.reference} has been anonymised and cannot change")
    if Status(row.status) not in OPEN_STATUSES:
        raise EnquiryError(f"{row.reference} is {row.status}: only open enquiries are assigned")
    chosen = find_officer(uow, officer)
    if chosen.archived_at is not None:
        raise EnquiryError(f"{chosen.name} has left (archived): choose someone else")
    if row.officer_id == chosen.id:
        raise EnquiryError(f"{row.reference} is already with {chosen.name}")
    previous_id = row.officer_id
    previous = store.officer_name(session.get(OfficerRow, previous_id)) if previous_id else None
    now = _now()
    store.audit(session, row, actor, "assigned", "officer", previous, chosen.name, now)
    row.officer_id = chosen.id
    row.routed_by = "assigned"
    if reason and reason.strip():
        _note(uow, row, f"Assigned to {chosen.name}: {reason.strip()}", actor, now)
    session.flush()
    told = messages.reassigned(uow, row, previous_id, reason.strip() if reason else None)
    return _told(get(uow, row.reference), told)


def add_note(uow: UnitOfWork, reference: str, body: str, actor: str) -> Note:
    if not body.strip():
        raise EnquiryError("a note needs some text")
    row = store.enquiry_row(uow.session, reference)
    if row.anonymised_at is not None:
        raise EnquiryError(f"{row.reference} has been anonymised: a note would add personal data")
    note = _note(uow, row, body.strip(), actor, _now())
    uow.session.flush()
    return note


def _note(uow: UnitOfWork, row: EnquiryRow, body: str, actor: str, at: dt.datetime) -> Note:
    uow.session.add(EnquiryNoteRow(enquiry_id=row.id, author=actor, body=body, created_at=at))
    store.audit(uow.session, row, actor, "note", at=at)
    return Note(actor, body, at)


def search(
    uow: UnitOfWork,
    *,
    status: str | None = None,
    ward: str | None = None,
    service: str | None = None,
    text: str | None = None,
    limit: int = 100,
) -> list[Enquiry]:
    """Enquiries matching every filter given, newest first."""
    stmt = select(EnquiryRow).order_by(EnquiryRow.received_at.desc(), EnquiryRow.id.desc())
    if status:
        stmt = stmt.where(EnquiryRow.status == Status(status).value)
    if ward:
        stmt = stmt.where(EnquiryRow.ward_id == uow.people.ward_row(ward).id)
    if service:
        stmt = stmt.where(EnquiryRow.service_id == uow.people.service_row(service).id)
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(EnquiryRow.description).like(like),
                func.lower(EnquiryRow.reference).like(like),
            )
        )
    rows = list(uow.session.scalars(stmt.limit(limit)))
    return store.to_values(uow.session, rows)


def overdue(uow: UnitOfWork, today: dt.date | None = None) -> list[Enquiry]:
    """Open enquiries whose response date has passed, oldest due first."""
    today = today or dt.datetime.now(uow.settings.tz).date()
    rows = list(
        uow.session.scalars(
            select(EnquiryRow)
            .where(
                EnquiryRow.status.in_([s.value for s in OPEN_STATUSES]),
                EnquiryRow.respond_by < today,
            )
            .order_by(EnquiryRow.respond_by, EnquiryRow.id)
        )
    )
    return store.to_values(uow.session, rows)
