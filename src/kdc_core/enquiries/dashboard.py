"""The SLA dashboard: per service, per ward and per officer, the open enquiries, those due
soon and those overdue, and the share answered within the timescale.

Read from the summary that :mod:`kdc_core.db.enquiry_counts` keeps in step with every change
to an enquiry — the totals per ward, service and officer, and the open enquiries due from
today on — never from the enquiries themselves.

- **Open**: received, acknowledged, in progress or extended.
- **Overdue**: open, and the respond-by date has passed (it is before today).
- **Due soon**: open, and the respond-by date is today or one of the next
  :data:`DUE_WORKING_DAYS` working days (not yet overdue).
- **Answered**: resolved, whether closed since or not; **in time** when it was resolved on
  or before its respond-by date. The on-time rate is in time ÷ answered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from sqlalchemy import case, func, select

from kdc_core.db.enquiries import EnquiryOpenCountRow, EnquiryTotalRow
from kdc_core.db.enquiry_counts import NONE
from kdc_core.db.people import OfficerRow, ServiceRow, WardRow
from kdc_core.enquiries.timescales import add_working_days
from kdc_core.unit_of_work import UnitOfWork

#: "Due soon" reaches this many working days past today.
DUE_WORKING_DAYS = 3

#: What a line for "none" is called, per dimension.
NOBODY = {"service": "No service given", "ward": "No ward given", "officer": "Not assigned yet"}


@attrs.frozen
class SlaLine:
    name: str
    open: int
    due: int
    overdue: int
    answered: int
    answered_in_time: int

    @property
    def percent_in_time(self) -> float | None:
        return None if not self.answered else 100.0 * self.answered_in_time / self.answered


@attrs.frozen
class Dashboard:
    """Everything the dashboard shows on ``today``."""

    today: dt.date
    due_until: dt.date
    by_service: tuple[SlaLine, ...]
    by_ward: tuple[SlaLine, ...]
    by_officer: tuple[SlaLine, ...]

    @property
    def totals(self) -> SlaLine:
        """Every enquiry once (each is counted under exactly one service line)."""
        lines = self.by_service
        return SlaLine(
            "All services",
            *(sum(getattr(line, f) for line in lines) for f in
              ("open", "due", "overdue", "answered", "answered_in_time")),
        )  # fmt: skip

    @property
    def overdue_by_officer(self) -> list[tuple[str, int]]:
        """Officers with overdue enquiries, most first."""
        return _overdue_list(self.by_officer)


def due_until(today: dt.date) -> dt.date:
    """The last respond-by date that counts as due soon on ``today``."""
    return add_working_days(today, DUE_WORKING_DAYS)


def _names(uow: UnitOfWork, by: str) -> dict[int, str]:
    if by == "officer":
        stmt: Any = select(OfficerRow.id, OfficerRow.given_name + " " + OfficerRow.family_name)
    else:
        model: Any = WardRow if by == "ward" else ServiceRow
        stmt = select(model.id, model.name)
    return {int(i): str(n) for i, n in uow.session.execute(stmt)}


def sla(uow: UnitOfWork, today: dt.date, by: str) -> list[SlaLine]:
    """SLA lines per ``by`` ("service", "ward" or "officer"), busiest first; enquiries with
    none (no ward, nobody assigned) have a line of their own, named in :data:`NOBODY`."""
    if by not in NOBODY:
        raise ValueError(f"no dashboard by {by!r}")
    o, t = EnquiryOpenCountRow, EnquiryTotalRow
    until = due_until(today)
    # open, due soon, overdue, answered, answered in time
    figures: dict[int, list[int]] = {}
    for key_id, state, n in uow.session.execute(
        select(t.key_id, t.state, t.n).where(t.dimension == by)
    ):
        line = figures.setdefault(int(key_id), [0, 0, 0, 0, 0])
        if state == "open":
            line[0] += n
            line[2] += n  # less those due from today on, below
        else:
            line[3] += n
            line[4] += n if state == "in_time" else 0
    upcoming = (
        select(o.key_id, func.sum(o.n), func.sum(case((o.respond_by <= until, o.n), else_=0)))
        .where(o.dimension == by, o.respond_by >= today)
        .group_by(o.key_id)
    )
    for key_id, n, due in uow.session.execute(upcoming):
        line = figures.setdefault(int(key_id), [0, 0, 0, 0, 0])
        line[1] += int(due or 0)
        line[2] -= int(n or 0)
    names = _names(uow, by)
    merged: dict[str, list[int]] = {}
    for key_id, values in figures.items():
        # a key whose ward, service or officer has gone counts as none, like its enquiries
        name = names.get(key_id, NOBODY[by]) if key_id != NONE else NOBODY[by]
        total = merged.setdefault(name, [0, 0, 0, 0, 0])
        total[:] = [x + y for x, y in zip(total, values, strict=True)]
    lines = [SlaLine(name, *values) for name, values in merged.items()]
    return sorted(lines, key=lambda line: (-line.open, line.name))


def _overdue_list(lines: tuple[SlaLine, ...] | list[SlaLine]) -> list[tuple[str, int]]:
    ordered = sorted(lines, key=lambda line: (-line.overdue, line.name))
    return [(line.name, line.overdue) for line in ordered if line.overdue]


def overdue_counts(uow: UnitOfWork, today: dt.date, by: str) -> list[tuple[str, int]]:
    """(name, overdue enquiries) per ward, service or officer with any overdue, most first."""
    return _overdue_list(sla(uow, today, by))


def dashboard(uow: UnitOfWork, today: dt.date) -> Dashboard:
    """The whole dashboard on ``today``."""
    return Dashboard(
        today,
        due_until(today),
        tuple(sla(uow, today, "service")),
        tuple(sla(uow, today, "ward")),
        tuple(sla(uow, today, "officer")),
    )
