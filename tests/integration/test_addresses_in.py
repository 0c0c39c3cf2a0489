"""One valid email address per person on every way in: a value holding two addresses, angle
brackets or a comma is refused from the ModernGov import and from every directory source,
naming the record, and nothing is written."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import attrs
import pytest
from directory_data import WARDS, directory, write_csv
from moderngov_builder import kirklees_councillors, write_councillors_by_ward
from sqlalchemy import func, select

from kdc_core import hookimpl
from kdc_core.db import CouncillorRow, OfficerRow, WardRow
from kdc_core.directory.values import DirectoryRecord, DirectorySource

SMUGGLED = "cllr@kirklees.example>, <someone@elsewhere.example"


def count(kdc, row) -> int:
    with kdc.unit_of_work(dry_run=True) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(row)))


@pytest.mark.parametrize(
    "bad", [SMUGGLED, "a@kirklees.example, b@kirklees.example", "Ann <a@x.uk>"]
)
def test_the_moderngov_import_refuses_an_entry_whose_email_is_not_one_address(
    kdc_run, kdc_app, tmp_path, bad
):
    samples = list(kirklees_councillors())
    samples[4] = dataclasses.replace(samples[4], email=bad)
    path = write_councillors_by_ward(tmp_path / "councillors.xml", samples)
    result = kdc_run("import", "moderngov-councillors", str(path))
    assert result.exit_code == 1, result.output
    assert f"councillor #2 '{samples[4].name}'" in result.output
    assert "<email>" in result.output and "one bare address" in result.output
    assert count(kdc_app, CouncillorRow) == 0


class ListSource:
    """A directory source plugin that gives whatever records the test sets."""

    def __init__(self) -> None:
        self.records: list[DirectoryRecord] = []

    def _read(self, args, settings) -> Iterator[DirectoryRecord]:
        yield from self.records

    @hookimpl
    def kdc_register_directory_sources(self, register) -> None:
        register(DirectorySource(name="list", help="Records the test gives.", read=self._read))


@pytest.fixture
def source() -> ListSource:
    return ListSource()


@pytest.fixture
def kdc_extra_plugins(source):
    return [("list", source)]


@pytest.fixture
def wards(kdc_app):
    with kdc_app.unit_of_work() as uow:
        for name in WARDS:
            uow.session.add(WardRow(name=name, slug=name.lower().replace(" ", "-")))


def test_the_csv_source_refuses_a_row_whose_email_is_not_one_address(
    kdc_run, kdc_app, wards, tmp_path
):
    records = directory(8)
    records[3] = attrs.evolve(records[3], email=SMUGGLED)
    path = write_csv(tmp_path / "officers.csv", records)
    result = kdc_run("directory", "sync", "csv", str(path))
    assert result.exit_code == 1, result.output
    assert "officers.csv line 5: email:" in result.output and "one bare address" in result.output
    assert count(kdc_app, OfficerRow) == 0


def test_any_source_plugin_is_checked_the_same_way(kdc_run, kdc_app, wards, source):
    source.records = [
        attrs.evolve(r, email=e, origin=f"record {r.person_id}")
        for r, e in zip(
            directory(3), ["a@kirklees.example", "b@x.uk;c@x.uk", "Q <q@x.uk>"], strict=True
        )
    ]
    result = kdc_run("directory", "sync", "list")
    assert result.exit_code == 1, result.output
    assert f"record {source.records[1].person_id}: email:" in result.output
    assert f"record {source.records[2].person_id}: email:" in result.output
    assert count(kdc_app, OfficerRow) == 0


def test_addresses_are_stored_in_normal_form(kdc_run, kdc_app, wards, source):
    source.records = [attrs.evolve(directory(1)[0], email="  Ann.Lee@Kirklees.GOV.UK ")]
    assert kdc_run("directory", "sync", "list").exit_code == 0
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalar(select(OfficerRow.email)) == "Ann.Lee@kirklees.gov.uk"
