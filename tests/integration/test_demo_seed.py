"""Loading the demo council: once, completely, and never over someone else's data."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kdc_core import hookimpl
from kdc_core.changes import Action
from kdc_core.db import (
    CouncillorExternalIdRow,
    CouncillorRoleRow,
    CouncillorRow,
    DirectorateRow,
    OfficerRow,
    OfficerWardRow,
    PoliticalGroupRow,
    ServiceRow,
    TermOfOfficeRow,
    WardContactRow,
    WardRow,
)
from kdc_core.demo import WARD_WITHOUT_LINK_OFFICER, DemoRefused, build_demo, seed_demo

TABLES = (
    WardRow,
    PoliticalGroupRow,
    CouncillorRow,
    TermOfOfficeRow,
    CouncillorRoleRow,
    CouncillorExternalIdRow,
    DirectorateRow,
    ServiceRow,
    OfficerRow,
    OfficerWardRow,
    WardContactRow,
)


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


def table_counts(kdc_app) -> dict[str, int]:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return {
            row.__tablename__: uow.session.scalar(select(func.count()).select_from(row))
            for row in TABLES
        }


def snapshot(kdc_app) -> list[tuple]:
    """Every officer's columns, to show a second seed rewrites nothing."""
    with kdc_app.unit_of_work(dry_run=True) as uow:
        rows = uow.session.scalars(select(OfficerRow).order_by(OfficerRow.id))
        return [(r.id, r.person_id, r.manager_id, r.modified_at, r.updated_at) for r in rows]


def test_seed_loads_every_record_and_reports_one_change_each(kdc_app, listener):
    demo = build_demo()
    with kdc_app.unit_of_work(source="cli") as uow:
        changes = seed_demo(uow)
    assert changes.count("ward", Action.ADDED) == 23
    assert changes.count("councillor", Action.ADDED) == 69
    assert changes.count("officer", Action.ADDED) == len(demo.officers)
    assert changes.count("ward_contact", Action.ADDED) == len(demo.contacts)
    assert changes.count("service", Action.ADDED) == 30
    assert changes.count(action=Action.UPDATED) == 0
    assert {c.source for c in changes} == {"cli"}
    assert listener.seen == [changes]

    counts = table_counts(kdc_app)
    assert counts["wards"] == 23
    assert counts["councillors"] == 69
    assert counts["councillor_external_ids"] == 69
    assert counts["officers"] == len(demo.officers)
    assert counts["officer_wards"] == sum(len(o.wards) for o in demo.officers)
    assert counts["ward_contacts"] == len(demo.contacts)


def test_seed_twice_changes_nothing(kdc_app, listener):
    with kdc_app.unit_of_work() as uow:
        seed_demo(uow)
    counts, officers = table_counts(kdc_app), snapshot(kdc_app)
    with kdc_app.unit_of_work() as uow:
        again = seed_demo(uow)
    assert len(again) == 0
    assert len(listener.seen) == 1  # the second unit of work had nothing to announce
    assert table_counts(kdc_app) == counts
    assert snapshot(kdc_app) == officers


def test_seeded_rows_keep_the_tree_links_and_dates(kdc_app):
    demo = build_demo()
    with kdc_app.unit_of_work() as uow:
        seed_demo(uow)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        people = uow.people
        ceo = people.officer_by_person_id("D000001")
        assert ceo.job_title == "Chief Executive" and ceo.manager_id is None
        for expected in demo.officers[1:40]:
            officer = people.officer_by_person_id(expected.person_id)
            manager = people.officer(officer.manager_id)
            assert manager.person_id == expected.manager
            assert officer.updated_at == expected.updated_at
            assert {(w.ward.name, w.source) for w in officer.wards} == set(expected.wards)
        assert people.link_officer(people.ward(WARD_WITHOUT_LINK_OFFICER).id) is None
        almondbury = people.ward("Almondbury")
        councillors = people.councillors(ward_id=almondbury.id)
        assert len(councillors) == 3
        assert all(c.external_id("moderngov") for c in councillors)


def test_seed_refuses_a_database_with_other_data_and_writes_nothing(kdc_app, listener):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Dalton", slug="dalton"))
    refused = pytest.raises(DemoRefused, match=r"not the demo council \(1 ward\)")
    with refused, kdc_app.unit_of_work() as uow:
        seed_demo(uow)
    counts = table_counts(kdc_app)
    assert counts["wards"] == 1
    assert counts["councillors"] == 0
    assert len(listener.seen) == 1


def test_seed_refuses_a_partly_present_demo(kdc_app):
    with kdc_app.unit_of_work() as uow:
        seed_demo(uow)
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalar(
            select(CouncillorExternalIdRow).where(CouncillorExternalIdRow.value == "1069")
        )
        uow.session.delete(row)
    with pytest.raises(DemoRefused, match="68 of 69"), kdc_app.unit_of_work() as uow:
        seed_demo(uow)
