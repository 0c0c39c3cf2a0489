"""The 11.2 complaints log: bullying, harassment or hectoring of officers by a councillor.

Stages, in order: the Group Leader and Group Business Manager (``group``), then the
Monitoring Officer (``monitoring_officer``), then the formal standards route
(``standards``). A complaint moves one stage at a time; jumping over a stage needs a reason,
which is stored on the stage that was skipped to.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

# Row classes through the package, which imports their tables on first use: the protocol's
# rules (this module's among them) are registered at every start-up.
from kdc_core import db
from kdc_core.errors import KdcError, NotFound
from kdc_core.protocol.rules import Entity, Finding, Rule, Severity, Target
from kdc_core.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from kdc_core.db.protocol import ComplaintRow

#: Days allowed for each stage before the next step is due.
DEFAULT_DAYS = 28


class Stage(enum.StrEnum):
    GROUP = "group"
    MONITORING_OFFICER = "monitoring_officer"
    STANDARDS = "standards"

    @property
    def label(self) -> str:
        return {
            "group": "Group Leader and Group Business Manager",
            "monitoring_officer": "Monitoring Officer",
            "standards": "formal standards route",
        }[self.value]


ORDER = tuple(Stage)


class RouteError(KdcError):
    """A complaint step that 11.2 does not allow (out of order, or a skip with no reason)."""


@attrs.frozen
class StageRecord:
    stage: Stage
    started_on: dt.date
    due_on: dt.date | None
    ended_on: dt.date | None = None
    result: str | None = None
    skip_reason: str | None = None


@attrs.frozen
class Complaint:
    id: int
    councillor_id: int
    councillor: str
    officer_id: int | None
    summary: str
    received_on: dt.date
    stages: tuple[StageRecord, ...]
    closed_on: dt.date | None = None
    outcome: str | None = None

    @property
    def current(self) -> StageRecord | None:
        return None if self.closed_on else (self.stages[-1] if self.stages else None)

    @property
    def next_step(self) -> str:
        cur = self.current
        if cur is None:
            return "closed"
        i = ORDER.index(cur.stage)
        if i + 1 < len(ORDER):
            return f"resolve at {cur.stage.label}, or refer to the {ORDER[i + 1].label}"
        return "resolve through the formal standards route"


def _value(row: ComplaintRow) -> Complaint:
    return Complaint(
        row.id,
        row.councillor_id,
        row.councillor.name,
        row.officer_id,
        row.summary,
        row.received_on,
        tuple(
            StageRecord(Stage(s.stage), s.started_on, s.due_on, s.ended_on, s.result, s.skip_reason)
            for s in row.stages
        ),
        row.closed_on,
        row.outcome,
    )


def _row(uow: UnitOfWork, complaint_id: int) -> ComplaintRow:
    row = uow.session.get(
        db.ComplaintRow, complaint_id, options=[selectinload(db.ComplaintRow.stages)]
    )
    if row is None:
        raise NotFound(f"no complaint with id {complaint_id}")
    return row


def _check_step(previous: Stage | None, stage: Stage, skip_reason: str | None) -> None:
    start = -1 if previous is None else ORDER.index(previous)
    step = ORDER.index(stage) - start
    if step <= 0:
        after = previous.label if previous else "nothing"
        raise RouteError(f"11.2: the {stage.label} cannot follow the {after}; stages go forward")
    if step > 1 and not (skip_reason and skip_reason.strip()):
        skipped = ", ".join(s.label for s in ORDER[start + 1 : ORDER.index(stage)])
        raise RouteError(
            f"11.2: going to the {stage.label} skips the {skipped}; give a reason (--skip-reason)"
        )


def open_complaint(
    uow: UnitOfWork,
    councillor_id: int,
    summary: str,
    received_on: dt.date,
    officer_id: int | None = None,
    stage: Stage = Stage.GROUP,
    skip_reason: str | None = None,
    days: int = DEFAULT_DAYS,
) -> Complaint:
    """Log a complaint at its first stage (the group stage unless a skip reason is given)."""
    _check_step(None, stage, skip_reason)
    if uow.session.get(db.CouncillorRow, councillor_id) is None:
        raise NotFound(f"no councillor with id {councillor_id}")
    if officer_id is not None and uow.session.get(db.OfficerRow, officer_id) is None:
        raise NotFound(f"no officer with id {officer_id}")
    row = db.ComplaintRow(
        councillor_id=councillor_id, officer_id=officer_id, summary=summary, received_on=received_on
    )
    row.stages.append(
        db.ComplaintStageRow(
            stage=stage.value,
            started_on=received_on,
            due_on=received_on + dt.timedelta(days=days),
            skip_reason=skip_reason,
        )
    )
    uow.session.add(row)
    uow.session.flush()
    return _value(row)


def escalate(
    uow: UnitOfWork,
    complaint_id: int,
    stage: Stage,
    on: dt.date,
    result: str,
    skip_reason: str | None = None,
    days: int = DEFAULT_DAYS,
) -> Complaint:
    """Close the current stage as unresolved (``result``) and refer the complaint onward."""
    row = _row(uow, complaint_id)
    if row.closed_on:
        raise RouteError(f"complaint {complaint_id} was closed on {row.closed_on}")
    current = row.stages[-1]
    _check_step(Stage(current.stage), stage, skip_reason)
    if on < current.started_on:
        raise RouteError(f"complaint {complaint_id}: {on} is before the current stage began")
    current.ended_on, current.result = on, result
    row.stages.append(
        db.ComplaintStageRow(
            stage=stage.value,
            started_on=on,
            due_on=on + dt.timedelta(days=days),
            skip_reason=skip_reason,
        )
    )
    uow.session.flush()
    return _value(row)


def close_complaint(uow: UnitOfWork, complaint_id: int, on: dt.date, outcome: str) -> Complaint:
    row = _row(uow, complaint_id)
    if row.closed_on:
        raise RouteError(f"complaint {complaint_id} was already closed on {row.closed_on}")
    row.stages[-1].ended_on, row.stages[-1].result = on, outcome
    row.closed_on, row.outcome = on, outcome
    uow.session.flush()
    return _value(row)


def complaints(uow: UnitOfWork, ids: Iterable[int] | None = None) -> list[Complaint]:
    query = select(db.ComplaintRow).options(
        selectinload(db.ComplaintRow.stages), selectinload(db.ComplaintRow.councillor)
    )
    if ids is not None:
        query = query.where(db.ComplaintRow.id.in_(list(ids)))
    return [_value(r) for r in uow.session.scalars(query.order_by(db.ComplaintRow.id))]


def check_route(rule: Rule, uow: UnitOfWork, target: Target) -> Iterator[Finding]:
    today = dt.date.today()
    for c in complaints(uow, target.ids):
        label = f"Complaint {c.id} about {c.councillor}"
        who = [Entity("councillor", c.councillor_id, c.councillor)]
        previous: Stage | None = None
        for s in c.stages:
            try:
                _check_step(previous, s.stage, s.skip_reason)
            except RouteError as exc:
                yield rule.finding(
                    c.id,
                    label,
                    str(exc),
                    "Record why the stage was skipped, or take the complaint through the "
                    "stages in order.",
                    who,
                    key=f"route-{s.stage.value}",
                )
            previous = s.stage
        cur = c.current
        if cur and cur.due_on and cur.due_on < today:
            yield rule.finding(
                c.id,
                label,
                f"The next step was due on {cur.due_on} ({cur.stage.label} stage).",
                f"Next step: {c.next_step}.",
                who,
                key="overdue",
                severity=Severity.WARNING,
            )


def _check(uow: UnitOfWork, target: Target) -> Iterable[Finding]:
    return check_route(COMPLAINT_RULE, uow, target)


COMPLAINT_RULE = Rule(
    "11.2-complaint-route",
    "11.2",
    Severity.ERROR,
    "complaint",
    "A bullying or harassment complaint goes group → Monitoring Officer → standards, in order",
    _check,
)
