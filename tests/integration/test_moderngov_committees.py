"""``kdc import moderngov-committees``: committees and seats from ModernGov, and meetings that
concern their committee's members (clash checks and rule 8.2 on imported meetings)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from fixture_files import fixture_path
from kdc_core.app import Kdc
from kdc_core.calendar.concerns import load_membership
from kdc_core.calendar.events import create_event, update_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.cli import build_cli
from kdc_core.db import (
    CommitteeMembershipRow,
    CommitteeRow,
    CouncillorExternalIdRow,
    WardRow,
)
from kdc_core.plugins import make_plugin_manager

LONDON = ZoneInfo("Europe/London")
COMMITTEES = ("import", "moderngov-committees")


def sample(name: str) -> str:
    return str(fixture_path("moderngov", name))


MEMBERS_139 = sample("committee-139-members.xml")
BY_USER_105 = sample("committees-by-user-105.xml")


@pytest.fixture
def councillors(kdc_run, kdc_app) -> dict[str, int]:
    """The nine councillors of the sample GetCouncillorsByWard answer: ModernGov id → id."""
    result = kdc_run("import", "moderngov-councillors", sample("councillors-by-ward.xml"))
    assert result.exit_code == 0, result.output
    with kdc_app.unit_of_work() as uow:
        rows = uow.session.execute(
            select(CouncillorExternalIdRow.value, CouncillorExternalIdRow.councillor_id).where(
                CouncillorExternalIdRow.scheme == "moderngov"
            )
        )
        return {value: councillor_id for value, councillor_id in rows}


def import_committees(kdc_run, *members: str, source: str | None = None) -> dict:
    args = [*COMMITTEES, source or sample("committees.xml"), "--json"]
    for item in members:
        args += ["--members", item]
    result = kdc_run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def seats(kdc_app) -> dict[tuple[str, int], str]:
    """(committee's ModernGov id, councillor id) → role."""
    with kdc_app.unit_of_work() as uow:
        rows = uow.session.execute(
            select(
                CommitteeRow.external_id,
                CommitteeMembershipRow.councillor_id,
                CommitteeMembershipRow.role,
            ).join(CommitteeRow, CommitteeRow.id == CommitteeMembershipRow.committee_id)
        )
        return {(c, who): role for c, who, role in rows}


def without(text: str, tag: str, marker: str) -> str:
    """``text`` less the ``<tag>`` element whose content holds ``marker``."""
    at = text.index(marker)
    start = text.rindex(f"<{tag}>", 0, at)
    end = text.index(f"</{tag}>", at) + len(f"</{tag}>")
    return text[:start] + text[end:]


def test_committees_and_seats_import_with_warnings_and_a_second_run_changes_nothing(
    kdc_run, kdc_app, councillors
):
    report = import_committees(kdc_run, MEMBERS_139, BY_USER_105)
    assert report["summary"] == {"committee": {"added": 5}}
    (warning,) = report["warnings"]
    assert "councillor 990 'Noor Haigh' is not known here" in warning
    assert "Strategic Planning Committee" in warning

    with kdc_app.unit_of_work() as uow:
        stored = {c.external_id: c for c in uow.session.scalars(select(CommitteeRow))}
        assert {c: (s.title, s.deleted, s.expired) for c, s in stored.items()} == {
            "1": ("Council", False, False),
            "139": ("Strategic Planning Committee", False, False),
            "152": ("Health and Adult Social Care Scrutiny Panel", False, False),
            "87": ("Licensing Panel (2019)", False, True),
            "12": ("Old Town Board", True, False),
        }
        assert stored["139"].purpose == "Decides major planning applications & the council's own."
        assert stored["139"].category == "Regulatory" and stored["12"].category is None
    c = councillors
    assert seats(kdc_app) == {
        ("139", c["101"]): "Chair",
        ("139", c["104"]): "Vice-Chair",
        ("139", c["107"]): "Member",
        ("139", c["109"]): "Substitute",
        ("152", c["105"]): "Chair",
        ("87", c["105"]): "Member",
    }

    again = import_committees(kdc_run, MEMBERS_139, BY_USER_105)
    assert again["changes"] == 0 and again["summary"] == {}
    assert len(again["warnings"]) == 1


def test_seats_removed_at_source_go_and_a_committee_missing_from_the_list_is_archived(
    kdc_run, kdc_app, councillors, tmp_path: Path
):
    import_committees(kdc_run, MEMBERS_139, BY_USER_105)
    members = without(Path(MEMBERS_139).read_text(), "committeemember", "<councillorid>107")
    changed_members = tmp_path / "committee-139-members.xml"
    changed_members.write_text(members.replace("<role>Vice-Chair</role>", "<role>Member</role>"))
    committees = without(Path(sample("committees.xml")).read_text(), "committee", ">152<")
    fewer = tmp_path / "committees.xml"
    fewer.write_text(committees.replace("<committeescount> 5", "<committeescount>4"))

    # Only committee 139's list this time: 105's seats are outside what it speaks for.
    report = import_committees(kdc_run, str(changed_members), source=str(fewer))
    assert report["summary"] == {"committee": {"archived": 1, "updated": 1}}
    c = councillors
    assert seats(kdc_app) == {
        ("139", c["101"]): "Chair",
        ("139", c["104"]): "Member",
        ("139", c["109"]): "Substitute",
        ("152", c["105"]): "Chair",
        ("87", c["105"]): "Member",
    }
    with kdc_app.unit_of_work() as uow:
        panel = uow.session.scalars(
            select(CommitteeRow).where(CommitteeRow.external_id == "152")
        ).one()
        assert panel.archived_at is not None
        # An archived committee's meetings concern nobody through it.
        assert load_membership(uow).members(panel.title) == frozenset()

    # The panel coming back reactivates it.
    back = import_committees(kdc_run, str(changed_members))
    assert back["summary"] == {"committee": {"reactivated": 1}}


@pytest.mark.parametrize(
    ("edit", "message", "line"),
    [
        ("<committeeid>139</committeeid>", "<committeeid> 'P139' is not a numeric", 11),
        ("<committeescount> 5", "<committeescount> says 6 but 5", 2),
        ("<committeetitle>Council</committeetitle>", "has no <committeetitle>", 4),
        ("<committeeexpired>True", "<committeeexpired> 'Maybe' is neither True nor False", 26),
    ],
)
def test_a_broken_committee_list_names_the_line_and_writes_nothing(
    kdc_run, kdc_app, tmp_path, edit, message, line
):
    text = Path(sample("committees.xml")).read_text()
    replacement = {
        "<committeeid>139</committeeid>": "<committeeid>P139</committeeid>",
        "<committeescount> 5": "<committeescount> 6",
        "<committeetitle>Council</committeetitle>": "<committeetitle> </committeetitle>",
        "<committeeexpired>True": "<committeeexpired>Maybe",
    }[edit]
    broken = tmp_path / "committees.xml"
    broken.write_text(text.replace(edit, replacement, 1))
    result = kdc_run(*COMMITTEES, str(broken))
    assert result.exit_code == 1
    assert str(broken) in result.output and message in result.output
    assert f"line {line}" in result.output
    with kdc_app.unit_of_work() as uow:
        assert uow.session.scalars(select(CommitteeRow)).all() == []


def test_a_member_list_of_the_wrong_kind_or_without_ids_is_refused(kdc_run, kdc_app, tmp_path):
    result = kdc_run(*COMMITTEES, sample("committees.xml"), "--members", sample("committees.xml"))
    assert result.exit_code == 1
    assert "expected a committee's members (<getcommittee>)" in result.output
    no_id = tmp_path / "members.xml"
    no_id.write_text(Path(MEMBERS_139).read_text().replace("<councillorid>104</councillorid>", ""))
    result = kdc_run(*COMMITTEES, sample("committees.xml"), "--members", str(no_id))
    assert result.exit_code == 1
    assert "committee 139, member #2 'Aisha Whiteley' (line 12)" in result.output
    assert "has no <councillorid>" in result.output
    with kdc_app.unit_of_work() as uow:
        assert uow.session.scalars(select(CommitteeRow)).all() == []


def local(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, tzinfo=LONDON)


def test_imported_meetings_concern_exactly_their_committees_members_clash_and_meet_rule_8_2(
    kdc_run, kdc_app, councillors
):
    """Acceptance 4: committees, seats and a GetMeetings answer, all imported."""
    import_committees(kdc_run, MEMBERS_139, BY_USER_105)
    result = kdc_run("import", "moderngov-meetings", sample("meetings-committees.xml"), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["summary"] == {"event": {"added": 4}}
    (warning,) = report["warnings"]
    assert "meeting 7004: committee 'Heritage Advisory Group' (committee id 400)" in warning

    c = councillors
    planning = {c["101"], c["104"], c["107"]}  # the substitute (109) and Noor Haigh are not
    with kdc_app.unit_of_work() as uow:
        events = {e.external_id: e for e in uow.events.query() if e.source == "moderngov"}
        membership = load_membership(uow)
        concerned = {k: membership.councillors_concerned(e) for k, e in events.items()}
    assert events["7002"].committee == "Strategic Planning Committee"  # matched by title
    assert concerned["7001"] == concerned["7002"] == planning
    assert concerned["7003"] == {c["105"]}
    assert concerned["7004"] == frozenset()

    # A walkabout at the same time for one of the members is a clash.
    with kdc_app.unit_of_work() as uow:
        ashbrow = uow.session.scalars(select(WardRow).where(WardRow.name == "Ashbrow")).one()
        create_event(
            uow,
            NewEvent(
                kind=EventKind.WALKABOUT,
                title="Ashbrow walkabout",
                start=local(3, 10, 14),
                end=local(3, 10, 16),
                ward_ids=(ashbrow.id,),
                councillor_ids=(c["104"], c["105"]),
            ),
        )
    clashes = kdc_run("calendar", "clashes", "--all", "--json")
    assert clashes.exit_code == 0, clashes.output
    found = json.loads(clashes.output)["clashes"]
    assert [(x["event"]["title"], x["other"]["title"], x["person"], x["kind"]) for x in found] == [
        ("Ashbrow walkabout", "Strategic Planning Committee", "Aisha Whiteley", "council_meeting")
    ]

    # Rule 8.2: the meeting takes an Almondbury issue; Elin Sykes sits on the committee, the
    # ward's other two councillors do not and are not invited.
    with kdc_app.unit_of_work() as uow:
        almondbury = uow.session.scalars(select(WardRow).where(WardRow.name == "Almondbury"))
        update_event(uow, events["7001"].id, ward_ids=(almondbury.one().id,))
    check = kdc_run("protocol", "check", "--json")
    assert check.exit_code == 0, check.output
    (finding,) = [f for f in json.loads(check.output)["findings"] if f["clause"] == "8.2"]
    assert finding["subject"]["id"] == events["7001"].id
    named = {e["label"] for e in finding["entities"] if e["kind"] == "councillor"}
    assert named == {"Orla Pickles", "Priya Ackroyd"}


def test_a_change_of_seats_changes_who_the_imported_meetings_concern(
    kdc_run, kdc_app, councillors, tmp_path
):
    import_committees(kdc_run, MEMBERS_139)
    assert kdc_run("import", "moderngov-meetings", sample("meetings-committees.xml")).exit_code == 0
    fewer = tmp_path / "committee-139-members.xml"
    fewer.write_text(
        Path(MEMBERS_139)
        .read_text()
        .replace("<councillorid>107</councillorid>", "<councillorid>103</councillorid>")
    )
    import_committees(kdc_run, str(fewer))
    c = councillors
    with kdc_app.unit_of_work() as uow:
        (meeting,) = [e for e in uow.events.query() if e.external_id == "7001"]
        assert load_membership(uow).councillors_concerned(meeting) == {c["101"], c["104"], c["103"]}


class Answers(BaseHTTPRequestHandler):
    """Answers GET requests from ``self.server.answers`` (path with query → bytes), else 404."""

    def do_GET(self) -> None:
        body = self.server.answers.get(self.path)  # type: ignore[attr-defined]
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        if body is not None:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_service() -> Iterator[tuple[dict[str, bytes], str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    server.answers = {}  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.answers, f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_dash_asks_the_configured_web_service_for_committees_and_each_member_list(
    kdc_app, kdc_run, councillors, web_service
):
    result = kdc_run(*COMMITTEES, "-")
    assert result.exit_code == 1 and "base_url, which is not set" in result.output
    answers, base = web_service
    service = "/mgWebService.asmx/"
    answers[service + "GetCommittees"] = Path(sample("committees.xml")).read_bytes()
    answers[service + "GetCommittee?lCommitteeId=139"] = Path(MEMBERS_139).read_bytes()
    for empty in ("1", "152"):  # current committees with nobody listed; 87 and 12 are not asked
        answers[service + f"GetCommittee?lCommitteeId={empty}"] = (
            f"<getcommittee><committee><committeeid>{empty}</committeeid><committeemembers/>"
            "</committee></getcommittee>"
        ).encode()
    settings = kdc_app.settings.evolve(
        plugin_sections={"moderngov": {"base_url": base, "timeout": 5}}
    )
    configured = Kdc(settings, make_plugin_manager(settings), engine=kdc_app.engine)
    result = CliRunner().invoke(
        build_cli(configured), [*COMMITTEES, "-", "--members", "-"], obj=configured
    )
    assert result.exit_code == 0, result.output
    assert "Warning: councillor 990 'Noor Haigh' is not known here" in result.output
    c = councillors
    assert seats(kdc_app) == {
        ("139", c["101"]): "Chair",
        ("139", c["104"]): "Vice-Chair",
        ("139", c["107"]): "Member",
        ("139", c["109"]): "Substitute",
    }
