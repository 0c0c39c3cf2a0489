"""``kdc import ics`` writes in batches: what a series loses on re-import is cancelled in one
go, whatever its UID holds, and nothing else is touched."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kdc_core.calendar.bulk import upsert_external_many
from kdc_core.calendar.events import cancel_events
from kdc_core.calendar.values import EventKind, EventStatus, NewEvent
from kdc_core.errors import NotFound

HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//kdc-core tests//EN\r\n"


def _feed(count: int) -> str:
    """Two weekly series, one with slashes in its UID, and a one-off."""
    series = "".join(
        f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20270101T000000Z\r\n"
        f"DTSTART:20270104T{hour}0000Z\r\nDURATION:PT1H\r\n"
        f"RRULE:FREQ=WEEKLY;COUNT={count}\r\nSUMMARY:{title}\r\nEND:VEVENT\r\n"
        for uid, hour, title in (
            ("area/committee/2027@democracy.example.org", "10", "Area committee"),
            ("cabinet-2027@democracy.example.org", "18", "Cabinet"),
        )
    )
    one_off = (
        "BEGIN:VEVENT\r\nUID:area/committee/2027@democracy.example.org-extra\r\n"
        "DTSTAMP:20270101T000000Z\r\nDTSTART:20270105T100000Z\r\nDURATION:PT1H\r\n"
        "SUMMARY:Extra meeting\r\nEND:VEVENT\r\n"
    )
    return HEAD + series + one_off + "END:VCALENDAR\r\n"


def _import(kdc_run, path: Path):
    result = kdc_run(
        "import", "ics", str(path), "--kind", "council_meeting",
        "--from", "2027-01-01", "--to", "2027-12-31", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_shortened_series_has_its_later_instances_cancelled_in_one_import(
    kdc_run, kdc_app, tmp_path
):
    feed = tmp_path / "committees.ics"
    feed.write_text(_feed(20))
    assert _import(kdc_run, feed)["changes"] == 41
    feed.write_text(_feed(12))
    assert _import(kdc_run, feed)["changes"] == 16  # 8 of each series
    with kdc_app.unit_of_work() as uow:
        events = uow.events.query()
    cancelled = [e for e in events if e.status == EventStatus.CANCELLED]
    assert len(cancelled) == 16 and len(events) == 41
    assert all(e.sequence == 1 and e.cancelled_at is not None for e in cancelled)
    assert {e.title for e in cancelled} == {"Area committee", "Cabinet"}
    assert all(e.start >= dt.datetime(2027, 3, 29, tzinfo=dt.UTC) for e in cancelled)
    extra = next(e for e in events if e.title == "Extra meeting")
    assert extra.status == EventStatus.CONFIRMED and extra.sequence == 0
    assert _import(kdc_run, feed)["changes"] == 0


def test_cancelling_many_events_at_once(kdc_app):
    start = dt.datetime(2027, 3, 4, 18, tzinfo=dt.UTC)
    with kdc_app.unit_of_work() as uow:
        made = upsert_external_many(
            uow,
            [
                NewEvent(
                    kind=EventKind.BRIEFING,
                    title=f"Briefing {n}",
                    start=start + dt.timedelta(days=n),
                    end=start + dt.timedelta(days=n, hours=1),
                    source="test",
                    external_id=f"b{n}",
                )
                for n in range(3)
            ],
        )
        ids = [event_id for event_id, _ in made]
        cancel_events(uow, ids[:2])
    with kdc_app.unit_of_work() as uow:
        states = [(e.status, e.sequence, e.cancelled_at is not None) for e in uow.events.query()]
    assert states == [
        (EventStatus.CANCELLED, 1, True),
        (EventStatus.CANCELLED, 1, True),
        (EventStatus.CONFIRMED, 0, False),
    ]
    with pytest.raises(NotFound), kdc_app.unit_of_work() as uow:
        cancel_events(uow, [ids[2], max(ids) + 100])
