"""The record rules every directory source meets: printable one-line text that fits its column,
person ids unique without case, no manager loops (found without recursion, on 50,000)."""

from __future__ import annotations

import pytest

from kdc_core.directory.checks import (
    check_manager_loops,
    check_text,
    field_limits,
    index_records,
    show_loop,
    text_problems,
)
from kdc_core.directory.values import CharactersChecked, DirectoryRecord, SourceError
from kdc_core.people.loops import reporting_loops


def person(pid: str, manager: str | None = None, **fields: object) -> DirectoryRecord:
    values: dict = {"given_name": "Ann", "family_name": "Lee", "origin": f"record {pid}"}
    values.update(fields)
    return DirectoryRecord(person_id=pid, manager_id=manager, **values)


def test_limits_are_the_stored_column_lengths():
    limits = field_limits()
    assert (limits["person_id"], limits["manager_id"], limits["email"]) == (64, 64, 254)
    assert limits["service"] == limits["directorate"] == 160


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"given_name": "A\x00nn"}, "record P1: given_name holds U+0000 NUL at character 2"),
        ({"job_title": "Officer\t"}, "record P1: job_title holds U+0009 tab at character 8"),
        ({"team": "Parks\r\nteam"}, "record P1: team holds U+000D carriage return"),
        ({"location": "Civic\x7f"}, "record P1: location holds U+007F delete"),
        ({"family_name": "Le\u0085e"}, "record P1: family_name holds U+0085 control character"),
        ({"email": "a\ud800@x.uk"}, "record P1: email holds U+D800 lone surrogate"),
        ({"wards": ("Almondbury", "Dal\x1bton")}, "record P1: wards holds U+001B escape"),
        ({"phone": "0" * 41}, "record P1: phone is 41 characters long; at most 40 fit"),
        ({"service": "S" * 161}, "record P1: service is 161 characters long; at most 160 fit"),
    ],
)
def test_a_control_character_or_an_oversized_field_is_refused_naming_record_and_field(
    fields, expected
):
    with pytest.raises(SourceError) as caught:
        check_text([person("P0"), person("P1", **fields)])
    (problem,) = caught.value.problems
    assert problem.startswith(expected)


def test_printable_text_of_every_script_passes():
    check_text([person("P1", given_name="Zoë", family_name="Ní Bhriain", job_title="Œuvre · 日本")])


def test_ids_are_stripped_and_compared_without_case_naming_both_records():
    records = [person("P000006"), person(" P7 ", manager=" p000006 "), person("p000006")]
    with pytest.raises(SourceError) as caught:
        index_records(records)
    assert caught.value.problems == (
        "record p000006: person id p000006 differs only in case from P000006 at "
        "record P000006; ids are compared without case",
    )
    seen = index_records(records[:2])
    assert list(seen) == ["p000006", "p7"]
    assert (seen["p7"].person_id, seen["p7"].manager_id) == ("P7", "p000006")


def test_the_same_id_twice_and_an_empty_id_are_refused():
    with pytest.raises(SourceError) as caught:
        index_records([person("P1"), person("P1"), person("  ")])
    assert caught.value.problems == (
        "record P1: person id P1 already given at record P1",
        "record   : no person id",
    )


@pytest.mark.parametrize(
    ("managers", "loops"),
    [
        ({"A": "A"}, [("A",)]),
        ({"A": "B", "B": "A"}, [("A", "B")]),
        ({"P2": "P3", "P3": "P1", "P1": "P2", "P4": "P1"}, [("P1", "P2", "P3")]),
        ({"X": "P1", "P1": "P2", "P2": "P1", "Y": "Y", "Z": None}, [("P1", "P2"), ("Y",)]),
        ({"A": "B", "B": None, "C": "B", "D": "gone"}, []),
    ],
)
def test_manager_loops_between_person_ids_are_found(managers, loops):
    assert reporting_loops(managers) == loops


def test_a_loop_is_named_with_the_records_it_came_from():
    records = {p: person(p, origin=f"officers.csv line {n}") for n, p in enumerate("ABC", 2)}
    with pytest.raises(SourceError) as caught:
        check_manager_loops({"A": "B", "B": "C", "C": "A"}, records)
    assert caught.value.problems == (
        "manager loop of 3: A → B → C → A "
        "(officers.csv line 2, officers.csv line 3, officers.csv line 4)",
    )
    with pytest.raises(SourceError, match="B is their own manager"):
        check_manager_loops({"A": None, "B": "B"}, records)


def test_fifty_thousand_in_one_loop_are_found_without_recursion():
    """A chain as long as the directory would overflow a recursive walk; this one is a loop
    (benchmarks/directory_sync.py times the checks at this size)."""
    count = 50_000
    ids = [f"P{n:06d}" for n in range(count)]
    chain = {ids[n]: ids[n - 1] for n in range(count)}  # P000000's manager is the last
    (loop,) = reporting_loops(chain)
    assert len(loop) == count
    tree = {ids[n]: ids[(n - 1) // 10] if n else None for n in range(count)}
    assert reporting_loops(tree) == []
    shown = show_loop(loop)
    assert shown.startswith("P000000 → P049999 → P049998")
    assert shown.endswith("… 49989 more … → P000001 → P000000")


def test_the_text_check_of_fifty_thousand_clean_records_finds_nothing():
    records = [
        person(
            f"P{n:06d}",
            email=f"p{n:06d}@example.gov.uk",
            job_title="Senior Environmental Health Practitioner",
            team="Food safety and health and safety",
            location="Civic Centre 1, Huddersfield",
            wards=("Almondbury",),
        )
        for n in range(50_000)
    ]
    assert text_problems(records) == []
    check_text(records)  # refuses nothing


def test_measured_lengths_that_fit_settle_the_check_without_the_records():
    limits = field_limits()
    fits = dict(limits)  # each field exactly at its limit
    long_title = person("P1", job_title="x" * 201)
    # The source measured what it read: the records are not looked at again.
    assert check_text(CharactersChecked([long_title], fits)) is None


@pytest.mark.parametrize("field", ["person_id", "family_name", "email", "job_title", "service"])
def test_a_measured_length_past_its_column_has_each_record_looked_at(field):
    limits = field_limits()
    measured = dict(limits) | {field: limits[field] + 1}
    value = "x" * (limits[field] + 1)
    records = [person("P1"), person("P2", **{field: value} if field != "person_id" else {})]
    if field == "person_id":
        records[1] = person(value)
    with pytest.raises(SourceError) as refused:
        check_text(CharactersChecked(records, measured))
    assert refused.value.problems == (
        f"record {records[1].person_id}: {field} is {len(value):,} characters long; "
        f"at most {limits[field]} fit",
    )


def test_measured_lengths_missing_a_field_leave_the_check_to_the_records():
    measured = dict(field_limits())
    del measured["phone"]
    with pytest.raises(SourceError, match="phone is 41 characters long; at most 40 fit"):
        check_text(CharactersChecked([person("P1", phone="1" * 41)], measured))
