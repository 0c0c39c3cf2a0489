"""The messages an enquiry promises, queued in the same transaction as the change.

The workshops' first complaint was "I don't know who is dealing with my issue". So:

- **created**: each councillor on the enquiry is told its reference, the named officer with
  their contact details, and the acknowledge-by and respond-by dates; the named officer gets
  the new case in the councillor's words with the councillors' contact details.
- **reassigned**: the new officer gets the case, the previous one is told it has moved, and
  the councillors are told who has it now.
- **status changed**, **extended** (with the reason and the new date) and **resolved**: the
  councillors are told.
- **overdue**: the named officer on the first day it is late; their line manager once it is
  a configurable number of working days late (:mod:`kdc_core.enquiries.overdue`, run daily
  by the ``enquiry_escalation`` job).

Every message has an idempotency key made from the enquiry's reference, the change (the id
of its newest audit entry; for overdue messages the respond-by date) and the recipient, so
it is queued once however often a job runs, and two changes never share a key. Where no
mailer is configured nothing is queued and :class:`Told` says so; a key queued before is
reported as already queued, not as queued again. Dates are the council's local dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
from sqlalchemy import func, select

from kdc_core.db.enquiries import EnquiryAuditRow, EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow, OfficerRow, ServiceRow, WardRow
from kdc_core.enquiries.values import Told
from kdc_core.mail import outbox
from kdc_core.mail.letters import Letter, outgoing
from kdc_core.timewords import govuk_date
from kdc_core.unit_of_work import UnitOfWork

KIND_PREFIX = "enquiry"
NO_MAILER = "no mailer is configured ([mail] in kdc.toml)"

#: What the named officer is reminded of, in our words: the protocol asks both sides to
#: answer enquiries in good time (clause 1) and asks officers to say plainly what can and
#: cannot be done, and by when (clause 7.6).
PROTOCOL_LINE = (
    "The member–officer protocol asks us to answer councillors' enquiries in good time "
    "(clause 1) and to be clear with them about what can and cannot be done, and when "
    "(clause 7.6)."
)

__all__ = ["Told", "created", "extended", "reassigned", "status_changed"]


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


def _officer_contact(uow: UnitOfWork, officer_id: int | None) -> str:
    """``Jo Bloggs, Highways Officer (Highways), jo.bloggs@…, 01484 …``."""
    if officer_id is None:
        return "none yet: the Councillor Support & Liaison Team will name one"
    row = uow.session.get(OfficerRow, officer_id)
    if row is None:
        return "none yet"
    service = uow.session.get(ServiceRow, row.service_id) if row.service_id else None
    first = row.name
    if row.job_title:
        first += f", {row.job_title}"
    if service is not None:
        first += f" ({service.name})"
    return ", ".join([first, *(p for p in (row.email, row.phone) if p)])


def _councillor_contacts(uow: UnitOfWork, row: EnquiryRow) -> str:
    """``Cllr Ann Smith, ann.smith@…, 07700 …; Cllr Bob Jones, …``: whom the officer answers."""
    found = uow.session.execute(
        select(CouncillorRow.name, CouncillorRow.email, CouncillorRow.phone, CouncillorRow.mobile)
        .join(EnquiryPersonRow, EnquiryPersonRow.person_id == CouncillorRow.id)
        .where(
            EnquiryPersonRow.enquiry_id == row.id,
            EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")),
        )
        .order_by(EnquiryPersonRow.id)
    ).all()
    return "; ".join(
        ", ".join([f"Cllr {c.name}", *(p for p in (c.email, c.mobile or c.phone) if p)])
        for c in found
    )


def occurrence(uow: UnitOfWork, row: EnquiryRow) -> int:
    """A number naming the latest change: the id of the enquiry's newest audit entry.

    Ids are unique across transactions, so two changes made at once never share a number
    (a count of entries could: each transaction would see only its own new entry).
    """
    uow.session.flush()
    return int(
        uow.session.scalar(
            select(func.max(EnquiryAuditRow.id)).where(EnquiryAuditRow.enquiry_id == row.id)
        )
        or 0
    )


def _facts(uow: UnitOfWork, row: EnquiryRow, reader: str) -> tuple[tuple[str, str], ...]:
    """The labelled facts: a councillor gets the named officer's contact details, an
    officer the councillors' (they know their own)."""
    tz = uow.settings.tz
    ward = uow.session.get(WardRow, row.ward_id) if row.ward_id else None
    service = uow.session.get(ServiceRow, row.service_id) if row.service_id else None
    facts = [("Reference", row.reference)]
    if ward is not None:
        facts.append(("Ward", ward.name))
    if service is not None:
        facts.append(("Service", service.name))
    if reader == "councillor":
        facts.append(("Named officer", _officer_contact(uow, row.officer_id)))
    else:
        facts.append(("Raised by", _councillor_contacts(uow, row) or "no councillor recorded"))
    if row.status == "received":
        facts.append(("Acknowledge by", govuk_date(row.acknowledge_by, tz)))
    facts.append(("Respond by", govuk_date(row.respond_by, tz)))
    return tuple(facts)


def _queue(uow: UnitOfWork, letters: Sequence[tuple[_Person, Letter, str]], kind: str) -> Told:
    """Queue each letter under its key; a key queued before is reported as ``already``."""
    if not uow.settings.mail.configured:
        return Told(not_queued_because=NO_MAILER)
    messages, titles, missing = [], {}, []
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
        titles[key[:250]] = person.title
    report = outbox.queue(uow, messages)
    return Told(
        tuple(titles[k] for k in report.queued),
        tuple(titles[k] for k in report.already),
        tuple(missing),
    )


