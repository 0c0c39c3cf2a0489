"""``kdc rota plan`` on the demo council with the 2027 meetings imported.

Every rule is checked again straight from the database rows (:func:`rota_checks.check_rota`),
not from the planner's own account of what it did.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from fixture_files import fixture_path
from kdc_core.app import Kdc
from kdc_core.cli import build_cli
from kdc_core.config import RotaSettings
from kdc_core.db import EventRow
from kdc_core.db.events import OfficerUnavailabilityRow
from kdc_core.plugins import make_plugin_manager
from rota_checks import LONDON, check_rota

PLAN = ("rota", "plan", "--year", "2027")


def meetings_fixture() -> Path:
    return fixture_path("moderngov", "meetings-2027.xml")


@pytest.fixture
def kdc_template() -> str:
    """kdc_app starts as a copy of the demo council, seeded once per session."""
    return "demo"


@pytest.fixture
def demo(kdc_app, kdc_run):
    result = kdc_run("import", "moderngov-meetings", str(meetings_fixture()))
    assert result.exit_code == 0, result.output
    return kdc_app


# -- acceptance ---------------------------------------------------------------------------------


def test_the_2027_plan_places_92_walkabouts_that_keep_every_rule_and_reapplying_changes_nothing(
    demo, kdc_run
):
    first = kdc_run(*PLAN, "--apply")
    assert first.exit_code == 0, first.output
    assert "Placed 92 of 92 walkabouts." in first.output
    assert "Applied: 92 created, 0 updated, 0 unchanged, 0 cancelled." in first.output
    walks = check_rota(demo, 92)
    days = {w.start.astimezone(LONDON).date() for w in walks}
    assert dt.date(2027, 1, 7) not in days, "full Council meets at 10:00 on 7 January"
    sequences = {w.uid: w.sequence for w in walks}

    again = kdc_run(*PLAN, "--apply")
    assert again.exit_code == 0, again.output
    assert "Applied: 0 created, 0 updated, 92 unchanged, 0 cancelled." in again.output
    assert {w.uid: w.sequence for w in check_rota(demo, 92)} == sequences
    document = json.loads(kdc_run(*PLAN, "--json").stdout)
    assert len(document["walkabouts"]) == 92 and document["unplaced"] == []
    assert all(load["spread"] <= 1 for load in document["loads"])
    stored = {
        w.external_id: (w.start, sorted(o.person_id for o in w.officers))
        for w in check_rota(demo, 92)
    }
    planned = {
        f"2027-{w['quarter']}-{w['ward_slug']}": (
            dt.datetime.fromisoformat(w["start"]),
            sorted(o["person_id"] for o in w["officers"]),
        )
        for w in document["walkabouts"]
    }
    assert planned == stored


def test_leave_moves_only_the_officers_it_must_and_a_service_on_leave_unplaces_with_a_reason(
    demo, kdc_run
):
    assert kdc_run(*PLAN, "--apply").exit_code == 0
    with Session(demo.engine) as session:
        walk = session.scalars(
            select(EventRow).where(EventRow.external_id == "2027-Q1-almondbury")
        ).one()
        day = walk.start.astimezone(LONDON).date()
        highways = next(o for o in walk.officers if o.service.name == "Highways")
        person, officer_id = highways.person_id, highways.id
    result = kdc_run(
        "rota",
        "unavailable",
        "--officer",
        person,
        "--from",
        day.isoformat(),
        "--to",
        day.isoformat(),
        "--reason",
        "training",
    )
    assert result.exit_code == 0, result.output
    replanned = kdc_run(*PLAN, "--apply")
    assert replanned.exit_code == 0, replanned.output
    updated = int(replanned.output.split("Applied: 0 created, ")[1].split(" updated")[0])
    assert 1 <= updated <= 3, replanned.output
    walks = check_rota(demo, 92)
    almondbury = next(w for w in walks if w.external_id == "2027-Q1-almondbury")
    assert officer_id not in {o.id for o in almondbury.officers}

    with demo.unit_of_work() as uow:
        from kdc_core.calendar.rota.service import record_unavailability

        for o in uow.people.officers(service_id=uow.people.service_row("Highways").id):
            record_unavailability(
                uow,
                o.person_id,
                dt.datetime(2027, 1, 1, tzinfo=LONDON),
                dt.datetime(2027, 4, 1, tzinfo=LONDON),
                "winter maintenance",
            )
    emptied = kdc_run(*PLAN, "--apply", "--json")
    assert emptied.exit_code == 0, emptied.output
    document = json.loads(emptied.stdout)
    assert document["applied"]["cancelled"] == 23
    assert {u["quarter"] for u in document["unplaced"]} == {"Q1"} and len(
        document["unplaced"]
    ) == 23
    # Q1 2027 has 61 working days; full Council meets at 10:00 on one of them.
    assert {u["reason"] for u in document["unplaced"]} == {
        "no Highways officer is free in any of the 60 slots without a meeting clash"
    }
    check_rota(demo, 69)
    text = kdc_run(*PLAN)
    assert "Not placed: Almondbury Q1: no Highways officer is free" in text.output


def test_one_quarter_the_configured_services_and_bad_input(demo, kdc_run):
    q2 = kdc_run(*PLAN, "--quarter", "Q2", "--apply")
    assert q2.exit_code == 0, q2.output
    assert "Placed 23 of 23 walkabouts." in q2.output
    with Session(demo.engine) as session:
        ids = session.scalars(select(EventRow.external_id).where(EventRow.source == "rota")).all()
    assert len(ids) == 23 and all(i.startswith("2027-Q2-") for i in ids)

    bad = kdc_run(*PLAN, "--quarter", "Q5")
    assert bad.exit_code == 2 and "is not a quarter" in bad.output

    def run_with(services: tuple[str, ...], *args: str):
        settings = demo.settings.evolve(rota=RotaSettings(services=services))
        app = Kdc(settings, make_plugin_manager(settings), engine=demo.engine)
        return CliRunner().invoke(build_cli(app), list(args), obj=app)

    unknown = run_with(("Highways", "Street Lighting"), *PLAN)
    assert unknown.exit_code == 2
    assert "rota.services names 'Street Lighting', which is not a service" in unknown.output
    two = run_with(("highways", "Streetscene"), *PLAN, "--quarter", "1", "--json")
    assert two.exit_code == 0, two.output
    document = json.loads(two.stdout)
    assert document["services"] == ["Highways", "Streetscene"]
    assert all(len(w["officers"]) == 2 for w in document["walkabouts"])

    missing = kdc_run(
        "rota", "unavailable", "--officer", "D999999", "--from", "2027-01-04", "--to", "2027-01-05"
    )
    assert missing.exit_code == 1 and "no officer called 'D999999'" in missing.output
    backwards = kdc_run(
        "rota",
        "unavailable",
        "--officer",
        "D000075",
        "--from",
        "2027-01-05",
        "--to",
        "2027-01-04T09:00",
    )
    assert backwards.exit_code == 1 and "ends" in backwards.output
    with Session(demo.engine) as session:
        assert session.scalars(select(OfficerUnavailabilityRow)).all() == []
