"""``kdc import moderngov-councillors``: the acceptance points, through the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from moderngov_builder import (
    PARTIES,
    WARDS,
    kirklees_councillors,
    write_councillors_by_ward,
)
from sqlalchemy import select

from fixture_files import fixture_path
from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.changes import Action
from kdc_core.cli import build_cli
from kdc_core.db import CouncillorRow, TermOfOfficeRow
from kdc_core.people.values import TermOfOffice
from kdc_core.plugins import make_plugin_manager

IMPORT = ("import", "moderngov-councillors")
SAMPLES = kirklees_councillors()
FIRST_IMPORT_CHANGES = len(WARDS) + len({c.party for c in SAMPLES}) + len(SAMPLES)


class Listener:
    def __init__(self) -> None:
        self.seen: list = []

    @hookimpl
    def kdc_changes_committed(self, changes, kdc):
        self.seen.append(changes)


@pytest.fixture
def listener():
    return Listener()


@pytest.fixture
def kdc_extra_plugins(listener):
    return [("listener", listener)]


@pytest.fixture
def full_file(tmp_path: Path) -> Path:
    return write_councillors_by_ward(tmp_path / "councillors-by-ward.xml")


@pytest.fixture
def imported(kdc_run, full_file: Path) -> Path:
    result = kdc_run(*IMPORT, str(full_file))
    assert result.exit_code == 0, result.output
    return full_file


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1 by a thread: (folder, base URL)."""
    root = tmp_path / "web"
    root.mkdir()
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def dump(kdc_app: Kdc) -> tuple:
    """Everything the import may touch, down to row ids and modification times."""
    with kdc_app.unit_of_work(dry_run=True) as uow:
        people = uow.people
        rows = uow.session.execute(
            select(CouncillorRow.id, CouncillorRow.modified_at).order_by(CouncillorRow.id)
        ).all()
        terms = uow.session.execute(
            select(TermOfOfficeRow.id, TermOfOfficeRow.councillor_id).order_by(TermOfOfficeRow.id)
        ).all()
        return (
            people.wards(),
            people.groups(),
            people.councillors(include_archived=True),
            [tuple(r) for r in rows],
            [tuple(t) for t in terms],
        )


def by_moderngov_id(kdc_app: Kdc) -> dict:
    """Councillors by ModernGov id, without the time their row last changed (archiving and
    reactivating one changes that, and nothing else)."""
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return {
            c.external_id("moderngov"): attrs.evolve(c, updated_at=None)
            for c in uow.people.councillors(include_archived=True)
        }


def test_all_23_wards_load_69_councillors_with_groups_emails_key_posts_and_terms(
    kdc_run, kdc_app, full_file
):
    result = kdc_run(*IMPORT, str(full_file))
    assert result.exit_code == 0, result.output
    assert f"Made {FIRST_IMPORT_CHANGES} changes." in result.stdout
    assert "councillor: 69 added" in result.stdout and "ward: 23 added" in result.stdout

    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert [w.name for w in uow.people.wards()] == sorted(WARDS)
        assert {g.name for g in uow.people.groups()} == set(PARTIES)
    councillors = by_moderngov_id(kdc_app)
    assert len(councillors) == 69
    for sample in SAMPLES:
        c = councillors[str(sample.id)]
        assert (c.name, c.ward.name, c.group.name) == (sample.name, sample.ward, sample.party)
        assert (c.email, c.phone, c.mobile) == (sample.email, sample.phone, sample.mobile)
        assert c.photo_url == sample.photo_url
        assert c.key_posts == sample.key_posts
        assert c.terms == tuple(TermOfOffice(start, end) for start, end in sample.terms)
        assert c.active
    assert sum(len(c.terms) for c in councillors.values()) == sum(len(s.terms) for s in SAMPLES)
    # the file really does mix the places ModernGov puts emails and postcodes
    assert (
        {s.email_at_work for s in SAMPLES}
        == {s.postcode_element for s in SAMPLES}
        == {
            True,
            False,
        }
    )


