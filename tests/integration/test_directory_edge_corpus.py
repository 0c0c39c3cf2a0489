"""``kdc directory sync csv`` on malformed files: each refused naming file and line, no traceback,
nothing written — the same with ``--dry-run``; and person ids matched without case."""

from __future__ import annotations

import json

import attrs
import pytest
from directory_data import WARDS, directory, retitle, write_csv
from sqlalchemy import func, select

from fixture_files import fixture_path
from kdc_core.db import OfficerRow, SyncRunRow, WardRow

EDGE = fixture_path("directory", "edge")

#: Each file of the corpus and what the refusal must say (file, line or record, reason).
EXPECTED = {
    "bad-email.csv": "bad-email.csv line 3: email:",
    "c1-control.csv": "c1-control.csv line 4: family_name holds U+0085",
    "duplicate-heading-case.csv": (
        "the heading 'Email' is given twice: column 4 (D) 'Email', column 6 (F) ' email'"
    ),
    "duplicate-heading.csv": "the heading 'given_name' is given twice: column 2 (B)",
    "empty.csv": "empty.csv: the file is empty",
    "escape-character.csv": "escape-character.csv line 4: job_title holds U+001B escape",
    "field-count.csv": "field-count.csv line 3: 3 fields, the header has 6",
    "id-case-clash.csv": (
        "id-case-clash.csv line 5: person id p1 differs only in case from P1 at "
        "id-case-clash.csv line 2"
    ),
    "id-too-long.csv": "id-too-long.csv line 4: person_id is 71 characters long; at most 64 fit",
    "line-break-in-field.csv": "line-break-in-field.csv line 3: given_name holds U+000A line feed",
    "manager-cycle.csv": (
        "manager loop of 3: P1 → P3 → P2 → P1 (manager-cycle.csv line 2, "
        "manager-cycle.csv line 4, manager-cycle.csv line 3)"
    ),
    "manager-pair.csv": "manager loop of 2: P1 → P2 → P1 (manager-pair.csv line 2",
    "manager-self.csv": "P2 is their own manager (manager-self.csv line 3)",
    "name-too-long.csv": "name-too-long.csv line 3: family_name is 150 characters long",
    "no-person-id-column.csv": "no-person-id-column.csv line 1: no 'person_id' column",
    "not-a-csv.csv": "not-a-csv.csv line 1: no 'person_id' column",
    "nul-byte.csv": "nul-byte.csv line 3: family_name holds U+0000 NUL",
    "oversized-field.csv": "oversized-field.csv line 3: a field runs past 10,000 characters",
    "quote-in-heading.csv": "quote-in-heading.csv line 1: a quoted field is never closed",
    "tab-in-id.csv": "tab-in-id.csv line 4: person_id holds U+0009 tab",
    "text-after-quote.csv": "text-after-quote.csv line 3: text follows a closing quote",
    "unclosed-quote-long.csv": (
        "unclosed-quote-long.csv line 3: a field runs past 10,000 characters"
    ),
    "unclosed-quote.csv": "unclosed-quote.csv line 5: a quoted field is never closed",
}


@pytest.fixture
def wards(kdc_app):
    with kdc_app.unit_of_work() as uow:
        for name in WARDS:
            uow.session.add(WardRow(name=name, slug=name.lower().replace(" ", "-")))


