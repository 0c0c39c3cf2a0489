"""``kdc export popolo`` of the whole demo council, officers included (issue 16, acceptance 5)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from kdc_core.db.people import OfficerRow, OfficerWardRow, WardContactRow, WardRow
from popolo_check import popolo_problems


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


def officers_in_wards(session) -> int:
    """Ward assignments (each officer and ward once, whatever the source), named contacts and
    link officers, of active officers, counted in the database."""
    active = OfficerRow.archived_at.is_(None)
    assignments = (
        select(OfficerWardRow.officer_id, OfficerWardRow.ward_id)
        .join(OfficerRow, OfficerRow.id == OfficerWardRow.officer_id)
        .where(active)
        .distinct()
        .subquery()
    )
    contacts = (
        select(func.count())
        .select_from(WardContactRow)
        .join(OfficerRow, OfficerRow.id == WardContactRow.officer_id)
        .where(active)
    )
    links = (
        select(func.count())
        .select_from(WardRow)
        .join(OfficerRow, OfficerRow.id == WardRow.link_officer_id)
        .where(active)
    )
    counts = [
        session.scalar(select(func.count()).select_from(assignments)),
        session.scalar(contacts),
        session.scalar(links),
    ]
    assert all(counts), f"the demo should have each kind: {counts}"
    return sum(counts)


def test_the_demo_councils_export_validates_and_holds_every_officer_in_a_ward(kdc_app, kdc_run):
    result = kdc_run("export", "popolo")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert popolo_problems(document) == []

    with kdc_app.unit_of_work(dry_run=True) as uow:
        expected = officers_in_wards(uow.session)
        officers = uow.session.scalar(
            select(func.count()).select_from(OfficerRow).where(OfficerRow.archived_at.is_(None))
        )
    in_wards = [
        m
        for m in document["memberships"]
        if m["person_id"].startswith("person/officer-") and "area_id" in m
    ]
    assert len(in_wards) == expected
    assert {m["role"] for m in in_wards} >= {"Ward officer", "Link officer"}
    assert any(m["role"].startswith("Named contact for ") for m in in_wards)

    persons = [p for p in document["persons"] if p["id"].startswith("person/officer-")]
    assert len(persons) == officers
    assert not any("email" in p or "contact_details" in p for p in persons)
    kinds = {o["classification"] for o in document["organizations"]}
    assert {"council", "directorate", "service", "team", "party"} <= kinds
    orgs = {o["id"]: o for o in document["organizations"]}
    for org in orgs.values():
        if org["classification"] == "service":
            assert orgs[org["parent_id"]]["classification"] in ("directorate", "council")
        if org["classification"] == "directorate":
            assert org["parent_id"] == "organization/council"
