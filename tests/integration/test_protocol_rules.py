"""The protocol's rules over real events, briefings and complaints, on the demo council."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kdc_core.calendar.events import create_event, update_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db import (
    ComplaintRow,
    ComplaintStageRow,
    CouncillorRow,
    EventPoliticalMeetingRow,
    OfficerRow,
    PoliticalGroupRow,
    ProtocolFindingRow,
    WardRow,
)
from kdc_core.protocol import complaints as log
from kdc_core.protocol.briefings import Briefing
from kdc_core.protocol.complaints import RouteError, Stage
from kdc_core.protocol.meetings import mark_political
from kdc_core.protocol.service import ProtocolBlocked, check_all, enforce, open_findings, override

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2027, 3, 4, 18, 0, tzinfo=LONDON)


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def demo(kdc_app):
    with kdc_app.unit_of_work() as uow:
        ward = uow.session.scalar(select(WardRow).where(WardRow.name == "Dewsbury East"))
        cllrs = list(
            uow.session.scalars(
                select(CouncillorRow)
                .where(CouncillorRow.ward_id == ward.id)
                .order_by(CouncillorRow.id)
            )
        )
        officers = list(uow.session.scalars(select(OfficerRow).order_by(OfficerRow.id).limit(2)))
        return ward.id, [(c.id, c.name) for c in cllrs], [o.id for o in officers]


def public_meeting(ward_id: int, councillor_ids: tuple[int, ...]) -> NewEvent:
    return NewEvent(
        kind=EventKind.WARD_SOLUTION_MEETING,
        title="Dewsbury East: parking near the market",
        start=START,
        end=START + dt.timedelta(hours=2),
        ward_ids=(ward_id,),
        councillor_ids=councillor_ids,
        public=True,
    )


def test_public_meeting_missing_one_ward_councillor_has_one_7_4_finding_until_invited(
    kdc_app, demo
):
    ward_id, cllrs, _ = demo
    assert len(cllrs) == 3
    (a, _), (b, _), (missing_id, missing_name) = cllrs
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, public_meeting(ward_id, (a, b)))
    with kdc_app.unit_of_work() as uow:
        found = open_findings(uow, "event", event.id)
    assert [r.finding.clause for r in found] == ["7.4"]
    finding = found[0].finding
    assert finding.severity.value == "warning"
    assert missing_name in finding.problem and missing_name in finding.fix
    assert [e.id for e in finding.entities if e.kind == "councillor"] == [missing_id]
    assert found[0].protocol_version == "2016"

    with kdc_app.unit_of_work() as uow:
        update_event(uow, event.id, councillor_ids=(a, b, missing_id))
    with kdc_app.unit_of_work() as uow:
        assert open_findings(uow, "event", event.id) == []
        resolved = uow.session.scalars(select(ProtocolFindingRow)).all()
        assert [(r.clause, r.resolved_at is not None) for r in resolved] == [("7.4", True)]


def _group_meeting(officers: list[int]) -> NewEvent:
    return NewEvent(
        kind=EventKind.PARTY_GROUP_MEETING,
        title="Group meeting: budget",
        start=START,
        end=START + dt.timedelta(hours=1),
        officer_ids=tuple(officers),
    )


def test_officer_at_one_groups_meeting_is_recorded_and_at_a_ward_party_meeting_is_blocked(
    kdc_app, demo
):
    _, _, officers = demo
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, _group_meeting(officers[:1]))
        unmarked = open_findings(uow, "event", event.id)
        labour = uow.session.scalars(
            select(PoliticalGroupRow).order_by(PoliticalGroupRow.id)
        ).first()
        group_name = labour.name
        recorded = mark_political(uow, event.id, "group", group_name, "the budget")
    assert [(r.finding.clause, r.finding.severity.value) for r in unmarked] == [("6.1", "warning")]
    assert [(r.finding.clause, r.finding.severity.value) for r in recorded] == [("6.1", "info")]
    kinds = {(e.kind, e.id) for e in recorded[0].finding.entities}
    assert ("officer", officers[0]) in kinds and "political_group" in {k for k, _ in kinds}
    assert group_name in recorded[0].finding.problem

    with kdc_app.unit_of_work() as uow:
        party = create_event(uow, _group_meeting(officers[1:2]))
    with pytest.raises(ProtocolBlocked, match=r"7\.5"), kdc_app.unit_of_work() as uow:
        mark_political(uow, party.id, "ward")
    with kdc_app.unit_of_work() as uow:  # blocked: nothing was written
        assert uow.session.get(EventPoliticalMeetingRow, party.id) is None
        override(uow, "Invited to explain the road closure; attends as a resident")
        found = mark_political(uow, party.id, "ward")
    assert [(r.finding.clause, r.blocking) for r in found] == [("7.5", False)]
    assert found[0].override_reason.startswith("Invited to explain")


def test_protocol_check_json_on_the_demo_lists_findings_and_fails_on_an_error(
    kdc_app, kdc_run, demo
):
    ward_id, cllrs, officers = demo
    with kdc_app.unit_of_work() as uow:
        create_event(uow, public_meeting(ward_id, (cllrs[0][0],)))
    result = kdc_run("protocol", "check", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["protocol_version"] == "2016"
    assert [(f["clause"], f["severity"]) for f in doc["findings"]] == [("7.4", "warning")]
    assert "Invite" in doc["findings"][0]["fix"]

    # A party political meeting written straight to the database, round the services.
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, _group_meeting(officers[:1]))
        uow.session.add(EventPoliticalMeetingRow(event_id=event.id, scope="constituency"))
    result = kdc_run("protocol", "check", "--json")
    assert result.exit_code == 1
    errors = [f for f in json.loads(result.output)["findings"] if f["severity"] == "error"]
    assert [(f["clause"], f["subject"]["id"]) for f in errors] == [("7.5", event.id)]
    assert errors[0]["fix"].startswith("Withdraw the invitation")


def test_briefing_made_public_before_ward_councillors_had_it_yields_8_1(kdc_app, demo):
    ward_id, cllrs, _ = demo
    public = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
    early = public - dt.timedelta(days=2)
    late = public + dt.timedelta(hours=3)
    briefing = Briefing(
        id=41,
        title="Market car park proposal",
        ward_ids=(ward_id,),
        sent=((cllrs[0][0], early), (cllrs[1][0], early), (cllrs[2][0], late)),
        public_at=public,
    )
    on_time = Briefing(
        id=42,
        title="Same proposal, told in time",
        ward_ids=(ward_id,),
        sent=tuple((c, early) for c, _ in cllrs),
        public_at=public,
    )
    with kdc_app.unit_of_work() as uow:
        found = enforce(uow, "briefing", values=(briefing, on_time))
    assert [(r.finding.clause, r.finding.subject_id) for r in found] == [("8.1", 41)]
    assert [e.id for e in found[0].finding.entities] == [cllrs[2][0]]


def test_significant_briefing_to_one_group_only_yields_9_1(kdc_app, demo):
    with kdc_app.unit_of_work() as uow:
        rows = uow.session.scalars(select(CouncillorRow).order_by(CouncillorRow.id)).all()
        first_group = rows[0].group_id
        same = [c.id for c in rows if c.group_id == first_group]
        groups = {c.group_id for c in rows if c.group_id is not None}
        sent = tuple((cid, START) for cid in same)
        found = enforce(
            uow, "briefing", values=(Briefing(7, "Budget", sent=sent, significant=True),)
        )
        everyone = tuple((c.id, START) for c in rows)
        none = enforce(
            uow, "briefing", values=(Briefing(7, "Budget", sent=everyone, significant=True),)
        )
    assert [r.finding.clause for r in found] == ["9.1"]
    assert len(found[0].finding.entities) == len(groups) - 1
    assert none == []


def test_complaint_follows_11_2_in_order_and_a_skip_needs_a_reason(kdc_app, demo):
    _, cllrs, officers = demo
    today = dt.date.today()
    received = today - dt.timedelta(days=60)
    with kdc_app.unit_of_work() as uow:
        c = log.open_complaint(uow, cllrs[0][0], "Hectoring at reception", received, officers[0])
    assert [s.stage for s in c.stages] == [Stage.GROUP]
    assert c.stages[0].due_on == received + dt.timedelta(days=28)
    assert "Monitoring Officer" in c.next_step

    later = received + dt.timedelta(days=20)
    with (
        pytest.raises(RouteError, match="skips the Monitoring Officer"),
        kdc_app.unit_of_work() as uow,
    ):
        log.escalate(uow, c.id, Stage.STANDARDS, later, "not resolved")
    with pytest.raises(RouteError, match="skips the Group Leader"), kdc_app.unit_of_work() as uow:
        log.open_complaint(uow, cllrs[1][0], "x", received, stage=Stage.MONITORING_OFFICER)
    with kdc_app.unit_of_work() as uow:
        c = log.escalate(
            uow, c.id, Stage.MONITORING_OFFICER, received + dt.timedelta(days=20), "no resolution"
        )
        with pytest.raises(RouteError, match="stages go forward"):
            log.escalate(uow, c.id, Stage.GROUP, received + dt.timedelta(days=21), "back")
        other = log.open_complaint(
            uow,
            cllrs[1][0],
            "Repeated harassment",
            received,
            stage=Stage.MONITORING_OFFICER,
            skip_reason="Complainant is in the councillor's group's office",
        )
    assert [s.stage for s in c.stages] == [Stage.GROUP, Stage.MONITORING_OFFICER]
    assert (
        c.stages[0].ended_on == received + dt.timedelta(days=20)
        and c.stages[0].result == "no resolution"
    )
    assert other.stages[0].skip_reason.startswith("Complainant")

    with kdc_app.unit_of_work() as uow:  # both next steps are now overdue
        found = enforce(uow, "complaint", [c.id, other.id])
    assert sorted(
        (r.finding.subject_id, r.finding.key, r.finding.severity.value) for r in found
    ) == [
        (c.id, "overdue", "warning"),
        (other.id, "overdue", "warning"),
    ]
    assert "refer to the formal standards route" in found[0].finding.fix

    # A stage written straight to the database that jumps the queue is an error.
    with kdc_app.unit_of_work() as uow:
        row = uow.session.get(ComplaintRow, other.id)
        row.stages.append(ComplaintStageRow(stage="group", started_on=today))
    with kdc_app.unit_of_work() as uow:
        found = [r for r in check_all(uow) if r.finding.subject_kind == "complaint"]
    assert ("route-group", "error") in {(r.finding.key, r.finding.severity.value) for r in found}