def officers(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        rows = uow.session.execute(select(OfficerRow.__table__).order_by(OfficerRow.id)).all()
    return [tuple(r) for r in rows]


def test_the_corpus_lists_every_edge_file():
    assert sorted(p.name for p in EDGE.iterdir()) == sorted(EXPECTED)


def test_every_malformed_file_is_refused_naming_file_and_line_without_a_traceback(
    kdc_app, kdc_run, wards
):
    """One database for the whole corpus (a run each, then a dry run each): a traceback would
    escape kdc_run, which does not catch exceptions."""
    wrong = []
    for name, expected in EXPECTED.items():
        for extra in ((), ("--dry-run",)):
            result = kdc_run("directory", "sync", "csv", str(EDGE / name), *extra)
            if (
                result.exit_code != 1
                or expected not in result.output
                or "Traceback" in result.output
            ):
                wrong.append(f"{name} {extra}: exit {result.exit_code}: {result.output}")
    assert not wrong, "\n".join(wrong)
    assert officers(kdc_app) == []
    with kdc_app.unit_of_work(dry_run=True) as uow:
        outcomes = uow.session.scalars(select(SyncRunRow.outcome)).all()
    assert outcomes == ["failed"] * (2 * len(EXPECTED))


def test_a_refused_file_after_a_good_sync_changes_nothing_and_the_run_says_why(
    kdc_app, kdc_run, wards, tmp_path
):
    records = directory(40)
    first = kdc_run("directory", "sync", "csv", str(write_csv(tmp_path / "good.csv", records)))
    assert first.exit_code == 0, first.output
    before = officers(kdc_app)

    looped = [
        attrs.evolve(r, manager_id="P000040") if r.person_id == "P000001" else r
        for r in retitle(records, 2)
    ]
    looped[39] = attrs.evolve(looped[39], manager_id="P000004")
    looped[3] = attrs.evolve(looped[3], manager_id="P000001")
    path = write_csv(tmp_path / "looped.csv", looped)
    result = kdc_run("directory", "sync", "csv", str(path), "--force")

    assert result.exit_code == 1
    assert "manager loop of 3: P000001 → P000040 → P000004 → P000001" in result.output
    assert "(looped.csv line 2, looped.csv line 41, looped.csv line 5)" in result.output
    assert officers(kdc_app) == before
    with kdc_app.unit_of_work(dry_run=True) as uow:
        last = uow.session.scalars(select(SyncRunRow).order_by(SyncRunRow.id.desc())).first()
        assert last is not None and last.outcome == "failed"
        assert "manager loop of 3" in last.message


def test_ids_match_stored_officers_without_case_and_the_stored_spelling_is_kept(
    kdc_app, kdc_run, wards, tmp_path
):
    """An officer stored as P000006 is the same person as p000006 in a later source: updated
    in place, never added twice; manager ids written in either case reach the same person."""
    records = directory(20)
    first = kdc_run("directory", "sync", "csv", str(write_csv(tmp_path / "a.csv", records)))
    assert first.exit_code == 0, first.output
    stored = officers(kdc_app)

    lowered = [
        attrs.evolve(
            r,
            person_id=r.person_id.lower() if r.person_id in {"P000006", "P000001"} else r.person_id,
            manager_id=r.manager_id.lower() if r.manager_id else None,
        )
        for r in records
    ]
    again = kdc_run(
        "directory", "sync", "csv", str(write_csv(tmp_path / "b.csv", lowered)), "--json"
    )
    assert again.exit_code == 0, again.output
    out = json.loads(again.stdout)
    assert out["changes"] == 0 and out["counts"]["unchanged"] == 20
    assert out["problems"] == [
        "2 person id(s) match a stored officer only when case is ignored "
        "(first: p000001 as P000001); they were matched and the stored ids kept"
    ]
    assert officers(kdc_app) == stored

    retitled = [
        attrs.evolve(r, job_title="Team Leader") if r.person_id == "p000006" else r for r in lowered
    ]
    third = kdc_run(
        "directory", "sync", "csv", str(write_csv(tmp_path / "c.csv", retitled)), "--json"
    )
    out = json.loads(third.stdout)
    assert [(d["person_id"], d["fields"]) for d in out["updated"]] == [("P000006", ["job_title"])]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        count = select(func.count()).select_from(OfficerRow)
        assert uow.session.execute(count).scalar_one() == 20
        title = select(OfficerRow.job_title).where(OfficerRow.person_id == "P000006")
        assert uow.session.execute(title).scalar_one() == "Team Leader"
