"""``kdc export popolo`` against a real database: valid Popolo, stable bytes, one-shot writes."""

from __future__ import annotations

import datetime as dt
import difflib
import json

import pytest

from kdc_core.db.people import (
    CouncillorExternalIdRow,
    CouncillorRoleRow,
    CouncillorRow,
    DirectorateRow,
    OfficerRow,
    PoliticalGroupRow,
    ServiceRow,
    TermOfOfficeRow,
    WardRow,
)
from popolo_check import popolo_problems


@pytest.fixture
def council(kdc_app):
    """Two wards, two groups, a directorate with a service, three councillors, two officers."""
    with kdc_app.unit_of_work(source="test") as uow:
        almondbury = WardRow(name="Almondbury", slug="almondbury", ons_code="E05001384")
        dalton = WardRow(name="Dalton", slug="dalton", ons_code="E05001390")
        labour = PoliticalGroupRow(name="Labour", short_name="Lab")
        green = PoliticalGroupRow(name="Green Party")
        place = DirectorateRow(name="Place", slug="place")
        highways = ServiceRow(name="Highways", slug="highways", directorate=place)
        ann = CouncillorRow(
            name="Ann Lee",
            ward=almondbury,
            group=labour,
            email="ann.lee@example.gov.uk",
            photo_url="https://example.gov.uk/ann.jpg",
            bio="Born in Almondbury.",
        )
        ann.terms.append(TermOfOfficeRow(start=dt.date(2022, 5, 5)))
        ann.roles.append(
            CouncillorRoleRow(kind="committee", title="Chair", committee="Planning Committee")
        )
        ann.external_ids.append(CouncillorExternalIdRow(scheme="moderngov", value="1234"))
        raj = CouncillorRow(name="Raj Patel", ward=dalton, group=green)
        raj.terms.append(TermOfOfficeRow(start=dt.date(2023, 5, 4)))
        old = CouncillorRow(
            name="Old Hand",
            ward=almondbury,
            group=labour,
            archived_at=dt.datetime(2022, 5, 4, 12, 0, tzinfo=dt.UTC),
        )
        old.terms.append(TermOfOfficeRow(start=dt.date(2014, 5, 22)))
        bob = OfficerRow(
            person_id="P0005",
            given_name="Bob",
            family_name="Smith",
            job_title="Highways Officer",
            service=highways,
            email="bob.smith@example.gov.uk",
        )
        gone = OfficerRow(
            person_id="P0006",
            given_name="Gone",
            family_name="Away",
            archived_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        )
        uow.session.add_all([ann, raj, old, bob, gone])
        uow.session.flush()
        ids = {"ann": ann.id, "raj": raj.id, "old": old.id, "bob": bob.id, "gone": gone.id}
    return ids


def test_export_popolo_writes_a_valid_document_to_a_file(kdc_run, council, tmp_path):
    out = tmp_path / "kirklees.json"
    result = kdc_run("export", "popolo", "--out", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert popolo_problems(document) == []
    assert not (tmp_path / "kirklees.json.part").exists()

    persons = {p["id"]: p for p in document["persons"]}
    ann = f"person/councillor-{council['ann']}"
    assert persons[ann]["identifiers"] == [{"scheme": "moderngov", "identifier": "1234"}]
    assert persons[ann]["image"] == "https://example.gov.uk/ann.jpg"
    assert f"person/officer-{council['bob']}" in persons
    assert f"person/officer-{council['gone']}" not in persons, "archived officers are left out"

    memberships = {m["id"]: m for m in document["memberships"]}
    seat = memberships[f"membership/councillor-{council['ann']}-council-2022-05-05"]
    assert seat["area_id"] == "area/ward-almondbury"
    assert seat["post_id"] == "post/councillor-almondbury-1", "Old Hand left seat 1 the day before"
    old = memberships[f"membership/councillor-{council['old']}-council-2014-05-22"]
    assert (old["post_id"], old["end_date"]) == ("post/councillor-almondbury-1", "2022-05-04")
    officer = memberships[f"membership/officer-{council['bob']}"]
    assert officer["post_id"] == "post/service-highways-highways-officer"
    assert officer["organization_id"] == "organization/service-highways"

    areas = {a["id"]: a for a in document["areas"]}
    assert areas["area/ward-dalton"]["identifier"] == "E05001390"
    # A seat per councillor the ward has had at once: one each here, not an assumed three.
    assert sorted(p["id"] for p in document["posts"] if p.get("area_id")) == [
        "post/councillor-almondbury-1",
        "post/councillor-dalton-1",
    ]
    classes = sorted({o["classification"] for o in document["organizations"]})
    assert classes == ["committee", "council", "directorate", "party", "service"]


def test_export_popolo_to_stdout_is_the_same_bytes_every_time(kdc_run, council, tmp_path):
    first = kdc_run("export", "popolo")
    second = kdc_run("export", "popolo")
    assert first.exit_code == 0, first.output
    assert first.output == second.output
    out = tmp_path / "again.json"
    kdc_run("export", "popolo", "--out", str(out))
    assert out.read_text(encoding="utf-8") == first.output
    assert json.loads(first.output)["organizations"][1]["id"] == "organization/council"


def test_an_edit_changes_only_the_lines_it_touches(kdc_app, kdc_run, council):
    before = kdc_run("export", "popolo").output.splitlines()
    with kdc_app.unit_of_work(source="test") as uow:
        uow.session.get(CouncillorRow, council["raj"]).email = "raj.patel@example.gov.uk"
    after = kdc_run("export", "popolo").output.splitlines()
    diff = list(difflib.unified_diff(before, after, lineterm="", n=0))[2:]
    removed = [line for line in diff if line.startswith("-")]
    added = [line[1:].strip() for line in diff if line.startswith("+")]
    assert removed == []
    assert added == [
        '"contact_details": [',
        "{",
        '"type": "email",',
        '"value": "raj.patel@example.gov.uk"',
        "}",
        "],",
        '"email": "raj.patel@example.gov.uk",',
    ]


def test_the_exporter_is_registered_with_its_json_media_type(kdc_app, kdc_run):
    exporter = kdc_app.exporters["popolo"]
    assert (exporter.suffix, exporter.media_type) == (".json", "application/json")
    result = kdc_run("export", "--help")
    assert "popolo" in result.output


def test_an_empty_database_exports_just_the_council(kdc_run):
    document = json.loads(kdc_run("export", "popolo").output)
    assert document == {
        "areas": [],
        "memberships": [],
        "organizations": [
            {"classification": "council", "id": "organization/council", "name": "Kirklees Council"}
        ],
        "persons": [],
        "posts": [],
    }
