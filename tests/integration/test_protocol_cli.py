"""``kdc protocol``: clause, guide, scenarios, adopt, mark-meeting and the complaints log."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from kdc_core.calendar.events import create_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db import CouncillorRow, EventPoliticalMeetingRow, OfficerRow, WardRow
from kdc_core.protocol.document import packaged_document
from kdc_core.protocol.service import open_findings

START = dt.datetime(2027, 6, 3, 18, 0, tzinfo=dt.UTC)


def _people(kdc_app):
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Batley East", slug="batley-east")
        a, b = CouncillorRow(name="Ann Lee", ward=ward), CouncillorRow(name="Bob Hall", ward=ward)
        officer = OfficerRow(person_id="p-1", given_name="Olu", family_name="Ade")
        uow.session.add_all([a, b, officer])
        uow.session.flush()
        return ward.id, a.id, b.id, officer.id


def test_clause_guide_and_scenarios_print_from_the_packaged_protocol(kdc_run, tmp_path):
    result = kdc_run("protocol", "clause", "7.4")
    assert result.exit_code == 0
    assert result.output.startswith("7.4 (Ward councillors and officers; binds officers)")
    assert "every councillor of each affected ward is invited" in result.output

    missing = kdc_run("protocol", "clause", "12.9")
    assert missing.exit_code == 1 and "has no clause '12.9'" in missing.output

    out = tmp_path / "officer.html"
    result = kdc_run(
        "protocol", "guide", "--format", "html", "--audience", "officer", "--out", str(out)
    )
    assert result.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert "(7.5)</cite>" in page and "(5.3)</cite>" not in page

    md = kdc_run("protocol", "guide", "--audience", "councillor").output
    assert "- Scrutiny examines services and policies" in md and "(5.6)" in md

    scenarios = json.loads(kdc_run("protocol", "scenarios", "--json").output)
    assert [s["number"] for s in scenarios] == [1, 2, 3, 4, 5, 6]
    assert any("(7.4)" in g for g in scenarios[1]["guidance"])


def test_findings_keep_the_version_they_were_judged_under(kdc_app, kdc_run, tmp_path):
    ward, a, _b, _officer = _people(kdc_app)
    meeting = NewEvent(
        EventKind.OTHER, "Batley East: bus lane", START, START + dt.timedelta(hours=1),
        ward_ids=(ward,), councillor_ids=(a,), public=True,
    )  # fmt: skip
    with kdc_app.unit_of_work() as uow:
        first = create_event(uow, meeting)

    current = packaged_document()[0].version
    source = tmp_path / "council-2027.toml"
    raw = resources.files("kdc_core.protocol").joinpath("data", "kirklees.toml").read_text("utf-8")
    source.write_text(raw.replace(f'version = "{current}"', 'version = "2027"', 1), "utf-8")
    result = kdc_run("protocol", "adopt", str(source))
    assert result.exit_code == 0 and "adopted protocol version 2027" in result.output
    again = kdc_run("protocol", "adopt", str(source))
    assert again.exit_code == 1 and "already been adopted" in again.output

    with kdc_app.unit_of_work() as uow:
        second = create_event(uow, meeting)
    with kdc_app.unit_of_work() as uow:
        versions = {r.finding.subject_id: r.protocol_version for r in open_findings(uow, "event")}
    assert versions == {first.id: "2016", second.id: "2027"}

    bad = tmp_path / "bad.toml"
    bad.write_text('[protocol]\nversion = "x"\n', "utf-8")
    result = kdc_run("protocol", "adopt", str(bad))
    assert result.exit_code != 0 and f"{bad}: no [[sections]]" in result.output


def test_mark_meeting_refuses_an_officer_at_a_ward_party_meeting_unless_overridden(
    kdc_app, kdc_run
):
    _, _, _, officer = _people(kdc_app)
    with kdc_app.unit_of_work() as uow:
        event = create_event(
            uow,
            NewEvent(
                EventKind.OTHER,
                "Ward branch",
                START,
                START + dt.timedelta(hours=1),
                officer_ids=(officer,),
            ),
        )
    refused = kdc_run("protocol", "mark-meeting", str(event.id), "--scope", "ward")
    assert (
        refused.exit_code == 1
        and "7.5" in refused.output
        and "Withdraw the invitation" in refused.output
    )
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.get(EventPoliticalMeetingRow, event.id) is None

    done = kdc_run(
        "protocol",
        "mark-meeting",
        str(event.id),
        "--scope",
        "ward",
        "--override",
        "Flood briefing at the chair's request",
    )
    assert done.exit_code == 0, done.output
    assert "[overridden: Flood briefing at the chair's request]" in done.output
    check = kdc_run("protocol", "check")
    assert check.exit_code == 0 and "0 error" not in check.output and "1 error" in check.output


def test_complaint_commands_refuse_a_skipped_stage_without_a_reason(kdc_app, kdc_run):
    _, a, _, officer = _people(kdc_app)
    opened = kdc_run(
        "protocol", "complaint-open", "--councillor", str(a), "--officer", str(officer),
        "--summary", "Hectoring by email", "--received", "2027-01-04",
    )  # fmt: skip
    assert opened.exit_code == 0, opened.output
    assert "next step: resolve at Group Leader and Group Business Manager" in opened.output
    assert "by 2027-02-01" in opened.output
    cid = opened.output.split()[1]
    skipped = kdc_run("protocol", "complaint-escalate", cid, "--to", "standards", "--result", "no")
    assert skipped.exit_code == 1 and "give a reason (--skip-reason)" in skipped.output
    moved = kdc_run(
        "protocol", "complaint-escalate", cid, "--to", "monitoring_officer", "--result",
        "Group could not resolve it", "--on", "2027-01-20",
    )  # fmt: skip
    assert moved.exit_code == 0, moved.output
    log = json.loads(kdc_run("protocol", "complaints", "--json").output)
    assert [s["stage"] for s in log[0]["stages"]] == ["group", "monitoring_officer"]
    assert log[0]["stages"][1]["due_on"] == "2027-02-17"
