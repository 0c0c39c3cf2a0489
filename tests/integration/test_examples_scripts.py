"""The runnable scripts in examples/, run as a user would: a subprocess on a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kdc_core.db.people import (
    CouncillorRow,
    OfficerRow,
    PoliticalGroupRow,
    ServiceRow,
    WardContactRow,
    WardRow,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_script(name: str, *args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KDC_")}
    env["KDC_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def ward(kdc_app):
    with kdc_app.unit_of_work(source="test") as uow:
        almondbury = WardRow(name="Almondbury", slug="almondbury", ons_code="E05001384")
        labour = PoliticalGroupRow(name="Labour")
        highways = ServiceRow(name="Highways", slug="highways")
        parks = ServiceRow(name="Parks", slug="parks")
        bob = OfficerRow(
            person_id="P1",
            given_name="Bob",
            family_name="Smith",
            job_title="Highways Officer",
            email="bob.smith@example.gov.uk",
            phone="01484 221001",
            service=highways,
        )
        cara = OfficerRow(person_id="P2", given_name="Cara", family_name="Jones", service=parks)
        uow.session.add_all(
            [
                CouncillorRow(
                    name="Ann Lee",
                    ward=almondbury,
                    group=labour,
                    email="ann.lee@example.gov.uk",
                    phone="01484 221000",
                ),
                CouncillorRow(name="Cal Moss", ward=almondbury),
                WardContactRow(ward=almondbury, service=highways, officer=bob),
                WardContactRow(ward=almondbury, service=parks, officer=cara),
                WardRow(name="Dalton", slug="dalton"),
            ]
        )
        uow.session.flush()
        almondbury.link_officer_id = cara.id
    return "almondbury"


def test_ward_contacts_prints_councillors_named_contacts_and_link_officer(
    kdc_app, kdc_database_url, ward, tmp_path
):
    done = run_script("ward_contacts.py", ward, database_url=kdc_database_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "Almondbury (E05001384)\n"
        "\n"
        "Councillors\n"
        "  Ann Lee (Labour) — ann.lee@example.gov.uk, 01484 221000\n"
        "  Cal Moss\n"
        "\n"
        "Named contacts\n"
        "  Highways: Bob Smith, Highways Officer — bob.smith@example.gov.uk, 01484 221001\n"
        "  Parks: Cara Jones\n"
        "\n"
        "Link officer\n"
        "  Cara Jones\n"
    )


def test_ward_contacts_says_when_a_ward_has_nobody_recorded(
    kdc_app, kdc_database_url, ward, tmp_path
):
    done = run_script("ward_contacts.py", "Dalton", database_url=kdc_database_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("(none recorded)") == 3


def test_ward_contacts_names_an_unknown_ward_and_exits_non_zero(
    kdc_app, kdc_database_url, ward, tmp_path
):
    done = run_script("ward_contacts.py", "Atlantis", database_url=kdc_database_url, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == "Error: no ward called 'Atlantis' (wards: Almondbury, Dalton)\n"
