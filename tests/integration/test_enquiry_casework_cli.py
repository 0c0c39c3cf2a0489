"""Casework from the command line end to end: categories as data, the lists of cases, names
or ids for people with "did you mean", and the warning when a councillor raises an enquiry
outside their ward."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from click.testing import CliRunner
from enquiry_people import seed_enquiry_people

from kdc_core.app import Kdc
from kdc_core.cli import build_cli
from kdc_core.enquiries import categories, queries, service
from kdc_core.enquiries.backends import EnquiriesConfig
from kdc_core.enquiries.values import Constituent, NewEnquiry
from kdc_core.errors import ConfigError
from kdc_core.people.lookup import NotKnown


@pytest.fixture
def run(kdc_app, kdc_run):
    seed_enquiry_people(kdc_app)
    return kdc_run


def create(run, *extra: str, category: str = "general", when: str = "2026-12-23T10:00:00+00:00"):
    return run(
        "enquiries", "create", "--councillor", "Ann Smith", "--ward", "Almondbury",
        "--category", category, "--description", "Pothole outside the school",
        "--received-at", when, *extra,
    )  # fmt: skip


def test_a_category_set_on_the_command_line_gives_its_timescales_over_christmas(run):
    made = run("enquiries", "category-set", "Potholes", "--acknowledge", "2", "--respond", "5")
    assert made.exit_code == 0, made.output
    assert "Created Potholes: acknowledge in 2 working days, respond in 5" in made.output
    # Wednesday 23 December 2026: Christmas Day, the Boxing Day substitute (Monday 28th) and
    # New Year's Day are skipped, as are the weekends.
    result = create(run, "--service", "Highways", "--json", category="potholes")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["category"] == "Potholes"
    assert (data["acknowledge_by"], data["respond_by"]) == ("2026-12-29", "2027-01-04")
    typo = create(run, "--service", "Highways", category="Pothole")
    assert typo.exit_code == 1
    assert "no enquiry category called 'Pothole'; did you mean 'Potholes'?" in typo.output
    assert "Traceback" not in typo.output


def test_categories_list_change_deactivate_and_check_their_numbers(run):
    assert run("enquiries", "category-set", "Bins", "--acknowledge", "1", "--respond", "3",
               "--service", "waste").exit_code == 0  # fmt: skip
    listed = json.loads(run("enquiries", "categories", "--json").output)["categories"]
    assert [c["name"] for c in listed] == ["Bins", "General"]
    assert listed[0] == {
        "name": "Bins",
        "acknowledge_days": 1,
        "respond_days": 3,
        "retention_days": 730,
        "follow_up_days": 28,
        "service": "Waste",
        "active": True,
    }
    table = run("enquiries", "categories").output
    assert "Bins" in table and "3 working days" in table and "Waste" in table
    # Changing one setting keeps the others.
    changed = run("enquiries", "category-set", "bins", "--acknowledge", "2", "--respond", "4",
                  "--retention-days", "400", "--json")  # fmt: skip
    assert json.loads(changed.output) == {
        "created": False,
        "category": {**listed[0], "acknowledge_days": 2, "respond_days": 4,
                     "retention_days": 400},
    }  # fmt: skip
    shorter = run("enquiries", "category-set", "Bins", "--acknowledge", "5", "--respond", "2")
    assert shorter.exit_code == 1
    assert "must not be shorter than the acknowledge timescale" in shorter.output
    negative = run("enquiries", "category-set", "Bins", "--acknowledge", "-1", "--respond", "2")
    assert negative.exit_code == 1 and "must be 0 or more days, not -1" in negative.output
    no_service = run("enquiries", "category-set", "Bins", "--acknowledge", "1", "--respond",
                     "2", "--service", "Wastee")  # fmt: skip
    assert no_service.exit_code == 1 and "did you mean 'Waste'?" in no_service.output
    off = run("enquiries", "category-set", "Bins", "--acknowledge", "1", "--respond", "2",
              "--inactive")  # fmt: skip
    assert "inactive (not offered for new enquiries)" in off.output
    refused = create(run, category="Bins")
    assert refused.exit_code == 1
    assert "'Bins' is no longer used for new enquiries (inactive)" in refused.output


def test_an_enquiry_without_a_service_goes_to_its_categorys_default_service(run):
    run("enquiries", "category-set", "Bins", "--acknowledge", "1", "--respond", "3",
        "--service", "Waste")  # fmt: skip
    made = json.loads(create(run, "--json", category="Bins").output)
    assert (made["service"], made["officer"]) == ("Waste", "Wes Bins")
    none = create(run)  # General has no default service
    assert none.exit_code == 1
    assert "an enquiry needs a service: name one, or give the category 'General'" in none.output


def test_a_councillor_outside_the_ward_is_warned_and_the_enquiry_is_still_made(run, caplog):
    caplog.set_level(logging.WARNING, logger="kdc_core.enquiries.service")
    args = ("enquiries", "create", "--councillor", "Cat Lee", "--ward", "Almondbury",
            "--category", "General", "--service", "Highways", "--description", "Bench",
            "--constituent", "Rita Private")  # fmt: skip
    plain = run(*args)
    assert plain.exit_code == 0 and "Reference: KE-" in plain.output
    assert (
        "Warning: Cllr Cat Lee does not represent Almondbury ward (they represent Dalton "
        "ward); the enquiry was logged all the same." in plain.output
    )
    data = json.loads(run(*args, "--json").output)
    assert data["warnings"] == [
        "Cllr Cat Lee does not represent Almondbury ward (they represent Dalton ward); the "
        "enquiry was logged all the same"
    ]
    logged = [r.getMessage() for r in caplog.records]
    assert any("Cat Lee does not represent Almondbury" in m for m in logged)
    assert not any("Rita" in m for m in logged)
    at_home = json.loads(create(run, "--service", "Highways", "--json").output)
    assert at_home["warnings"] == []


def test_assign_then_list_by_officer_and_councillor_and_the_reason_is_in_the_trail(run):
    reference = json.loads(create(run, "--service", "Parks", "--json").output)["reference"]
    other = json.loads(
        run("enquiries", "create", "--councillor", "Cat Lee", "--ward", "Dalton", "--category",
            "General", "--service", "Waste", "--description", "Bins", "--json").output
    )["reference"]  # fmt: skip
    unassigned = json.loads(run("enquiries", "list", "--queue", "unassigned", "--json").output)
    assert [e["reference"] for e in unassigned["enquiries"]] == [reference]
    moved = run("enquiries", "assign", reference, "--officer", "wes bins", "--reason",
                "Fly-tipped bins, not a park matter")  # fmt: skip
    assert moved.exit_code == 0, moved.output
    mine = json.loads(run("enquiries", "list", "--officer", "Wes Bins", "--json").output)
    assert [e["reference"] for e in mine["enquiries"]] == [reference, other]  # newest first
    assert mine["enquiries"][0]["officer"] == "Wes Bins"
    by_councillor = run("enquiries", "list", "--councillor", "Cllr Ann Smith")
    assert reference in by_councillor.output and other not in by_councillor.output
    header = by_councillor.output.splitlines()[0].split()
    assert header[:3] == ["Reference", "Received", "Respond"]
    row = by_councillor.output.splitlines()[1]
    assert "23/12/2026" in row and "Received" in row and "Ann Smith" in row
    assert "Almondbury" in row and "Wes Bins" in row and "Pothole outside" in row
    shown = run("enquiries", "show", reference).output
    assert "Assigned to Wes Bins: Fly-tipped bins, not a park matter" in shown
    assert "assigned officer: None → Wes Bins" in shown
    assert (
        json.loads(run("enquiries", "list", "--queue", "unassigned", "--json").output)["enquiries"]
        == []
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("list", "--officer", "Wes Binz"),
            "no officer called 'Wes Binz'; did you mean 'Wes Bins'?",
        ),
        (("list", "--officer", "99999"), "no officer with id 99999"),
        (("list", "--councillor", "Ann Smyth"), "did you mean 'Ann Smith'?"),
        (("list", "--ward", "Daltn"), "no ward called 'Daltn'; did you mean 'Dalton'?"),
        (("list", "--service", "Highway"), "did you mean 'Highways'?"),
        (("list", "--status", "pending"), "unknown status 'pending'"),
        (("assign", "KE-2026-000001", "--officer", "Wes Binz"), "did you mean 'Wes Bins'?"),
        (("assign", "KE-2026-000001", "--officer", "99999"), "no officer with id 99999"),
    ],
)
def test_unknown_people_exit_1_with_the_closest_names_and_no_traceback(run, args, message):
    create(run, "--service", "Parks")
    result = run("enquiries", *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def test_a_name_two_people_share_lists_their_ids(kdc_app, run):
    from kdc_core.db.people import CouncillorRow, WardRow

    with kdc_app.unit_of_work() as uow:
        dalton = uow.session.query(WardRow).filter_by(name="Dalton").one()
        uow.session.add(CouncillorRow(name="Ann Smith", ward_id=dalton.id))
    result = run("enquiries", "list", "--councillor", "Ann Smith")
    assert result.exit_code == 1
    assert "2 councillors are called 'Ann Smith'; use the id: " in result.output
    assert "(Almondbury)" in result.output and "(Dalton)" in result.output


def test_queues_overdue_and_due_soon_count_working_days(kdc_app, run):
    create(run, "--service", "Highways")  # respond by 2027-01-11
    with kdc_app.unit_of_work(dry_run=True) as uow:

        def refs(queue: str, today: str, days: int = 3) -> list[str]:
            lines = queries.list_enquiries(
                uow, queue=queue, today=dt.date.fromisoformat(today), days=days
            )
            return [line.enquiry.reference for line in lines]

        # Three working days on from Wednesday 6 January is Monday 11 January.
        assert refs("due-soon", "2027-01-06") == ["KE-2026-000001"]
        assert refs("due-soon", "2027-01-05") == []
        assert refs("due-soon", "2027-01-05", days=4) == ["KE-2026-000001"]
        assert refs("overdue", "2027-01-11") == []
        late = queries.list_enquiries(uow, queue="overdue", today=dt.date(2027, 1, 12))
        assert [(x.enquiry.reference, x.overdue) for x in late] == [("KE-2026-000001", True)]
        assert late[0].received == dt.date(2026, 12, 23)
        assert queries.list_enquiries(uow, status="open")[0].enquiry.reference == "KE-2026-000001"
        assert queries.list_enquiries(uow, status="closed") == []


def test_a_new_enquiry_in_the_core_is_refused_in_an_unknown_category(kdc_app, run):
    with kdc_app.unit_of_work() as uow, pytest.raises(NotKnown, match="did you mean 'General'"):
        service.create(
            uow,
            NewEnquiry(("Ann Smith",), "Almondbury", "Genral", "Highways", "x", None,
                       Constituent()),
            "test",
        )  # fmt: skip


def test_kdc_init_adds_the_categories_kdc_toml_configures_and_keeps_changed_ones(kdc_app):
    seed_enquiry_people(kdc_app)
    section = {
        "categories": [
            {"name": "Potholes", "acknowledge_days": 2, "respond_days": 5, "service": "Highways"},
            {"name": "General", "respond_days": 20},
        ]
    }
    configured = Kdc(kdc_app.settings.evolve(plugin_sections={"enquiries": section}), kdc_app.pm)
    init = CliRunner().invoke(build_cli(configured), ["init"], obj=configured)
    assert init.exit_code == 0, init.output
    assert "Enquiry categories added from defaults: Potholes." in init.output
    with kdc_app.unit_of_work() as uow:
        assert categories.get_category(uow, "potholes").service == "Highways"
        assert categories.get_category(uow, "General").respond_days == 10  # kept as it was
        categories.set_category(uow, "Potholes", respond_days=7)
    assert categories.seed_from_settings(configured) == []
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert categories.get_category(uow, "Potholes").respond_days == 7


def test_kdc_toml_categories_are_checked_at_startup(kdc_app):
    bad = {"categories": [{"name": "Quick", "acknowledge_days": 5, "respond_days": 2}]}
    settings = kdc_app.settings.evolve(plugin_sections={"enquiries": bad})
    with pytest.raises(ConfigError) as error:
        settings.plugin_config("enquiries", into=EnquiriesConfig)
    assert error.value.key == "plugins.enquiries.categories"
    assert (
        "category 1 ('Quick'): the respond timescale (2 working days) must not be shorter "
        "than the acknowledge timescale" in str(error.value)
    )


@pytest.mark.parametrize(
    ("written", "utc"),
    [
        ("01/07/2026 10:00", "2026-07-01T09:00:00+00:00"),  # British Summer Time
        ("2026-07-01T10:00", "2026-07-01T09:00:00+00:00"),
        ("2026-07-01T10:00:00+00:00", "2026-07-01T10:00:00+00:00"),
        ("2/12/2026", "2026-12-02T00:00:00+00:00"),  # Greenwich Mean Time
    ],
)
def test_received_at_is_read_as_written_in_the_uk_and_in_council_time(run, written, utc):
    result = create(run, "--service", "Highways", "--json", when=written)
    assert result.exit_code == 0, result.output
    received = dt.datetime.fromisoformat(json.loads(result.output)["received_at"])
    assert received.astimezone(dt.UTC).isoformat() == utc


def test_an_unreadable_received_at_is_refused_with_the_forms_it_takes(run):
    result = create(run, "--service", "Highways", when="31/02/2026")
    assert result.exit_code == 2
    assert "'31/02/2026' is not a date or time like 02/11/2026" in result.output
    assert "Traceback" not in result.output
