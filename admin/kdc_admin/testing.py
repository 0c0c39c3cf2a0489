"""Helpers for testing the web app (and plugins' admin views) with Flask's test client.

CSRF stays on: :func:`csrf_token` reads a token from a rendered page, as a browser would.

>>> app = create_app(kdc, SECRET_KEY=TEST_SECRET)             # doctest: +SKIP
>>> client = app.test_client()                                  # doctest: +SKIP
>>> add_user(kdc, "ann@example.gov.uk", "liaison")              # doctest: +SKIP
>>> log_in(client, "ann@example.gov.uk")                        # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient

from kdc_core.app import Kdc
from kdc_core.users import service as users
from kdc_core.users.values import User

TEST_SECRET = "test-secret-key-" + "x" * 32
PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@contextlib.contextmanager
def running(server: Any) -> Iterator[int]:
    """Run a waitress server (:func:`kdc_admin.server.make_server`) in a thread: its port.

    On leaving, every connection is closed from the server's own loop (closing them from here
    would pull sockets out from under its ``select``), so the loop ends, and then its worker
    threads stop.
    """
    from waitress import wasyncore

    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        # The trigger wakes the loop, which closes every channel in its map and so ends; a
        # trigger that is closed already means the loop has ended.
        with contextlib.suppress(OSError):
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(5)
        server.task_dispatcher.shutdown()


def add_user(kdc: Kdc, email: str, role: str, password: str = PASSWORD) -> User:
    """Create an account (committed)."""
    with kdc.unit_of_work(source="test") as uow:
        return users.create_user(uow, email, role, password)


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    """The CSRF token from the form on ``url`` (the session's token, valid for any POST)."""
    response = client.get(url)
    match = _TOKEN.search(response.get_data(as_text=True))
    if match is None:
        raise AssertionError(f"no csrf_token on {url} (status {response.status_code})")
    return match.group(1) or match.group(2)


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Log in through the login form; returns the response (302 on success)."""
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def post(client: FlaskClient, url: str, data: dict[str, Any], token_from: str) -> Any:
    """POST ``data`` to ``url`` with a CSRF token read from the page ``token_from``."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, token_from)})


class _FormParser(HTMLParser):
    """Collects every POST form's fields the way a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = []
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _ in self._options[:1]
            ]
            self._form.extend((self._select, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text).replace("\r\n", "\n")
            self._form.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def form_fields(html: str, containing: str) -> dict[str, str]:
    """The POST form on the page that has a field called ``containing``, as a browser
    would submit it unchanged (last value wins for repeated names)."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if any(name == containing for name, _ in form):
            return dict(form)
    raise AssertionError(f"no POST form with a field {containing!r}")


def version_field(client: FlaskClient, url: str) -> dict[str, str]:
    """The hidden version field of the edit form on ``url`` (``{"kdc_version": …}``), for a
    test that posts an edit form it built by hand: a save without it is refused as stale."""
    fields = form_fields(client.get(url).get_data(as_text=True), "kdc_version")
    return {"kdc_version": fields["kdc_version"]}