def _key(event: str, row: EnquiryRow, step: int | str, person: _Person) -> str:
    return f"{KIND_PREFIX}-{event}:{row.reference}:{step}:{person.kind}:{person.id}"


COUNCILLOR_WHY = "You receive this because you raised this enquiry."
OFFICER_WHY = "You receive this because you are the enquiry's named officer."


def created(uow: UnitOfWork, row: EnquiryRow) -> Told:
    """The councillors and the named officer hear of a new enquiry.

    Each councillor gets the reference, the named officer's contact details and the dates;
    the named officer gets the case in the councillor's words with the councillors' contact
    details. The key holds the reference, which is taken once, so this is queued once.
    """
    councillors = _councillors(uow, row)
    officer = _officer(uow, row.officer_id)
    letters = []
    if officer is not None:
        who = f"{officer.name} is the named officer: contact them about anything new on it."
    else:
        who = (
            "It has no named officer yet: the Councillor Support & Liaison Team will name one, "
            "and you will be told who."
        )
    for person in councillors:
        letters.append(
            (
                person,
                Letter(
                    subject=f"Enquiry {row.reference} is with "
                    + (officer.name if officer else "the liaison team"),
                    heading=f"Your enquiry {row.reference} has been logged",
                    greeting=f"Dear Councillor {person.name},",
                    paragraphs=(
                        f"Your enquiry has been logged as {row.reference}. Quote it whenever "
                        "you ask about this case.",
                        who,
                    ),
                    facts=_facts(uow, row, "councillor"),
                    why=COUNCILLOR_WHY,
                ),
                _key("created", row, 1, person),
            )
        )
    if officer is not None:
        names = ", ".join(p.title for p in councillors) or "a councillor"
        letters.append(
            (
                officer,
                Letter(
                    subject=f"New enquiry {row.reference} from {names}",
                    heading=f"A new enquiry for you: {row.reference}",
                    greeting=f"Dear {officer.name},",
                    paragraphs=(
                        f"You are the named officer for this enquiry from {names}. In the "
                        "councillor's words:",
                        row.description,
                        PROTOCOL_LINE,
                    ),
                    facts=_facts(uow, row, "officer"),
                    why=OFFICER_WHY,
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
    new, old = _officer(uow, row.officer_id), _officer(uow, previous_officer_id)
    why_line = (f"Reason given: {reason}",) if reason else ()
    now_with = new.name if new else "the liaison team (no named officer)"
    was_with = old.name if old else "no named officer"
    letters = []
    for person in _councillors(uow, row):
        letters.append(
            (
                person,
                Letter(
                    subject=f"Enquiry {row.reference} is now with {now_with}",
                    heading=f"Enquiry {row.reference} has a new named officer",
                    greeting=f"Dear Councillor {person.name},",
                    paragraphs=(
                        f"Enquiry {row.reference} is now with {now_with}; it was with {was_with}.",
                        *why_line,
                    ),
                    facts=_facts(uow, row, "councillor"),
                    why=COUNCILLOR_WHY,
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
                        f"{row.reference} has moved to you from {was_with}.",
                        *why_line,
                        "The enquiry, in the councillor's words:",
                        row.description,
                        PROTOCOL_LINE,
                    ),
                    facts=_facts(uow, row, "officer"),
                    why=OFFICER_WHY,
                ),
                _key("reassigned", row, step, new),
            )
        )
    if old is not None and (new is None or old.id != new.id):
        letters.append(
            (
                old,
                Letter(
                    subject=f"Enquiry {row.reference} has moved to {now_with}",
                    heading=f"{row.reference} is no longer yours",
                    greeting=f"Dear {old.name},",
                    paragraphs=(
                        f"{row.reference} is now with {now_with}. Please pass on anything you "
                        "know about it.",
                        *why_line,
                    ),
                    facts=_facts(uow, row, "officer"),
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
    if resolved:
        first = f"Enquiry {row.reference} has been resolved."
        if row.resolved_in_time is not None:
            first += (
                " It was answered by its respond-by date."
                if row.resolved_in_time
                else " It was answered after its respond-by date."
            )
    else:
        first = f"Enquiry {row.reference} is now {label} (it was {old.replace('_', ' ')})."
    paragraphs = (first, *((f"Note added with the change: {note}",) if note else ()))
    letters = [
        (
            person,
            Letter(
                subject=f"Enquiry {row.reference} "
                + ("has been resolved" if resolved else f"is now {label}"),
                heading=f"Enquiry {row.reference}: {label}",
                greeting=f"Dear Councillor {person.name},",
                paragraphs=paragraphs,
                facts=_facts(uow, row, "councillor"),
                why=COUNCILLOR_WHY,
            ),
            _key("resolved" if resolved else "status", row, step, person),
        )
        for person in _councillors(uow, row)
    ]
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
                f"{govuk_date(row.respond_by, tz)}",
                heading=f"More time is needed for {row.reference}",
                greeting=f"Dear Councillor {person.name},",
                paragraphs=(
                    f"The respond-by date has moved from {govuk_date(old_date, tz)} to "
                    f"{govuk_date(row.respond_by, tz)} (extension {row.extension_stage} of 2).",
                    f"Reason given: {reason}",
                ),
                facts=_facts(uow, row, "councillor"),
                why=COUNCILLOR_WHY,
            ),
            _key("extended", row, step, person),
        )
        for person in _councillors(uow, row)
    ]
    return _queue(uow, letters, "enquiry-extended")
