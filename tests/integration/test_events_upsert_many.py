"""Upserting many events of a source at once gives what upserting them one by one gives."""

from __future__ import annotations

import datetime as dt

import pytest

from kdc_core.calendar.events import upsert_external, upsert_external_many
from kdc_core.calendar.values import EventKind, EventStatus, EventTimesError, NewEvent

START = dt.datetime(2027, 3, 4, 18, tzinfo=dt.UTC)


def _new(n: int, **changes) -> NewEvent:
    fields = {
        "kind": EventKind.COUNCIL_MEETING,
        "title": f"Meeting {n}",
        "start": START + dt.timedelta(days=n),
        "end": START + dt.timedelta(days=n, hours=2),
        "committee": "Cabinet",
        "source": "ics:test",
        "external_id": f"m{n}",
    }
    return NewEvent(**{**fields, **changes})


def test_many_at_once_matches_one_by_one_and_bumps_sequence_only_on_change(kdc_app):
    with kdc_app.unit_of_work() as uow:
        made = upsert_external_many(uow, [_new(n) for n in range(5)])
        assert [changed for _, changed in made] == [True] * 5
        single, _ = upsert_external(uow, _new(9, source="ics:other"))
    with kdc_app.unit_of_work() as uow:
        again = upsert_external_many(uow, [_new(n) for n in range(5)])
        assert [changed for _, changed in again] == [False] * 5
        assert [i for i, _ in again] == [i for i, _ in made]
        moved = upsert_external_many(
            uow, [_new(0, title="Moved", status=EventStatus.CANCELLED), _new(1)]
        )
        assert [changed for _, changed in moved] == [True, False]
    with kdc_app.unit_of_work() as uow:
        events = {e.external_id: e for e in uow.events.query()}
        assert events["m0"].title == "Moved" and events["m0"].sequence == 1
        assert events["m0"].cancelled_at is not None
        assert events["m1"].sequence == 0
        assert events["m9"].uid == single.uid and len(events) == 6
        assert all(e.committee == "Cabinet" for e in events.values())


def test_an_event_ending_before_it_starts_is_refused(kdc_app):
    with kdc_app.unit_of_work() as uow:
        upsert_external_many(uow, [_new(0)])
    with pytest.raises(EventTimesError), kdc_app.unit_of_work() as uow:
        upsert_external_many(uow, [_new(0, end=START - dt.timedelta(hours=1))])
    with pytest.raises(ValueError, match="source and external_id"), kdc_app.unit_of_work() as uow:
        upsert_external_many(uow, [_new(1, external_id=None)])
