"""When a change to an event calls for the clash checks again."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from kdc_core.calendar.clashes import may_clash_anew
from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus

START = dt.datetime(2027, 4, 30, 13, 0, tzinfo=dt.UTC)
EVENT = CalendarEvent(
    id=1,
    uid="1@kdc.invalid",
    kind=EventKind.WALKABOUT,
    title="Dalton walkabout",
    start=START,
    end=START + dt.timedelta(hours=2),
    councillor_ids=(1,),
)


def test_a_new_event_is_always_checked() -> None:
    assert may_clash_anew(None, EVENT)


@pytest.mark.parametrize(
    "changes",
    [
        {"councillor_ids": (1, 2)},
        {"officer_ids": (3,)},
        {"start": START - dt.timedelta(hours=1)},
        {"end": START + dt.timedelta(hours=3)},
        {"status": EventStatus.CONFIRMED, "kind": EventKind.COUNCIL_MEETING},
        {"committee": "Standards Committee"},
        {"status": EventStatus.CANCELLED},
    ],
)
def test_who_when_and_whether_it_happens_call_for_a_check(changes: dict[str, object]) -> None:
    assert may_clash_anew(EVENT, attrs.evolve(EVENT, **changes))


def test_other_changes_and_the_same_time_in_another_zone_do_not() -> None:
    london = dt.timezone(dt.timedelta(hours=1))
    after = attrs.evolve(
        EVENT,
        location="Dalton Community Centre",
        title="Dalton walk",
        public=True,
        ward_ids=(4,),
        sequence=1,
        start=START.astimezone(london),
    )
    assert not may_clash_anew(EVENT, after)
