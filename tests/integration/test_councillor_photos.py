"""Councillors' photos copied to this site: fetched from a real HTTP server on 127.0.0.1,
stored once, skipped by name when they cannot be used, served by the site, and run from
``kdc councillors photos`` and the ``councillor_photos`` job."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from site_helpers import site_client
from sqlalchemy import update

from kdc_core.db.people import CouncillorRow, WardRow
from kdc_core.demo.photos import seed_photos
from kdc_core.jobs import runner
from kdc_core.people.photos import LOCAL, PhotoStore, fetch_photos, stored_photos
from photo_samples import jpeg, png_image

JPEG = jpeg(16, 24)
PNG = png_image(3, 4)
HTML = b"<!doctype html><html><head><title>Sign in</title></head><body>Log in</body></html>"
SLOW_SECONDS = 1.5


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    bodies: dict[str, bytes]

    def handle_error(self, request, client_address):  # a client that gave up: not news
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/slow.png":
            time.sleep(SLOW_SECONDS)
        if path in ("/redirect", "/loop"):
            self.send_response(302)
            self.send_header("Location", "/photo.png" if path == "/redirect" else "/loop")
            self.end_headers()
            return
        if path == "/big.png":  # no Content-Length: the reader must stop by itself
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG[:16])
            for _ in range(40):
                self.wfile.write(b"\x00" * 4096)
            return
        body = self.server.bodies.get(path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml" if path.endswith(".svg") else "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def photo_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A web server on 127.0.0.1 for the test: (its base address, its bodies by path)."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.bodies = {
        "/photo.jpg": JPEG,
        "/photo.png": PNG,
        "/slow.png": PNG,
        "/login.jpg": HTML,
        "/logo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    }
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.bodies
    finally:
        server.shutdown()
        server.server_close()


def _councillors(kdc, people: dict[str, str | None], archived: dict[str, str] | None = None):
    """Add a ward with these councillors (name → photo address); returns {name: id}."""
    with kdc.unit_of_work(source="test") as uow:
        ward = WardRow(name="Photo Hill", slug="photo-hill")
        uow.session.add(ward)
        rows = {
            name: CouncillorRow(name=name, ward=ward, photo_url=url) for name, url in people.items()
        }
        gone = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
        for name, url in (archived or {}).items():
            rows[name] = CouncillorRow(name=name, ward=ward, photo_url=url, archived_at=gone)
        uow.session.add_all(rows.values())
        uow.session.flush()
        return {name: row.id for name, row in rows.items()}


def _set_photo_url(kdc, councillor_id: int, url: str | None) -> None:
    with kdc.unit_of_work(source="test") as uow:
        uow.session.execute(
            update(CouncillorRow).where(CouncillorRow.id == councillor_id).values(photo_url=url)
        )


def _files(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} if folder.exists() else {}


def test_fetch_stores_images_once_and_names_every_photo_it_skips(kdc_app, photo_server, caplog):
    base, _ = photo_server
    ids = _councillors(
        kdc_app,
        {
            "Ann Jpeg": f"{base}/photo.jpg",
            "Bob Redirected": f"{base}/redirect",
            "Cat Html": f"{base}/login.jpg",
            "Dan Big": f"{base}/big.png",
            "Eve Missing": f"{base}/missing.jpg",
            "Fay Slow": f"{base}/slow.png",
            "Gus Svg": f"{base}/logo.svg",
            "Hal Nophoto": None,
            "Joe Loop": f"{base}/loop",
            "Kit Ftp": "ftp://files.example/kit.jpg",
        },
        archived={"Ivy Former": f"{base}/photo.png"},
    )
    caplog.set_level(logging.WARNING, logger="kdc_core.people.photos")
    started = time.monotonic()
    report = fetch_photos(kdc_app, timeout=0.5, max_bytes=64 * 1024)
    assert time.monotonic() - started < SLOW_SECONDS  # the slow server did not hold it up

    by_name = {o.name: o for o in report.outcomes}
    assert set(by_name) == set(ids) - {"Hal Nophoto", "Ivy Former"}
    assert by_name["Ann Jpeg"].outcome == by_name["Bob Redirected"].outcome == "fetched"
    reasons = {name: o.reason for name, o in by_name.items() if o.outcome == "skipped"}
    assert reasons == {
        "Cat Html": "not a JPEG, PNG, GIF or WebP image",
        "Dan Big": "larger than 64 kB",
        "Eve Missing": "127.0.0.1 answered 404",
        "Fay Slow": "no answer from 127.0.0.1 within 0.5 seconds",
        "Gus Svg": "not a JPEG, PNG, GIF or WebP image",
        "Joe Loop": "more than 3 redirects from 127.0.0.1",
        "Kit Ftp": "the photo address is not an http(s) address",
    }
    assert report.counts() == {
        "fetched": 2,
        "unchanged": 0,
        "kept": 0,
        "skipped": 7,
        "removed": 0,
    }
    assert set(report.warnings) == {f"Councillor {n}: {r}" for n, r in reasons.items()}
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    for name in reasons:
        assert any(f"Councillor {name}:" in line for line in logged), name

    stored = stored_photos(kdc_app.settings)
    assert set(stored) == {ids["Ann Jpeg"], ids["Bob Redirected"]}
    ann = stored[ids["Ann Jpeg"]]
    assert ann.path.read_bytes() == JPEG
    assert (ann.content_type, ann.width, ann.height) == ("image/jpeg", 16, 24)
    assert stored[ids["Bob Redirected"]].path.read_bytes() == PNG

    # Again, unchanged: nothing is written (the slow one is gone, to keep the test quick).
    _set_photo_url(kdc_app, ids["Fay Slow"], None)
    folder = PhotoStore.of(kdc_app.settings).folder
    before = _files(folder)
    again = fetch_photos(kdc_app, timeout=0.5, max_bytes=64 * 1024)
    assert again.counts()["unchanged"] == 2 and again.counts()["fetched"] == 0
    assert _files(folder) == before

    # A photo address removed: the stored photo goes.
    _set_photo_url(kdc_app, ids["Ann Jpeg"], None)
    third = fetch_photos(kdc_app, timeout=0.5, max_bytes=64 * 1024)
    assert [(o.name, o.outcome) for o in third.outcomes if o.outcome == "removed"] == [
        ("Ann Jpeg", "removed")
    ]
    assert set(stored_photos(kdc_app.settings)) == {ids["Bob Redirected"]}
    assert not any(name.startswith(f"{ids['Ann Jpeg']}.") for name in _files(folder))


def test_a_changed_photo_replaces_the_old_one_and_a_failed_fetch_keeps_it(kdc_app, photo_server):
    base, bodies = photo_server
    ids = _councillors(kdc_app, {"Ann Jpeg": f"{base}/photo.jpg"})
    fetch_photos(kdc_app, timeout=2)
    bodies["/photo.jpg"] = jpeg(32, 40)
    report = fetch_photos(kdc_app, timeout=2)
    assert [o.outcome for o in report.outcomes] == ["fetched"]
    folder = PhotoStore.of(kdc_app.settings).folder
    images = [name for name in _files(folder) if not name.endswith(".json")]
    assert len(images) == 1 and ".32x40." in images[0]

    del bodies["/photo.jpg"]
    failed = fetch_photos(kdc_app, timeout=2)
    assert failed.warnings == (
        "Councillor Ann Jpeg: 127.0.0.1 answered 404; keeping the photo stored before",
    )
    assert stored_photos(kdc_app.settings)[ids["Ann Jpeg"]].path.read_bytes() == jpeg(32, 40)


def test_a_dry_run_downloads_and_reports_but_writes_and_removes_nothing(kdc_app, photo_server):
    base, _ = photo_server
    ids = _councillors(kdc_app, {"Ann Jpeg": f"{base}/photo.jpg", "Eve": f"{base}/nope.png"})
    folder = PhotoStore.of(kdc_app.settings).folder
    dry = fetch_photos(kdc_app, dry_run=True, timeout=2)
    assert dry.dry_run and dry.counts()["fetched"] == 1 and dry.counts()["skipped"] == 1
    assert not folder.exists()

    fetch_photos(kdc_app, timeout=2)
    before = _files(folder)
    assert dry.counts() != fetch_photos(kdc_app, dry_run=True, timeout=2).counts()  # unchanged
    _set_photo_url(kdc_app, ids["Ann Jpeg"], None)
    removing = fetch_photos(kdc_app, dry_run=True, timeout=2)
    assert [o.outcome for o in removing.outcomes if o.name == "Ann Jpeg"] == ["removed"]
    assert _files(folder) == before


def test_a_photo_put_here_by_hand_is_kept_until_its_address_changes(kdc_app, photo_server):
    base, _ = photo_server
    ids = _councillors(kdc_app, {"Ann Jpeg": f"{base}/photo.jpg"})
    store = PhotoStore.of(kdc_app.settings)
    store.put(ids["Ann Jpeg"], PNG, source=f"{base}/photo.jpg", origin=LOCAL)
    kept = fetch_photos(kdc_app, timeout=2)
    assert [(o.outcome, o.reason) for o in kept.outcomes] == [("kept", "stored here by hand")]
    assert store.get(ids["Ann Jpeg"]).content_type == "image/png"

    _set_photo_url(kdc_app, ids["Ann Jpeg"], f"{base}/photo.jpg?v=2")
    assert [o.outcome for o in fetch_photos(kdc_app, timeout=2).outcomes] == ["fetched"]
    assert store.get(ids["Ann Jpeg"]).path.read_bytes() == JPEG


def test_the_site_serves_a_stored_photo_and_shows_it_on_ward_and_profile_pages(
    kdc_app, photo_server
):
    base, _ = photo_server
    ids = _councillors(kdc_app, {"Ann Jpeg": f"{base}/photo.jpg", "Hal Nophoto": None})
    fetch_photos(kdc_app, timeout=2)
    stored = stored_photos(kdc_app.settings)[ids["Ann Jpeg"]]
    client = site_client(kdc_app)

    photo = client.get("/councillors/ann-jpeg/photo")
    assert photo.status_code == 200
    assert photo.get_data() == JPEG
    assert photo.headers["Content-Type"] == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age=86400" in photo.headers["Cache-Control"]
    assert "public" in photo.headers["Cache-Control"]
    assert photo.headers["ETag"] == f'"{stored.etag}"'
    assert "Set-Cookie" not in photo.headers
    assert photo.headers["Content-Disposition"] == "inline; filename=ann-jpeg.jpg"
    again = client.get("/councillors/ann-jpeg/photo", headers={"If-None-Match": f'"{stored.etag}"'})
    assert again.status_code == 304 and again.get_data() == b""

    assert client.get("/councillors/hal-nophoto/photo").status_code == 404
    assert client.get("/councillors/nobody-at-all/photo").status_code == 404
    # An address given out with the id goes to the canonical one.
    moved = client.get(f"/councillors/ann-jpeg-{ids['Ann Jpeg']}/photo")
    assert moved.status_code == 301 and moved.headers["Location"].endswith(
        "/councillors/ann-jpeg/photo"
    )

    img = (
        f'<img class="kdc-photo" src="/councillors/ann-jpeg/photo?v={stored.etag}" '
        'alt="Photo of Councillor Ann Jpeg" width="16" height="24">'
    )
    ward = html.unescape(client.get("/wards/photo-hill/").get_data(as_text=True))
    assert img in ward
    assert ward.count("<img") == 1  # none for Hal, who has no photo
    profile = html.unescape(client.get("/councillors/ann-jpeg/").get_data(as_text=True))
    assert img in profile
    assert "<img" not in client.get("/councillors/hal-nophoto/").get_data(as_text=True)


def test_the_command_reports_in_json_and_a_dry_run_stores_nothing(kdc_app, kdc_run, photo_server):
    base, _ = photo_server
    ids = _councillors(kdc_app, {"Ann Jpeg": f"{base}/photo.jpg", "Eve Missing": f"{base}/x.jpg"})

    dry = kdc_run("councillors", "photos", "--dry-run", "--json")
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["dry_run"] is True
    assert stored_photos(kdc_app.settings) == {}

    result = kdc_run("councillors", "photos", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["counts"] == {
        "fetched": 1,
        "unchanged": 0,
        "kept": 0,
        "skipped": 1,
        "removed": 0,
    }
    assert document["warnings"] == ["Councillor Eve Missing: 127.0.0.1 answered 404"]
    assert document["councillors"] == [
        {
            "id": ids["Ann Jpeg"],
            "name": "Ann Jpeg",
            "outcome": "fetched",
            "reason": None,
            "source": f"{base}/photo.jpg",
        },
        {
            "id": ids["Eve Missing"],
            "name": "Eve Missing",
            "outcome": "skipped",
            "reason": "127.0.0.1 answered 404",
            "source": f"{base}/x.jpg",
        },
    ]
    assert set(stored_photos(kdc_app.settings)) == {ids["Ann Jpeg"]}

    text = kdc_run("councillors", "photos")
    assert text.exit_code == 0, text.output
    assert "Fetched 0, unchanged 1, kept 0, skipped 1, removed 0." in text.stdout
    assert "Warning: Councillor Eve Missing: 127.0.0.1 answered 404" in text.stdout


def test_the_weekly_job_fetches_the_photos(kdc_app, photo_server):
    base, _ = photo_server
    ids = _councillors(kdc_app, {"Ann Jpeg": f"{base}/photo.jpg"})
    job = kdc_app.jobs["councillor_photos"]
    assert job.schedule == "20 4 * * 1"
    outcome = runner.run(kdc_app, "councillor_photos")
    assert outcome.status == "ok", outcome.message
    assert outcome.record is not None and outcome.record.summary["fetched"] == 1
    assert set(stored_photos(kdc_app.settings)) == {ids["Ann Jpeg"]}


@pytest.mark.parametrize("kdc_template", ["demo"])
def test_the_demo_draws_a_portrait_for_each_councillor_with_a_photo_address(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        with_photo = {c.id for c in uow.people.councillors(include_archived=True) if c.photo_url}
    assert seed_photos(kdc_app) == len(with_photo) > 40
    assert set(stored_photos(kdc_app.settings)) == with_photo
    assert seed_photos(kdc_app) == 0  # all there already

    # The job leaves them alone: it neither reaches for the demo's made-up host nor removes them.
    report = fetch_photos(kdc_app, timeout=0.5)
    assert set(report.counts().items()) >= {("kept", len(with_photo)), ("skipped", 0)}
