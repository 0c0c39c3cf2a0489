"""Events keep a stable UID; SEQUENCE rises on visible changes; cancelling keeps the event."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from event_people import local, seed_cast

from kdc_core.calendar.events import cancel_event, create_event, update_event, upsert_external
from kdc_core.calendar.values import EventKind, EventStatus, EventTimesError, NewEvent
from kdc_core.changes import Action
from kdc_core.db import CouncillorRow, WardRow
from kdc_core.errors import KdcError
from kdc_core.protocol.meetings import mark_political
from kdc_core.protocol.service import ProtocolBlocked, open_findings, override

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


def test_an_event_created_cancelled_records_when_and_reopening_clears_it(kdc_app):
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, _walkabout(status=EventStatus.CANCELLED))
    assert event.cancelled and event.cancelled_at is not None and event.sequence == 0
    with kdc_app.unit_of_work() as uow:
        reopened = update_event(uow, event.id, status=EventStatus.CONFIRMED)
    assert reopened.cancelled_at is None and reopened.sequence == 1


def test_an_update_that_would_not_end_after_it_starts_is_refused_by_name(kdc_app):
    with kdc_app.unit_of_work() as uow:
        event = create_event(uow, _walkabout())
    early = dt.datetime(2027, 1, 14, 9, 0, tzinfo=LONDON)
    with pytest.raises(EventTimesError) as refused, kdc_app.unit_of_work() as uow:
        update_event(uow, event.id, end=early)
    assert str(refused.value) == (
        "The event must end after it starts. 'Dalton ward walkabout' ends Thu 14 Jan 2027 "
        "09:00 GMT, not after its start (Thu 14 Jan 2027 10:00 GMT)."
    )
    assert isinstance(refused.value, KdcError)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.events.get(event.id) == event


def _political_meeting_and_officer(kdc_app):
    """A ward party meeting (7.5: officers must not be invited) and an officer."""
    with kdc_app.unit_of_work() as uow:
        cast = seed_cast(uow)
        start = local(2027, 5, 4, 19)
        events = [
            create_event(
                uow,
                NewEvent(EventKind.OTHER, title, start, start + dt.timedelta(hours=1)),
            )
            for title in ("Dalton branch meeting", "Almondbury branch meeting")
        ]
        for event in events:
            mark_political(uow, event.id, "ward")
    return events, cast.olu


def test_an_override_reason_lets_one_events_protocol_error_through_and_is_recorded(kdc_app):
    (dalton, almondbury), officer = _political_meeting_and_officer(kdc_app)
    with pytest.raises(ProtocolBlocked, match=r"7\.5"), kdc_app.unit_of_work() as uow:
        update_event(uow, dalton.id, officer_ids=(officer,))

    with kdc_app.unit_of_work(source="cli") as uow:
        invited = update_event(
            uow, dalton.id, officer_ids=(officer,), override_reason="  Explains the flood scheme "
        )
        # The reason covered that change only, not the rest of the unit of work.
        with pytest.raises(ProtocolBlocked):
            update_event(uow, almondbury.id, officer_ids=(officer,))
        uow.session.rollback()
    assert invited.officer_ids == (officer,)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.events.get(dalton.id).officer_ids == ()  # rolled back with the rest

    with kdc_app.unit_of_work(source="cli") as uow:
        update_event(uow, dalton.id, officer_ids=(officer,), override_reason="Explains the scheme")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        [found] = open_findings(uow, "event", dalton.id)
    assert (found.finding.clause, found.override_reason, found.overridden_by) == (
        "7.5",
        "Explains the scheme",
        "cli",
    )


def test_an_override_needs_a_reason_and_a_unit_of_work_override_still_applies(kdc_app):
    (dalton, almondbury), officer = _political_meeting_and_officer(kdc_app)
    with pytest.raises(KdcError, match="needs a reason"), kdc_app.unit_of_work() as uow:
        create_event(uow, _walkabout(), override_reason="   ")
    with kdc_app.unit_of_work(source="import") as uow:
        override(uow, "Imported as the source has it")
        update_event(uow, dalton.id, officer_ids=(officer,), override_reason="This one")
        update_event(uow, almondbury.id, officer_ids=(officer,))  # the unit of work's reason
    with kdc_app.unit_of_work(dry_run=True) as uow:
        reasons = {
            r.finding.subject_id: r.override_reason
            for r in open_findings(uow, "event")
            if r.finding.clause == "7.5"
        }
    assert reasons == {dalton.id: "This one", almondbury.id: "Imported as the source has it"}
