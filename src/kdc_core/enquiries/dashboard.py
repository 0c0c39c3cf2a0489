"""The SLA dashboard: per service and per ward, open and overdue enquiries and the share
answered within the timescale. One grouped query per dimension."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from sqlalchemy import and_, case, func, select

from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.people import OfficerRow, ServiceRow, WardRow
from kdc_core.enquiries.values import OPEN_STATUSES
from kdc_core.unit_of_work import UnitOfWork

OPEN = [s.value for s in OPEN_STATUSES]


@attrs.frozen
class SlaLine:
    name: str
    open: int
    overdue: int
    answered: int
    answered_in_time: int

    @property
    def percent_in_time(self) -> float | None:
        return None if not self.answered else 100.0 * self.answered_in_time / self.answered


def overdue_counts_query(today: dt.date, by: str) -> Any:
    """The overdue dashboard query: open enquiries past due, counted per ward, service or
    officer (name, count), biggest first. Answered from ``ix_enquiries_open_due`` alone."""
    key = {
        "ward": EnquiryRow.ward_id,
        "service": EnquiryRow.service_id,
        "officer": EnquiryRow.officer_id,
    }[by]
    # Grouping by ``key + 0`` rather than ``key`` stops SQLite from walking the whole
    # ward/service/officer index to save a sort instead of seeking the few overdue rows.
    grouped = (key + 0).label("key")
    counts = (
        select(grouped, func.count().label("n"))
        .where(EnquiryRow.status.in_(OPEN), EnquiryRow.respond_by < today)
        .group_by(grouped)
        .subquery()
    )
    if by == "officer":
        name: Any = OfficerRow.given_name + " " + OfficerRow.family_name
        model: Any = OfficerRow
    else:
        model = WardRow if by == "ward" else ServiceRow
        name = model.name
    return (
        select(func.coalesce(name, "(none)"), counts.c.n)
        .select_from(counts)
        .outerjoin(model, model.id == counts.c.key)
        .order_by(counts.c.n.desc(), name)
    )


def overdue_counts(uow: UnitOfWork, today: dt.date, by: str) -> list[tuple[str, int]]:
    return [(str(n), int(c)) for n, c in uow.session.execute(overdue_counts_query(today, by))]


def sla(uow: UnitOfWork, today: dt.date, by: str) -> list[SlaLine]:
    """SLA lines per ``by`` ("service" or "ward"), busiest first."""
    model, key = (
        (ServiceRow, EnquiryRow.service_id) if by == "service" else (WardRow, EnquiryRow.ward_id)
    )
    is_open = EnquiryRow.status.in_(OPEN)
    answered = EnquiryRow.resolved_in_time.is_not(None)
    stmt = (
        select(
            func.coalesce(model.name, "(none)"),
            func.sum(case((is_open, 1), else_=0)),
            func.sum(case((and_(is_open, EnquiryRow.respond_by < today), 1), else_=0)),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((EnquiryRow.resolved_in_time.is_(True), 1), else_=0)),
        )
        .select_from(EnquiryRow)
        .outerjoin(model, model.id == key)
        .group_by(model.name)
    )
    lines = [
        SlaLine(name, int(o or 0), int(d or 0), int(a or 0), int(t or 0))
        for name, o, d, a, t in uow.session.execute(stmt)
    ]
    return sorted(lines, key=lambda line: (-line.open, line.name))
