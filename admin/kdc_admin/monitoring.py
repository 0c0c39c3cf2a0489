"""``/healthz``, ``/readyz`` and ``/metrics``: what a load balancer and Prometheus ask.

- ``/healthz`` answers 200 while the process can answer at all (a liveness check).
- ``/readyz`` answers 200 when the database answers and its schema is the one this kdc-core
  needs, else 503 (a readiness check: a proxy stops sending requests to the worker meanwhile,
  and sends them again once it recovers by itself).
- ``/metrics`` is :mod:`kdc_core.metrics` in Prometheus' text format.

All three are plain text, need no sign-in and carry no personal data; ``[monitoring] allow``
limits them to the addresses given (loopback by default). Every request the app answers is
counted here, by route template, so a feed's token never becomes a label, and leaves one line
in the access log (logger ``kdc.access``): method, path with secrets masked, status, time and
a request id (``X-Request-ID`` from the proxy when it sends a sensible one, else a new one,
returned in the response's ``X-Request-ID``).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Mapping

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from kdc_core.app import Kdc
from kdc_core.metrics import HTTP_DURATION, HTTP_REQUESTS, exposition

log = logging.getLogger(__name__)
access_log = logging.getLogger("kdc.access")

monitoring = Blueprint("monitoring", __name__)

#: Requests whose path matches no route are counted under this label, not their path.
UNMATCHED = "<unmatched>"
#: URL parts that are secrets (feed tokens, one-time sign-in links): logged as the rule's
#: placeholder, never as the value.
SECRET_ARGS = frozenset({"token"})
#: A request id from the proxy is used only if it looks like one.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
#: The most of an unmatched path the access log keeps.
_PATH_LIMIT = 200


def logged_path() -> str:
    """The request's path for the log: no query string, and secret parts of the URL shown as
    the rule's placeholder (``/feeds/councillors/<token>.ics``)."""
    rule = request.url_rule
    return masked_path(rule.rule if rule else None, request.view_args or {}, request.path)


def masked_path(rule: str | None, args: Mapping[str, object], path: str) -> str:
    """``path`` as the log shows it: the ``rule`` it matched when one of its ``args`` is a
    secret, else the path itself (at most :data:`_PATH_LIMIT` characters)."""
    if rule is not None and SECRET_ARGS & args.keys():
        return rule
    return path[:_PATH_LIMIT]


def request_id(given: str) -> str:
    """The request id: ``given`` (the proxy's ``X-Request-ID``) if it looks like one, else a
    new one."""
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def record(method: str, route: str, status: int, seconds: float, path: str, rid: str) -> None:
    """Count an answered request under its ``route`` (the rule, never the path) and write its
    access-log line (``path`` already masked)."""
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_DURATION.labels(route).observe(seconds)
    milliseconds = round(seconds * 1000, 1)
    access_log.info(
        "%s %s %s %s ms %s",
        method,
        path,
        status,
        milliseconds,
        rid,
        extra={
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": milliseconds,
            "request_id": rid,
        },
    )


def _kdc() -> Kdc:
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def _plain(body: str, status: int = 200) -> Response:
    response = Response(body + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@monitoring.before_request
def _only_allowed_addresses() -> None:
    if not _kdc().settings.monitoring.allows(request.remote_addr):
        abort(403)


@monitoring.get("/healthz")
def healthz() -> Response:
    """The process is up and answering."""
    return _plain("ok")


@monitoring.get("/readyz")
def readyz() -> Response:
    """The database answers and its schema is at head, or newer (a rolling upgrade has
    migrated it and this worker is next to restart); 503 naming which is not so."""
    from kdc_core.db.migrate import schema_state

    kdc = _kdc()
    try:
        with kdc.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        state = schema_state(kdc.engine)
    except SQLAlchemyError as exc:
        log.warning("not ready: the database does not answer (%s)", type(exc).__name__)
        return _plain("not ready: the database does not answer", 503)
    if state == "newer":
        return _plain("ready (the database schema is newer than this kdc-core: restart it)")
    if state != "current":
        log.warning("not ready: the database schema is %s", state)
        return _plain("not ready: the database schema needs `kdc init`", 503)
    return _plain("ready")


@monitoring.get("/metrics")
def metrics() -> Response:
    """Prometheus' text format: this worker's request figures and the database figures."""
    try:
        body = exposition(_kdc())
    except SQLAlchemyError as exc:
        log.warning("metrics: the database does not answer (%s)", type(exc).__name__)
        return _plain("the database does not answer", 503)
    response = Response(body, mimetype=None)
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_clock() -> None:
    g.kdc_started = time.perf_counter()
    g.kdc_request_id = request_id(request.headers.get("X-Request-ID", ""))


def _count(response: Response) -> Response:
    started = g.pop("kdc_started", None)
    seconds = time.perf_counter() - started if started is not None else 0.0
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    rid = g.get("kdc_request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = rid
    record(request.method, route, response.status_code, seconds, logged_path(), rid)
    return response


def init_monitoring(app: Flask) -> None:
    """Serve the three monitoring pages and count every request the app answers."""
    app.register_blueprint(monitoring)
    app.before_request(_start_clock)
    app.after_request(_count)
