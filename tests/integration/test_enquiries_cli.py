"""``kdc enquiries …`` against a real database."""

from __future__ import annotations

import json

import pytest
from enquiry_people import seed_enquiry_people


@pytest.fixture
def run(kdc_app, kdc_run):
    seed_enquiry_people(kdc_app)
    return kdc_run


def create(run, *extra: str):
    return run(
        "enquiries", "create", "--councillor", "Ann Smith", "--ward", "Almondbury",
        "--category", "general", "--service", "Highways", "--description", "Pothole",
        "--received-at", "2026-12-23T10:00:00+00:00", *extra,
    )  # fmt: skip


def test_create_prints_reference_both_due_dates_and_the_named_officer(run):
    result = create(run)
    assert result.exit_code == 0, result.output
    assert "Reference: KE-2026-000001" in result.output
    assert "Acknowledge by: 2026-12-24" in result.output
    assert "Respond by: 2027-01-11" in result.output
    assert "Named officer: Hana Road" in result.output
    assert "Nobody was told: no mailer is configured ([mail] in kdc.toml)." in result.output


def test_create_json_and_an_unassigned_enquiry_says_who_holds_it(run):
    result = run(
        "enquiries", "create", "--councillor", "Ann Smith", "--ward", "Almondbury",
        "--category", "general", "--service", "Parks", "--description", "Broken bench",
        "--received-at", "2026-12-23", "--json",
    )  # fmt: skip
    data = json.loads(result.output)
    assert (data["officer"], data["routed_by"], data["respond_by"]) == (
        None,
        "unassigned",
        "2027-01-11",
    )
    plain = run(
        "enquiries", "create", "--councillor", "Ann Smith", "--ward", "Almondbury",
        "--category", "general", "--service", "Parks", "--description", "Broken bench",
    )  # fmt: skip
    assert "liaison team's queue (unassigned)" in plain.output


def test_show_update_extend_and_overdue(run):
    create(run)
    assert run("enquiries", "update", "KE-2026-000001", "--status", "acknowledged").exit_code == 0
    extended = run("enquiries", "extend", "KE-2026-000001", "--reason", "Contractor")
    assert "extension 1, respond by 2027-01-25" in extended.output
    shown = run("enquiries", "show", "KE-2026-000001")
    assert "status: received → acknowledged" in shown.output
    assert "Respond by: 2027-01-25 (extension 1: Contractor)" in shown.output
    late = run("enquiries", "overdue", "--today", "2027-02-01")
    assert "KE-2026-000001  due 2027-01-25 (7 days late)  Almondbury  Hana Road" in late.output
    by_ward = json.loads(run("enquiries", "overdue", "--by", "ward", "--today", "2027-02-01",
                             "--json").output)  # fmt: skip
    assert by_ward["counts"] == {"Almondbury": 1}
    assert (
        json.loads(run("enquiries", "overdue", "--today", "2027-01-25", "--json").output)[
            "enquiries"
        ]
        == []
    )


def test_a_forbidden_change_exits_non_zero_with_the_rule(run):
    create(run)
    result = run("enquiries", "update", "KE-2026-000001", "--status", "closed")
    assert result.exit_code != 0
    assert "received → closed" in result.output
    missing = run("enquiries", "show", "KE-2026-000404")
    assert missing.exit_code != 0 and "KE-2026-000404" in missing.output


HEADER = (
    "legacy_reference,councillor,ward,category,service,description,received_at,status,"
    "constituent_name\n"
)
LEGACY = HEADER + (
    "OLD-1,Ann Smith,Almondbury,general,Highways,Old pothole,2026-11-02T09:00:00+00:00,closed,Pat\n"
    "OLD-2,Cat Lee,Dalton,general,Waste,Missed bin,2026-11-03T09:00:00+00:00,in_progress,\n"
)


def test_import_is_idempotent_by_legacy_reference_and_dry_run_writes_nothing(run, tmp_path):
    source = tmp_path / "legacy.csv"
    source.write_text(LEGACY, encoding="utf-8")
    dry = json.loads(run("enquiries", "import", str(source), "--dry-run", "--json").output)
    assert [c["legacy"] for c in dry["created"]] == ["OLD-1", "OLD-2"]
    first = json.loads(run("enquiries", "import", str(source), "--json").output)
    assert [c["reference"] for c in first["created"]] == ["KE-2026-000001", "KE-2026-000002"]
    again = json.loads(run("enquiries", "import", str(source), "--json").output)
    assert (again["created"], again["skipped"]) == ([], ["OLD-1", "OLD-2"])
    shown = json.loads(run("enquiries", "show", "KE-2026-000001", "--json").output)
    assert (shown["legacy_reference"], shown["status"]) == ("OLD-1", "closed")


def test_import_names_the_bad_row_and_writes_nothing(run, tmp_path):
    source = tmp_path / "legacy.csv"
    source.write_text(LEGACY + "OLD-3,Nobody Known,Dalton,general,Waste,x,2026-11-04,,\n")
    result = run("enquiries", "import", str(source))
    assert result.exit_code != 0
    assert "legacy.csv line 4 (OLD-3): no councillor called 'Nobody Known'" in result.output
    bad_date = tmp_path / "dates.csv"
    bad_date.write_text(LEGACY.replace("2026-11-03T09:00:00+00:00", "3rd Nov"))
    result = run("enquiries", "import", str(bad_date))
    assert "dates.csv line 3: received_at '3rd Nov' is not a date we can read" in result.output
    assert run("enquiries", "show", "KE-2026-000001").exit_code != 0
