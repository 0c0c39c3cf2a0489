"""Events keep a stable UID; SEQUENCE rises on visible changes; cancelling keeps the event."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kdc_core.calendar.events import cancel_event, create_event, update_event, upsert_external
from kdc_core.calendar.values import EventKind, EventStatus, NewEvent
from kdc_core.changes import Action
from kdc_core.db import CouncillorRow, WardRow

LONDON = ZoneInfo("Europe/London")


def _walkabout(**overrides):
    values = dict(
        kind=EventKind.WALKABOUT,
        title="Dalton ward walkabout",
        start=dt.datetime(2027, 1, 14, 10, 0, tzinfo=LONDON),
        end=dt.datetime(2027, 1, 14, 12, 0, tzinfo=LONDON),
        location="Dalton Library",
    )
    values.update(overrides)
    return NewEvent(**values)


@pytest.fixture
def people(kdc_app):
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Dalton", slug="dalton")
        cllr = CouncillorRow(name="Ann Lee", ward=ward)
        uow.session.add(cllr)
        uow.session.flush()
        return ward.id, cllr.id


def test_an_event_keeps_its_uid_and_sequence_rises_only_on_visible_changes(kdc_app, people):
    ward_id, cllr_id = people
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, _walkabout(ward_ids=(ward_id,)))
    assert event.sequence == 0 and event.uid.endswith("@127.0.0.1")
    assert event.start == dt.datetime(2027, 1, 14, 10, 0, tzinfo=dt.UTC)  # GMT in January

    with kdc_app.unit_of_work() as uow:
        invited = update_event(uow, event.id, councillor_ids=(cllr_id,))
    assert invited.sequence == 0 and invited.councillor_ids == (cllr_id,)

    with kdc_app.unit_of_work() as uow:
        moved = update_event(uow, event.id, location="Dalton Community Centre")
    assert moved.sequence == 1 and moved.uid == event.uid

    with kdc_app.unit_of_work() as uow:
        cancelled = cancel_event(uow, event.id)
    assert cancelled.status == EventStatus.CANCELLED
    assert cancelled.sequence == 2 and cancelled.cancelled_at is not None
    with kdc_app.unit_of_work() as uow:
        assert uow.events.get(event.id).cancelled


def test_an_event_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends"):
        _walkabout(end=dt.datetime(2027, 1, 14, 9, 0, tzinfo=LONDON))
    with pytest.raises(ValueError, match="timezone-aware"):
        _walkabout(start=dt.datetime(2027, 1, 14, 9, 0))


def test_upsert_by_source_id_changes_nothing_the_second_time(kdc_app):
    new = _walkabout(kind=EventKind.COUNCIL_MEETING, source="moderngov", external_id="5001")
    with kdc_app.unit_of_work() as uow:
        first, changed = upsert_external(uow, new)
    assert changed and first.uid.startswith("moderngov-5001@")
    with kdc_app.unit_of_work() as uow:
        again, changed = upsert_external(uow, new)
        assert not changed and not uow.collect()
    assert again == first


def test_event_changes_reach_the_change_hook_as_events(kdc_app):
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, _walkabout())
        changes = uow.collect()
    assert changes.count("event", Action.ADDED) == 1
    with kdc_app.unit_of_work() as uow:
        update_event(uow, event.id, title="Dalton walkabout (rearranged)")
        (change,) = uow.collect().changes
    assert change.entity == "event" and "title" in change.fields and "sequence" in change.fields
