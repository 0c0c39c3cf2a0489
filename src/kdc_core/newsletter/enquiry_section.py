"""The ward's enquiry figures, when the enquiries feature is installed.

Registered with the built-in sections only if ``kdc_core.db.enquiries`` is installed, so the
newsletter works without it. Figures: enquiries open and overdue (past their respond-by date)
when the issue is built, and of those answered during the issue's month, how many in time.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, func, select

from kdc_core.newsletter.values import Month, Section, SectionItem, WardMonth, one_ward
from kdc_core.timewords import long_date
from kdc_core.unit_of_work import UnitOfWork

#: Where the enquiry tables live; the section is offered only when it is installed.
ENQUIRY_TABLES = "kdc_core.db.enquiries"


@functools.cache
def _figures() -> Any:
    """The one statement for every ward's figures, built when a newsletter is first built:
    registering the section, which every command does, imports no enquiry table."""
    from kdc_core.db.enquiries import EnquiryRow
    from kdc_core.enquiries.values import OPEN_STATUSES

    open_ = EnquiryRow.status.in_([s.value for s in OPEN_STATUSES])
    answered = and_(
        EnquiryRow.resolved_at >= bindparam("start"), EnquiryRow.resolved_at < bindparam("end")
    )
    return (
        select(
            EnquiryRow.ward_id,
            func.sum(case((open_, 1), else_=0)),
            func.sum(case((and_(open_, EnquiryRow.respond_by < bindparam("today")), 1), else_=0)),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((and_(answered, EnquiryRow.resolved_in_time.is_(True)), 1), else_=0)),
        )
        .where(EnquiryRow.ward_id.in_(bindparam("ward_ids", expanding=True)))
        .group_by(EnquiryRow.ward_id)
    )


def figures_by_ward(
    uow: UnitOfWork, wms: Sequence[WardMonth]
) -> dict[int, tuple[SectionItem, ...]]:
    """Each ward's figures, in one query for every ward (which share one month)."""
    if not wms:
        return {}
    tz = ZoneInfo(wms[0].timezone)
    month = wms[0].month
    start = dt.datetime.combine(month.first, dt.time(), tz)
    end = dt.datetime.combine(month.next_first, dt.time(), tz)
    today = dt.datetime.now(tz).date()
    rows = uow.session.execute(
        _figures(),
        {"ward_ids": [wm.ward_id for wm in wms], "start": start, "end": end, "today": today},
    )
    figures = {ward_id: tuple(int(v or 0) for v in sums) for ward_id, *sums in rows}
    return {wm.ward_id: _items(month, today, *figures.get(wm.ward_id, (0, 0, 0, 0))) for wm in wms}


def _items(
    month: Month, today: dt.date, open_: int, overdue: int, answered: int, in_time: int
) -> tuple[SectionItem, ...]:
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
                meta=f"Answered in {month.label}",
            )
        )
    return tuple(items)


enquiry_figures = one_ward(figures_by_ward)


def enquiry_section() -> Section | None:
    """The section, or ``None`` when the enquiries feature is not installed."""
    if importlib.util.find_spec(ENQUIRY_TABLES) is None:
        return None
    return Section(
        name="enquiry_digest",
        title="Enquiries in the ward",
        topic="enquiry_digest",
        collect=enquiry_figures,
        collect_wards=figures_by_ward,
        order=55,
    )
