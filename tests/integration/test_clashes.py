"""Clash checks: overlapping events that concern the same person, by name."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from event_people import local, meeting, seed_cast, walkabout

from kdc_core.calendar.clashes import (
    ClashIndex,
    ClashKind,
    PersonKind,
    clashes_for,
    find_clashes,
)
from kdc_core.calendar.events import cancel_event, create_event, update_event


@pytest.fixture
def cast(kdc_app):
    with kdc_app.unit_of_work() as uow:
        return seed_cast(uow)


def _summary(clashes):
    return sorted((c.event.title, c.other.title, c.person, c.kind.value) for c in clashes)


def test_a_walkabout_over_a_committee_meeting_of_an_invited_councillor_is_reported_by_name(
    kdc_app, cast
):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        create_event(
            uow,
            walkabout(
                cast.dalton,
                local(2027, 4, 30, 14),
                title="Dalton walkabout",
                councillor_ids=(cast.ann, cast.bob),
            ),
        )
    with kdc_app.unit_of_work() as uow:
        (clash,) = find_clashes(uow)
    assert clash.event.title == "Dalton walkabout" and clash.other.title == "Standards Committee"
    assert clash.person == "Ann Lee" and clash.person_kind == PersonKind.COUNCILLOR
    assert clash.kind == ClashKind.COUNCIL_MEETING
    assert clash.overlap == (local(2027, 4, 30, 14), local(2027, 4, 30, 15, 30))
    assert clash.describe() == (
        "Cllr Ann Lee: Dalton walkabout clashes with council meeting Standards Committee"
    )


def test_a_cancelled_meeting_never_clashes(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        standards = create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        walk = create_event(
            uow, walkabout(cast.dalton, local(2027, 4, 30, 14), councillor_ids=(cast.ann,))
        )
        cancel_event(uow, standards.id)
    with kdc_app.unit_of_work() as uow:
        assert find_clashes(uow) == []
        assert clashes_for(uow, uow.events.get(walk.id)) == []
        assert clashes_for(uow, uow.events.get(standards.id)) == []


def test_full_council_clashes_with_every_invitee_and_officers_clash_too(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Council", local(2027, 1, 7, 10), hours=4))
        create_event(
            uow,
            walkabout(
                cast.almondbury,
                local(2027, 1, 7, 11),
                title="Almondbury walkabout",
                councillor_ids=(cast.cath,),
                officer_ids=(cast.olu,),
            ),
        )
        create_event(
            uow,
            walkabout(
                cast.dalton,
                local(2027, 1, 7, 12),
                title="Dalton walkabout",
                councillor_ids=(cast.bob,),
                officer_ids=(cast.olu, cast.pat),
            ),
        )
    with kdc_app.unit_of_work() as uow:
        clashes = find_clashes(uow)
    assert _summary(clashes) == [
        ("Almondbury walkabout", "Council", "Cath Moss", "council_meeting"),
        ("Almondbury walkabout", "Dalton walkabout", "Olu Ade", "other_event"),
        ("Dalton walkabout", "Council", "Bob Hall", "council_meeting"),
    ]
    officer = next(c for c in clashes if c.person_kind == PersonKind.OFFICER)
    assert officer.person_label == "Olu Ade"


def test_events_that_only_touch_or_share_nobody_do_not_clash(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 10)))  # 10–12
        create_event(
            uow, walkabout(cast.dalton, local(2027, 4, 30, 12), councillor_ids=(cast.ann,))
        )
        create_event(  # overlaps the meeting, but Bob is not on Standards
            uow, walkabout(cast.dalton, local(2027, 4, 30, 11), councillor_ids=(cast.bob,))
        )
    with kdc_app.unit_of_work() as uow:
        assert find_clashes(uow) == []


def test_clashes_for_checks_a_new_event_before_it_is_saved(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        planning = create_event(
            uow, meeting("Strategic Planning Committee", local(2027, 7, 13, 13, 30))
        )
    proposed = walkabout(cast.almondbury, local(2027, 7, 13, 14), councillor_ids=(cast.cath,))
    with kdc_app.unit_of_work() as uow:
        (clash,) = clashes_for(uow, proposed)
    assert clash.event is proposed and clash.other.id == planning.id
    assert clash.person == "Cath Moss"
    # July is BST: 14:00 local is 13:00 UTC.
    assert clash.overlap[0] == dt.datetime(2027, 7, 13, 13, 0, tzinfo=dt.UTC)


def test_a_stored_event_does_not_clash_with_itself_and_changing_invitees_changes_clashes(
    kdc_app, cast
):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        walk = create_event(uow, walkabout(cast.dalton, local(2027, 4, 30, 14)))
        assert clashes_for(uow, walk) == []
        walk = update_event(uow, walk.id, councillor_ids=(cast.ann,))
        assert [c.person for c in clashes_for(uow, walk)] == ["Ann Lee"]


def test_the_window_limits_which_clashes_are_listed(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        for month in (1, 6):
            create_event(uow, meeting("Council", local(2027, month, 7, 10)))
            create_event(
                uow, walkabout(cast.dalton, local(2027, month, 7, 11), councillor_ids=(cast.bob,))
            )
    with kdc_app.unit_of_work() as uow:
        assert len(find_clashes(uow)) == 2
        spring = find_clashes(uow, local(2027, 3, 1, 0), local(2027, 12, 31, 0))
        assert [c.other.start.month for c in spring] == [6]


def test_the_sweep_agrees_with_checking_every_pair(kdc_app, cast):
    """A mixed year: the sweep finds exactly what an all-pairs comparison finds."""
    people = [(cast.ann,), (cast.bob,), (cast.ann, cast.cath), ()]
    officers = [(cast.olu,), (), (cast.pat,), (cast.olu, cast.pat)]
    with kdc_app.unit_of_work() as uow:
        base = local(2027, 3, 1, 9)
        for i in range(40):
            start = base + dt.timedelta(hours=5 * i % 37, minutes=30 * (i % 3))
            if i % 5 == 0:
                event = create_event(
                    uow, meeting(("Council", "Standards Committee", "Cabinet")[i % 3], start)
                )
            else:
                event = create_event(
                    uow,
                    walkabout(
                        cast.dalton,
                        start,
                        hours=1 + i % 3,
                        councillor_ids=people[i % 4],
                        officer_ids=officers[i % 4],
                        title=f"Walk {i}",
                    ),
                )
            if i % 11 == 0:
                cancel_event(uow, event.id)
    with kdc_app.unit_of_work() as uow:
        index = ClashIndex.load(uow)
        swept = {
            (frozenset({c.event.id, c.other.id}), c.person_kind, c.person_id)
            for c in index.all_clashes()
        }
        members = index.membership.councillors_concerned
        live = [e for e in uow.events.query() if not e.cancelled]
        expected = set()
        for i, a in enumerate(live):
            for b in live[i + 1 :]:
                if a.start < b.end and b.start < a.end:
                    pair = frozenset({a.id, b.id})
                    for cid in members(a) & members(b):
                        expected.add((pair, PersonKind.COUNCILLOR, cid))
                    for oid in set(a.officer_ids) & set(b.officer_ids):
                        expected.add((pair, PersonKind.OFFICER, oid))
        assert swept == expected and len(swept) > 10
        assert len(index.all_clashes()) == len(swept)
        by_event = {
            (frozenset({c.event.id, c.other.id}), c.person_kind, c.person_id)
            for e in index.events
            for c in index.clashes_with(e)
        }
        assert by_event == expected


def test_the_clashes_command_names_people_and_exits_zero(kdc_run, kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        create_event(
            uow,
            walkabout(
                cast.dalton,
                local(2027, 4, 30, 14),
                title="Dalton walkabout",
                councillor_ids=(cast.ann,),
            ),
        )
    result = kdc_run("calendar", "clashes", "--from", "2027-04-01", "--to", "2027-04-30")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Fri 30 Apr 2027 14:00–15:30 BST  Dalton walkabout clashes with council meeting "
        "Standards Committee for 1 person:",
        "    Cllr Ann Lee",
        "1 clash from 2027-04-01 to 2027-04-30 (one per person).",
    ]
    may = kdc_run("calendar", "clashes", "--from", "2027-05-01", "--to", "2027-05-31")
    assert may.exit_code == 0 and may.output == "No clashes from 2027-05-01 to 2027-05-31.\n"


def test_the_clashes_command_json_is_one_document(kdc_run, kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Council", local(2027, 1, 7, 10)))
        create_event(
            uow,
            walkabout(
                cast.dalton,
                local(2027, 1, 7, 11),
                officer_ids=(cast.olu,),
                councillor_ids=(cast.bob,),
            ),
        )
    result = kdc_run("calendar", "clashes", "--all", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["count"] == 1 and data["from"] is None
    (clash,) = data["clashes"]
    assert (clash["person"], clash["person_kind"], clash["kind"]) == (
        "Bob Hall",
        "councillor",
        "council_meeting",
    )
    assert clash["overlap"] == ["2027-01-07T11:00:00+00:00", "2027-01-07T12:00:00+00:00"]
    assert clash["other"]["title"] == "Council" and clash["event"]["kind"] == "walkabout"


def test_the_clashes_command_refuses_a_backwards_span(kdc_run, cast):
    result = kdc_run("calendar", "clashes", "--from", "2027-05-01", "--to", "2027-04-01")
    assert result.exit_code == 1 and "is before --from" in result.output
