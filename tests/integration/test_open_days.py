"""Service open days: councillors invited, clashes returned as warnings, the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from event_people import local, meeting, seed_cast
from sqlalchemy import func, select

from kdc_core.calendar.events import create_event
from kdc_core.calendar.open_days import declare_open_day
from kdc_core.calendar.values import EventKind
from kdc_core.db import EventRow
from kdc_core.errors import NotFound

OPEN_DAY = ("calendar", "open-day", "--service", "highways", "--location", "Depot")


@pytest.fixture
def cast(kdc_app):
    with kdc_app.unit_of_work() as uow:
        return seed_cast(uow)


def _count(kdc_app) -> int:
    with kdc_app.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(EventRow))


def test_an_open_day_invites_every_active_councillor(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        day = declare_open_day(
            uow, "Highways", local(2027, 9, 14, 10), local(2027, 9, 14, 15), "Depot"
        )
    event = day.event
    assert event.kind == EventKind.OPEN_DAY and event.title == "Highways open day"
    assert set(event.councillor_ids) == cast.active_councillors  # not the archived one
    assert event.service_id == cast.highways and event.ward_ids == ()
    assert not event.public and day.clashes == ()
    with kdc_app.unit_of_work() as uow:
        assert uow.events.get(event.id) == event


def test_an_open_day_for_a_ward_invites_only_that_wards_councillors(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        day = declare_open_day(
            uow,
            cast.highways,
            local(2027, 9, 14, 10),
            local(2027, 9, 14, 15),
            "Dalton Library",
            wards=["dalton"],
            public=True,
            title="Potholes open morning",
        )
    assert set(day.event.councillor_ids) == {cast.ann, cast.bob}
    assert day.event.ward_ids == (cast.dalton,) and day.event.public
    assert day.event.title == "Potholes open morning"


def test_clashes_come_back_as_warnings_and_the_open_day_is_still_created(kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 9, 14, 14)))
        create_event(uow, meeting("Cabinet", local(2027, 9, 14, 9), councillor_ids=()))
        day = declare_open_day(
            uow, "highways", local(2027, 9, 14, 10), local(2027, 9, 14, 15), "Depot"
        )
    assert sorted((c.other.title, c.person) for c in day.clashes) == [
        ("Cabinet", "Cath Moss"),
        ("Standards Committee", "Ann Lee"),
    ]
    assert _count(kdc_app) == 3


def test_an_unknown_service_or_ward_is_refused_and_nothing_is_written(kdc_app, cast):
    start, end = local(2027, 9, 14, 10), local(2027, 9, 14, 15)
    with pytest.raises(NotFound, match="no service called 'parks'"), kdc_app.unit_of_work() as uow:
        declare_open_day(uow, "parks", start, end, "x")
    with pytest.raises(NotFound, match="no ward called 'Atlantis'"), kdc_app.unit_of_work() as uow:
        declare_open_day(uow, "highways", start, end, "x", wards=["Atlantis"])
    assert _count(kdc_app) == 0


def test_the_cli_declares_an_open_day_in_local_time_and_names_the_clashes(kdc_run, kdc_app, cast):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Standards Committee", local(2027, 7, 14, 14)))
    result = kdc_run(*OPEN_DAY, "--start", "2027-07-14T10:00", "--end", "2027-07-14T15:00")
    assert result.exit_code == 0, result.output
    assert "Declared Highways open day: Wed 14 Jul 2027 10:00–15:00 BST at Depot" in result.output
    assert "3 councillors invited" in result.output
    assert "Warning: 1 clashes:" in result.output
    assert "Highways open day clashes with council meeting Standards Committee" in result.output
    assert "Cllr Ann Lee" in result.output
    with kdc_app.unit_of_work() as uow:
        (day,) = uow.events.query(kinds=[EventKind.OPEN_DAY])
    assert day.start == dt.datetime(2027, 7, 14, 9, 0, tzinfo=dt.UTC)  # BST


def test_the_cli_json_lists_invitations_and_clashes_and_dry_run_writes_nothing(
    kdc_run, kdc_app, cast
):
    with kdc_app.unit_of_work() as uow:
        create_event(uow, meeting("Council", local(2027, 1, 12, 13)))
    result = kdc_run(
        *OPEN_DAY, "--start", "2027-01-12T12:00", "--end", "2027-01-12T14:00",
        "--ward", "Almondbury", "--dry-run", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dry_run"] and data["invited"] == 1
    assert data["event"]["start"] == "2027-01-12T12:00:00+00:00"  # GMT
    assert [(c["person"], c["kind"]) for c in data["clashes"]] == [("Cath Moss", "council_meeting")]
    assert _count(kdc_app) == 1


def test_the_cli_refuses_bad_times_and_unknown_services(kdc_run, kdc_app, cast):
    bad = kdc_run(*OPEN_DAY, "--start", "next tuesday", "--end", "2027-01-12T14:00")
    assert bad.exit_code == 2 and "is not an ISO date and time" in bad.output
    backwards = kdc_run(*OPEN_DAY, "--start", "2027-01-12T14:00", "--end", "2027-01-12T10:00")
    assert backwards.exit_code == 2 and "is not after" in backwards.output
    unknown = kdc_run(
        "calendar", "open-day", "--service", "parks", "--location", "x",
        "--start", "2027-01-12T10:00", "--end", "2027-01-12T12:00",
    )  # fmt: skip
    assert unknown.exit_code == 1 and "no service called 'parks'" in unknown.output
    assert _count(kdc_app) == 0
