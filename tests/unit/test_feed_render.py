"""iCalendar text for feeds: every reader agrees on the times; the text is stable and cached."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus
from kdc_ical.render import LRU, EventRenderer, vevent_text
from kdc_ical.vtimezone import LONDON_VTIMEZONE

LONDON = ZoneInfo("Europe/London")
STAMP = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)


def _event(n: int, start: dt.datetime, **overrides: object) -> CalendarEvent:
    values: dict[str, object] = dict(
        id=n,
        uid=f"event-{n}@kdc.example",
        kind=EventKind.WALKABOUT,
        title=f"Walkabout {n}",
        start=start.astimezone(dt.UTC),
        end=(start + dt.timedelta(hours=2)).astimezone(dt.UTC),
        location="Dalton Library, Huddersfield",
        created_at=STAMP,
        modified_at=STAMP,
    )
    values.update(overrides)
    return CalendarEvent(**values)  # type: ignore[arg-type]


def _url(event: CalendarEvent) -> str:
    return f"https://kdc.example/events/{event.uid}"


def _utc_starts_three_ways(text: str) -> tuple[dict[str, dt.datetime], ...]:
    by_icalendar = {
        str(e["UID"]): e.start.astimezone(dt.UTC)
        for e in icalendar.Calendar.from_ical(text).walk("VEVENT")
    }
    by_vobject = {
        e.uid.value: e.dtstart.value.astimezone(dt.UTC) for e in vobject.readOne(text).vevent_list
    }
    occurrences = recurring_ical_events.of(icalendar.Calendar.from_ical(text)).between(
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2029, 1, 1, tzinfo=dt.UTC)
    )
    by_recurring = {str(e["UID"]): e.start.astimezone(dt.UTC) for e in occurrences}
    return by_icalendar, by_vobject, by_recurring


def test_january_and_july_events_have_the_same_utc_start_in_all_three_readers():
    winter = _event(1, dt.datetime(2027, 1, 14, 10, 0, tzinfo=LONDON))
    summer = _event(2, dt.datetime(2027, 7, 15, 10, 0, tzinfo=LONDON))
    text = EventRenderer().calendar("Cllr Ann Lee", [winter, summer], _url)

    expected = {
        winter.uid: dt.datetime(2027, 1, 14, 10, 0, tzinfo=dt.UTC),  # GMT
        summer.uid: dt.datetime(2027, 7, 15, 9, 0, tzinfo=dt.UTC),  # BST
    }
    for reader in _utc_starts_three_ways(text):
        assert reader == expected


def test_the_london_vtimezone_uses_rrules_not_a_comma_separated_rdate():
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in LONDON_VTIMEZONE
    assert "RDATE" not in LONDON_VTIMEZONE
    text = EventRenderer().calendar(
        "x", [_event(1, dt.datetime(2027, 3, 1, 9, tzinfo=LONDON))], _url
    )
    assert text.count("BEGIN:VTIMEZONE") == 1


def test_events_in_another_zone_get_one_rdate_per_line_that_vobject_reads_right():
    paris = ZoneInfo("Europe/Paris")
    winter = _event(1, dt.datetime(2027, 1, 14, 10, 0, tzinfo=paris), timezone="Europe/Paris")
    summer = _event(2, dt.datetime(2027, 7, 15, 10, 0, tzinfo=paris), timezone="Europe/Paris")
    text = EventRenderer().calendar("x", [winter, summer], _url)

    assert "TZID:Europe/Paris" in text and "TZID:Europe/London" in text
    rdates = [line for line in text.split("\r\n") if line.startswith("RDATE")]
    assert rdates and all("," not in line for line in rdates)
    for reader in _utc_starts_three_ways(text):
        assert reader[winter.uid] == dt.datetime(2027, 1, 14, 9, 0, tzinfo=dt.UTC)
        assert reader[summer.uid] == dt.datetime(2027, 7, 15, 8, 0, tzinfo=dt.UTC)


def test_the_same_events_give_byte_identical_feeds():
    events = [_event(n, dt.datetime(2027, 1, n, 10, tzinfo=LONDON)) for n in range(1, 6)]
    first = EventRenderer().calendar("Cllr Ann Lee", events, _url)
    second = EventRenderer().calendar("Cllr Ann Lee", events, _url)
    assert first == second
    calendar = icalendar.Calendar.from_ical(first)
    assert "UID" not in calendar  # no random VCALENDAR UID


def test_the_calendar_names_itself_and_asks_clients_to_refresh_hourly():
    text = EventRenderer().calendar(
        "Cllr Ann Lee, Dalton", [], _url, description="Private; do not share"
    )
    lines = text.split("\r\n")
    assert "X-WR-CALNAME:Cllr Ann Lee\\, Dalton" in lines
    assert "NAME:Cllr Ann Lee\\, Dalton" in lines
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
    assert "X-PUBLISHED-TTL:PT1H" in lines
    assert "X-WR-TIMEZONE:Europe/London" in lines
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")


def test_an_event_carries_uid_dtstamp_sequence_last_modified_status_and_url():
    event = _event(7, dt.datetime(2027, 2, 3, 14, tzinfo=LONDON), sequence=4, public=True)
    vevent = icalendar.Event.from_ical(vevent_text(event, _url(event)))
    assert str(vevent["UID"]) == event.uid
    assert vevent["DTSTAMP"].dt == STAMP
    assert vevent["LAST-MODIFIED"].dt == STAMP
    assert vevent["SEQUENCE"] == 4
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["URL"]) == _url(event)
    assert str(vevent["CLASS"]) == "PUBLIC"
    assert vevent["DTSTART"].params["TZID"] == "Europe/London"


def test_a_cancelled_event_says_so_in_status_and_summary():
    event = _event(
        3, dt.datetime(2027, 2, 3, 14, tzinfo=LONDON), status=EventStatus.CANCELLED, sequence=2
    )
    vevent = icalendar.Event.from_ical(vevent_text(event, _url(event)))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["SUMMARY"]) == "Cancelled: Walkabout 3"
    assert vevent["SEQUENCE"] == 2


def test_lines_end_in_crlf_and_fold_at_75_octets():
    long_title = "Ward solution meeting about the Huddersfield Road resurfacing scheme " * 3
    event = _event(9, dt.datetime(2027, 5, 5, 18, tzinfo=LONDON), title=long_title)
    text = EventRenderer().calendar("x", [event], _url)
    assert "\n" not in text.replace("\r\n", "")
    assert max(len(line.encode()) for line in text.split("\r\n")) <= 75
    parsed = icalendar.Calendar.from_ical(text)
    assert str(next(iter(parsed.walk("VEVENT")))["SUMMARY"]) == long_title


def test_each_version_of_an_event_is_rendered_once():
    renderer = EventRenderer()
    event = _event(1, dt.datetime(2027, 1, 14, 10, tzinfo=LONDON))
    for _ in range(3):
        renderer.calendar("x", [event], _url)
    assert renderer.rendered == 1
    changed = _event(
        1,
        dt.datetime(2027, 1, 14, 11, tzinfo=LONDON),
        sequence=1,
        modified_at=STAMP + dt.timedelta(minutes=5),
    )
    text = renderer.calendar("x", [changed], _url)
    assert renderer.rendered == 2
    assert "DTSTART;TZID=Europe/London:20270114T110000" in text


def test_the_lru_drops_the_least_recently_used_beyond_its_bounds():
    cache: LRU[str, str] = LRU(max_entries=3, max_size=10, size=len)
    for key in "abc":
        cache.put(key, "xx")
    assert cache.get("a") == "xx"  # order by use is now b, c, a
    cache.put("d", "xx")  # a fourth entry: b, the least recently used, goes
    assert [k for k in "abcd" if k in cache] == ["a", "c", "d"]
    cache.put("e", "x" * 8)  # 14 characters > 10: c, then a, go until it fits
    assert [k for k in "abcde" if k in cache] == ["d", "e"]


@pytest.mark.parametrize("day", [dt.datetime(2027, 3, 28, 0, 30), dt.datetime(2027, 10, 31, 1, 30)])
def test_vobject_reads_the_switch_days_like_zoneinfo(day):
    """Around the changes of clocks vobject and zoneinfo still agree."""
    start = day.replace(tzinfo=LONDON)
    event = _event(1, start)
    text = EventRenderer().calendar("x", [event], _url)
    parsed = vobject.readOne(text).vevent.dtstart.value
    assert parsed.astimezone(dt.UTC) == start.astimezone(dt.UTC)
