"""What a caseworker's screens show about enquiries, in words: the queues (overdue,
unassigned, due soon), how late an open enquiry is, who did what (names rather than sign-in
codes) and one timeline of a case's audit entries and notes.

These read; they never change an enquiry (changes go through
:mod:`kdc_core.enquiries.service`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow
from kdc_core.db.users import UserRow
from kdc_core.enquiries import routing
from kdc_core.enquiries.dashboard import DUE_WORKING_DAYS, due_until
from kdc_core.enquiries.timescales import working_days_between
from kdc_core.enquiries.values import OPEN_STATUSES, AuditEntry, Enquiry, Status, Told
from kdc_core.timewords import long_date
from kdc_core.unit_of_work import UnitOfWork

#: The queues a caseworker picks from, with their names in words.
QUEUES = {
    "overdue": "Overdue",
    "unassigned": "Unassigned",
    "due-soon": f"Due within {DUE_WORKING_DAYS} working days",
}

_OPEN = [s.value for s in OPEN_STATUSES]


def queue_clause(queue: str, today: dt.date) -> ColumnElement[bool]:
    """The condition on :class:`EnquiryRow` for one of :data:`QUEUES` (open enquiries only;
    "due soon" is the SLA dashboard's: :func:`kdc_core.enquiries.dashboard.due_until`).

    :raises KeyError: ``queue`` is not one of :data:`QUEUES`.
    """
    is_open = EnquiryRow.status.in_(_OPEN)
    if queue == "overdue":
        return and_(is_open, EnquiryRow.respond_by < today)
    if queue == "unassigned":
        return and_(is_open, EnquiryRow.officer_id.is_(None))
    if queue == "due-soon":
        last = due_until(today)
        return and_(is_open, EnquiryRow.respond_by >= today, EnquiryRow.respond_by <= last)
    raise KeyError(queue)


def timescale_words(status: Status | str, respond_by: dt.date, today: dt.date) -> str:
    """How an enquiry stands against its response date, in words (never colour alone):
    ``Overdue by 12 working days``, ``Overdue`` (past, but no working day yet), ``Due today``,
    ``Due in 2 working days``; empty when it is finished or not due soon."""
    if Status(status) not in OPEN_STATUSES:
        return ""
    if respond_by < today:
        late = working_days_between(respond_by, today)
        if late == 0:
            return "Overdue"
        return f"Overdue by {late} working day{'s' if late != 1 else ''}"
    if respond_by == today:
        return "Due today"
    left = working_days_between(today, respond_by)
    if left <= DUE_WORKING_DAYS:
        return f"Due in {left} working day{'s' if left != 1 else ''}"
    return ""


def councillors_with_enquiries(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every councillor raising or joining an enquiry, by name."""
    rows = session.execute(
        select(CouncillorRow.id, CouncillorRow.name)
        .where(
            CouncillorRow.id.in_(
                select(EnquiryPersonRow.person_id).where(
                    EnquiryPersonRow.kind.in_(("councillor", "joint_councillor"))
                )
            )
        )
        .order_by(CouncillorRow.name, CouncillorRow.id)
    ).all()
    return [(i, n) for i, n in rows]


def officers_with_enquiries(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every officer named on an enquiry, by name."""
    rows = session.execute(
        select(OfficerRow.id, OfficerRow.given_name, OfficerRow.family_name)
        .where(OfficerRow.id.in_(select(EnquiryRow.officer_id)))
        .order_by(OfficerRow.family_name, OfficerRow.given_name, OfficerRow.id)
    ).all()
    return [(i, f"{g} {f}") for i, g, f in rows]


def officer_choices(uow: UnitOfWork) -> list[tuple[str, str]]:
    """Active officers an enquiry may be assigned to, as (person id, "Name (Service)"),
    by name: the person id is what :func:`kdc_core.enquiries.service.assign` takes when two
    officers share a name."""
    rows = uow.session.execute(
        select(OfficerRow.person_id, OfficerRow.given_name, OfficerRow.family_name, ServiceRow.name)
        .outerjoin(ServiceRow, ServiceRow.id == OfficerRow.service_id)
        .where(OfficerRow.archived_at.is_(None))
        .order_by(OfficerRow.family_name, OfficerRow.given_name, OfficerRow.id)
    ).all()
    return [
        (pid, f"{given} {family} ({service})" if service else f"{given} {family}")
        for pid, given, family, service in rows
    ]


def actor_names(uow: UnitOfWork, actors: Iterable[str]) -> dict[str, str]:
    """Who each audit ``actor`` is, for a person to read.

    ``admin:ruth@…`` becomes ``Ruth Shaw (admin)`` — the officer or councillor with that
    address, and the account's role —, or the address and role when nobody has it;
    ``cli:ruth`` becomes ``ruth (command line)``; anything else (a job, an import) is kept
    as written.
    """
    out: dict[str, str] = {}
    emails = {a.split(":", 1)[1].strip().lower() for a in actors if a.startswith("admin:")}
    names: dict[str, str] = {}
    roles: dict[str, str] = {}
    if emails:
        for email, given, family in uow.session.execute(
            select(func.lower(OfficerRow.email), OfficerRow.given_name, OfficerRow.family_name)
            .where(func.lower(OfficerRow.email).in_(emails))
            .order_by(OfficerRow.archived_at.is_not(None), OfficerRow.id)
        ):
            names.setdefault(email, f"{given} {family}")
        for email, name in uow.session.execute(
            select(func.lower(CouncillorRow.email), CouncillorRow.name)
            .where(func.lower(CouncillorRow.email).in_(emails))
            .order_by(CouncillorRow.id)
        ):
            names.setdefault(email, name)
        roles = dict(
            uow.session.execute(
                select(func.lower(UserRow.email), UserRow.role).where(
                    func.lower(UserRow.email).in_(emails)
                )
            ).all()
        )
    for actor in set(actors):
        kind, _, rest = actor.partition(":")
        if kind == "admin" and rest:
            email = rest.strip().lower()
            out[actor] = f"{names.get(email, rest)} ({roles.get(email, 'admin site')})"
        elif kind == "cli":
            out[actor] = f"{rest} (command line)" if rest else "The command line"
        else:
            out[actor] = actor
    return out


def queued_words(told: Told | None) -> str:
    """What a change's messages came to, counted and honest: "3 messages queued (…)" — queued
    for the outbox, which sends them when it is dispatched; never "sent"."""
    if told is None:
        return "No message was queued here: this casework backend does not report its messages."
    if told.not_queued_because:
        return told.summary()
    n = len(told.queued)
    parts = [f"{n} message{'s' if n != 1 else ''} queued"]
    if n:
        parts[0] += f" for {', '.join(told.queued)} (they go when the outbox is dispatched)"
    if told.already:
        parts.append(f"{len(told.already)} queued earlier for {', '.join(told.already)}")
    if told.no_address:
        parts.append(f"no email address for {', '.join(told.no_address)}")
    return "; ".join(parts) + "."


@attrs.frozen
class TimelineEntry:
    """One thing that happened to an enquiry: when, who (in words), what (in words), and
    the note's text when it was a note."""

    at: dt.datetime
    who: str
    what: str
    note: str | None = None


_ROUTED_BY = {
    routing.WARD_CONTACT: "The ward's named contact for the service",
    routing.SERVICE_DEFAULT: "The service's default contact",
    routing.UNASSIGNED: "Nobody yet: the liaison team's queue",
    "assigned": "Assigned by hand",
}


def routed_by_words(code: str) -> str:
    """How an enquiry reached its named officer, in words (``ward_contact`` → "The ward's
    named contact for the service")."""
    return _ROUTED_BY.get(code, code.replace("_", " ").capitalize())


def _label(value: str | None) -> str:
    try:
        return Status(value or "").label
    except ValueError:
        return value or "nothing"


def _day(value: str | None) -> str:
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return value or "no date"
    return long_date(day, dt.UTC)


_FIELDS = {
    "status": "Status",
    "officer": "Named officer",
    "respond_by": "Respond-by date",
}


def field_words(field: str | None) -> str:
    """The name of the field an audit entry changed, in words (``respond_by`` → "Respond-by
    date")."""
    if not field:
        return ""
    return _FIELDS.get(field, field.replace("_", " ").capitalize())


def audit_value(action: str, field: str | None, value: str | None) -> str:
    """One old or new value of an audit entry, in words: a status by its label, a date as
    a UK date, a routing by how it was routed; anything else as stored."""
    if value is None:
        return ""
    if field == "status":
        return _label(value)
    if field == "respond_by":
        return _day(value)
    if action == "routed":
        return routed_by_words(value)
    return value


def _what(a: AuditEntry) -> str:
    if a.action == "created":
        return f"Logged (status {_label(a.new)})"
    if a.action == "routed":
        how = routed_by_words(a.new or routing.UNASSIGNED)
        return f"Routed to {how[0].lower()}{how[1:]}"
    if a.action == "status":
        return f"Status changed from {_label(a.old)} to {_label(a.new)}"
    if a.action == "reopened":
        return f"Reopened: {_label(a.old)} to {_label(a.new)}"
    if a.action.startswith("extension"):
        stage = a.action.removeprefix("extension").strip()
        return f"Extension {stage}: respond by {_day(a.new)} instead of {_day(a.old)}"
    if a.action == "assigned":
        if a.old:
            return f"Named officer changed from {a.old} to {a.new}"
        return f"Assigned to {a.new}"
    if a.action == "anonymised":
        return f"Personal data removed under retention ({a.new})"
    if a.action == "imported":
        return f"Imported from the old casework system (status {_label(a.new)})"
    if a.action == "note":
        return "Note added"
    change = f": {a.field} from {a.old or 'nothing'} to {a.new or 'nothing'}" if a.field else ""
    return f"{a.action.capitalize()}{change}"


def timeline(uow: UnitOfWork, enquiry: Enquiry) -> list[TimelineEntry]:
    """The enquiry's audit entries and notes as one list, oldest first (newest last).

    A note and the audit entry it made share the moment and the actor, so they are shown
    as one entry carrying the note's text.
    """
    who = actor_names(uow, [a.actor for a in enquiry.audit] + [n.author for n in enquiry.notes])
    notes: dict[tuple[dt.datetime, str], list[str]] = {}
    for n in enquiry.notes:
        notes.setdefault((n.created_at, n.author), []).append(n.body)
    out: list[TimelineEntry] = []
    for a in enquiry.audit:
        body = None
        if a.action == "note":
            bodies = notes.get((a.at, a.actor))
            body = bodies.pop(0) if bodies else None
        out.append(TimelineEntry(a.at, who[a.actor], _what(a), body))
    for (at, author), bodies in notes.items():
        out.extend(TimelineEntry(at, who[author], "Note added", body) for body in bodies)
    out.sort(key=lambda e: e.at)  # stable: entries at the same moment keep their order
    return out
