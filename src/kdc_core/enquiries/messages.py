"""The messages an enquiry promises, queued in the same transaction as the change.

The workshops' first complaint was "I don't know who is dealing with my issue". So:

- **created**: each councillor on the enquiry is told its reference, the named officer with
  their contact details, and the acknowledge-by and respond-by dates; the named officer gets
  the new case in the councillor's words.
- **reassigned**: the new officer gets the case, the previous one is told it has moved, and
  the councillors are told who has it now.
- **status changed**, **extended** (with the reason and the new date) and **resolved**: the
  councillors are told.
- **overdue**: the named officer on the first day it is late; their line manager once it is
  a configurable number of working days late (:func:`overdue_messages`, run daily by the
  ``enquiry_escalation`` job).

Every message has an idempotency key made from the enquiry's reference, the change's place
in its audit trail and the recipient, so it is queued once however often a command runs.
Where no mailer is configured nothing is queued and :class:`Told` says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
from sqlalchemy import func, select

from kdc_core.db.enquiries import EnquiryAuditRow, EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow, WardRow
from kdc_core.enquiries.timescales import working_days_between
from kdc_core.mail import outbox
from kdc_core.mail.letters import Letter, local_date, outgoing
from kdc_core.unit_of_work import UnitOfWork

KIND_PREFIX = "enquiry"


@attrs.frozen
class Told:
    """Who a message was queued for, who could not be told (no address), and why nothing
    was queued at all when that is the case."""

    queued: tuple[str, ...] = ()
    no_address: tuple[str, ...] = ()
    not_queued_because: str | None = None

    def summary(self) -> str:
        """One honest line for the CLI."""
        if self.not_queued_because:
            return f"Nobody was told: {self.not_queued_because}."
        parts = []
        if self.queued:
            parts.append(f"A message is queued for {', '.join(self.queued)}")
        if self.no_address:
            parts.append(f"no email address for {', '.join(self.no_address)}")
        return ("; ".join(parts) + ".") if parts else "Nobody needed telling."


@attrs.frozen
class _Person:
    kind: str  # councillor or officer
    id: int
    name: str
    email: str | None
    title: str = ""


def _councillors(uow: UnitOfWork, row: EnquiryRow) -> list[_Person]:
    people = uow.session.execute(
        select(CouncillorRow.id, CouncillorRow.name, CouncillorRow.email)
        .join(EnquiryPersonRow, EnquiryPersonRow.person_id == CouncillorRow.id)
        .where(
            EnquiryPersonRow.enquiry_id == row.id,
            EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
        )
        .order_by(EnquiryPersonRow.id)
    ).all()
    return [_Person("councillor", p.id, p.name, p.email, f"Cllr {p.name}") for p in people]


def _officer(uow: UnitOfWork, officer_id: int | None) -> _Person | None:
    if officer_id is None:
        return None
    row = uow.session.get(OfficerRow, officer_id)
    if row is None:
        return None
    return _Person("officer", row.id, row.name, row.email, row.name)


def _contact(uow: UnitOfWork, officer_id: int | None) -> str:
    """``Jo Bloggs, Highways Officer (Highways), jo.bloggs@…, 01484 …``."""
    if officer_id is None:
        return "not yet named: the Councillor Support & Liaison Team will name one"
    row = uow.session.get(OfficerRow, officer_id)
    if row is None:
        return "not yet named"
    service = uow.session.get(ServiceRow, row.service_id) if row.service_id else None
    parts = [row.name]
    if row.job_title:
        parts[0] += f", {row.job_title}"
    if service is not None:
        parts[0] += f" ({service.name})"
    parts += [p for p in (row.email, row.phone) if p]
    return ", ".join(parts)


def occurrence(uow: UnitOfWork, row: EnquiryRow) -> int:
    """A number naming the latest change: how many audit entries the enquiry has."""
    uow.session.flush()
    return int(
        uow.session.scalar(
            select(func.count())
            .select_from(EnquiryAuditRow)
            .where(EnquiryAuditRow.enquiry_id == row.id)
        )
        or 0
    )


def _facts(uow: UnitOfWork, row: EnquiryRow) -> tuple[tuple[str, str], ...]:
    tz = uow.settings.tz
    ward = uow.session.get(WardRow, row.ward_id) if row.ward_id else None
    facts = [("Reference", row.reference)]
    if ward is not None:
        facts.append(("Ward", ward.name))
    facts += [
        ("Named officer", _contact(uow, row.officer_id)),
        ("Acknowledge by", local_date(row.acknowledge_by, tz)),
        ("Respond by", local_date(row.respond_by, tz)),
    ]
    return tuple(facts)


def _queue(uow: UnitOfWork, letters: Sequence[tuple[_Person, Letter, str]], kind: str) -> Told:
    if not uow.settings.mail.configured:
        return Told(not_queued_because="no mailer is configured ([mail] in kdc.toml)")
    messages, queued, missing = [], [], []
    for person, letter, key in letters:
        if not person.email:
            missing.append(person.title)
            continue
        messages.append(
            outgoing(
                letter,
                council=uow.settings.council_name,
                key=key,
                kind=kind,
                to_address=person.email,
                to_name=person.title,
                councillor_id=person.id if person.kind == "councillor" else None,
                officer_id=person.id if person.kind == "officer" else None,
            )
        )
        queued.append(person.title)
    outbox.queue(uow, messages)
    return Told(tuple(queued), tuple(missing))


def _key(event: str, row: EnquiryRow, step: int | str, person: _Person) -> str:
    return f"{KIND_PREFIX}-{event}:{row.reference}:{step}:{person.kind}:{person.id}"


def created(uow: UnitOfWork, row: EnquiryRow) -> Told:
    """The councillors and the named officer hear of a new enquiry."""
    facts = _facts(uow, row)
    officer = _officer(uow, row.officer_id)
    letters = []
    for person in _councillors(uow, row):
        who = officer.name if officer else "no named officer yet"
        letters.append(
            (
                person,
                Letter(
                    subject=f"Enquiry {row.reference} is with {who}",
                    heading=f"Your enquiry {row.reference} has been logged",
                    greeting=f"Dear Councillor {person.name},",
                    paragraphs=(
                        f"Your enquiry has been logged as {row.reference}. Quote it whenever "
                        "you ask about this case.",
                    ),
                    facts=facts,
                    why="You receive this because you raised this enquiry.",
                ),
                _key("created", row, 1, person),
            )
        )
    if officer is not None:
        names = ", ".join(p.title for p in _councillors(uow, row))
        letters.append(
            (
                officer,
                Letter(
                    subject=f"New enquiry {row.reference} from {names}",
                    heading=f"A new enquiry for you: {row.reference}",
                    greeting=f"Dear {officer.name},",
                    paragraphs=(
                        f"You are the named officer for this enquiry from {names}. In their words:",
                        row.description,
                        "Please acknowledge it and respond by the dates below (member–officer "
                        "protocol: councillors' enquiries get a named officer and a timely "
                        "answer).",
                    ),
                    facts=facts,
                    why="You receive this because you are the enquiry's named officer.",
                ),
                _key("created", row, 1, officer),
            )
        )
    return _queue(uow, letters, "enquiry-created")


def reassigned(
    uow: UnitOfWork, row: EnquiryRow, previous_officer_id: int | None, reason: str | None
) -> Told:
    """The new officer gets the case, the previous one hears it moved, councillors hear who."""
    step = occurrence(uow, row)
    facts = _facts(uow, row)
    new, old = _officer(uow, row.officer_id), _officer(uow, previous_officer_id)
    why_line = (f"Reason: {reason}",) if reason else ()
    letters = []
    for person in _councillors(uow, row):
        letters.append(
            (
                person,
                Letter(
                    subject=f"Enquiry {row.reference} is now with {new.name if new else 'no one'}",
                    heading=f"Enquiry {row.reference} has a new named officer",
                    greeting=f"Dear Councillor {person.name},",
                    paragraphs=why_line,
                    facts=facts,
                    why="You receive this because you raised this enquiry.",
                ),
                _key("reassigned", row, step, person),
            )
        )
    if new is not None:
        letters.append(
            (
                new,
                Letter(
                    subject=f"Enquiry {row.reference} is now yours",
                    heading=f"You are now the named officer for {row.reference}",
                    greeting=f"Dear {new.name},",
                    paragraphs=(
                        *why_line,
                        "The enquiry, in the councillor's words:",
                        row.description,
                    ),
                    facts=facts,
                    why="You receive this because you are the enquiry's named officer.",
                ),
                _key("reassigned", row, step, new),
            )
        )
    if old is not None and (new is None or old.id != new.id):
        letters.append(
            (
                old,
                Letter(
                    subject=f"Enquiry {row.reference} has moved to "
                    f"{new.name if new else 'the unassigned queue'}",
                    heading=f"{row.reference} is no longer yours",
                    greeting=f"Dear {old.name},",
                    paragraphs=why_line,
                    facts=facts,
                    why="You receive this because you were the enquiry's named officer.",
                ),
                _key("reassigned", row, step, old),
            )
        )
    return _queue(uow, letters, "enquiry-reassigned")


def status_changed(uow: UnitOfWork, row: EnquiryRow, old: str, note: str | None) -> Told:
    """The councillors hear the enquiry moved on (resolved has its own words)."""
    step = occurrence(uow, row)
    label = row.status.replace("_", " ")
    resolved = row.status == "resolved"
    letters = []
    for person in _councillors(uow, row):
        paragraphs = [
            f"Enquiry {row.reference} has been resolved."
            if resolved
            else f"Enquiry {row.reference} is now {label} (it was {old.replace('_', ' ')})."
        ]
        if note:
            paragraphs.append(f"Note from the officer: {note}")
        letters.append(
            (
                person,
                Letter(
                    subject=f"Enquiry {row.reference} "
                    + ("has been resolved" if resolved else f"is now {label}"),
                    heading=f"Enquiry {row.reference}: {label}",
                    greeting=f"Dear Councillor {person.name},",
                    paragraphs=tuple(paragraphs),
                    facts=_facts(uow, row),
                    why="You receive this because you raised this enquiry.",
                ),
                _key("resolved" if resolved else "status", row, step, person),
            )
        )
    return _queue(uow, letters, "enquiry-resolved" if resolved else "enquiry-status")


def extended(uow: UnitOfWork, row: EnquiryRow, old_date: dt.date, reason: str) -> Told:
    """The councillors hear the respond-by date moved, why, and to when."""
    step = occurrence(uow, row)
    tz = uow.settings.tz
    letters = [
        (
            person,
            Letter(
                subject=f"Enquiry {row.reference} will be answered by "
                f"{local_date(row.respond_by, tz)}",
                heading=f"More time is needed for {row.reference}",
                greeting=f"Dear Councillor {person.name},",
                paragraphs=(
                    f"The respond-by date has moved from {local_date(old_date, tz)} to "
                    f"{local_date(row.respond_by, tz)}.",
                    f"Reason: {reason}",
                ),
                facts=_facts(uow, row),
                why="You receive this because you raised this enquiry.",
            ),
            _key("extended", row, step, person),
        )
        for person in _councillors(uow, row)
    ]
    return _queue(uow, letters, "enquiry-extended")


def overdue_messages(uow: UnitOfWork, today: dt.date, escalate_after: int) -> Told:
    """Late enquiries: their named officer is told once per respond-by date; their line
    manager too once the enquiry is ``escalate_after`` working days late."""
    rows = list(
        uow.session.scalars(
            select(EnquiryRow)
            .where(
                EnquiryRow.status.in_(("received", "acknowledged", "in_progress", "extended")),
                EnquiryRow.respond_by < today,
                EnquiryRow.officer_id.is_not(None),
                EnquiryRow.anonymised_at.is_(None),
            )
            .order_by(EnquiryRow.respond_by, EnquiryRow.id)
        )
    )
    letters = []
    tz = uow.settings.tz
    for row in rows:
        officer = _officer(uow, row.officer_id)
        if officer is None:
            continue
        late = working_days_between(row.respond_by, today)
        facts = _facts(uow, row)
        letters.append(
            (
                officer,
                Letter(
                    subject=f"Enquiry {row.reference} is overdue",
                    heading=f"{row.reference} was due {local_date(row.respond_by, tz)}",
                    greeting=f"Dear {officer.name},",
                    paragraphs=(
                        "This enquiry has passed its respond-by date. Please reply to the "
                        "councillor, or extend it with a reason.",
                    ),
                    facts=facts,
                    why="You receive this because you are the enquiry's named officer.",
                ),
                _key("overdue", row, row.respond_by.isoformat(), officer),
            )
        )
        manager_row = uow.session.get(OfficerRow, row.officer_id)
        manager = _officer(uow, manager_row.manager_id if manager_row else None)
        if manager is not None and late >= escalate_after:
            letters.append(
                (
                    manager,
                    Letter(
                        subject=f"Enquiry {row.reference} is {late} working days late",
                        heading=f"An enquiry in your team is {late} working days late",
                        greeting=f"Dear {manager.name},",
                        paragraphs=(
                            f"{officer.name} is the named officer for {row.reference}, which "
                            f"was due {local_date(row.respond_by, tz)}.",
                        ),
                        facts=facts,
                        why="You receive this because you manage the enquiry's named officer.",
                    ),
                    _key("escalated", row, row.respond_by.isoformat(), manager),
                )
            )
    return _queue(uow, letters, "enquiry-overdue")
