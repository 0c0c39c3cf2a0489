"""WCAG 2.2 AA: axe-core finds no violation on any page a crawl of the demo council reaches.

The demo is the one ``kdc demo`` serves: the council and its activity (meetings and
walkabouts, enquiries, briefings, stories, a newsletter), so every kind of page has content.

Five crawls — the site signed out, signed in as a councillor and as an officer, the admin
signed in, and the admin's sign-in and error pages — each checking every page at 1280 and 320
pixels wide. axe-core comes from ``node_modules`` (``npm ci``); Chromium is Debian's. A
screenshot of each kind of page at each width lands in ``test-artifacts/screenshots/a11y/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_browser import SHOTS, demo_kdc, served
from axe import Crawl, crawl
from flask import Flask

from kdc_admin import create_app
from kdc_admin.testing import PASSWORD, TEST_SECRET
from kdc_core import Kdc
from kdc_core.demo.living import seed_living, use_demo_mail
from kdc_core.demo.signin import demo_sign_in_links

#: One worker runs the whole module, so the demo council it crawls is seeded once.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("accessibility")]

ADMIN = "a11y-admin@example.gov.uk"
VIEWER = "a11y-viewer@example.gov.uk"
#: Desktop and phone: every page is checked at both.
VIEWPORTS = [(1280, 900), (320, 640)]
#: URLs checked per kind of page (a kind is the URL rule a page matches, so every councillor's
#: record is one kind).
PER_KIND = 1

#: Fewest kinds of page each crawl must reach, so a crawl that stops early fails.
FLOORS = {
    "site": 12,
    "site-councillor": 10,
    "site-officer": 8,
    "admin": 30,
    "admin-signed-out": 2,
}
#: Kinds of page each crawl must reach by links alone.
REQUIRED = {
    "site": {
        "/wards/<slug>/",
        "/councillors/<slug>/",
        "/people/",
        "/people/<person_id>/",
        "/events/<path:uid>",
        "/protocol/",
        "/protocol/clauses/",
        "/protocol/scenarios/",
        "/stories/",
        "/sign-in",
    },
    "site-councillor": {
        "/my/",
        "/my/enquiries/",
        "/my/enquiries/<reference>",
        "/my/enquiries/new",
        "/my/calendar/",
        "/my/briefings/",
        "/my/opportunities/",
        "/events/<path:uid>",
    },
    "site-officer": {"/my/", "/my/record/", "/my/team/", "/my/wards/"},
    "admin": {
        "/admin/enquiry/",
        "/admin/enquiry_case/details/",
        "/admin/complaints/",
        "/admin/complaints/new",
        "/admin/complaints/details",
        "/admin/unavailability/",
        "/admin/unavailability/details/",
        "/admin/service_contact/",
        "/admin/service_contact/details/",
        "/admin/topic_choice/",
        "/admin/topic_choice/details/",
    },
    "admin-signed-out": set(),
}


# The living demo and its server are session-scoped: xdist may run other modules' tests on
# this worker between these, and a module-scoped demo would be seeded again after each.
@pytest.fixture(scope="session")
def kdc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kdc]:
    kdc = demo_kdc(
        request, tmp_path_factory.mktemp("kdc-a11y"), [(ADMIN, "admin"), (VIEWER, "viewer")]
    )
    use_demo_mail(kdc)
    seed_living(kdc)
    yield kdc
    kdc.dispose()


@pytest.fixture(scope="session")
def app(kdc: Kdc) -> Flask:
    return create_app(kdc, SECRET_KEY=TEST_SECRET)


@pytest.fixture(scope="session")
def base_url(kdc: Kdc, app: Flask) -> Iterator[str]:
    with served(kdc, app) as url:
        yield url


@pytest.fixture(scope="session")
def axe_source(node_modules: Path) -> str:
    return (node_modules / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


def _sign_in_to_site(page, kdc: Kdc, base_url: str, kind: str) -> None:
    """Sign in with the one-time link ``kdc demo`` prints for its busiest councillor or officer,
    as a person following an emailed link would."""
    with kdc.unit_of_work(source="test") as uow:
        links = {link.kind: link.url for link in demo_sign_in_links(uow, base_url)}
    page.goto(links[kind])
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/my/")
    assert "Signed in as" in page.content()


def _log_in_to_admin(page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/admin/")


def _on_site(path: str) -> bool:
    return not path.startswith(("/admin", "/login"))


#: Signed in, the crawl follows only pages that show more to a signed-in person (their own
#: pages, events, and people's contact details); the rest look the same as signed out.
SIGNED_IN_DIFFERS = ("/my/", "/events/", "/people/", "/councillors/", "/wards/")


def _signed_in_site(path: str) -> bool:
    return path.startswith(SIGNED_IN_DIFFERS)


def _in_admin(path: str) -> bool:
    return path.startswith(("/admin", "/login"))


@pytest.mark.parametrize("name", list(FLOORS))
def test_every_page_a_crawl_reaches_passes_axe(
    browser, kdc: Kdc, app: Flask, base_url: str, axe_source: str, name: str
) -> None:
    width, height = VIEWPORTS[0]
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": height}, bypass_csp=True
    )
    page = context.new_page()
    shots = SHOTS / "a11y"

    def run(start: list[str], follow, label: str = name) -> Crawl:
        return crawl(
            page,
            name=label,
            viewports=VIEWPORTS,
            start=[base_url + path for path in start],
            url_map=app.url_map,
            axe_source=axe_source,
            shots=shots,
            per_kind=PER_KIND,
            follow=follow,
        )

    try:
        if name == "site-councillor":
            _sign_in_to_site(page, kdc, base_url, "councillor")
        elif name == "site-officer":
            _sign_in_to_site(page, kdc, base_url, "officer")
        elif name == "admin":
            _log_in_to_admin(page, ADMIN)
        if name == "site":
            result = run(["/", "/sign-in"], _on_site)
        elif name.startswith("site"):
            result = run(["/my/"], _signed_in_site)
        elif name == "admin":
            result = run(["/admin/"], _in_admin)
        else:
            result = run(["/login", "/admin/"], _in_admin)
            # The error page: a viewer opening the admin-only list of accounts.
            _log_in_to_admin(page, VIEWER)
            forbidden = run(["/admin/user/"], lambda path: path == "/admin/user/", "admin-error")
            assert forbidden.kinds, "the error page was not reached"
            result.kinds.update(
                {f"{kind} (refused)": urls for kind, urls in forbidden.kinds.items()}
            )
            result.violations += forbidden.violations
            result.failures += forbidden.failures
    finally:
        context.close()

    print("\n" + result.summary())
    assert not result.violations and not result.failures, result.report()
    assert len(result.kinds) >= FLOORS[name], f"the crawl reached only {sorted(result.kinds)}"
    missing = REQUIRED[name] - set(result.kinds)
    assert not missing, f"the crawl did not reach {sorted(missing)}"


FOCUSED = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  return {
    text: el.textContent.trim(),
    onScreen: box.width > 0 && box.height > 0 && box.left >= 0 && box.right <= innerWidth,
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
      || style.boxShadow !== 'none' || style.backgroundColor !== 'rgba(0, 0, 0, 0)',
  };
}"""


@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_the_first_tab_shows_a_skip_link_that_moves_focus_to_the_main_content(
    browser, base_url: str, path: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        if path == "/admin/":
            _log_in_to_admin(page, ADMIN)
        page.goto(path)
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused == {"text": "Skip to main content", "onScreen": True, "ring": True}
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.closest('main') !== null")
    finally:
        context.close()
