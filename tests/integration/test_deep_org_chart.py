"""A manager chain 5,000 deep and a loop in the manager links: the org chart, the officer's
team page and the core's walks answer without recursion, in bounded time, and name the loop."""

from __future__ import annotations

import time

import pytest
from site_people import sign_in
from sqlalchemy import insert, select, update

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core.db.people import DirectorateRow, OfficerRow, ServiceRow
from kdc_core.people import queries
from kdc_core.people.loops import reporting_loops

DEPTH = 5000


@pytest.fixture
def chain(kdc_app):
    """Officers D0 (the top) … D4999, each reporting to the one before, in one service;
    and L1 → L2 → L3 → L1, a loop, in the same service."""
    with kdc_app.unit_of_work(source="test") as uow:
        s = uow.session
        directorate = DirectorateRow(name="Deep Directorate", slug="deep")
        s.add(directorate)
        s.flush()
        service = ServiceRow(
            name="Deep Service", slug="deep-service", directorate_id=directorate.id
        )
        s.add(service)
        s.flush()
        rows = [
            {
                "person_id": f"D{i}",
                "given_name": "Dee",
                "family_name": f"Level{i:05d}",
                "email": f"d{i}@example.gov.uk",
                "service_id": service.id,
            }
            for i in range(DEPTH)
        ]
        rows += [
            {
                "person_id": f"L{i}",
                "given_name": "Lou",
                "family_name": f"Loop{i}",
                "service_id": service.id,
            }
            for i in (1, 2, 3)
        ]
        s.execute(insert(OfficerRow), rows)
        ids = {p: i for p, i in s.execute(select(OfficerRow.person_id, OfficerRow.id))}
        s.execute(
            update(OfficerRow),
            [{"id": ids[f"D{i}"], "manager_id": ids[f"D{i - 1}"]} for i in range(1, DEPTH)]
            + [
                {"id": ids["L1"], "manager_id": ids["L2"]},
                {"id": ids["L2"], "manager_id": ids["L3"]},
                {"id": ids["L3"], "manager_id": ids["L1"]},
            ],
        )
    return ids


def test_the_core_walks_a_deep_chain_and_names_a_loop(kdc_app, chain):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        tree = queries.team_tree(uow, chain["D0"])
        ladder = queries.manager_chain(uow, chain[f"D{DEPTH - 1}"])
        loop = queries.manager_loop(uow, chain["L1"])
        no_loop = queries.manager_loop(uow, chain["D10"])
        around = queries.team_tree(uow, chain["L1"])
    assert tree.size == DEPTH - 1
    assert max(depth for depth, _ in tree.walk()) == DEPTH - 1
    assert tree.members[-1].manager.person_id == f"D{DEPTH - 2}"
    assert [t.officer.person_id for t in tree.reports] == ["D1"]
    assert tree.reports[0].size == DEPTH - 2
    assert len(ladder) == DEPTH - 1 and ladder[-1].person_id == "D0"
    assert [o.person_id for o in loop] == ["L1", "L2", "L3"]
    assert no_loop == []
    assert [o.person_id for _, o in around.walk()] == ["L1", "L3", "L2"]


def test_reporting_loops_are_found_once_each():
    managers = {1: 2, 2: 3, 3: 1, 4: 1, 5: None, 6: 6, 7: 8}
    assert reporting_loops(managers) == [(1, 2, 3), (6,)]


def test_the_org_chart_draws_a_5000_deep_chain_and_reports_the_loop(kdc_app, chain):
    add_user(kdc_app, "ann@example.gov.uk", "admin")
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    assert log_in(client, "ann@example.gov.uk").status_code == 302
    started = time.perf_counter()
    response = client.get("/admin/org-chart/?directorate=deep")
    took = time.perf_counter() - started
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert took < 10, took
    assert f'id="officer-{chain[f"D{DEPTH - 1}"]}"' in page
    assert "go round in a circle" in page
    assert "Lou Loop1 → Lou Loop2 → Lou Loop3 → Lou Loop1" in page
    assert 'width="-' not in page  # no box pushed out of its column


def test_my_team_lists_a_5000_deep_team(kdc_app, chain):
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    sign_in(kdc_app, client, "d0@example.gov.uk")
    started = time.perf_counter()
    top = client.get("/my/team/")
    assert top.status_code == 200
    page = top.get_data(as_text=True)
    assert f"{DEPTH - 1} people, directly or through their managers" in page
    assert f"Dee Level{DEPTH - 1:05d}" in page
    assert page.count("<ul") == page.count("</ul>")
    assert f"Reports to Dee Level{DEPTH - 2:05d}" in page
    assert time.perf_counter() - started < 10
