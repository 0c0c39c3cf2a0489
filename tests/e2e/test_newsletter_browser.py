"""A built newsletter issue in headless Chromium: it renders, runs nothing, reads accessibly.

Chromium is Debian's (``/usr/bin/chromium``, or ``KDC_CHROMIUM``). Without it these tests skip,
unless ``KDC_REQUIRE_BROWSER=1`` (as in CI), when they fail. Screenshots land in
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from kdc_core import Kdc, Settings
from kdc_core.calendar.rota.service import apply_plan, plan
from kdc_core.db import WardRow
from kdc_core.db.newsletters import SuccessStoryRow
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.values import BuiltIssue, Month
from kdc_core.testing import copy_template

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
XSS = "<img src=x onerror=alert(1)>"
#: A 1×1 PNG, so the story's image loads without a network.
PIXEL = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def issue(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BuiltIssue]:
    folder = tmp_path_factory.mktemp("newsletter-browser")
    url = f"sqlite:///{folder / 'kdc.sqlite3'}"
    copy_template(request, url, "demo")
    kdc = Kdc(
        Settings(
            database_url=url,
            instance_path=folder / "instance",
            environ={"KDC_SECRET_KEY": "browser-test-" + "s" * 32},
        )
    )
    with kdc.unit_of_work() as uow:
        inputs, result = plan(uow, 2027, (1, 2))
        apply_plan(uow, inputs, result)
        ward = uow.session.scalars(select(WardRow).where(WardRow.name == "Almondbury")).one()
        uow.session.add_all(
            [
                SuccessStoryRow(
                    title=XSS,
                    body="Pupils & parents <b>planted</b> 300 trees.",
                    published_on=dt.date(2027, 3, 5),
                    ward_id=ward.id,
                    image_url=PIXEL,
                    image_alt="Pupils planting trees by the school field",
                ),
            ]
        )
    with kdc.unit_of_work() as uow:
        built = build_month(uow, kdc.sections, Month(2027, 3), "Almondbury")
    kdc.dispose()
    yield built[0]


def open_issue(browser, issue: BuiltIssue, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.set_content(issue.html, wait_until="load")
    return context, page


def test_the_issue_renders_with_escaped_text_and_runs_nothing(browser, issue):
    context, page = open_issue(browser, issue, 1000)
    try:
        assert page.dialogs == []
        assert page.locator("script").count() == 0
        stories = page.get_by_text(XSS, exact=True)
        assert stories.count() == 1  # shown as text
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("h1").inner_text() == "Almondbury ward newsletter"
        headings = page.locator("h2").all_inner_texts()
        assert "Coming up in the ward" in headings and "Your named contacts" in headings
        assert "Success stories" in headings
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "newsletter-almondbury-2027-03.png"), full_page=True)
    finally:
        context.close()


def test_every_image_has_alt_text_and_layout_tables_are_presentational(browser, issue):
    context, page = open_issue(browser, issue, 1000)
    try:
        images = page.locator("img")
        assert images.count() == 1
        assert images.first.get_attribute("alt") == "Pupils planting trees by the school field"
        assert images.first.evaluate("img => img.naturalWidth") == 1  # it loaded
        tables = page.locator("table")
        assert tables.count() >= 2
        roles = tables.evaluate_all("ts => ts.map(t => t.getAttribute('role'))")
        assert set(roles) == {"presentation"}
        assert page.locator("html").get_attribute("lang") == "en-GB"
        unstyled = page.evaluate(
            "() => [...document.querySelectorAll('link[rel=stylesheet], style')].length"
        )
        assert unstyled == 0  # inline CSS only
    finally:
        context.close()


def test_a_phone_sized_window_shows_the_issue_without_sideways_scrolling(browser, issue):
    context, page = open_issue(browser, issue, 375)
    try:
        overflow = page.evaluate("() => document.documentElement.scrollWidth")
        assert overflow <= 375
        page.screenshot(path=str(SHOTS / "newsletter-almondbury-2027-03-phone.png"), full_page=True)
    finally:
        context.close()
