"""The ward's enquiry figures, when the enquiries feature is installed.

Registered with the built-in sections only if ``kdc_core.db.enquiries`` imports, so the
newsletter works without it. Figures: enquiries open and overdue (past their respond-by date)
when the issue is built, and of those answered during the issue's month, how many in time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, func, select

from kdc_core.newsletter.values import Section, SectionItem, WardMonth
from kdc_core.timewords import long_date
from kdc_core.unit_of_work import UnitOfWork

try:
    from kdc_core.db.enquiries import EnquiryRow
    from kdc_core.enquiries.values import OPEN_STATUSES
except ImportError:  # the enquiries feature is not there: no section
    EnquiryRow = None  # type: ignore[assignment,misc]

_FIGURES: Any = None
if EnquiryRow is not None:
    _open = EnquiryRow.status.in_([s.value for s in OPEN_STATUSES])
    _answered = and_(
        EnquiryRow.resolved_at >= bindparam("start"), EnquiryRow.resolved_at < bindparam("end")
    )
    _FIGURES = select(
        func.sum(case((_open, 1), else_=0)),
        func.sum(case((and_(_open, EnquiryRow.respond_by < bindparam("today")), 1), else_=0)),
        func.sum(case((_answered, 1), else_=0)),
        func.sum(case((and_(_answered, EnquiryRow.resolved_in_time.is_(True)), 1), else_=0)),
    ).where(EnquiryRow.ward_id == bindparam("ward_id"))


def enquiry_figures(uow: UnitOfWork, wm: WardMonth) -> tuple[SectionItem, ...]:
    tz = ZoneInfo(wm.timezone)
    start = dt.datetime.combine(wm.month.first, dt.time(), tz)
    end = dt.datetime.combine(wm.month.next_first, dt.time(), tz)
    today = dt.datetime.now(tz).date()
    row = uow.session.execute(
        _FIGURES, {"ward_id": wm.ward_id, "start": start, "end": end, "today": today}
    ).one()
    open_, overdue, answered, in_time = (int(v or 0) for v in row)
    if not (open_ or answered):
        return ()
    items = [
        SectionItem(
            heading=f"{open_} open",
            text=f"{overdue} past the date they should have been answered by",
            meta=f"As of {long_date(today, dt.UTC)}",
        )
    ]
    if answered:
        items.append(
            SectionItem(
                heading=f"{in_time} of {answered} answered in time",
                meta=f"Answered in {wm.month.label}",
            )
        )
    return tuple(items)


def enquiry_section() -> Section | None:
    """The section, or ``None`` when the enquiries feature is not installed."""
    if _FIGURES is None:
        return None
    return Section(
        name="enquiry_digest",
        title="Enquiries in the ward",
        topic="enquiry_digest",
        collect=enquiry_figures,
        order=55,
    )
