"""The admin in headless Chromium behind waitress: log in, edit, search, ward page, org chart.

Chromium is Debian's (``/usr/bin/chromium``, or ``KDC_CHROMIUM``). Without it these tests
skip, unless ``KDC_REQUIRE_BROWSER=1`` (as in CI), when they fail. Screenshots land in
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from admin_browser import LIAISON, demo_kdc, log_in, served, shot

from kdc_core import Kdc
from kdc_core.db.people import CouncillorRow
from kdc_core.demo import WARD_WITHOUT_LINK_OFFICER

pytestmark = pytest.mark.browser

XSS_BIO = (
    "Cares about **buses**.\n\n"
    "<script>window.__xss = 'script'; document.title = 'pwned'; alert('script')</script>\n\n"
    "<img src=x onerror=\"window.__xss = 'img'; document.title = 'pwned'; alert('img')\">"
)


@pytest.fixture(scope="module")
def kdc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kdc]:
    kdc = demo_kdc(
        request,
        tmp_path_factory.mktemp("kdc-browser"),
        [(LIAISON, "liaison"), ("viewer@example.gov.uk", "viewer")],
    )
    yield kdc
    kdc.dispose()


@pytest.fixture(scope="module")
def base_url(kdc: Kdc) -> Iterator[str]:
    with served(kdc) as url:
        yield url


def choose(page, select: str, label: str) -> None:
    """Pick an option in a select that select2 has hidden."""
    page.select_option(select, label=label, force=True)


def test_log_in_create_and_edit_a_councillor(page, kdc):
    page.goto("/login")
    shot(page, "01-login")
    log_in(page)
    shot(page, "02-dashboard")
    assert page.locator("#no-link-officer").inner_text().count(WARD_WITHOUT_LINK_OFFICER) == 1

    page.goto("/admin/councillor/new/")
    page.fill("#name", "Zara Browser-Test")
    choose(page, "#ward", "Almondbury")
    page.fill("#email", "zara.browser@example.gov.uk")
    page.click("#terms-button")  # Flask-Admin's inline "Add" link, wired up by kdc.js
    page.fill("#terms-0-start", "2024-05-02")
    # Close the date picker as a person would before saving: while it is open it lengthens
    # the page, and closing it on the Save button's mousedown moves the button away.
    page.keyboard.press("Escape")
    page.locator("h1").click()
    shot(page, "03-councillor-create")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(re.compile(r".*/admin/councillor/(\?.*)?$"))
    assert "Record was successfully created." in page.content()

    page.fill("input[name=search]", "Zara Browser-Test")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*search=Zara.*"))
    row = page.locator("table.model-list tbody tr", has_text="Zara Browser-Test")
    assert row.count() == 1
    row.locator("a[title='Edit Record']").click()
    page.wait_for_url("**/admin/councillor/edit/**")
    page.fill("#phone", "01484 221000")
    shot(page, "04-councillor-edit")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(re.compile(r".*/admin/councillor/(\?.*)?$"))

    with kdc.unit_of_work(dry_run=True) as uow:
        saved = uow.people.find_councillor("Zara Browser-Test")
    assert saved.ward is not None and saved.ward.name == "Almondbury"
    assert saved.phone == "01484 221000"
    assert [t.start.isoformat() for t in saved.terms] == ["2024-05-02"]


def test_a_bio_with_script_and_onerror_does_not_run(page, kdc):
    """Acceptance 4: typed into the form, stored, then shown on two pages without running."""
    with kdc.unit_of_work(dry_run=True) as uow:
        target = uow.people.councillors(ward_id=uow.people.ward("Batley East").id)[0]
    log_in(page)
    page.goto(f"/admin/councillor/edit/?id={target.id}")
    page.fill("#bio", XSS_BIO)
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(re.compile(r".*/admin/councillor/(\?.*)?$"))
    with kdc.unit_of_work(dry_run=True) as uow:
        assert uow.session.get(CouncillorRow, target.id).bio == XSS_BIO  # stored as typed

    for url, name in (
        (f"/admin/councillor/details/?id={target.id}", "05-bio-details"),
        ("/admin/ward-pages/batley-east/", "06-bio-ward-page"),
        (f"/admin/councillor/edit/?id={target.id}", "07-bio-edit-form"),
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__xss") == "undefined", url
        assert page.title() != "pwned", url
        assert page.dialogs == [], url
        shot(page, name)
    page.goto("/admin/ward-pages/batley-east/")
    bio = page.locator(".kdc-councillor", has_text=target.name).locator(".kdc-bio")
    assert bio.locator("strong").inner_text() == "buses"
    assert "<script>" in bio.inner_text()  # shown as text
    assert bio.locator("script, img").count() == 0


def test_search_officers(page, kdc):
    with kdc.unit_of_work(dry_run=True) as uow:
        officer = uow.people.officers()[42]
    log_in(page, "viewer@example.gov.uk")
    page.goto("/admin/officer/")
    assert page.locator("a", has_text="Create").count() == 0  # a viewer cannot create
    page.fill("input[name=search]", officer.family_name)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*search=.*"))
    shot(page, "08-officer-search")
    rows = page.locator("table.model-list tbody tr")
    assert rows.count() >= 1
    assert page.locator("table.model-list", has_text=officer.given_name).count() == 1


def test_ward_page_and_org_chart_show_the_demo_council(page, kdc):
    """Acceptance 6."""
    with kdc.unit_of_work(dry_run=True) as uow:
        from kdc_core.people import queries

        summary = queries.ward_summary(uow, "Dewsbury East")
        some_officer = uow.people.officers()[100]
    log_in(page, "viewer@example.gov.uk")
    page.goto("/admin/ward-pages/")
    page.click("text=Dewsbury East")
    page.wait_for_url("**/admin/ward-pages/dewsbury-east/")
    assert page.locator("#councillors .kdc-councillor").count() == len(summary.councillors)
    assert summary.link_officer.name in page.locator("#link-officer + p").inner_text()
    shot(page, "09-ward-page")

    page.goto("/admin/org-chart/")
    svg = page.locator(".kdc-orgchart svg.orgchart")
    assert svg.count() == 1
    assert svg.locator("a.officer").count() > 10
    shot(page, "10-org-chart")

    page.fill("#q", some_officer.family_name)
    page.click("button[type=submit]:has-text('Show')")
    page.wait_for_url(re.compile(r".*q=.*"))
    assert page.locator("svg.orgchart a.officer.match").count() >= 1
    assert page.locator("svg.orgchart a.officer.dim").count() >= 1
    shot(page, "11-org-chart-search")
    page.click(f"#search-results a[href$='#officer-{some_officer.id}']")
    page.wait_for_url(re.compile(rf".*#officer-{some_officer.id}$"))
    node = page.locator(f"svg.orgchart a.officer.match#officer-{some_officer.id}")
    assert node.count() == 1
    assert some_officer.name in node.locator("title").text_content()

    current = page.locator("#directorate").input_value()
    other = next(
        v
        for v in page.locator("#directorate option").evaluate_all("els => els.map(e => e.value)")
        if v not in (current, "leadership")
    )
    with page.expect_navigation():
        page.select_option("#directorate", other)  # kdc.js submits the form on change
    assert f"directorate={other}" in page.url
    assert page.locator("svg.orgchart a.officer").count() > 5
    assert page.locator("svg.orgchart a.officer.dim").count() == 0  # the search was cleared
