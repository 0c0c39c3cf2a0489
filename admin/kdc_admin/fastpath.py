"""Answers given before Flask's request handling: the calendar feeds that calendar apps poll.

A feed request is mostly a 304 (or the same cached bytes again) that the feed server answers
from memory; Flask's handling around it (the request context, the session, routing, the before-
and after-request hooks, the response object) cost several times what the answer itself does.
A blueprint declares such routes with :meth:`FastBlueprint.fast_get`: one function gives the
:class:`Answer` for both ways in, so the two cannot drift apart.

- The **full path**: Flask routes the request to a view that turns the answer into a response
  (:func:`as_response`), and the app's hooks add the request id, the security headers and the
  session's ``Vary``, count the request and write its access-log line.
- The **fast path**: :class:`FastPath`, a WSGI layer in front of the Flask app, recognises a
  plain GET or HEAD of such a route, asks the same function, and adds the same headers
  (:func:`kdc_admin.headers.security_headers`), counts it and logs it
  (:func:`kdc_admin.monitoring.record`) itself.

Anything the fast path is not sure of goes the full way: another method, a query string, a
cookie, a request body, a route value that is not a plain token or slug, no answer (an unknown
or revoked token: the full path answers its 404), or any exception (the full path asks again
and answers, logs and counts whatever happens — a 503 while the database is away).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from flask import Blueprint, Flask, Response, request
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import wrap_file

from kdc_admin.headers import policy, security_headers
from kdc_admin.monitoring import masked_path, record, request_id

#: Set ``KDC_FAST_PATH = False`` in the app's config to send every request the full way.
CONFIG_KEY = "KDC_FAST_PATH"
#: What a route's one placeholder may hold on the fast path: a token or a slug.
_VALUE = re.compile(r"[A-Za-z0-9_-]{1,200}")
_PLACEHOLDER = re.compile(r"<([a-z_]+)>")
#: Flask's session interface adds this to every response of the full path (Flask-Login's
#: remember-cookie check reads the session), so a fast answer carries it too.
SESSION_VARY = ("Vary", "Cookie")


@attrs.frozen
class Answer:
    """What a route answers: the status, its own headers (in order) and the body, ``None``
    for a response that has none (a 304)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes | None = attrs.field(default=None, repr=False)


#: A route's answer for a request (its WSGI environ and the route's values), or ``None``
#: when the full path must answer.
Answerer = Callable[[Mapping[str, Any], Mapping[str, str]], Answer | None]


@attrs.frozen
class FastRoute:
    """A GET route (its Flask rule, with at most one placeholder) and its answerer."""

    rule: str
    answer: Answerer


def as_response(answer: Answer) -> Response:
    """``answer`` as a Flask response, for the full path."""
    headers = list(answer.headers)
    if answer.body is None:
        return Response(status=answer.status, headers=headers)
    body = _body(request.environ, answer.body)
    return Response(body, status=answer.status, headers=headers, direct_passthrough=True)


def _body(environ: dict[str, Any], body: bytes) -> Any:
    # Handed to the server as a file (wsgi.file_wrapper): waitress then sends the bytes in
    # blocks instead of copying a large body into its output buffer, which spills to a
    # temporary file above 1 MiB.
    return wrap_file(environ, io.BytesIO(body))


class FastBlueprint(Blueprint):
    """A blueprint whose :meth:`fast_get` routes :class:`FastPath` may answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fast_routes: list[FastRoute] = []

    def fast_get(
        self, rule: str, endpoint: str, answer: Answerer, otherwise: Callable[[], Response]
    ) -> None:
        """Route GET (and HEAD) ``rule`` to ``answer``; ``otherwise`` answers when it has no
        answer."""

        def view(**values: str) -> Response:
            found = answer(request.environ, values)
            return otherwise() if found is None else as_response(found)

        view.__name__ = endpoint
        self.add_url_rule(rule, endpoint, view, methods=["GET"])
        self.fast_routes.append(FastRoute(rule, answer))


def status_line(code: int) -> str:
    """The status as werkzeug writes it (``304 NOT MODIFIED``)."""
    return f"{code} {HTTP_STATUS_CODES[code].upper()}"


class FastPath:
    """The WSGI layer: answers the routes it knows (see the module's docstring), hands every
    other request to the Flask app's own ``wsgi_app``."""

    def __init__(self, app: Flask, routes: Iterable[FastRoute]) -> None:
        self.full = app.wsgi_app
        self.secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
        self.policy = policy(None)
        self.exact: dict[str, FastRoute] = {}
        self.patterns: list[tuple[str, str, str, FastRoute]] = []
        for route in routes:
            parts = _PLACEHOLDER.split(route.rule)
            if len(parts) == 1:
                self.exact[route.rule] = route
            elif len(parts) == 3:
                prefix, name, suffix = parts
                self.patterns.append((prefix, name, suffix, route))

    def route(self, environ: Mapping[str, Any]) -> tuple[FastRoute, dict[str, str]] | None:
        """The route and its values if this is a request the fast path may answer."""
        if (
            environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or environ.get("QUERY_STRING")
            or environ.get("SCRIPT_NAME")
            or environ.get("HTTP_COOKIE")
            or environ.get("CONTENT_LENGTH", "0") not in ("", "0")
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return None
        path: str = environ.get("PATH_INFO", "")
        exact = self.exact.get(path)
        if exact is not None:
            return exact, {}
        for prefix, name, suffix, route in self.patterns:
            if path.startswith(prefix) and path.endswith(suffix):
                value = path[len(prefix) : len(path) - len(suffix)]
                if _VALUE.fullmatch(value):
                    return route, {name: value}
        return None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        found = self.route(environ)
        if found is None:
            return self.full(environ, start_response)
        started = time.perf_counter()
        route, values = found
        try:
            answer = route.answer(environ, values)
        except Exception:  # the full path asks again, and answers, logs and counts it
            answer = None
        if answer is None:
            return self.full(environ, start_response)
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        rid = request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [*answer.headers, ("X-Request-ID", rid)]
        own = {name.lower() for name, _value in headers}
        for name, value in security_headers(self.policy, path, self.secure):
            if name.lower() not in own:
                headers.append((name, value))
        _add_vary(headers, SESSION_VARY[1])
        seconds = time.perf_counter() - started
        record(
            method, route.rule, answer.status, seconds, masked_path(route.rule, values, path), rid
        )
        start_response(status_line(answer.status), headers)
        if answer.body is None or method == "HEAD":
            return []
        return _body(environ, answer.body)


def _add_vary(headers: list[tuple[str, str]], value: str) -> None:
    """Add ``value`` to the Vary header as Flask's ``response.vary.add`` does: to the one
    header there is, after what it names already."""
    for n, (name, given) in enumerate(headers):
        if name.lower() == "vary":
            headers[n] = (name, f"{given}, {value}")
            return
    headers.append(("Vary", value))


def install_fast_path(app: Flask) -> None:
    """Put :class:`FastPath` in front of ``app`` for its blueprints' fast routes, unless its
    config turns it off or routes by host or under a prefix (the full path then decides)."""
    routes = [
        route
        for blueprint in app.blueprints.values()
        for route in getattr(blueprint, "fast_routes", ())
    ]
    config = app.config
    if (
        not routes
        or not config.get(CONFIG_KEY, True)
        or config.get("SERVER_NAME")
        or config.get("TRUSTED_HOSTS")
        or config.get("APPLICATION_ROOT", "/") != "/"
    ):
        return
    app.wsgi_app = FastPath(app, routes)  # type: ignore[method-assign]
