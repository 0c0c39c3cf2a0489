"""The json directory source against a real local HTTP server: pages, token, PATCH of wards."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from directory_data import WARDS, directory
from sqlalchemy import func, select

from kdc_core.config import Settings
from kdc_core.db import OfficerRow, OfficerWardRow, WardRow

TOKEN = "s3cret-token"
PAGE_SIZE = 10


def as_json(record: Any) -> dict[str, Any]:
    return {
        "person_id": record.person_id,
        "given_name": record.given_name,
        "family_name": record.family_name,
        "email": record.email,
        "phone": record.phone,
        "job_title": record.job_title,
        "service": record.service,
        "directorate": record.directorate,
        "manager_id": record.manager_id,
        "team": record.team,
        "wards": list(record.wards),
        "location": record.location,
        "updated_at": record.updated_at.isoformat(),
    }


class Directory(ThreadingHTTPServer):
    """A directory API: GET /people?page=N (PAGE_SIZE a page), PATCH /people/ID."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.people = [as_json(r) for r in directory(25)]
        self.patches: dict[str, Any] = {}
        self.auth: list[str | None] = []
        self.raw: dict[int, bytes] = {}  # page -> the answer's bytes as sent, JSON or not

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/people"


class Handler(BaseHTTPRequestHandler):
    server: Directory

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        self.server.auth.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401, {"error": "bad token"})
            return False
        return True

    def do_GET(self) -> None:
        if not self._authorised():
            return
        page = int(self.path.partition("page=")[2] or 1)
        if page in self.server.raw:
            data = self.server.raw[page]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        chunk = self.server.people[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        more = page * PAGE_SIZE < len(self.server.people)
        self._send(200, {"records": chunk, "next": f"people?page={page + 1}" if more else None})

    def do_PATCH(self) -> None:
        if not self._authorised():
            return
        length = int(self.headers.get("Content-Length", 0))
        person = self.path.rsplit("/", 1)[1]
        self.server.patches[person] = json.loads(self.rfile.read(length))
        self._send(200, {"person_id": person})


@pytest.fixture
def api() -> Iterator[Directory]:
    server = Directory()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def token() -> str:
    return TOKEN


@pytest.fixture
def kdc_settings(kdc_database_url, tmp_path, api, token) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={"KDC_DIRECTORY_TOKEN": token},
        plugin_sections={"directory_json": {"url": api.url, "timeout": 5}},
    )


@pytest.fixture
def wards(kdc_app):
    with kdc_app.unit_of_work() as uow:
        for name in WARDS:
            uow.session.add(WardRow(name=name, slug=name.lower().replace(" ", "-")))


def count(kdc_app, stmt):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return uow.session.execute(stmt).scalar_one()


def test_json_source_reads_every_page_with_the_token(kdc_app, kdc_run, api, wards):
    result = kdc_run("directory", "sync", "json", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["added"] == 25
    assert api.auth == [f"Bearer {TOKEN}"] * 3
    assert count(kdc_app, select(func.count()).select_from(OfficerRow)) == 25
    assert count(kdc_app, select(func.count()).select_from(OfficerWardRow)) == 25 // 3


@pytest.mark.parametrize("token", ["wrong"])
def test_a_refused_token_fails_naming_the_url_and_writes_nothing(kdc_app, kdc_run, api, wards):
    result = kdc_run("directory", "sync", "json")
    assert result.exit_code != 0
    assert f"GET {api.url}: HTTP 401" in result.output
    assert count(kdc_app, select(func.count()).select_from(OfficerRow)) == 0


def test_a_bad_record_is_named_by_page_and_position(kdc_app, kdc_run, api, wards):
    api.people[12]["given_name"] = ""
    result = kdc_run("directory", "sync", "json")
    assert result.exit_code != 0
    assert "page 2 record 3 (P000013): no given_name" in result.output
    assert count(kdc_app, select(func.count()).select_from(OfficerRow)) == 0


def test_push_wards_patches_officers_with_locally_added_wards(kdc_app, kdc_run, api, wards):
    assert kdc_run("directory", "sync", "json").exit_code == 0
    with kdc_app.unit_of_work() as uow:
        officer = uow.session.scalars(
            select(OfficerRow).where(OfficerRow.person_id == "P000003")
        ).one()
        ward = uow.session.scalars(select(WardRow).where(WardRow.name == "Mirfield")).one()
        uow.session.add(OfficerWardRow(officer_id=officer.id, ward_id=ward.id, source="local"))

    result = kdc_run("directory", "sync", "json", "--push-wards")
    assert result.exit_code == 0, result.output
    assert "Wrote wards back for 1 officers." in result.output
    assert api.patches == {"P000003": {"wards": ["Heckmondwike", "Mirfield"]}}


def test_push_wards_is_refused_for_a_source_that_cannot_write(kdc_run, tmp_path):
    result = kdc_run("directory", "sync", "csv", str(tmp_path / "x.csv"), "--push-wards")
    assert result.exit_code != 0 and "cannot write wards back" in result.output


def test_control_characters_and_case_only_id_clashes_are_refused_by_record(
    kdc_app, kdc_run, api, wards
):
    """A NUL reaches no database (PostgreSQL would refuse it with a DataError)."""
    api.people[3]["family_name"] = "Fam\u0000ily"
    api.people[14]["person_id"] = "p000002"
    result = kdc_run("directory", "sync", "json")
    assert result.exit_code == 1
    assert "page 1 record 4 (P000004): family_name holds U+0000 NUL" in result.output
    assert "Traceback" not in result.output
    assert count(kdc_app, select(func.count()).select_from(OfficerRow)) == 0

    api.people[3]["family_name"] = "Family4"
    result = kdc_run("directory", "sync", "json", "--dry-run")
    assert result.exit_code == 1
    assert (
        "page 2 record 5 (p000002): person id p000002 differs only in case from P000002 at "
        "page 1 record 2 (P000002)"
    ) in result.output


def test_a_key_given_twice_in_a_record_and_a_page_that_is_not_json_are_named(
    kdc_app, kdc_run, api, wards
):
    first = json.dumps({"records": api.people[:10], "next": "people?page=2"})
    api.raw[1] = first.replace(
        '"given_name": "Given3"', '"given_name": "Given3", "given_name": "X"'
    ).encode()
    result = kdc_run("directory", "sync", "json")
    assert result.exit_code == 1
    assert "page 1 record 3 (P000003): the key 'given_name' is given twice" in result.output

    api.raw[1] = b'{"records": [\n  {"person_id": "P1",}\n]}'
    result = kdc_run("directory", "sync", "json")
    assert result.exit_code == 1
    assert f"GET {api.url}: the answer is not JSON (line 2 column 22:" in result.output
    assert count(kdc_app, select(func.count()).select_from(OfficerRow)) == 0
