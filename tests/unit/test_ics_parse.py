"""The import's own parsing gives the components icalendar's ``Calendar.from_ical`` gives."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest

from fixture_files import FIXTURES
from kdc_ical.expand import decode
from kdc_ical.parse import _PLAIN, parse_calendar

FEEDS = sorted((FIXTURES / "ics").rglob("*.ics"))

#: Lines off the fast path (quoting, escapes, spaces, lists, RFC 6868) and on it.
AWKWARD = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//kdc-core tests//EN",
        "X-WR-CALNAME:Council\\, committees",
        "BEGIN:VEVENT",
        "uid:awkward-1@example.org",
        "DTSTAMP:20270101T000000Z",
        "DTSTART;TZID=Europe/London:20270304T180000",
        "DTEND;TZID = Europe/London :20270304T200000",
        'ATTENDEE;CN="Cllr Sykes, Elin";ROLE=REQ-PARTICIPANT:mailto:e.sykes@example.org',
        "ORGANIZER;CN=Clerk ^'Democracy^' Team:mailto:democracy@example.org",
        "CATEGORIES:Planning\\, strategic,Licensing",
        "SUMMARY:Planning: the \\;big\\; one\\nsecond line",
        'LOCATION;ALTREP="http://example.org/map?a=1;b=2":Town Hall\\, Huddersfield',
        "DESCRIPTION;LANGUAGE=en-GB:Agenda at https://example.org/a%20b?x=1",
        "X-KDC-NOTE;X-PARAM=a,b:raw \\, value",
        "RDATE;VALUE=DATE:20270305,20270306",
        "EXDATE;TZID=Europe/London:20270311T180000,20270318T180000",
        "RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=TH",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
)


def _shape(calendar: icalendar.Component) -> tuple:
    """Everything a reader can see: the serialised calendar and each component's
    properties (values and parameters) and parse errors."""
    return (
        calendar.to_ical(),
        [
            (
                c.name,
                [(k, repr(v), dict(getattr(v, "params", {}))) for k, v in c.property_items()],
                list(getattr(c, "errors", [])),
            )
            for c in calendar.walk()
        ],
    )


def _outcome(parse, text: str) -> tuple:
    try:
        return ("parsed", _shape(parse(text)))
    except ValueError as exc:
        return ("refused", str(exc))


@pytest.mark.parametrize("path", FEEDS, ids=lambda p: p.name)
def test_every_fixture_feed_parses_as_icalendar_parses_it(path: Path) -> None:
    text, _ = decode(path.read_bytes())
    assert _outcome(parse_calendar, text) == _outcome(icalendar.Calendar.from_ical, text)


def test_quoted_escaped_and_listed_parameters_take_icalendars_own_path() -> None:
    fast = parse_calendar(AWKWARD)
    assert _shape(fast) == _shape(icalendar.Calendar.from_ical(AWKWARD))
    event = fast.walk("VEVENT")[0]
    assert event["ATTENDEE"].params["CN"] == "Cllr Sykes, Elin"
    assert str(event["SUMMARY"]) == "Planning: the ;big; one\nsecond line"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["Planning, strategic", "Licensing"]
    assert event["DTEND"].dt.tzinfo is not None
    # which lines the fast path takes: plain names with simple parameters only
    assert _PLAIN.match("DTSTART;TZID=Europe/London:20270304T180000")
    assert _PLAIN.match("SUMMARY:a: b") and _PLAIN.match("SUMMARY:a: b").group(3) == "a: b"
    for line in (
        'ATTENDEE;CN="A, B":mailto:a@example.org',
        "DTEND;TZID = Europe/London :20270304T200000",
        "ORGANIZER;CN=^'x^':mailto:a@example.org",
        "X-P;X-PARAM=a,b:v",
        "DTSTART;TZID=W. Europe Standard Time:20270304T180000",
    ):
        assert _PLAIN.match(line) is None, line


def test_text_that_is_not_a_calendar_is_refused_alike() -> None:
    for text in ("hello", "BEGIN:VCALENDAR\r\nEND:VEVENT\r\n", "BEGIN:VCALENDAR\r\n"):
        assert _outcome(parse_calendar, text) == _outcome(icalendar.Calendar.from_ical, text)
