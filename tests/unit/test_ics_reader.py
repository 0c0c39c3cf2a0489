"""Reading iCalendar feeds: recurrences, cancellations, zones, all-day events, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fixture_files import FIXTURES
from kdc_core.calendar.values import EventKind, EventStatus
from kdc_core.config import Settings
from kdc_core.errors import ImportFailed
from kdc_ical.ics_reader import source_name, uid_key
from kdc_ical.importer import load_ics, window

DATA = FIXTURES / "ics"
WEEKLY = DATA / "planning-weekly.ics"
MIXED = DATA / "mixed.ics"
SERIES = "planning-sub-2027@democracy.example.org/"
UTC = dt.UTC


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url="sqlite://", instance_path=tmp_path, environ={})


def _load(settings, path=WEEKLY, kind="council_meeting", **options):
    options.setdefault("from_date", dt.date(2027, 1, 1))
    options.setdefault("to_date", dt.date(2027, 12, 31))
    return {r.event.external_id: r for r in load_ics(str(path), settings, kind=kind, **options)}


def test_a_weekly_series_expands_without_its_exdate_and_keeps_its_cancelled_instance(settings):
    records = _load(settings)
    assert sorted(records) == [
        SERIES + "20270304T100000Z",
        SERIES + "20270318T100000Z",
        SERIES + "20270325T100000Z",
        SERIES + "20270401T090000Z",
        SERIES + "20270408T090000Z",
        SERIES + "20270415T090000Z",
        SERIES + "20270422T090000Z",
    ]
    statuses = {k.removeprefix(SERIES): r.event.status for k, r in records.items()}
    assert statuses.pop("20270325T100000Z") == EventStatus.CANCELLED
    assert set(statuses.values()) == {EventStatus.CONFIRMED}
    assert all(r.series == SERIES for r in records.values())


def test_local_times_follow_the_clocks_going_forward_in_march(settings):
    records = _load(settings)
    winter = records[SERIES + "20270304T100000Z"].event
    summer = records[SERIES + "20270401T090000Z"].event
    assert winter.start.astimezone(UTC) == dt.datetime(2027, 3, 4, 10, 0, tzinfo=UTC)
    assert summer.start.astimezone(UTC) == dt.datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
    assert summer.end - summer.start == dt.timedelta(minutes=90)
    assert winter.timezone == "Europe/London"


def test_a_moved_instance_keeps_the_key_of_the_instance_it_replaces(settings):
    moved = _load(settings)[SERIES + "20270408T090000Z"].event
    assert moved.title == "Planning sub-committee (afternoon)"
    assert moved.start.astimezone(UTC) == dt.datetime(2027, 4, 8, 13, 0, tzinfo=UTC)


def test_the_committee_comes_from_categories_even_for_overrides_that_omit_them(settings):
    records = _load(settings)
    assert {r.event.committee for r in records.values()} == {"Strategic Planning Committee"}
    first = records[SERIES + "20270304T100000Z"].event
    assert first.location == "Council Chamber, Town Hall, Huddersfield"
    assert first.description == "Site visits and applications.\nAgenda on the council website."
    assert first.kind == EventKind.COUNCIL_MEETING and first.public
    assert first.source == "ics:planning-weekly.ics"


def test_the_committee_option_wins_and_other_kinds_take_no_committee_from_categories(settings):
    named = _load(settings, committee="Planning Sub-Committee")
    assert {r.event.committee for r in named.values()} == {"Planning Sub-Committee"}
    briefings = _load(settings, kind="briefing")
    assert {r.event.committee for r in briefings.values()} == {None}
    assert not any(r.event.public for r in briefings.values())  # other kinds: private


def test_utc_all_day_floating_and_open_ended_events(settings):
    records = _load(settings, MIXED)
    cabinet = records["cabinet-2027-07-12@democracy.example.org"]
    assert cabinet.series is None
    assert cabinet.event.start == dt.datetime(2027, 7, 12, 12, 30, tzinfo=UTC)
    assert cabinet.event.timezone == "Europe/London" and cabinet.event.committee == "Cabinet"

    fair = records["freshers-2027@democracy.example.org"].event  # all day, in BST
    assert fair.start.astimezone(UTC) == dt.datetime(2027, 6, 17, 23, 0, tzinfo=UTC)
    assert fair.end.astimezone(UTC) == dt.datetime(2027, 6, 18, 23, 0, tzinfo=UTC)

    briefing = records["briefing-2027-01-15@democracy.example.org"].event  # floating, GMT
    assert briefing.start.astimezone(UTC) == dt.datetime(2027, 1, 15, 12, 30, tzinfo=UTC)
    assert briefing.end - briefing.start == dt.timedelta(minutes=45)

    group = records["group-2027-02-01@democracy.example.org"].event  # no end: an hour
    assert group.end - group.start == dt.timedelta(hours=1)


def test_class_private_is_never_made_public(settings):
    records = _load(settings, MIXED, public=True)
    assert not records["group-2027-02-01@democracy.example.org"].event.public
    assert records["cabinet-2027-07-12@democracy.example.org"].event.public
    private = _load(settings, MIXED, public=False)
    assert not any(r.event.public for r in private.values())


def test_a_long_outlook_uid_is_kept_short_enough_to_store(settings):
    keys = [k for k in _load(settings, MIXED) if k.startswith("sha1:")]
    assert len(keys) == 1 and len(keys[0]) == len("sha1:") + 40
    assert uid_key("x" * 101) != uid_key("x" * 102)
    assert uid_key("short@example.org") == "short@example.org"


def test_the_window_decides_which_events_are_read(settings):
    assert "council-2026-03-01@democracy.example.org" not in _load(settings, MIXED)
    spring = _load(settings, from_date=dt.date(2027, 3, 18), to_date=dt.date(2027, 3, 31))
    assert sorted(k.removeprefix(SERIES) for k in spring) == [
        "20270318T100000Z",
        "20270325T100000Z",
    ]
    first, end = spring[SERIES + "20270318T100000Z"].window
    assert first == dt.datetime(2027, 3, 18, tzinfo=settings.tz)
    assert end == dt.datetime(2027, 4, 1, tzinfo=settings.tz)


def test_the_default_window_runs_from_a_month_ago_to_a_year_ahead(settings):
    start, end = window(settings)
    today = dt.datetime.now(settings.tz).date()
    assert start.date() == today - dt.timedelta(days=30)
    assert end.date() == today + dt.timedelta(days=366)
    with pytest.raises(ImportFailed, match="is before --from"):
        window(settings, dt.date(2027, 2, 1), dt.date(2027, 1, 1))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "https://democracy.kirklees.gov.uk/mgCalendarICal.aspx?x=1",
            "ics:democracy.kirklees.gov.uk",
        ),
        ("webcal://calendar.example.org/feed.ics", "ics:calendar.example.org"),
        ("/tmp/some/dir/meetings.ics", "ics:meetings.ics"),
    ],
)
def test_the_source_is_named_by_host_or_file_name(source, expected):
    assert source_name(source) == expected


def test_a_very_long_file_name_still_fits_the_source_column():
    name = source_name("/tmp/" + "a" * 80 + ".ics")
    assert len(name) <= 40 and name.startswith("ics:aaaa")


def _write(tmp_path: Path, *events: str) -> Path:
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    path = tmp_path / "bad.ics"
    path.write_text(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\n{body}END:VCALENDAR\n")
    return path


GOOD = "UID:good@x\nDTSTART:20270301T100000Z\nDTEND:20270301T110000Z\nSUMMARY:Fine"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            "DTSTART:20270301T100000Z\nSUMMARY:Nameless",
            "bad.ics, VEVENT #2 (line 10): has no UID",
        ),
        (
            "UID:broken@x\nDTSTART:2027XX\nSUMMARY:Broken",
            "bad.ics, VEVENT 'broken@x' 'Broken' (line 10): cannot read DTSTART",
        ),
        ("UID:nostart@x\nSUMMARY:When", "VEVENT 'nostart@x' 'When' (line 10): has no DTSTART"),
        (
            "UID:zone@x\nDTSTART;TZID=Nowhere/Zone:20270301T100000\nSUMMARY:Where",
            "(line 10): TZID 'Nowhere/Zone' is not a time zone kdc knows",
        ),
        (
            "UID:back@x\nDTSTART:20270301T100000Z\nDTEND:20270301T090000Z\nSUMMARY:Back",
            "VEVENT 'back@x' 'Back' (line 10): ends (Mon 1 Mar 2027 09:00 GMT) before it "
            "starts (Mon 1 Mar 2027 10:00 GMT)",
        ),
        (
            "UID:rule@x\nDTSTART:20270301T100000Z\nRRULE:FREQ=SOMETIMES\nSUMMARY:Rule",
            "VEVENT 'rule@x' 'Rule' (line 10): cannot read RRULE",
        ),
    ],
)
def test_a_bad_event_is_refused_naming_file_event_and_line(settings, tmp_path, event, message):
    path = _write(tmp_path, GOOD, event)
    with pytest.raises(ImportFailed) as info:
        _load(settings, path)
    assert str(info.value).startswith(str(path.parent)) and message in str(info.value)


def test_a_file_that_is_not_icalendar_is_refused(settings, tmp_path):
    path = tmp_path / "notes.ics"
    path.write_text("hello, this is not a calendar\n")
    with pytest.raises(ImportFailed, match=r"notes\.ics: not an iCalendar file"):
        _load(settings, path)
    with pytest.raises(ImportFailed, match=r"missing\.ics: file not found"):
        _load(settings, tmp_path / "missing.ics")


def test_windows_zone_names_and_x_wr_timezone_are_understood(settings, tmp_path):
    path = tmp_path / "outlook.ics"
    path.write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nX-WR-TIMEZONE:Europe/London\n"
        "BEGIN:VEVENT\nUID:win@x\nDTSTART;TZID=GMT Standard Time:20270712T120000\n"
        "DTEND;TZID=GMT Standard Time:20270712T130000\nSUMMARY:Windows\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:google@x\nDTSTART:20270713T110000Z\nDTEND:20270713T120000Z\n"
        "SUMMARY:Google\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    records = _load(settings, path)
    windows, google = records["win@x"].event, records["google@x"].event
    assert windows.start.astimezone(UTC) == dt.datetime(2027, 7, 12, 11, 0, tzinfo=UTC)
    assert windows.timezone == "Europe/London"
    assert google.start.astimezone(UTC) == dt.datetime(2027, 7, 13, 11, 0, tzinfo=UTC)
