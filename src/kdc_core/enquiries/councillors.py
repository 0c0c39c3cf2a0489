"""A councillor's own enquiries: the ones they raised or joined, and nobody else's.

What the people's site shows a signed-in councillor. Each case comes with the named officer
(as a people value, so with their contact details) and whether it is overdue on a given day.
A reference that is not the councillor's is reported exactly like one that does not exist,
so nobody learns of another councillor's casework from the answer.
"""

from __future__ import annotations

import datetime as dt

import attrs
from sqlalchemy import Select, select

from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries.values import CategorySettings, Enquiry
from kdc_core.errors import NotFound
from kdc_core.people.values import Officer
from kdc_core.unit_of_work import UnitOfWork

#: How an enquiry names its councillors (the one raising it, and any who joined).
COUNCILLOR_KINDS = ("councillor", "joint_councillor")


@attrs.frozen
class CouncillorCase:
    """One of the councillor's enquiries, with its named officer and whether it is late."""

    enquiry: Enquiry
    officer: Officer | None
    overdue: bool


def _theirs(councillor_id: int) -> Select[int]:
    """Ids of the enquiries the councillor raised or joined."""
    return select(EnquiryPersonRow.enquiry_id).where(
        EnquiryPersonRow.kind.in_(COUNCILLOR_KINDS),
        EnquiryPersonRow.person_id == councillor_id,
    )


def _today(uow: UnitOfWork, today: dt.date | None) -> dt.date:
    return today or dt.datetime.now(uow.settings.tz).date()


def _cases(
    uow: UnitOfWork, rows: list[EnquiryRow], today: dt.date, detail: bool
) -> list[CouncillorCase]:
    values = store.to_values(uow.session, rows, detail=detail)
    officer_ids = sorted({r.officer_id for r in rows if r.officer_id is not None})
    officers = {o.id: o for o in uow.people.officers(ids=officer_ids, include_archived=True)}
    return [
        CouncillorCase(
            value,
            officers.get(row.officer_id) if row.officer_id is not None else None,
            value.overdue_on(today),
        )
        for row, value in zip(rows, values, strict=True)
    ]


def for_councillor(
    uow: UnitOfWork, councillor_id: int, *, today: dt.date | None = None, limit: int = 200
) -> list[CouncillorCase]:
    """The enquiries the councillor raised or joined, newest first (at most ``limit``)."""
    rows = list(
        uow.session.scalars(
            select(EnquiryRow)
            .where(EnquiryRow.id.in_(_theirs(councillor_id)))
            .order_by(EnquiryRow.received_at.desc(), EnquiryRow.id.desc())
            .limit(limit)
        )
    )
    return _cases(uow, rows, _today(uow, today), detail=False)


def case_for_councillor(
    uow: UnitOfWork, councillor_id: int, reference: str, *, today: dt.date | None = None
) -> CouncillorCase:
    """The enquiry ``reference`` with its notes, if the councillor raised or joined it.

    :raises NotFound: no such enquiry, or it is not the councillor's (the same message).
    """
    row = uow.session.scalar(
        select(EnquiryRow).where(
            EnquiryRow.reference == reference.strip(),
            EnquiryRow.id.in_(_theirs(councillor_id)),
        )
    )
    if row is None:
        raise NotFound(f"no enquiry with reference {reference!r}")
    return _cases(uow, [row], _today(uow, today), detail=True)[0]


def known_categories(uow: UnitOfWork) -> list[CategorySettings]:
    """The categories a new enquiry may use (the active ones) with their timescales, by
    name."""
    from kdc_core.enquiries.categories import list_categories

    return list_categories(uow, active_only=True)
