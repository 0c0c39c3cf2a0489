"""The admin writes words, not stored values: every list and details page of the demo council,
read as an admin, shows local times to the minute, UK dates, Yes/No, names and labels — never
an ISO timestamp, a ``… Id`` heading, ``True``/``False`` or a snake_case code.

SQLite only: the demo council with its activity is seeded once for the module (a few seconds),
and what is checked is how values are written, which does not depend on the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.demo.living import seed_living, use_demo_mail
from kdc_core.plugins import make_plugin_manager
from kdc_core.testing import copy_template

ADMIN = "words-admin@example.gov.uk"
#: Views left out of this check (none: every page of the admin is in words).
ELSEWHERE: tuple[str, ...] = ()
#: Model lists the demo council leaves empty (nothing to read there yet).
MAY_BE_EMPTY = {"feed_tokens"}
#: Pages whose codes are names people type: a job's name is what ``kdc jobs run`` takes.
NAMES_TO_TYPE = {"jobs"}

ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\+00:00|\d\d:\d\d:\d\d\.\d{3,6}")
ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
SNAKE = re.compile(r"^[a-z]+(?:_[a-z]+)+$")


@pytest.fixture(scope="module")
def living(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Kdc]:
    folder: Path = tmp_path_factory.mktemp("words")
    url = f"sqlite:///{folder / 'kdc.sqlite3'}"
    copy_template(request, url, "demo")
    settings = Settings(database_url=url, instance_path=folder / "instance", environ={})
    kdc = Kdc(settings, make_plugin_manager(settings))
    use_demo_mail(kdc)
    seed_living(kdc)
    add_user(kdc, ADMIN, "admin")
    yield kdc
    kdc.dispose()


@pytest.fixture(scope="module")
def app(living: Kdc) -> Flask:
    return create_app(living, SECRET_KEY=TEST_SECRET)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    log_in(client, ADMIN)
    return client


class Cells(HTMLParser):
    """The text of every table heading and cell (and definition) on a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.cells: list[str] = []
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("th", "td", "dd"):
            self._open.append((tag, []))
        for name, value in attrs:
            if name == "title" and value and value.rpartition(": ")[2] in ("true", "false"):
                self.cells.append(value.rpartition(": ")[2].capitalize())

    def handle_data(self, data: str) -> None:
        for _tag, parts in self._open:
            parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            _, parts = self._open.pop()
            text = " ".join("".join(parts).split())
            (self.headings if tag == "th" else self.cells).append(text)


def cells_of(html: str) -> Cells:
    parser = Cells()
    parser.feed(html)
    return parser


def pages(app: Flask, client: FlaskClient) -> Iterator[tuple[str, str, str]]:
    """(endpoint, url, html) of every admin list page without arguments, and of the details
    page of the first record each model list shows."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view, _, action = rule.endpoint.rpartition(".")
        if not rule.rule.startswith("/admin") or rule.arguments or "GET" not in rule.methods:
            continue
        if view in ELSEWHERE or action not in ("index_view", "index"):
            continue
        response = client.get(rule.rule)
        assert response.status_code == 200, rule.rule
        html = response.get_data(as_text=True)
        yield view, rule.rule, html
        if action != "index_view":
            continue
        found = re.search(r'href="([^"]*/details/\?id=[^"]+)"', html)
        if found is None:
            assert view in MAY_BE_EMPTY or "can_view_details" not in html, view
            continue
        details = client.get(found.group(1).replace("&amp;", "&"))
        assert details.status_code == 200, found.group(1)
        yield view, found.group(1), details.get_data(as_text=True)


def test_every_list_and_details_page_shows_words_not_stored_values(app, client):
    seen: list[str] = []
    problems: list[str] = []
    for view, url, html in pages(app, client):
        seen.append(url)
        main = html.partition('<main id="main"')[2]
        for match in ISO_MOMENT.finditer(main):
            problems.append(f"{url}: a stored time {match.group(0)!r}")
        parsed = cells_of(main)
        for heading in parsed.headings:
            if re.search(r"\bId\b", heading):
                problems.append(f"{url}: heading {heading!r}")
        for cell in parsed.cells:
            code = SNAKE.match(cell) and view not in NAMES_TO_TYPE
            if cell in ("True", "False") or code or ISO_DATE.match(cell):
                problems.append(f"{url}: a cell says {cell!r}")
    assert not problems, "\n".join(problems)
    details = [u for u in seen if "/details/" in u]
    assert len(details) >= 12, seen  # the demo has records behind every model list
    assert len(seen) >= 30, seen


def test_words_the_demo_shows(client):
    """A few values as people read them: a councillor's name, a label, Yes/No, a local time."""
    archive = client.get("/admin/newsletter_issue/").get_data(as_text=True)
    headings = cells_of(archive).headings
    assert "Councillor" in headings and "Built (sort by this)" in headings
    assert any(cell.startswith("Cllr ") for cell in cells_of(archive).cells)
    events = cells_of(client.get("/admin/event/").get_data(as_text=True))
    assert "Council meeting" in events.cells or "Ward walkabout" in events.cells
    assert {"Yes", "No"} & set(events.cells)
    local = re.compile(r"\w+day \d{1,2} \w+ \d{4}, \d{1,2}:\d\d[ap]m")
    assert any(local.fullmatch(c) for c in events.cells)
    users = cells_of(client.get("/admin/user/").get_data(as_text=True))
    assert "Admin" in users.cells and "Can sign in (sort by this)" in users.headings
