"""Upserting many events of a source at once gives what upserting them one by one gives."""

from __future__ import annotations

import datetime as dt

import pytest
from event_people import seed_cast

from kdc_core.calendar.bulk import upsert_external_many
from kdc_core.calendar.events import upsert_external
from kdc_core.calendar.values import EventKind, EventStatus, EventTimesError, NewEvent
from kdc_core.changelog import last_change
from kdc_core.changes import Action
from kdc_core.db.events import EventRow
from kdc_core.errors import NotFound

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


def test_new_events_are_inserted_with_their_links_and_their_additions_are_logged(kdc_app):
    with kdc_app.unit_of_work(source="import:test") as uow:
        cast = seed_cast(uow)
    with kdc_app.unit_of_work(source="import:test") as uow:
        linked = _new(0, ward_ids=(cast.dalton,), councillor_ids=(cast.bob, cast.ann))
        made = upsert_external_many(uow, [linked, _new(1, status=EventStatus.CANCELLED)])
        changes = uow.collect()
        ids = [i for i, _ in made]
    added = [c for c in changes if c.entity == "event"]
    assert [(c.action, c.key, c.source) for c in added] == [
        (Action.ADDED, ids[0], "import:test"),
        (Action.ADDED, ids[1], "import:test"),
    ]
    with kdc_app.unit_of_work() as uow:
        first, second = uow.events.get(ids[0]), uow.events.get(ids[1])
        assert added[0].label == str(uow.session.get(EventRow, ids[0]))  # as a flush labels it
        assert first.ward_ids == (cast.dalton,) and first.sequence == 0
        assert first.councillor_ids == tuple(sorted((cast.ann, cast.bob)))
        assert second.cancelled_at is not None and first.cancelled_at is None
        logged = last_change(uow.session, "event", ids[0])
        assert logged is not None and logged.action == Action.ADDED
    with kdc_app.unit_of_work() as uow:  # the same links again: nothing to do
        again = upsert_external_many(
            uow, [_new(0, ward_ids=(cast.dalton,), councillor_ids=(cast.ann, cast.bob))]
        )
        assert again == [(ids[0], False)]
        fewer = upsert_external_many(uow, [_new(0, ward_ids=(cast.dalton,))])
        assert fewer == [(ids[0], True)]
        assert uow.events.get(ids[0]).councillor_ids == ()


def test_a_link_to_nobody_or_the_same_event_twice_in_one_call(kdc_app):
    with pytest.raises(NotFound, match="no wards with id"), kdc_app.unit_of_work() as uow:
        upsert_external_many(uow, [_new(0, ward_ids=(999_999,))])
    with kdc_app.unit_of_work() as uow:
        assert uow.events.query() == []
        twice = upsert_external_many(uow, [_new(0), _new(1), _new(0, title="Renamed")])
        assert [changed for _, changed in twice] == [True, True, True]
        assert twice[0][0] == twice[2][0] != twice[1][0]
    with kdc_app.unit_of_work() as uow:
        events = {e.external_id: e for e in uow.events.query()}
        assert events["m0"].title == "Renamed" and events["m0"].sequence == 1
        assert len(events) == 2
