"""``kdc import moderngov-councillors`` on answers shaped like other councils' (two-member
district wards, a five-member Welsh ward, open-ended and inconsistent terms, missing emails)
and the mass-archive guard."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from moderngov_builder import kirklees_councillors, write_councillors_by_ward

from fixture_files import fixture_path
from kdc_core.app import Kdc
from kdc_core.people.values import RoleKind, TermOfOffice

IMPORT = ("import", "moderngov-councillors")
SAMPLES = kirklees_councillors()

DISTRICT_WARNINGS = [
    "ward Stoke-sub-Hamdon & Norton, councillor #1 'Mary-Jane Pettigrew' (line 70): "
    "term of office #2 (line 89) from 07/05/2015 to 02/05/2019 repeats "
    "term of office #1 (line 85); imported once",
    "ward Stoke-sub-Hamdon & Norton, councillor #2 'Dev Raman' (line 99): "
    "term of office #1 (line 112) from 04/05/2023 to 02/05/2019 ends before it starts; left out",
]
WELSH_WARNINGS = [
    "ward Canol y Dref a'r Gorllewin, councillor #3 'Ffion Llŷr-Davies' (line 64): "
    "term of office #2 (line 87) from 01/03/2017 to 05/05/2022 overlaps term of office #1 "
    "(line 83) from 03/05/2012 to 04/05/2017; imported as the source has it",
    "ward Canol y Dref a'r Gorllewin, councillor #4 'Aled Morgan' (line 97): "
    "term of office #2 (line 119) from 05/05/2022 (no end date) lies within term of office #1 "
    "(line 115) from 03/05/2012 (no end date); left out",
]


def by_id(kdc_app: Kdc) -> dict:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return {
            c.external_id("moderngov"): c for c in uow.people.councillors(include_archived=True)
        }


@pytest.mark.parametrize(
    ("name", "warnings", "ward_sizes"),
    [
        (
            "district-two-member-wards.xml",
            DISTRICT_WARNINGS,
            {"Bishop's Cleeve North": 2, "Stoke-sub-Hamdon & Norton": 2, "Upton upon Severn": 1},
        ),
        (
            "welsh-county-five-member-ward.xml",
            WELSH_WARNINGS,
            {"Canol y Dref a'r Gorllewin": 5, "Pen-y-fâl": 1, "Llandrindod East/West": 2},
        ),
    ],
)
def test_other_councils_answers_import_with_the_expected_warnings_and_again_with_no_changes(
    kdc_run, kdc_app, caplog, name, warnings, ward_sizes
):
    path = fixture_path("moderngov", name)
    with caplog.at_level(logging.WARNING, logger="kdc_core.services.imports"):
        result = kdc_run(*IMPORT, str(path))
    assert result.exit_code == 0, result.output
    assert [
        line[len("Warning: ") :]
        for line in result.stdout.splitlines()
        if line.startswith("Warning: ")
    ] == warnings
    assert [r.getMessage() for r in caplog.records] == [
        f"import moderngov-councillors from {path}: {w}" for w in warnings
    ]
    councillors = by_id(kdc_app)
    sizes: dict[str, int] = {}
    for c in councillors.values():
        sizes[c.ward.name] = sizes.get(c.ward.name, 0) + 1
    assert sizes == ward_sizes

    again = kdc_run(*IMPORT, str(path), "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["changes"], report["warnings"]) == (0, warnings)
    assert by_id(kdc_app) == councillors


def test_open_ended_terms_are_current_and_missing_emails_stay_empty(kdc_run, kdc_app):
    result = kdc_run(*IMPORT, str(fixture_path("moderngov", "district-two-member-wards.xml")))
    assert result.exit_code == 0, result.output
    people = by_id(kdc_app)
    today = dt.date(2027, 3, 2)
    assert people["2101"].terms == (
        TermOfOffice(dt.date(2019, 5, 2), dt.date(2023, 5, 4)),
        TermOfOffice(dt.date(2023, 5, 4), None),
    )
    assert people["2101"].terms[-1].covers(today)
    assert people["2107"].terms == (
        TermOfOffice(dt.date(2015, 5, 7), dt.date(2019, 5, 2)),
        TermOfOffice(dt.date(2019, 5, 2), None),
    )
    assert people["2108"].terms == (TermOfOffice(dt.date(2023, 5, 4), None),)
    assert {k for k, c in people.items() if c.email is None} == {"2102", "2107", "2115"}
    assert people["2115"].name == "Siân O'Rourke"
    assert people["2101"].key_posts == (
        "Leader of the Council",
        "Chair of the Executive Committee",
    )
    # no <photobigurl>: the small one; no photo at all: none
    assert people["2102"].photo_url.endswith("/Info00002102/smallpic.jpg")
    assert people["2107"].photo_url is None


def test_a_councillor_id_that_is_not_a_number_is_refused_and_nothing_is_written(
    kdc_run, kdc_app, tmp_path
):
    text = fixture_path("moderngov", "district-two-member-wards.xml").read_text("utf-8")
    bad = tmp_path / "abc.xml"
    bad.write_text(
        text.replace("<councillorid>2108</councillorid>", "<councillorid>abc</councillorid>")
    )
    result = kdc_run(*IMPORT, str(bad))
    assert result.exit_code == 1
    assert (
        f"Error: {bad}, ward Stoke-sub-Hamdon & Norton, councillor #2 'Dev Raman' (line 99): "
        "<councillorid> 'abc' is not a ModernGov id (a whole number)"
    ) in result.stderr
    assert by_id(kdc_app) == {}


# -- the mass-archive guard -------------------------------------------------------------------


@pytest.fixture
def kirklees(kdc_run, tmp_path):
    result = kdc_run(*IMPORT, str(write_councillors_by_ward(tmp_path / "all.xml")))
    assert result.exit_code == 0, result.output


def test_archiving_more_than_a_tenth_is_refused_with_the_numbers(
    kdc_run, kdc_app, kirklees, tmp_path
):
    # 7 of 69 (10.1%) from seven different wards: over the share, no ward emptied
    gone = {c.id for c in SAMPLES[::3][:7]}
    path = write_councillors_by_ward(
        tmp_path / "less.xml", [c for c in SAMPLES if c.id not in gone]
    )
    before = by_id(kdc_app)
    result = kdc_run(*IMPORT, str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "Error: this import would archive 7 of 69 active councillors (10%): more than the 10% "
        "allowed by plugins.moderngov.max_archive_share. Nothing was changed; check the source, "
        "or run again with --force to apply it."
    )
    assert by_id(kdc_app) == before

    # six of them (8.7%) are within the share
    path = write_councillors_by_ward(
        tmp_path / "six.xml", [c for c in SAMPLES if c.id not in gone or c.id == min(gone)]
    )
    result = kdc_run(*IMPORT, str(path))
    assert result.exit_code == 0, result.output
    assert "councillor: 6 archived" in result.stdout


def test_emptying_two_wards_is_refused_even_under_the_share_and_one_ward_is_not(
    kdc_run, kdc_app, kirklees, tmp_path
):
    two_wards = {SAMPLES[0].ward, SAMPLES[3].ward}
    path = write_councillors_by_ward(
        tmp_path / "two.xml", [c for c in SAMPLES if c.ward not in two_wards]
    )
    result = kdc_run(*IMPORT, str(path), "--dry-run")
    assert result.exit_code == 1
    assert (
        "would archive 6 of 69 active councillors (9%): every councillor of 2 wards"
        in result.stderr
    )
    assert f"({', '.join(sorted(two_wards))})" in result.stderr

    one_ward = write_councillors_by_ward(
        tmp_path / "one.xml", [c for c in SAMPLES if c.ward != SAMPLES[0].ward]
    )
    result = kdc_run(*IMPORT, str(one_ward))
    assert result.exit_code == 0, result.output
    assert "councillor: 3 archived" in result.stdout


# -- what the answer carries beyond names and terms ------------------------------------------


def test_surgeries_addresses_key_posts_photos_and_a_party_change_are_kept(
    kdc_run, kdc_app, tmp_path
):
    path = fixture_path("moderngov", "district-two-member-wards.xml")
    assert kdc_run(*IMPORT, str(path)).exit_code == 0
    day = dt.datetime.now(kdc_app.settings.tz).date()
    people = by_id(kdc_app)
    leader = people["2101"]
    assert leader.surgery == (
        "First Saturday of the month, 10am to 12 noon\\\nCleeve Library, Church Road"
    )
    assert leader.address == "Council Offices\nStation Road\nBishop's Cleeve\nGL52 8ZZ"
    assert [(r.kind, r.title, r.start, r.end) for r in leader.roles] == [
        (RoleKind.OTHER, "Leader of the Council", day, None),
        (RoleKind.OTHER, "Chair of the Executive Committee", day, None),
    ]
    assert leader.photo_url.endswith("/Info00002101/bigpic.jpg")
    assert people["2102"].address == "c/o Council Offices\nStation Road\nBishop's Cleeve\nGL52 8ZZ"
    assert people["2102"].surgery is None
    assert people["2107"].surgery == "By appointment - please telephone."
    raman = people["2108"]
    assert [(r.kind, r.title) for r in raman.roles] == [
        (RoleKind.CABINET_PORTFOLIO, "Portfolio Holder for Climate & Nature")
    ]
    assert [(m.group.name, m.start, m.end) for m in raman.group_history] == [
        ("Green Party", day, None)
    ]

    changed = tmp_path / "later.xml"
    changed.write_text(
        path.read_text("utf-8")
        .replace(
            "<politicalpartytitle>Green Party</politicalpartytitle>",
            "<politicalpartytitle>Independent</politicalpartytitle>",
        )
        .replace("<keyposts>Portfolio Holder for Climate &amp; Nature</keyposts>", "<keyposts/>"),
        "utf-8",
    )
    result = kdc_run(*IMPORT, str(changed), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(d["label"], d["action"], sorted(d["fields"])) for d in report["details"]] == [
        ("Dev Raman", "updated", ["group_history", "group_id", "key_posts", "roles"])
    ]
    raman = by_id(kdc_app)["2108"]
    assert raman.group.name == "Independent"
    assert [(m.group.name, m.start, m.end) for m in raman.group_history] == [
        ("Green Party", day, day),
        ("Independent", day, None),
    ]
    assert raman.roles == ()
    assert [(r.title, r.start, r.end) for r in raman.past_roles] == [
        ("Portfolio Holder for Climate & Nature", day, day)
    ]
    assert json.loads(kdc_run(*IMPORT, str(changed), "--json").stdout)["changes"] == 0
