"""``kdc seed-demo``, ``kdc ward`` and ``kdc wards`` end to end, in-process."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kdc_core.app import Kdc
from kdc_core.cli import build_cli
from kdc_core.db import WardRow
from kdc_core.demo import WARD_NAMES, WARD_WITHOUT_LINK_OFFICER, build_demo


def test_seed_demo_loads_then_reports_nothing_to_do(kdc_run):
    first = kdc_run("seed-demo", "--people-only")
    assert first.exit_code == 0, first.output
    assert "Loaded the demo council: 23 wards" in first.stdout
    assert "69 councillors" in first.stdout
    second = kdc_run("seed-demo", "--people-only")
    assert second.exit_code == 0
    assert second.stdout == "Demo council already loaded: 0 changes.\n"
    as_json = json.loads(kdc_run("seed-demo", "--people-only", "--json").stdout)
    assert as_json == {"loaded": False, "changes": 0, "added": {}}


def test_ward_json_lists_three_councillors_officers_by_service_and_link_officer(kdc_run):
    kdc_run("seed-demo", "--people-only")
    result = kdc_run("ward", "Almondbury", "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["ward"] == {"name": "Almondbury", "slug": "almondbury", "ons_code": None}
    assert len(data["councillors"]) == 3
    for councillor in data["councillors"]:
        assert set(councillor) >= {"name", "group", "email", "key_posts"}
        assert councillor["email"].endswith("@example.gov.uk")
    ward_facing = {s.name for s in build_demo().services if s.ward_facing}
    services = [block["service"] for block in data["officers_by_service"]]
    assert set(services) == ward_facing
    for block in data["officers_by_service"]:
        assert block["officers"]
        for officer in block["officers"]:
            assert set(officer) >= {"name", "job_title", "email", "phone"}
    assert data["link_officer"]["name"]
    assert {c["service"] for c in data["contacts"]} <= ward_facing
    assert all(c["officer"]["name"] for c in data["contacts"])


def test_ward_text_shows_the_sections_and_key_posts(kdc_run):
    kdc_run("seed-demo", "--people-only")
    leader = next(c for c in build_demo().councillors if "Leader of the Council" in c.key_posts)
    result = kdc_run("ward", *leader.ward.lower().split())
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"{leader.ward}\n")
    assert "Councillors (3)" in text
    assert f"  {leader.name} (Labour)" in text
    assert "      Leader of the Council" in text
    assert "Ward link officer" in text
    assert "Officers working in the ward, by service" in text
    assert " — contact: " in text


def test_ward_without_link_officer_says_none(kdc_run):
    kdc_run("seed-demo", "--people-only")
    data = json.loads(kdc_run("ward", WARD_WITHOUT_LINK_OFFICER, "--json").stdout)
    assert data["link_officer"] is None
    text = kdc_run("ward", WARD_WITHOUT_LINK_OFFICER).stdout
    assert "Ward link officer\n  (none)" in text


def test_unknown_ward_fails_listing_the_valid_names(kdc_run):
    kdc_run("seed-demo", "--people-only")
    result = kdc_run("ward", "Huddersfield", "Central", "--json")
    assert result.exit_code != 0
    assert result.stdout == ""
    assert "no ward called 'Huddersfield Central'" in result.stderr
    for name in WARD_NAMES:
        assert name in result.stderr


def test_wards_json_has_23_wards_with_counts(kdc_run):
    kdc_run("seed-demo", "--people-only")
    result = kdc_run("wards", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [w["name"] for w in data] == list(WARD_NAMES)
    for ward in data:
        assert ward["councillors"] == 3
        assert ward["officers"] > 0
        assert 0 < ward["contacts"] <= 12
    without = [w["name"] for w in data if w["link_officer"] is None]
    assert without == [WARD_WITHOUT_LINK_OFFICER]
    table = kdc_run("wards").stdout.splitlines()
    assert table[0].split() == ["Ward", "Cllrs", "Officers", "Contacts", "Link", "officer"]
    assert len(table) == 24


def test_wards_on_an_empty_database_says_how_to_load_some(kdc_run):
    assert kdc_run("wards", "--json").stdout.strip() == "[]"
    assert "kdc seed-demo" in kdc_run("wards").stdout


def test_seed_demo_refuses_other_data_and_exits_non_zero(kdc_app, kdc_run):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Dalton", slug="dalton"))
    result = kdc_run("seed-demo")
    assert result.exit_code == 1
    assert "not the demo council (1 ward)" in result.stderr
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert [w.name for w in uow.people.wards()] == ["Dalton"]


def test_commands_need_the_schema_and_say_to_run_init(kdc_settings):
    kdc = Kdc(kdc_settings)
    try:
        for args in (["seed-demo"], ["ward", "Dalton"], ["wards", "--json"]):
            result = CliRunner().invoke(build_cli(kdc), args, obj=kdc)
            assert result.exit_code == 1, args
            assert "run `kdc init` first" in result.stderr
            assert result.stdout == ""
    finally:
        kdc.dispose()


def test_every_command_has_help(kdc_run):
    for command in ("ward", "wards", "seed-demo"):
        result = kdc_run(command, "--help")
        assert result.exit_code == 0
        assert "--json" in result.stdout
