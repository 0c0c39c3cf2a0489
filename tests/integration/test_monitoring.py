"""/healthz, /readyz and /metrics: what a load balancer and Prometheus read."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from kdc_admin import create_app
from kdc_core.app import Kdc
from kdc_core.config import MonitoringSettings, Settings
from kdc_core.db.migrate import upgrade
from kdc_core.mail.outbox import counts
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing.databases import no_postgres
from kdc_core.testing.postgres import ThrowawayCluster, find_bindir


def _samples(body: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return found


def _value(samples, name: str, **labels: str) -> float:
    for found, value in samples.get(name, []):
        if all(found.get(k) == v for k, v in labels.items()):
            return value
    return 0.0


def test_health_and_readiness_answer_in_plain_text(kdc_app):
    client = create_app(kdc_app, TESTING=True).test_client()
    health = client.get("/healthz")
    assert (health.status_code, health.text, health.mimetype) == (200, "ok\n", "text/plain")
    ready = client.get("/readyz")
    assert (ready.status_code, ready.text) == (200, "ready\n")
    assert ready.headers["Cache-Control"] == "no-store"


def test_metrics_parse_and_count_requests_by_route_not_by_token(kdc_app):
    client = create_app(kdc_app, TESTING=True).test_client()
    before = _samples(client.get("/metrics").text)
    secret = "s3cr3t-token-never-a-label"
    assert client.get(f"/feeds/councillors/{secret}.ics").status_code == 404
    assert client.get("/feeds/public.ics").status_code == 200
    assert client.get("/feeds/public.ics").status_code == 200
    assert client.get("/no/such/page").status_code == 404

    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert secret not in response.text and "/no/such/page" not in response.text
    after = _samples(response.text)

    def grew(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    token_route = "/feeds/councillors/<token>.ics"
    assert grew("kdc_http_requests_total", route=token_route, method="GET", status="404") == 1
    assert grew("kdc_http_requests_total", route="/feeds/public.ics", status="200") == 2
    assert grew("kdc_http_requests_total", route="<unmatched>", method="GET", status="404") == 1
    assert grew("kdc_http_request_duration_seconds_count", route="/feeds/public.ics") == 2
    # The first public feed was built, the second reused.
    assert grew("kdc_feed_cache_total", result="miss") >= 1
    assert grew("kdc_feed_cache_total", result="hit") >= 1


def test_metrics_read_the_outbox_jobs_and_directory_from_the_database(kdc_app, kdc_run):
    result = kdc_run("jobs", "run", "outbox_dispatch")
    assert result.exit_code == 0, result.output
    client = create_app(kdc_app, TESTING=True).test_client()
    samples = _samples(client.get("/metrics").text)
    with kdc_app.unit_of_work() as uow:
        expected = counts(uow)
    for status, count in expected.items():
        assert _value(samples, "kdc_outbox_messages", status=status) == count
    assert _value(samples, "kdc_job_runs", job="outbox_dispatch", status="ok") == 1
    assert _value(samples, "kdc_job_last_success_timestamp_seconds", job="outbox_dispatch") > 0
    assert "kdc_directory_last_sync_timestamp_seconds" in client.get("/metrics").text


def test_only_the_allowed_addresses_may_read_them(kdc_app):
    settings = kdc_app.settings.evolve(monitoring=MonitoringSettings(allow=("10.20.0.0/16",)))
    kdc = Kdc(settings, kdc_app.pm)
    try:
        client = create_app(kdc, TESTING=True).test_client()
        for path in ("/healthz", "/readyz", "/metrics"):
            assert client.get(path).status_code == 403  # the test client is 127.0.0.1
            allowed = client.get(path, environ_base={"REMOTE_ADDR": "10.20.3.4"})
            assert allowed.status_code == 200, path
    finally:
        kdc.dispose()


def test_a_database_behind_the_code_is_not_ready(kdc_app):
    client = create_app(kdc_app, TESTING=True).test_client()
    assert client.get("/readyz").status_code == 200
    # As after installing a newer kdc-core without running `kdc init`.
    with kdc_app.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.text == "not ready: the database schema needs `kdc init`\n"
    assert client.get("/healthz").status_code == 200

    # A later kdc-core migrated it (a rolling upgrade): this worker still serves until its
    # restart, so it stays in the proxy's rotation.
    with kdc_app.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    newer = client.get("/readyz")
    assert newer.status_code == 200 and newer.text.startswith("ready (the database schema is newer")


@pytest.mark.postgres
def test_readiness_follows_a_postgresql_server_that_stops_and_returns(tmp_path):
    if find_bindir() is None:
        no_postgres()
    folder = Path(tempfile.mkdtemp(prefix="kdc-pg-"))
    cluster = ThrowawayCluster(folder)
    try:
        url = cluster.start()
        settings = Settings(database_url=url, instance_path=tmp_path / "instance", environ={})
        kdc = Kdc(settings, make_plugin_manager(settings))
        upgrade(kdc.engine)
        client = create_app(kdc, TESTING=True).test_client()
        assert client.get("/readyz").status_code == 200

        cluster.stop()
        down = client.get("/readyz")
        assert (down.status_code, down.text) == (503, "not ready: the database does not answer\n")
        assert client.get("/metrics").status_code == 503
        assert client.get("/healthz").status_code == 200

        cluster.start()
        assert client.get("/readyz").status_code == 200
        assert client.get("/metrics").status_code == 200
        kdc.dispose()
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_every_request_leaves_one_access_line_with_secrets_masked(kdc_app, caplog):
    client = create_app(kdc_app, TESTING=True).test_client()
    secret = "a-feed-token-that-must-not-be-logged"
    with caplog.at_level(logging.INFO, logger="kdc.access"):
        missing = client.get(f"/feeds/councillors/{secret}.ics?x=private")
        public = client.get("/feeds/public.ics", headers={"X-Request-ID": "proxy-id-0001"})
        odd = client.get("/healthz", headers={"X-Request-ID": "not ok\u00e9"})
    lines = [r for r in caplog.records if r.name == "kdc.access"]
    assert [(r.method, r.path, r.status) for r in lines] == [
        ("GET", "/feeds/councillors/<token>.ics", 404),
        ("GET", "/feeds/public.ics", 200),
        ("GET", "/healthz", 200),
    ]
    assert all(secret not in r.getMessage() and "private" not in r.getMessage() for r in lines)
    assert public.headers["X-Request-ID"] == lines[1].request_id == "proxy-id-0001"
    assert missing.headers["X-Request-ID"] == lines[0].request_id
    assert odd.headers["X-Request-ID"] != "not ok\u00e9" and len(lines[2].request_id) == 32
    assert all(r.duration_ms >= 0 for r in lines)
