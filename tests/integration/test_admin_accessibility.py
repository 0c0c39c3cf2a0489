"""The admin's page structure for assistive technology, checked in the HTML (the browser crawl in
tests/e2e/test_accessibility.py runs axe-core over every page; this catches a broken template in
a second)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in


class _Outline(HTMLParser):
    """The parts of a page the checks need: tags with their attributes, and each h1's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1[-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def outline(html: str) -> _Outline:
    parsed = _Outline()
    parsed.feed(html)
    return parsed


def assert_page_structure(html: str) -> _Outline:
    """``lang``, one h1, one main, and a skip link to it before anything else to focus."""
    page = outline(html)
    assert page.all("html")[0].get("lang") == "en"
    assert len(page.h1) == 1, page.h1
    mains = page.all("main")
    assert len(mains) == 1
    focusable = [(t, a) for t, a in page.tags if t in ("a", "button", "select", "textarea")]
    first_tag, first = focusable[0]
    assert first_tag == "a" and first.get("href") == f"#{mains[0]['id']}", first
    return page


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def client(kdc_app):
    add_user(kdc_app, "liaison@example.gov.uk", "liaison")
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    log_in(client, "liaison@example.gov.uk")
    return client


def test_list_pages_have_a_heading_landmarks_and_labelled_row_checkboxes(client):
    html = client.get("/admin/councillor/").get_data(as_text=True)
    page = assert_page_structure(html)
    assert " ".join(page.h1[0].split()) == "Councillors"
    assert page.all("nav")[0].get("aria-label")
    boxes = [a for a in page.all("input") if a.get("name") == "rowid"]
    assert len(boxes) > 10
    labels = [a.get("aria-label") or "" for a in boxes]
    assert all(re.fullmatch(r"Select \S.*", label) for label in labels), labels[:3]
    assert len(set(labels)) == len(labels), "each checkbox names its own row"
    regions = [d for d in page.all("div") if d.get("role") == "region"]
    assert regions and regions[0].get("tabindex") == "0" and regions[0].get("aria-label")
    headers = [th for th in page.all("th")]
    assert headers and all(th.get("scope") == "col" for th in headers)


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/admin/councillor/new/", "Councillors: add a record"),
        ("/admin/ward-pages/", "Ward pages"),
        ("/admin/rota/", "Walkabout rota"),
    ],
)
def test_other_admin_pages_have_one_heading_named_for_the_page(client, url, heading):
    page = assert_page_structure(client.get(url).get_data(as_text=True))
    assert " ".join(page.h1[0].split()) == heading


def test_a_page_with_its_own_heading_has_no_second_one(client):
    page = assert_page_structure(client.get("/admin/ward-pages/almondbury/").get_data(as_text=True))
    assert "Almondbury" in page.h1[0]


def test_the_login_and_error_pages_have_the_same_structure(kdc_app):
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    assert_page_structure(client.get("/login").get_data(as_text=True))
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    log_in(client, "viewer@example.gov.uk")
    refused = client.get("/admin/user/")
    assert refused.status_code == 403
    assert_page_structure(refused.get_data(as_text=True))
