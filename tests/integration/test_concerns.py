"""Who an event concerns: invitees, committee members, everyone for full Council."""

from __future__ import annotations

import pytest
from event_people import local, meeting, seed_cast, walkabout
from sqlalchemy import event as sa_event

from kdc_core.calendar.concerns import (
    councillors_concerned,
    councillors_concerned_by_events,
    events_for_councillor,
    events_for_officer,
    load_membership,
)
from kdc_core.calendar.events import cancel_event, create_event


@pytest.fixture
def cast(kdc_app):
    with kdc_app.unit_of_work() as uow:
        return seed_cast(uow)


def test_a_committee_meeting_concerns_its_active_members_ignoring_case_and_spaces(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        standards = create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        assert councillors_concerned(uow, standards) == {cast.ann}  # Dev is archived


def test_a_meeting_of_full_council_concerns_every_active_councillor(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        council = create_event(uow, meeting("Council", local(2027, 1, 7, 10)))
        assert councillors_concerned(uow, council) == cast.active_councillors


def test_cabinet_portfolio_holders_sit_on_cabinet(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        cabinet = create_event(uow, meeting("Cabinet", local(2027, 4, 26, 10)))
        assert councillors_concerned(uow, cabinet) == {cast.cath}


def test_a_meeting_also_concerns_whoever_it_invites(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        planning = create_event(
            uow,
            meeting(
                "Strategic Planning Committee",
                local(2027, 5, 12, 13, 30),
                councillor_ids=(cast.bob,),
            ),
        )
        assert councillors_concerned(uow, planning) == {cast.bob, cast.cath}


def test_a_walkabout_concerns_only_its_invitees_not_everyone_in_its_ward(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        walk = create_event(
            uow, walkabout(cast.dalton, local(2027, 3, 3, 10), councillor_ids=(cast.ann,))
        )
        assert councillors_concerned(uow, walk) == {cast.ann}
        # A walkabout that names a committee is still not a meeting of it.
        odd = create_event(uow, walkabout(cast.dalton, local(2027, 3, 4, 10), committee="Council"))
        assert load_membership(uow).councillors_concerned(odd) == frozenset()


def test_a_councillors_events_are_their_meetings_and_invitations_in_time_order(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        council = create_event(uow, meeting("Council", local(2027, 1, 7, 10)))
        standards = create_event(uow, meeting("Standards Committee", local(2027, 4, 30, 13, 30)))
        create_event(uow, meeting("Strategic Planning Committee", local(2027, 5, 12, 13, 30)))
        walk = create_event(
            uow, walkabout(cast.dalton, local(2027, 3, 3, 10), councillor_ids=(cast.ann,))
        )
        cancelled = create_event(uow, meeting("Standards Committee", local(2027, 6, 1, 17, 30)))
        cancel_event(uow, cancelled.id)

    with kdc_app.unit_of_work() as uow:
        ann = events_for_councillor(uow, cast.ann)
        assert [e.id for e in ann] == [council.id, walk.id, standards.id, cancelled.id]
        live = events_for_councillor(uow, cast.ann, include_cancelled=False)
        assert cancelled.id not in {e.id for e in live}
        spring = events_for_councillor(uow, cast.ann, local(2027, 2, 1, 0), local(2027, 5, 1, 0))
        assert [e.id for e in spring] == [walk.id, standards.id]
        assert [e.id for e in events_for_councillor(uow, cast.bob)] == [council.id]
        # An archived councillor keeps only what invites them: no full Council, no committee.
        assert events_for_councillor(uow, cast.dev) == []


def test_an_officers_events_are_the_ones_that_invite_them(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Council", local(2027, 1, 7, 10)))
        walk = create_event(
            uow, walkabout(cast.dalton, local(2027, 3, 3, 10), officer_ids=(cast.olu,))
        )
    with kdc_app.unit_of_work() as uow:
        assert [e.id for e in events_for_officer(uow, cast.olu)] == [walk.id]
        assert events_for_officer(uow, cast.pat) == []


def test_a_councillors_year_takes_a_fixed_number_of_queries(kdc_app, cast):
    """Concern rules run in memory: 60 or 6 events cost the same number of statements."""

    def count_statements(n_events: int) -> int:
        with kdc_app.unit_of_work() as uow:
            for i in range(n_events):
                create_event(uow, meeting("Council", local(2027, 1, 1, 10).replace(day=1 + i % 28)))
                create_event(
                    uow,
                    walkabout(
                        cast.dalton,
                        local(2027, 2, 1 + i % 28, 14),
                        councillor_ids=(cast.ann,),
                        officer_ids=(cast.olu,),
                    ),
                )
        seen: list[str] = []
        with kdc_app.unit_of_work() as uow:
            connection = uow.session.connection()
            listener = lambda *args: seen.append(args[2])  # noqa: E731
            sa_event.listen(connection, "before_cursor_execute", listener)
            events = events_for_councillor(uow, cast.ann)
            councillors_concerned_by_events(uow, events)
            sa_event.remove(connection, "before_cursor_execute", listener)
        return len(seen)

    assert count_statements(3) == count_statements(30)
