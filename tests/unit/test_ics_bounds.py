"""Reading a feed within bounds: duplicates, instance and event limits, sub-daily rules,
bad bytes, --skip-invalid, and times named in the council's zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kdc_core.config import Settings
from kdc_core.errors import ImportFailed
from kdc_ical.ics_reader import IcsReader
from kdc_ical.importer import load_ics

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kdc tests//bounds//EN\r\n"
LONDON = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0000\r\n"
    "TZOFFSETTO:+0100\r\nTZNAME:BST\r\nDTSTART:19700329T010000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\n"
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nTZNAME:GMT\r\nDTSTART:19701025T020000\r\n"
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
)


def vevent(uid: str, *lines: str, summary: str | None = None) -> str:
    body = "".join(f"{line}\r\n" for line in lines)
    return (
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270101T000000Z\r\n"
        f"SUMMARY:{summary or uid}\r\n{body}END:VEVENT\r\n"
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database_url="sqlite://", instance_path=tmp_path, environ={})


@pytest.fixture
def feed(tmp_path: Path):
    def write(*events: str, raw: bytes | None = None) -> Path:
        path = tmp_path / "feed.ics"
        if raw is not None:
            path.write_bytes(raw)
        else:
            path.write_text(HEAD + LONDON + "".join(events) + "END:VCALENDAR\r\n")
        return path

    return write


def _load(settings, path, **options):
    options.setdefault("from_date", dt.date(2027, 1, 1))
    options.setdefault("to_date", dt.date(2027, 12, 31))
    return load_ics(str(path), settings, kind="briefing", **options)


def test_the_same_uid_twice_is_refused_naming_both_lines(settings, feed):
    path = feed(
        vevent("one@x", "DTSTART:20270304T100000Z"),
        vevent("twice@x", "DTSTART:20270305T100000Z"),
        vevent("twice@x", "DTSTART:20270306T100000Z"),
    )
    with pytest.raises(ImportFailed) as failed:
        _load(settings, path)
    assert str(failed.value) == (
        f"{path}, VEVENT 'twice@x' 'twice@x' (line 33): appears twice with this UID and no "
        "RECURRENCE-ID (lines 27 and 33); one feed may hold an event only once"
    )


def test_the_same_override_twice_is_refused_but_distinct_overrides_are_kept(settings, feed):
    series = vevent("s@x", "DTSTART:20270304T100000Z", "RRULE:FREQ=WEEKLY;COUNT=4")
    moved = vevent("s@x", "RECURRENCE-ID:20270311T100000Z", "DTSTART:20270311T140000Z")
    later = vevent("s@x", "RECURRENCE-ID:20270318T100000Z", "DTSTART:20270318T150000Z")
    records = _load(settings, feed(series, moved, later))
    starts = {r.event.external_id: r.event.start.hour for r in records}
    assert starts == {
        "s@x/20270304T100000Z": 10,
        "s@x/20270311T100000Z": 14,
        "s@x/20270318T100000Z": 15,
        "s@x/20270325T100000Z": 10,
    }
    with pytest.raises(ImportFailed, match="twice with this UID and the same RECURRENCE-ID"):
        _load(settings, feed(series, moved, moved.replace("T140000Z", "T160000Z")))


def test_skip_invalid_imports_the_good_events_and_lists_the_bad_with_reasons(settings, feed):
    path = feed(
        vevent("good@x", "DTSTART:20270304T100000Z"),
        vevent("dup@x", "DTSTART:20270305T100000Z"),
        vevent("dup@x", "DTSTART:20270306T100000Z"),
        vevent("nostart@x", "DTEND:20270306T100000Z"),
        vevent("fast@x", "DTSTART:20270306T100000Z", "RRULE:FREQ=SECONDLY"),
    )
    records = _load(settings, path, skip_invalid=True)
    assert [r.event.external_id for r in records] == ["good@x"]
    reasons = {s.record.split("'")[1]: s.reason for s in records.skipped}
    assert set(reasons) == {"dup@x", "nostart@x", "fast@x"}
    assert reasons["nostart@x"] == "has no DTSTART"
    assert "--allow-sub-daily" in reasons["fast@x"]
    assert records.warnings[0].startswith("skipped VEVENT 'dup@x' 'dup@x' (line ")


def test_more_instances_than_allowed_stop_the_event_by_name(settings, feed):
    weekly = vevent(
        "weekly@x",
        "DTSTART;TZID=Europe/London:20160107T180000",
        "RRULE:FREQ=WEEKLY",
        summary="Cabinet",
    )
    path = feed(weekly)
    with pytest.raises(ImportFailed) as failed:
        _load(settings, path, from_date=dt.date(2016, 1, 1), max_instances=100)
    assert str(failed.value).startswith(f"{path}, VEVENT 'weekly@x' 'Cabinet' (line 21): ")
    assert "more than 100 instances between Fri 1 Jan 2016 00:00 GMT and " in str(failed.value)
    assert len(_load(settings, path, from_date=dt.date(2016, 1, 1), max_instances=1000)) == 626


def test_more_events_than_allowed_stop_the_import_even_when_skipping(settings, feed):
    path = feed(*(vevent(f"e{n}@x", f"DTSTART:202703{n + 1:02d}T100000Z") for n in range(3)))
    assert len(_load(settings, path, max_events=3)) == 3
    for skip in (False, True):
        with pytest.raises(ImportFailed, match=r"VEVENT 'e2@x'.*more than 2 events to import"):
            _load(settings, path, max_events=2, skip_invalid=skip)


def test_sub_daily_rules_need_the_option_and_stay_bounded_with_it(settings, feed, monkeypatch):
    minutely = vevent("m@x", "DTSTART:20270304T100000Z", "RRULE:FREQ=MINUTELY;COUNT=10000000")
    path = feed(minutely)
    with pytest.raises(ImportFailed, match=r"repeats minutely .*--allow-sub-daily"):
        _load(settings, path)
    made = []
    record = IcsReader.record

    def counted(self, *args, **kwargs):
        made.append(1)
        return record(self, *args, **kwargs)

    monkeypatch.setattr(IcsReader, "record", counted)
    with pytest.raises(ImportFailed, match="more than 1,000 instances"):
        _load(settings, path, allow_sub_daily=True)
    # Stopped at the limit: not ten million instances (2.7 GB, 15 minutes), nor the 41,000
    # a doubled slice of the year made before the limit was looked at.
    assert len(made) <= 1_100
    monkeypatch.undo()
    few = feed(vevent("m@x", "DTSTART:20270304T100000Z", "RRULE:FREQ=MINUTELY;COUNT=5"))
    assert len(_load(settings, few, allow_sub_daily=True)) == 5


def test_a_rule_too_long_to_step_through_is_refused(settings, feed):
    path = feed(vevent("old@x", "DTSTART:19000101T000000Z", "RRULE:FREQ=SECONDLY;BYHOUR=9"))
    with pytest.raises(ImportFailed, match="repetitions before the import window ends"):
        _load(settings, path, allow_sub_daily=True)


def test_nul_bytes_and_bad_utf8_name_the_event_and_line(settings, feed):
    raw = (HEAD + vevent("nul@x", "DTSTART:20270304T100000Z", summary="A\x00B")).encode()
    path = feed(raw=raw + b"END:VCALENDAR\r\n")
    with pytest.raises(ImportFailed) as failed:
        _load(settings, path)
    assert str(failed.value) == (
        f"{path}, VEVENT 'nul@x' 'A\ufffdB' (line 4): line 7 holds a NUL byte, which "
        "iCalendar does not allow"
    )
    text = HEAD + vevent("l@x", "DTSTART:20270304T100000Z", summary="Caf#") + "END:VCALENDAR\r\n"
    latin = feed(raw=text.encode().replace(b"#", b"\xe9"))
    with pytest.raises(ImportFailed) as failed:
        _load(settings, latin)
    assert str(failed.value).endswith("(line 4): line 7 is not UTF-8 (byte 0xe9)")


def test_times_in_messages_are_the_councils_to_the_minute(settings, feed):
    path = feed(
        vevent(
            "back@x",
            "DTSTART;TZID=Europe/London:20270604T180000",
            "DTEND;TZID=Europe/London:20270604T173000",
        )
    )
    with pytest.raises(ImportFailed) as failed:
        _load(settings, path)
    assert "ends (Fri 4 Jun 2027 17:30 BST) before it starts (Fri 4 Jun 2027 " in str(failed.value)
    assert "18:00 BST)" in str(failed.value)


def test_a_huge_duration_is_a_named_error_not_an_overflow(settings, feed):
    path = feed(vevent("huge@x", "DTSTART:20270304T100000Z", "DURATION:P9999999W"))
    with pytest.raises(
        ImportFailed, match=r"'huge@x'.*lasts P69999993D, which ends beyond the year 9999"
    ):
        _load(settings, path)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (("DTSTART:20270304T100000Z", "DTSTART:20270305T100000Z"), "has DTSTART more than once"),
        (("DTSTART:20270304T100000Z", "RRULE:FREQ=FORTNIGHTLY"), "cannot read RRULE: "),
        (("DTSTART:20270304T100000Z", "RECURRENCE-ID:soon"), "cannot read RECURRENCE-ID: "),
        (("DTSTART:20270304T100000Z", "RRULE:FREQ=DAILY;COUNT=0"), "has RRULE COUNT=0"),
        (("DTSTART:20270304T100000Z", "RRULE:FREQ=DAILY;BYSETPOS=0;BYDAY=MO"), "cannot be"),
    ],
)
def test_odd_shapes_are_named_errors(settings, feed, lines, reason):
    path = feed(vevent("odd@x", *lines))
    with pytest.raises(ImportFailed) as failed:
        _load(settings, path)
    assert f"{path}, VEVENT 'odd@x' 'odd@x' (line 21): {reason}" in str(failed.value)
