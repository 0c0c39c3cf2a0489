"""``kdc enquiries import``: UK dates, and history kept when a category is not known."""

from __future__ import annotations

import json
import logging

import pytest
from enquiry_people import seed_enquiry_people

from kdc_core.enquiries import categories

HEADER = "legacy_reference,councillor,ward,category,service,description,received_at,status\n"


@pytest.fixture
def run(kdc_app, kdc_run):
    seed_enquiry_people(kdc_app)
    return kdc_run


def test_uk_dates_are_read_day_first_in_council_time(run, tmp_path):
    source = tmp_path / "legacy.csv"
    source.write_text(
        HEADER
        + "A-1,Ann Smith,Almondbury,General,Highways,One,02/11/2026,closed\n"
        + "A-2,Ann Smith,Almondbury,General,Highways,Two,2/7/2026 14:30,\n"
        + "A-3,Ann Smith,Almondbury,General,Highways,Three,2026-07-03T09:15,\n",
        encoding="utf-8",
    )
    result = json.loads(run("enquiries", "import", str(source), "--json").output)
    assert result["warnings"] == []
    received = {}
    for item in result["created"]:
        shown = json.loads(run("enquiries", "show", item["reference"], "--json").output)
        received[item["legacy"]] = shown["received_at"]
    assert received == {
        "A-1": "2026-11-02T00:00:00+00:00",
        "A-2": "2026-07-02T13:30:00+00:00",  # 14:30 British Summer Time
        "A-3": "2026-07-03T08:15:00+00:00",
    }


def test_an_unreadable_date_names_its_line_and_nothing_is_written(run, tmp_path):
    source = tmp_path / "legacy.csv"
    source.write_text(
        HEADER
        + "B-1,Ann Smith,Almondbury,General,Highways,One,02/11/2026,\n"
        + "B-2,Ann Smith,Almondbury,General,Highways,Two,31/02/2026,\n",
        encoding="utf-8",
    )
    result = run("enquiries", "import", str(source))
    assert result.exit_code == 1
    assert "legacy.csv line 3: received_at '31/02/2026' is not a date we can read" in result.output
    assert "02/11/2026 14:30" in result.output  # says how to write it
    assert run("enquiries", "list", "--json").output.count("KE-") == 0


def test_an_unknown_category_is_created_inactive_and_the_row_is_named(
    kdc_app, run, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="kdc_core.enquiries.legacy")
    source = tmp_path / "legacy.csv"
    source.write_text(
        HEADER
        + "C-1,Ann Smith,Almondbury,General,Highways,One,02/11/2026,\n"
        + "C-2,Ann Smith,Almondbury,Dog fouling,Highways,Two,03/11/2026,resolved\n",
        encoding="utf-8",
    )
    dry = json.loads(run("enquiries", "import", str(source), "--dry-run", "--json").output)
    assert len(dry["warnings"]) == 1 and "line 3 (C-2)" in dry["warnings"][0]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert [c.name for c in categories.list_categories(uow)] == ["General"]
    plain = run("enquiries", "import", str(source))
    assert plain.exit_code == 0, plain.output
    assert plain.output.startswith("Warning: ")
    assert (
        "legacy.csv line 3 (C-2): the category 'Dog fouling' was not known; it was "
        "created inactive with the default timescales" in plain.output
    )
    assert "imported 2, skipped 0" in plain.output
    assert any("line 3 (C-2)" in r.getMessage() for r in caplog.records)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        fouling = categories.get_category(uow, "dog fouling")
    assert (fouling.active, fouling.respond_days) == (False, 10)
    refused = run(
        "enquiries", "create", "--councillor", "Ann Smith", "--ward", "Almondbury",
        "--category", "Dog fouling", "--service", "Highways", "--description", "x",
    )  # fmt: skip
    assert refused.exit_code == 1 and "inactive" in refused.output