def test_key_posts_with_ampersands_and_apostrophes_survive(kdc_app, imported):
    councillors = by_moderngov_id(kdc_app)
    assert councillors["1005"].key_posts == (
        "Deputy Leader",
        "Cabinet Member – Culture & Greener Kirklees",
    )
    apostrophes = [c for c in councillors.values() if "'" in c.name]
    assert apostrophes and all("'" in c.email for c in apostrophes)


def test_a_second_import_reports_0_changes_and_writes_nothing(kdc_run, kdc_app, imported, listener):
    before = dump(kdc_app)
    result = kdc_run(*IMPORT, str(imported))
    assert result.exit_code == 0, result.output
    assert "0 changes" in result.stdout
    result = kdc_run(*IMPORT, str(imported), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["changes"], report["details"], report["dry_run"]) == (0, [], False)
    assert dump(kdc_app) == before
    assert len(listener.seen) == 1  # the first import only


def test_a_councillor_missing_from_a_later_file_is_archived_and_comes_back(
    kdc_run, kdc_app, imported, tmp_path, listener
):
    gone = SAMPLES[4]
    before = by_moderngov_id(kdc_app)
    later = write_councillors_by_ward(
        tmp_path / "later.xml", [c for c in SAMPLES if c.id != gone.id]
    )
    result = kdc_run(*IMPORT, str(later))
    assert result.exit_code == 0, result.output
    assert "Made 1 changes. councillor: 1 archived" in result.stdout
    after = by_moderngov_id(kdc_app)
    assert len(after) == 69
    assert [k for k, c in after.items() if not c.active] == [str(gone.id)]
    assert after[str(gone.id)].terms == before[str(gone.id)].terms
    assert {k: c for k, c in after.items() if c.active} == {
        k: c for k, c in before.items() if k != str(gone.id)
    }
    (changes,) = listener.seen[1:]
    assert [(c.action, c.label, c.source) for c in changes] == [
        (Action.ARCHIVED, gone.name, "import:moderngov-councillors")
    ]

    result = kdc_run(*IMPORT, str(imported))
    assert result.exit_code == 0, result.output
    assert "Made 1 changes. councillor: 1 reactivated" in result.stdout
    assert by_moderngov_id(kdc_app) == before


def test_a_changed_councillor_is_updated_in_place(kdc_run, kdc_app, imported, tmp_path):
    moved = dataclasses.replace(
        SAMPLES[0], ward="Newsome", email="new.address@kirklees.example.gov.uk"
    )
    path = write_councillors_by_ward(tmp_path / "moved.xml", [moved, *SAMPLES[1:]])
    result = kdc_run(*IMPORT, str(path))
    assert result.exit_code == 0, result.output
    assert f"updated     councillor       {moved.name} (email, ward_id)" in result.stdout
    c = by_moderngov_id(kdc_app)[str(moved.id)]
    assert (c.ward.name, c.email) == ("Newsome", "new.address@kirklees.example.gov.uk")


def test_a_truncated_file_exits_non_zero_naming_the_line_and_changes_nothing(
    kdc_run, kdc_app, imported, tmp_path
):
    before = dump(kdc_app)
    changed = [dataclasses.replace(c, email="x@example.gov.uk") for c in SAMPLES[1:]]
    text = write_councillors_by_ward(tmp_path / "whole.xml", changed).read_text()
    cut = tmp_path / "truncated.xml"
    cut.write_text(text[: int(len(text) * 0.6)])
    result = kdc_run(*IMPORT, str(cut))
    assert result.exit_code != 0
    line = cut.read_text().count("\n") + 1
    assert f"Error: {cut}, line {line}: malformed XML: no element found" in result.stderr
    assert dump(kdc_app) == before


def test_a_truncated_file_on_an_empty_database_writes_nothing(kdc_run, kdc_app, full_file):
    full_file.write_bytes(full_file.read_bytes()[:4000])
    result = kdc_run(*IMPORT, str(full_file))
    assert result.exit_code != 0
    assert "malformed XML" in result.stderr
    assert dump(kdc_app) == ([], [], [], [], [])


def test_a_record_without_an_id_is_named_and_nothing_is_written(
    kdc_run, kdc_app, imported, tmp_path
):
    before = dump(kdc_app)
    text = imported.read_text().replace("<councillorid>1008</councillorid>", "<councillorid/>")
    bad = tmp_path / "noid.xml"
    bad.write_text(text)
    result = kdc_run(*IMPORT, str(bad))
    assert result.exit_code != 0
    sample = SAMPLES[7]
    assert f"{bad}, ward {sample.ward}, councillor #2 '{sample.name}' (line " in result.stderr
    assert "has no <councillorid>" in result.stderr
    assert dump(kdc_app) == before


