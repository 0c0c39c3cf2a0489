"""The people queries on the demo council: wards, officers, chains, trees and contacts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kdc_core.db import CouncillorRow, OfficerRow, OfficerWardRow, WardContactRow
from kdc_core.demo import CONTACT_GAPS, WARD_WITHOUT_LINK_OFFICER, build_demo
from kdc_core.errors import NotFound
from kdc_core.people.queries import (
    contact_for,
    councillors_of_ward,
    manager_chain,
    officers_in_ward,
    team_tree,
    ward_overviews,
    ward_summary,
    wards_of_officer,
)
from kdc_core.people.values import ContactReason

ARCHIVED = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def demo(kdc_app):
    return build_demo()


def first_staff(demo, service: str):
    """The first officer in ``service`` with a ward patch (a member of staff, not a manager)."""
    return next(o for o in demo.officers if o.service == service and o.wards)


def test_ward_summary_lists_councillors_officers_by_service_and_link_officer(kdc_app, demo):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        summary = ward_summary(uow, "Almondbury")
    assert summary.ward.name == "Almondbury"
    assert len(summary.councillors) == 3
    assert {c.ward.name for c in summary.councillors} == {"Almondbury"}
    services = [s.name for s, _ in summary.officers_by_service]
    assert services == sorted(services)
    ward_facing = {s.name for s in demo.services if s.ward_facing}
    assert set(services) == ward_facing
    for _service, officers in summary.officers_by_service:
        for officer in officers:
            assert "Almondbury" in {w.ward.name for w in officer.wards}
    gaps = {s for w, s in CONTACT_GAPS if w == "Almondbury"}
    assert {c.service.name for c in summary.contacts} == ward_facing - gaps
    link = summary.link_officer
    assert link is not None and link.service.name == "Local Integrated Partnerships"
    expected = next(w for w in demo.wards if w.name == "Almondbury").link_officer
    assert link.person_id == expected


def test_ward_summary_finds_wards_by_slug_or_any_case_and_names_them_when_unknown(kdc_app, demo):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert ward_summary(uow, "crosland-moor-and-netherton").ward.name == (
            "Crosland Moor and Netherton"
        )
        assert ward_summary(uow, "BATLEY EAST").ward.slug == "batley-east"
        with pytest.raises(NotFound, match="Almondbury, Ashbrow, Batley East"):
            ward_summary(uow, "Huddersfield Central")
        assert ward_summary(uow, WARD_WITHOUT_LINK_OFFICER).link_officer is None


def test_councillors_of_ward_leaves_out_archived_councillors(kdc_app, demo):
    with kdc_app.unit_of_work() as uow:
        names = [c.name for c in councillors_of_ward(uow, "Dalton")]
        row = uow.session.scalar(select(CouncillorRow).where(CouncillorRow.name == names[0]))
        row.archived_at = ARCHIVED
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert [c.name for c in councillors_of_ward(uow, "dalton")] == names[1:]


def test_wards_of_officer_by_either_id_lists_each_ward_once(kdc_app, demo):
    expected = first_staff(demo, "Highways")
    with kdc_app.unit_of_work() as uow:
        officer = uow.people.officer_by_person_id(expected.person_id)
        ward = officer.wards[0].ward
        other = "local" if officer.wards[0].source.value == "directory" else "directory"
        uow.session.add(OfficerWardRow(officer_id=officer.id, ward_id=ward.id, source=other))
    with kdc_app.unit_of_work(dry_run=True) as uow:
        by_person = wards_of_officer(uow, expected.person_id)
        assert [w.name for w in by_person] == sorted({w for w, _ in expected.wards})
        assert wards_of_officer(uow, officer.id) == by_person
        assert wards_of_officer(uow, "D000001") == ()


def test_officers_in_ward_can_be_narrowed_to_one_service(kdc_app, demo):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        everyone = officers_in_ward(uow, "Mirfield")
        planners = officers_in_ward(uow, "Mirfield", "Planning")
        by_slug = officers_in_ward(uow, "mirfield", "parks-and-greenspaces")
        finance = officers_in_ward(uow, "Mirfield", "Finance")
    assert planners and {o.service.name for o in planners} == {"Planning"}
    assert set(planners) < set(everyone)
    assert by_slug and {o.service.name for o in by_slug} == {"Parks and Greenspaces"}
    assert finance == ()
    expected = {
        o.person_id
        for o in demo.officers
        if o.service == "Planning" and "Mirfield" in {w for w, _ in o.wards}
    }
    assert {o.person_id for o in planners} == expected


def test_manager_chain_runs_nearest_first_to_the_chief_executive(kdc_app, demo):
    staff = first_staff(demo, "Libraries")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        chain = manager_chain(uow, staff.person_id)
        assert manager_chain(uow, "D000001") == []
    titles = [o.job_title for o in chain]
    assert titles[0].startswith("Libraries Manager – ")
    assert titles[1:] == [
        "Head of Libraries",
        "Strategic Director – Communities",
        "Chief Executive",
    ]


def test_manager_chain_and_team_tree_end_when_the_data_loops(kdc_app, demo):
    staff = first_staff(demo, "Streetscene")
    with kdc_app.unit_of_work() as uow:
        ceo = uow.session.scalar(select(OfficerRow).where(OfficerRow.person_id == "D000001"))
        ceo.manager_id = uow.people.officer_by_person_id(staff.person_id).id
    with kdc_app.unit_of_work(dry_run=True) as uow:
        chain = manager_chain(uow, staff.person_id)
        tree = team_tree(uow, "D000001")
    ids = [o.person_id for o in chain]
    assert ids[-1] == "D000001" and len(ids) == len(set(ids)) == 4
    people = [o.person_id for _, o in tree.walk()]
    assert len(people) == len(set(people)) == len(demo.officers)


def test_team_tree_holds_every_report_at_every_depth(kdc_app, demo):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        whole = team_tree(uow, "D000001")
        head = next(o for o in demo.officers if o.job_title == "Head of Streetscene")
        streetscene = team_tree(uow, head.person_id)
    assert whole.size == len(demo.officers) - 1
    assert max(depth for depth, _ in whole.walk()) == 4
    in_service = [o for o in demo.officers if o.service == "Streetscene"]
    assert streetscene.size == len(in_service) - 1
    assert sorted(t.officer.team for t in streetscene.reports) == [
        "Streetscene – North Kirklees",
        "Streetscene – South Kirklees",
    ]


def test_team_tree_leaves_out_archived_reports(kdc_app, demo):
    manager = next(o for o in demo.officers if o.job_title.startswith("Planning Manager"))
    with kdc_app.unit_of_work() as uow:
        before = team_tree(uow, manager.person_id)
        gone = before.reports[0].officer
        uow.session.get(OfficerRow, gone.id).archived_at = ARCHIVED
    with kdc_app.unit_of_work(dry_run=True) as uow:
        after = team_tree(uow, manager.person_id)
    assert after.size == before.size - 1
    assert gone.id not in {o.id for _, o in after.walk()}


def test_contact_for_prefers_the_named_ward_contact(kdc_app, demo):
    contact = next(c for c in demo.contacts if c.ward == "Golcar" and c.service == "Highways")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        answer = contact_for(uow, "Golcar", "Highways")
    assert answer.reason == ContactReason.WARD_CONTACT
    assert answer.officer.person_id == contact.officer
    assert "named contact" in answer.explanation


def test_contact_for_falls_back_to_an_officer_of_the_service_in_the_ward(kdc_app, demo):
    ward, service = sorted(CONTACT_GAPS)[0]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        answer = contact_for(uow, ward, service)
    assert answer.reason == ContactReason.WORKS_IN_WARD
    assert answer.officer.service.name == service
    assert ward in {w.ward.name for w in answer.officer.wards}


def test_contact_for_skips_an_archived_named_contact(kdc_app, demo):
    contact = next(
        c
        for c in demo.contacts
        if any(
            o.service == c.service and o.person_id != c.officer and c.ward in dict(o.wards)
            for o in demo.officers
        )
    )
    with kdc_app.unit_of_work() as uow:
        named = contact_for(uow, contact.ward, contact.service).officer
        assert named.person_id == contact.officer
        uow.session.get(OfficerRow, named.id).archived_at = ARCHIVED
    with kdc_app.unit_of_work(dry_run=True) as uow:
        answer = contact_for(uow, contact.ward, contact.service)
    assert answer.officer is not None and answer.officer.id != named.id
    assert answer.reason == ContactReason.WORKS_IN_WARD


def test_contact_for_uses_the_link_officer_then_says_there_is_no_one(kdc_app, demo):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        linked = contact_for(uow, "Almondbury", "Finance")
        nobody = contact_for(uow, WARD_WITHOUT_LINK_OFFICER, "Finance")
    assert linked.reason == ContactReason.LINK_OFFICER
    assert linked.officer.service.name == "Local Integrated Partnerships"
    assert nobody.reason == ContactReason.NONE and nobody.officer is None
    assert WARD_WITHOUT_LINK_OFFICER in nobody.explanation


def test_contact_for_names_an_unknown_service(kdc_app, demo):
    with kdc_app.unit_of_work(dry_run=True) as uow, pytest.raises(NotFound, match="Bins"):
        contact_for(uow, "Almondbury", "Bins")


def test_ward_overviews_count_what_each_ward_has(kdc_app, demo):
    with kdc_app.unit_of_work() as uow:
        uow.session.execute(WardContactRow.__table__.delete())
    with kdc_app.unit_of_work(dry_run=True) as uow:
        overviews = ward_overviews(uow)
    assert len(overviews) == 23
    assert {o.councillors for o in overviews} == {3}
    assert {o.contacts for o in overviews} == {0}
    for o in overviews:
        expected = {p.person_id for p in demo.officers if o.ward.name in {w for w, _ in p.wards}}
        assert o.officers == len(expected)
    missing = [o.ward.name for o in overviews if o.link_officer is None]
    assert missing == [WARD_WITHOUT_LINK_OFFICER]
