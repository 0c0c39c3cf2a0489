"""Changes are recorded at flush time and handed to plugins once, after commit."""

from __future__ import annotations

import datetime as dt

import pytest

from kdc_core import hookimpl
from kdc_core.changes import Action
from kdc_core.db import CouncillorRow, TermOfOfficeRow, WardRow


class Listener:
    def __init__(self) -> None:
        self.seen: list = []

    @hookimpl
    def kdc_changes_committed(self, changes, kdc):
        self.seen.append(changes)


@pytest.fixture
def listener():
    return Listener()


@pytest.fixture
def kdc_extra_plugins(listener):
    return [("listener", listener)]


def test_added_updated_archived_are_reported_after_commit(kdc_app, listener):
    with kdc_app.unit_of_work(source="test") as uow:
        ward = WardRow(name="Dalton", slug="dalton")
        uow.session.add(CouncillorRow(name="Ann Lee", ward=ward))
    assert len(listener.seen) == 1
    first = listener.seen[0]
    assert first.count("ward", Action.ADDED) == 1
    assert first.count("councillor", Action.ADDED) == 1
    assert {c.source for c in first} == {"test"}

    with kdc_app.unit_of_work(source="test") as uow:
        row = uow.session.query(CouncillorRow).one()
        row.email = "ann.lee@example.gov.uk"
        row.terms.append(TermOfOfficeRow(start=dt.date(2024, 5, 2)))
    (change,) = listener.seen[1].changes
    assert change.action == Action.UPDATED
    assert change.fields == ("email", "terms")
    assert change.label == "Ann Lee"

    with kdc_app.unit_of_work(source="test") as uow:
        row = uow.session.query(CouncillorRow).one()
        row.archived_at = dt.datetime(2027, 5, 7, tzinfo=dt.UTC)
    assert listener.seen[2].changes[0].action == Action.ARCHIVED


def test_dry_runs_and_failures_report_nothing(kdc_app, listener):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        uow.session.add(WardRow(name="Golcar", slug="golcar"))
        assert uow.collect().count("ward", Action.ADDED) == 1
    with pytest.raises(RuntimeError), kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Lindley", slug="lindley"))
        uow.session.flush()
        raise RuntimeError("boom")
    assert listener.seen == []
    with kdc_app.unit_of_work() as uow:
        assert uow.people.wards() == []


def test_an_unchanged_value_written_back_is_not_a_change(kdc_app, listener):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Newsome", slug="newsome"))
    with kdc_app.unit_of_work() as uow:
        row = uow.people.ward_row("Newsome")
        row.name = "Newsome"
    assert len(listener.seen) == 1
