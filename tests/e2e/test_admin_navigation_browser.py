"""The admin's navigation in Chromium: five menus that fit one row on a 1280-pixel screen, and
at 320 pixels a collapsed menu that opens and is worked with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from admin_browser import demo_kdc, served, shot

from kdc_admin.menus import MENUS
from kdc_admin.testing import PASSWORD
from kdc_core import Kdc

pytestmark = pytest.mark.browser

ADMIN = "navigation-administrator@example.gov.uk"  # a long address

#: The top-level items of the bar (their text and the middle of each, from the top of the
#: page), and how tall the bar is.
BAR = """() => {
  const nav = document.querySelector('header nav.navbar');
  const items = [...nav.querySelectorAll(
    '.navbar-brand, #admin-navbar-collapse > ul > li, .kdc-user, #admin-navbar-collapse > form')];
  const middle = el => { const r = el.getBoundingClientRect(); return (r.top + r.bottom) / 2; };
  return {
    height: nav.getBoundingClientRect().height,
    middles: items.map(middle),
    texts: items.map(el => el.firstElementChild ? el.firstElementChild.textContent.trim()
                                                : el.textContent.trim()),
  };
}"""


@pytest.fixture(scope="module")
def kdc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kdc]:
    kdc = demo_kdc(request, tmp_path_factory.mktemp("kdc-nav"), [(ADMIN, "admin")])
    yield kdc
    kdc.dispose()


@pytest.fixture(scope="module")
def base_url(kdc: Kdc) -> Iterator[str]:
    with served(kdc) as url:
        yield url


def _log_in(page) -> None:
    page.goto("/login")
    page.fill("#email", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")


def test_the_menus_fit_one_row_at_1280_pixels(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        _log_in(page)
        bar = page.evaluate(BAR)
        shot(page, "nav-1280")
        rows = list(zip(bar["texts"], bar["middles"], strict=True))
        assert max(bar["middles"]) - min(bar["middles"]) < 10, rows  # one row
        assert bar["height"] < 80, bar
        for menu in MENUS:
            assert menu in bar["texts"], bar["texts"]
        assert page.locator("button.navbar-toggler").is_hidden()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # no overflow
        assert page.locator(".kdc-address").get_attribute("title") == ADMIN
    finally:
        context.close()


def test_at_320_pixels_the_collapsed_menu_works_from_the_keyboard(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        _log_in(page)
        toggler = page.locator("button.navbar-toggler")
        assert toggler.is_visible() and toggler.get_attribute("aria-expanded") == "false"
        assert page.get_by_role("link", name="Calendar").is_hidden()
        for _ in range(10):  # skip link, the council's name, then the menu button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.classList.contains('navbar-toggler')"):
                break
        else:
            pytest.fail("the menu button is not reachable with Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("#admin-navbar-collapse.show")
        assert toggler.get_attribute("aria-expanded") == "true"
        calendar = page.locator("#admin-navbar-collapse a.dropdown-toggle", has_text="Calendar")
        for _ in range(10):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim() === 'Calendar'"):
                break
        else:
            pytest.fail("the Calendar menu is not reachable with Tab")
        page.keyboard.press("Enter")
        events = page.locator("#admin-navbar-collapse .dropdown-menu a", has_text="Events")
        events.wait_for(state="visible")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused in {"Events", "Walkabout rota", "Rota unavailability", "Calendar feeds"}
        shot(page, "nav-320-open")
        assert calendar.is_visible()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url.startswith(f"{base_url}/admin/") and page.url != f"{base_url}/admin/"
    finally:
        context.close()
