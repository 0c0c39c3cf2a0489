"""Parsing ModernGov's GetMeetings answer into meetings, and meetings into events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fixture_files import fixture_path
from kdc_core.calendar.values import EventKind, EventStatus
from kdc_core.errors import ImportFailed
from kdc_moderngov.meetings import parse_meetings, parse_time


def meetings_fixture() -> Path:
    return fixture_path("moderngov", "meetings-2027.xml")


def _doc(*meetings: str) -> bytes:
    body = "\n".join(f"    <meeting>{m}</meeting>" for m in meetings)
    head = '<?xml version="1.0" encoding="utf-8"?>\n<getmeetings>\n  <meetings>\n'
    return f"{head}{body}\n  </meetings>\n</getmeetings>\n".encode()


def _meeting(mid: str = "9001", **fields: str) -> str:
    values = {
        "meetingid": mid,
        "committeetitle": "Standards Committee",
        "meetingdate": "12/07/2027",
        "meetingtime": "17:30",
        "meetingstatus": "Confirmed",
        "meetingvenue": "Town Hall, Huddersfield",
        **fields,
    }
    return "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)


def test_the_2027_fixture_reads_as_28_meetings_three_of_them_cancelled():
    meetings = parse_meetings(meetings_fixture().read_bytes(), source="meetings-2027.xml")
    assert len(meetings) == 28
    cancelled = [m.id for m in meetings if m.status == EventStatus.CANCELLED]
    assert cancelled == ["5004", "5007", "5008"]
    first = meetings[0]
    assert (first.id, first.committee, first.committee_id) == ("5001", "Council", "1")
    assert (first.date, first.time) == (dt.date(2027, 1, 7), dt.time(10, 0))
    assert first.venue == "Council Chamber - Town Hall, Huddersfield"
    assert first.where == "meeting 5001 (line 4)"


def test_local_times_become_utc_in_winter_and_summer():
    meetings = parse_meetings(
        _doc(_meeting("1", meetingdate="07/01/2027", meetingtime="10:00"), _meeting("2")),
        source="x.xml",
    )
    duration = dt.timedelta(minutes=150)
    january, july = (m.event("Europe/London", duration, None) for m in meetings)
    assert january.start.astimezone(dt.UTC) == dt.datetime(2027, 1, 7, 10, 0, tzinfo=dt.UTC)
    assert july.start.astimezone(dt.UTC) == dt.datetime(2027, 7, 12, 16, 30, tzinfo=dt.UTC)
    assert july.end - july.start == duration
    assert july.kind == EventKind.COUNCIL_MEETING and july.public
    assert (july.source, july.external_id, july.committee) == (
        "moderngov",
        "2",
        "Standards Committee",
    )


def test_the_event_links_back_to_the_meeting_when_the_site_is_configured():
    (meeting,) = parse_meetings(_doc(_meeting("5001")), source="x.xml")
    event = meeting.event("Europe/London", dt.timedelta(hours=2), "https://democracy.example")
    assert event.description == (
        "ModernGov meeting 5001: https://democracy.example/ieListDocuments.aspx?MId=5001"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00", dt.time(10, 0)),
        ("17.30", dt.time(17, 30)),
        ("09:15:00", dt.time(9, 15)),
        ("2.30 pm", dt.time(14, 30)),
        ("2pm", dt.time(14, 0)),
        ("12:00 am", dt.time(0, 0)),
        ("12.00 PM", dt.time(12, 0)),
    ],
)
def test_meeting_times_in_the_shapes_moderngov_writes(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["10", "25:00", "13:00 pm", "noon", "10:75"])
def test_things_that_are_not_times_are_refused(text):
    with pytest.raises(ValueError, match="not a time"):
        parse_time(text)


def test_a_date_that_carries_the_time_needs_no_meetingtime():
    (meeting,) = parse_meetings(
        _doc(_meeting(meetingdate="12/07/2027 17:30:00", meetingtime=None)), source="x.xml"
    )
    assert (meeting.date, meeting.time) == (dt.date(2027, 7, 12), dt.time(17, 30))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Cancelled", EventStatus.CANCELLED),
        ("", EventStatus.CONFIRMED),
        ("Provisional", EventStatus.TENTATIVE),
        ("CONFIRMED", EventStatus.CONFIRMED),
    ],
)
def test_statuses_map_to_ours(status, expected):
    (meeting,) = parse_meetings(_doc(_meeting(meetingstatus=status)), source="x.xml")
    assert meeting.status == expected


def test_malformed_xml_names_the_file_and_line():
    data = _doc(_meeting()).replace(b"</meetingvenue>", b"</meetingvenu>")
    with pytest.raises(ImportFailed, match=r"^bad\.xml, line 4: malformed XML"):
        parse_meetings(data, source="bad.xml")


def test_a_meeting_without_an_id_is_refused_by_position_and_line():
    data = _doc(_meeting("1"), _meeting(meetingid=None))
    with pytest.raises(ImportFailed, match=r"x\.xml, meeting #2 \(line 5\): has no <meetingid>"):
        parse_meetings(data, source="x.xml")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"committeetitle": None}, "has no <committeetitle>"),
        ({"meetingdate": "31/02/2027"}, "is not a dd/mm/yyyy date"),
        ({"meetingtime": None}, "has no <meetingtime>"),
        ({"meetingtime": "teatime"}, "'teatime' is not a time of day"),
        ({"meetingstatus": "Moved"}, "<meetingstatus> 'Moved' is not one kdc knows"),
    ],
)
def test_a_bad_meeting_is_refused_by_id_and_line(fields, message):
    with pytest.raises(ImportFailed) as info:
        parse_meetings(_doc(_meeting("77", **fields)), source="x.xml")
    assert str(info.value).startswith("x.xml, meeting 77 (line 4): ")
    assert message in str(info.value)


def test_the_same_meeting_id_twice_is_refused():
    with pytest.raises(ImportFailed, match=r"meeting 5 \(line 5\): meeting id 5 appears twice"):
        parse_meetings(_doc(_meeting("5"), _meeting("5")), source="x.xml")


def test_a_document_of_another_kind_is_refused():
    with pytest.raises(ImportFailed, match="expected a <getmeetings> document"):
        parse_meetings(b"<councillorsbyward><wards/></councillorsbyward>", source="x.xml")


def test_an_answer_with_no_meetings_is_empty_not_an_error():
    assert parse_meetings(_doc(), source="x.xml") == ()
