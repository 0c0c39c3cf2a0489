"""``kdc import ics``: iCalendar feeds in through the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from event_people import seed_cast
from sqlalchemy import func, select

from fixture_files import FIXTURES
from kdc_core.calendar.concerns import councillors_concerned
from kdc_core.calendar.values import EventStatus
from kdc_core.db import EventRow

DATA = FIXTURES / "ics"
SERIES = "planning-sub-2027@democracy.example.org/"
YEAR = ("--from", "2027-01-01", "--to", "2027-12-31")
UTC = dt.UTC


@pytest.fixture
def weekly(tmp_path: Path) -> Path:
    return Path(shutil.copy(DATA / "planning-weekly.ics", tmp_path / "planning-weekly.ics"))


def _import(kdc_run, path, *extra, kind="council_meeting"):
    return kdc_run("import", "ics", str(path), "--kind", kind, *YEAR, *extra)


def _events(kdc_app) -> dict:
    with kdc_app.unit_of_work() as uow:
        return {e.external_id: e for e in uow.events.query()}


def _count(kdc_app) -> int:
    with kdc_app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(EventRow))


def test_a_weekly_series_is_stored_instance_by_instance_and_a_second_run_changes_nothing(
    kdc_run, kdc_app, weekly
):
    result = _import(kdc_run, weekly)
    assert result.exit_code == 0, result.output
    assert "Made 7 changes. event: 7 added" in result.output
    events = _events(kdc_app)
    assert len(events) == 7 and all(k.startswith(SERIES) for k in events)
    cancelled = events[SERIES + "20270325T100000Z"]
    assert cancelled.status == EventStatus.CANCELLED and cancelled.cancelled_at is not None
    moved = events[SERIES + "20270408T090000Z"]
    assert moved.start == dt.datetime(2027, 4, 8, 13, 0, tzinfo=UTC)  # 14:00 BST
    assert events[SERIES + "20270304T100000Z"].start == dt.datetime(2027, 3, 4, 10, tzinfo=UTC)
    assert {e.source for e in events.values()} == {"ics:planning-weekly.ics"}

    again = _import(kdc_run, weekly, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["changes"] == 0
    assert _events(kdc_app) == events


def test_a_new_exdate_or_cancellation_in_the_feed_cancels_that_instance(kdc_run, kdc_app, weekly):
    assert _import(kdc_run, weekly).exit_code == 0
    before = _events(kdc_app)
    text = weekly.read_text()
    text = text.replace(
        "EXDATE;TZID=Europe/London:20270311T100000",
        "EXDATE;TZID=Europe/London:20270311T100000,20270318T100000",
    )
    text = text.replace(
        "SUMMARY:Planning sub-committee (afternoon)",
        "SUMMARY:Planning sub-committee (afternoon)\nSTATUS:CANCELLED",
    )
    weekly.write_text(text)
    result = _import(kdc_run, weekly)
    assert result.exit_code == 0, result.output
    assert "Made 2 changes. event: 2 updated" in result.output
    after = _events(kdc_app)
    for key in (SERIES + "20270318T100000Z", SERIES + "20270408T090000Z"):
        assert after[key].status == EventStatus.CANCELLED
        assert after[key].sequence == before[key].sequence + 1
        assert after[key].uid == before[key].uid
    assert _import(kdc_run, weekly).output.count("0 changes") == 1


def test_instances_outside_the_window_are_left_alone(kdc_run, kdc_app, weekly):
    assert _import(kdc_run, weekly).exit_code == 0
    march = kdc_run(
        "import", "ics", str(weekly), "--kind", "council_meeting",
        "--from", "2027-03-01", "--to", "2027-03-31",
    )  # fmt: skip
    assert march.exit_code == 0 and "0 changes" in march.output
    assert all(not e.cancelled for k, e in _events(kdc_app).items() if "0325" not in k)


def test_mixed_events_with_options_and_private_class(kdc_run, kdc_app):
    result = _import(kdc_run, DATA / "mixed.ics", "--public", kind="briefing")
    assert result.exit_code == 0, result.output
    events = _events(kdc_app)
    assert len(events) == 5
    assert not events["group-2027-02-01@democracy.example.org"].public  # CLASS:PRIVATE
    fair = events["freshers-2027@democracy.example.org"]
    assert fair.public and fair.start == dt.datetime(2027, 6, 17, 23, 0, tzinfo=UTC)
    assert {e.kind.value for e in events.values()} == {"briefing"}


def test_dry_run_writes_nothing_and_a_bad_feed_writes_nothing(kdc_run, kdc_app, weekly, tmp_path):
    dry = _import(kdc_run, weekly, "--dry-run")
    assert dry.exit_code == 0 and "Would make 7 changes" in dry.output
    assert _count(kdc_app) == 0

    bad = tmp_path / "bad.ics"
    bad.write_text(
        weekly.read_text().replace(
            "UID:planning-sub-2027@democracy.example.org\nDTSTAMP", "DTSTAMP", 1
        )
    )
    result = _import(kdc_run, bad)
    assert result.exit_code == 1
    assert f"{bad}, VEVENT #1 (line 22): has no UID" in result.output
    assert _count(kdc_app) == 0


def test_kind_is_required_and_named_in_the_error(kdc_run, weekly):
    result = kdc_run("import", "ics", str(weekly))
    assert result.exit_code == 2 and "--kind" in result.output


def test_a_feed_can_be_read_from_a_url_and_its_host_names_the_source(kdc_run, kdc_app, weekly):
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(weekly.parent))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{weekly.name}"
        result = _import(kdc_run, url)
        missing = _import(kdc_run, url + ".gone")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 0, result.output
    assert {e.source for e in _events(kdc_app).values()} == {"ics:127.0.0.1"}
    assert missing.exit_code == 1 and "HTTP 404" in missing.output


def test_imported_meetings_concern_the_committee_named_in_categories(kdc_run, kdc_app, weekly):
    with kdc_app.unit_of_work() as uow:
        cast = seed_cast(uow)
    assert _import(kdc_run, weekly).exit_code == 0
    with kdc_app.unit_of_work() as uow:
        meeting = uow.events.query()[0]
        assert meeting.committee == "Strategic Planning Committee"
        assert councillors_concerned(uow, meeting) == {cast.cath}


EDGE = DATA / "edge"


@pytest.mark.parametrize(
    ("name", "code"),
    [("31-nul-byte.ics", 1), ("27-duplicate-uid.ics", 1), ("06-rdate-list.ics", 0)],
)
def test_edge_cases_on_each_database_refuse_whole_or_import(kdc_run, kdc_app, name, code):
    result = _import(kdc_run, EDGE / name, kind="briefing")
    assert result.exit_code == code, result.output
    assert (_count(kdc_app) == 0) == (code == 1)
    if code:
        assert f"Error: {EDGE / name}, VEVENT '" in result.output


def test_skip_invalid_imports_the_rest_and_lists_what_it_left_out(kdc_run, kdc_app, tmp_path):
    feed = tmp_path / "feed.ics"
    feed.write_bytes(
        (EDGE / "27-duplicate-uid.ics").read_bytes().replace(
            b"END:VCALENDAR", b"BEGIN:VEVENT\r\nUID:fine@x\r\nDTSTART:20270309T180000Z\r\n"
            b"SUMMARY:Fine\r\nEND:VEVENT\r\nEND:VCALENDAR"
        )
    )  # fmt: skip
    result = _import(kdc_run, feed, "--skip-invalid", "--json", kind="briefing")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["changes"] == 1
    assert report["warnings"] == [
        "skipped VEVENT 'dup@edge.example' 'Edge dup' (line 10): appears twice with this UID "
        "and no RECURRENCE-ID (lines 4 and 10); one feed may hold an event only once"
    ]
    assert set(_events(kdc_app)) == {"fine@x"}
    text = _import(kdc_run, feed, "--skip-invalid", kind="briefing")
    assert "Warning: skipped VEVENT 'dup@edge.example'" in text.output
    assert "0 changes" in text.output


def test_the_changes_listed_show_times_in_the_councils_zone(kdc_run, weekly):
    result = _import(kdc_run, weekly)
    assert "Planning sub-committee (Thu 4 Mar 2027 10:00 GMT)" in result.output
    assert "Planning sub-committee (afternoon) (Thu 8 Apr 2027 14:00 BST)" in result.output
    assert "UTC" not in result.output


def test_the_bounds_are_options_of_the_command(kdc_run, kdc_app, weekly):
    capped = _import(kdc_run, weekly, "--max-instances", "5")
    assert capped.exit_code == 1
    assert (
        f"Error: {weekly}, VEVENT 'planning-sub-2027@democracy.example.org' 'Planning "
        "sub-committee' (line 22): has more than 5 instances between Fri 1 Jan 2027 00:00 GMT "
        "and Sat 1 Jan 2028 00:00 GMT"
    ) in capped.output
    few = _import(kdc_run, weekly, "--max-events", "6")
    assert few.exit_code == 1 and "more than 6 events to import" in few.output
    assert _count(kdc_app) == 0
    minutely = _import(kdc_run, EDGE / "22-minutely-count.ics", "--allow-sub-daily")
    assert minutely.exit_code == 1 and "more than 1,000 instances" in minutely.output
    assert _import(kdc_run, weekly, "--max-instances", "7", "--max-events", "7").exit_code == 0