def test_the_same_id_in_two_wards_names_both_records(kdc_run, kdc_app, tmp_path):
    twin = dataclasses.replace(SAMPLES[0], ward="Newsome", name="Someone Else")
    path = write_councillors_by_ward(tmp_path / "twins.xml", [*SAMPLES, twin])
    result = kdc_run(*IMPORT, str(path))
    assert result.exit_code != 0
    assert "moderngov id '1001' appears twice: ward Almondbury, councillor #1" in result.stderr
    assert "and ward Newsome, councillor #4 'Someone Else'" in result.stderr
    assert dump(kdc_app) == ([], [], [], [], [])


def test_dry_run_prints_what_would_change_and_writes_nothing(
    kdc_run, kdc_app, full_file, tmp_path, listener
):
    result = kdc_run(*IMPORT, str(full_file), "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Would make {FIRST_IMPORT_CHANGES} changes." in result.stdout
    assert f"added       councillor       {SAMPLES[0].name}" in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    assert dump(kdc_app) == ([], [], [], [], [])

    kdc_run(*IMPORT, str(full_file))
    before = dump(kdc_app)
    later = write_councillors_by_ward(tmp_path / "later.xml", SAMPLES[1:])
    result = kdc_run(*IMPORT, str(later), "--dry-run", "--json")
    report = json.loads(result.stdout)
    assert (report["dry_run"], report["changes"], report["summary"]) == (
        True,
        1,
        {"councillor": {"archived": 1}},
    )
    assert report["details"][0]["label"] == SAMPLES[0].name
    assert dump(kdc_app) == before
    assert len(listener.seen) == 1


def test_import_from_an_http_url(kdc_run, kdc_app, web_root):
    root, base = web_root
    write_councillors_by_ward(root / "GetCouncillorsByWard.xml")
    result = kdc_run(*IMPORT, f"{base}/GetCouncillorsByWard.xml")
    assert result.exit_code == 0, result.output
    assert len(by_moderngov_id(kdc_app)) == 69

    result = kdc_run(*IMPORT, f"{base}/nothing-here.xml")
    assert result.exit_code != 0
    assert f"{base}/nothing-here.xml: the server answered HTTP 404" in result.stderr


def test_dash_reads_the_web_service_at_the_configured_base_url(kdc_app, kdc_run, web_root):
    result = kdc_run(*IMPORT, "-")
    assert result.exit_code != 0
    assert "plugins.moderngov.base_url, which is not set" in result.stderr

    root, base = web_root
    service = root / "mgWebService.asmx"
    service.mkdir()
    write_councillors_by_ward(service / "GetCouncillorsByWard", SAMPLES[:6])
    settings = kdc_app.settings.evolve(
        plugin_sections={"moderngov": {"base_url": base + "/", "timeout": 5}}
    )
    configured = Kdc(settings, make_plugin_manager(settings), engine=kdc_app.engine)
    result = CliRunner().invoke(build_cli(configured), [*IMPORT, "-"], obj=configured)
    assert result.exit_code == 0, result.output
    assert sorted(by_moderngov_id(kdc_app)) == [str(c.id) for c in SAMPLES[:6]]


def shared_sample() -> Path:
    return fixture_path("moderngov", "councillors-by-ward.xml")


def test_the_shared_sample_file_imports(kdc_run, kdc_app):
    result = kdc_run(*IMPORT, str(shared_sample()))
    assert result.exit_code == 0, result.output
    councillors = {c.name: c for c in by_moderngov_id(kdc_app).values()}
    assert len(councillors) == 9
    assert councillors["Zara O'Hara"].email == "zara.o'hara@example.gov.uk"
    assert len(councillors["Aisha Whiteley"].terms) == 2
    assert councillors["Aisha Whiteley"].key_posts == ("Deputy Leader",)
    assert councillors["Aisha Whiteley"].terms[0].start == dt.date(2012, 5, 3)
