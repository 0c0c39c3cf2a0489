"""``kdc import moderngov-meetings``: council meetings from GetMeetings, through the CLI."""

from __future__ import annotations

import datetime as dt
import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixture_files import fixture_path
from kdc_core.calendar.concerns import load_membership
from kdc_core.calendar.values import EventKind, EventStatus
from kdc_core.db import CouncillorRoleRow, CouncillorRow, EventRow
from kdc_core.demo import seed_demo

IMPORT = ("import", "moderngov-meetings")


def meetings_fixture() -> Path:
    return fixture_path("moderngov", "meetings-2027.xml")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    copy = tmp_path / "meetings-2027.xml"
    copy.write_bytes(meetings_fixture().read_bytes())
    return copy


def _by_id(kdc_app) -> dict:
    with kdc_app.unit_of_work() as uow:
        return {e.external_id: e for e in uow.events.query() if e.source == "moderngov"}


def _count(kdc_app) -> int:
    with kdc_app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(EventRow))


def test_importing_2027_stores_28_public_meetings_in_utc_with_three_cancelled(
    kdc_run, kdc_app, sample
):
    result = kdc_run(*IMPORT, str(sample))
    assert result.exit_code == 0, result.output
    assert "Made 28 changes. event: 28 added" in result.output
    events = _by_id(kdc_app)
    assert len(events) == 28
    assert all(e.kind == EventKind.COUNCIL_MEETING and e.public for e in events.values())

    council = events["5001"]  # 7 January 10:00 GMT
    assert (council.title, council.committee) == ("Council", "Council")
    assert council.start == dt.datetime(2027, 1, 7, 10, 0, tzinfo=dt.UTC)
    assert council.end - council.start == dt.timedelta(hours=2)
    assert council.location == "Council Chamber - Town Hall, Huddersfield"
    assert council.timezone == "Europe/London"
    cabinet = events["5012"]  # 12 July 13:30 BST
    assert cabinet.committee == "Cabinet"
    assert cabinet.start == dt.datetime(2027, 7, 12, 12, 30, tzinfo=dt.UTC)

    cancelled = {k for k, e in events.items() if e.status == EventStatus.CANCELLED}
    assert cancelled == {"5004", "5007", "5008"}
    assert all(events[k].cancelled_at is not None for k in cancelled)
    assert all(e.cancelled_at is None for k, e in events.items() if k not in cancelled)


def test_a_second_run_of_the_same_file_changes_nothing(kdc_run, kdc_app, sample):
    assert kdc_run(*IMPORT, str(sample)).exit_code == 0
    before = _by_id(kdc_app)
    again = kdc_run(*IMPORT, str(sample), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["changes"] == 0
    assert _by_id(kdc_app) == before


def test_a_meeting_the_source_later_cancels_or_moves_is_updated_with_a_higher_sequence(
    kdc_run, kdc_app, sample
):
    assert kdc_run(*IMPORT, str(sample)).exit_code == 0
    first = _by_id(kdc_app)
    text = sample.read_text(encoding="utf-8")
    text = text.replace(
        "<meetingid>5001</meetingid>\n      <committeeid>1</committeeid>\n"
        "      <committeetitle>Council</committeetitle>\n"
        "      <meetingdate>07/01/2027</meetingdate>\n      <meetingtime>10:00</meetingtime>\n"
        "      <meetingstatus>Confirmed</meetingstatus>",
        "<meetingid>5001</meetingid>\n      <committeeid>1</committeeid>\n"
        "      <committeetitle>Council</committeetitle>\n"
        "      <meetingdate>07/01/2027</meetingdate>\n      <meetingtime>10:00</meetingtime>\n"
        "      <meetingstatus>Cancelled</meetingstatus>",
    )
    text = text.replace(
        "<meetingdate>29/01/2027</meetingdate>\n      <meetingtime>13:30</meetingtime>",
        "<meetingdate>29/01/2027</meetingdate>\n      <meetingtime>14:00</meetingtime>",
    )
    sample.write_text(text, encoding="utf-8")

    result = kdc_run(*IMPORT, str(sample))
    assert result.exit_code == 0, result.output
    assert "Made 2 changes. event: 2 updated" in result.output
    now = _by_id(kdc_app)
    assert now["5001"].status == EventStatus.CANCELLED and now["5001"].sequence == 1
    assert now["5001"].uid == first["5001"].uid and now["5001"].cancelled_at is not None
    assert now["5002"].start == dt.datetime(2027, 1, 29, 14, 0, tzinfo=dt.UTC)
    assert now["5002"].sequence == 1
    assert {k: e for k, e in now.items() if k not in {"5001", "5002"}} == {
        k: e for k, e in first.items() if k not in {"5001", "5002"}
    }


def test_dry_run_reports_the_meetings_and_writes_nothing(kdc_run, kdc_app, sample):
    result = kdc_run(*IMPORT, str(sample), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would make 28 changes" in result.output and "nothing was written" in result.output
    assert _count(kdc_app) == 0


def test_the_duration_option_sets_how_long_meetings_last(kdc_run, kdc_app, sample):
    assert kdc_run(*IMPORT, str(sample), "--duration", "180").exit_code == 0
    assert {e.end - e.start for e in _by_id(kdc_app).values()} == {dt.timedelta(hours=3)}


def test_malformed_xml_fails_naming_file_and_line_and_writes_nothing(kdc_run, kdc_app, sample):
    text = sample.read_text(encoding="utf-8")
    sample.write_text(text.replace("</meetingvenue>", "</venue>", 20), encoding="utf-8")
    result = kdc_run(*IMPORT, str(sample))
    assert result.exit_code == 1
    assert f"{sample}, line 11: malformed XML" in result.output
    assert _count(kdc_app) == 0


def test_a_meeting_without_an_id_fails_naming_it_and_writes_nothing(kdc_run, kdc_app, sample):
    text = sample.read_text(encoding="utf-8")
    sample.write_text(text.replace("<meetingid>5028</meetingid>", ""), encoding="utf-8")
    result = kdc_run(*IMPORT, str(sample))
    assert result.exit_code == 1
    assert "meeting #28 (line 247): has no <meetingid>" in result.output
    assert _count(kdc_app) == 0


def test_meetings_can_be_read_from_a_url(kdc_run, kdc_app, sample):
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(sample.parent))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{sample.name}"
        result = kdc_run(*IMPORT, url)
        missing = kdc_run(*IMPORT, url + ".gone")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert len(_by_id(kdc_app)) == 28
    assert missing.exit_code == 1 and "HTTP 404" in missing.output


def test_imported_meetings_concern_their_committees_members_in_the_demo_council(
    kdc_run, kdc_app, sample
):
    with kdc_app.unit_of_work() as uow:
        seed_demo(uow)
    assert kdc_run(*IMPORT, str(sample)).exit_code == 0
    with kdc_app.unit_of_work() as uow:
        membership = load_membership(uow)
        everyone = set(uow.session.scalars(select(CouncillorRow.id)))
        standards_members = set(
            uow.session.scalars(
                select(CouncillorRoleRow.councillor_id).where(
                    CouncillorRoleRow.committee == "Standards Committee"
                )
            )
        )
        events = {e.external_id: e for e in uow.events.query()}
    assert len(everyone) == 69 and 0 < len(standards_members) < 69
    assert membership.councillors_concerned(events["5001"]) == everyone  # full Council
    assert membership.councillors_concerned(events["5005"]) == standards_members
