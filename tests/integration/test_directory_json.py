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
