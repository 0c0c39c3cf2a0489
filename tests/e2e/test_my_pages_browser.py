"""The people's own pages in a real browser: no axe-core WCAG 2.2 AA violations, and nothing
wider than a 320 px screen, for a councillor and for an officer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from admin_browser import demo_kdc, served, shot
from sqlalchemy import exists, select

from kdc_core.db.people import CouncillorRow, OfficerRow, OfficerWardRow
from kdc_core.enquiries import service
from kdc_core.enquiries.categories import set_category
from kdc_core.enquiries.values import NewEnquiry
from kdc_core.users import sessions

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: The shared page frame (site/base.html) is checked with the site's own pages; these tests
#: check what the /my/ pages add.
AXE_RUN = """tags => axe.run({exclude: [['.govuk-header']]},
    {runOnly: {type: 'tag', values: tags}})"""
COUNCILLOR_PAGES = (
    "/my/",
    "/my/enquiries/",
    "/my/enquiries/new",
    "/my/calendar/",
    "/my/briefings/",
    "/my/opportunities/",
)
OFFICER_PAGES = ("/my/", "/my/record/", "/my/team/", "/my/wards/")


@pytest.fixture(scope="module")
def council(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[tuple[object, dict]]:
    kdc = demo_kdc(request, tmp_path_factory.mktemp("mypages"), [])
    with kdc.unit_of_work() as uow:
        councillor = uow.session.execute(
            select(CouncillorRow.name, CouncillorRow.email, CouncillorRow.ward_id)
            .where(CouncillorRow.email.is_not(None), CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.id)
            .limit(1)
        ).one()
        officer = uow.session.scalar(
            select(OfficerRow.email)
            .where(
                OfficerRow.email.is_not(None),
                OfficerRow.archived_at.is_(None),
                exists().where(OfficerWardRow.officer_id == OfficerRow.id),
            )
            .order_by(OfficerRow.id)
            .limit(1)
        )
        ward = next(w.name for w in uow.people.wards() if w.id == councillor.ward_id)
        set_category(uow, "Street lighting", acknowledge_days=1, respond_days=10)
        created = service.create(
            uow,
            NewEnquiry(
                (councillor.name,),
                ward,
                "Street lighting",
                "highways",
                "The lamp outside the library has been out for a week.",
            ),
            "test",
        )
    yield kdc, {"councillor": councillor.email, "officer": officer, "case": created.reference}
    kdc.dispose()


@pytest.fixture(scope="module")
def base_url(council) -> Iterator[str]:
    with served(council[0]) as url:
        yield url


def _axe_source() -> str:
    root = Path(__file__).resolve().parents[2]
    return (root / "node_modules" / "axe-core" / "axe.min.js").read_text()


def _sign_in(page, kdc, email: str) -> None:
    with kdc.unit_of_work() as uow:
        token = sessions.issue_sign_in_link(uow, email)
    page.goto(f"/sign-in/link/{token}")
    page.click("button[type=submit]")
    page.wait_for_url("**/my/")


def _check(page, paths: tuple[str, ...], axe: str, label: str) -> list[str]:
    problems = []
    for width in (1200, 320):
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            page.goto(path)
            assert page.locator("h1").count() == 1, path
            page.add_script_tag(content=axe)
            result = page.evaluate(AXE_RUN, AXE_TAGS)
            for v in result["violations"]:
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{width}px {path}: {v['id']} {json.dumps(targets)}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                problems.append(f"{width}px {path}: the page is {wide}px wide")
            if width == 320:
                shot(page, f"my-pages-{label}{path.strip('/').replace('/', '-') or '-home'}")
    return problems


def test_a_councillors_pages_pass_axe_and_fit_a_small_screen(
    browser, base_url, council, node_modules
):
    kdc, people = council
    context = browser.new_context(base_url=base_url, bypass_csp=True)
    page = context.new_page()
    try:
        _sign_in(page, kdc, people["councillor"])
        paths = (*COUNCILLOR_PAGES, f"/my/enquiries/{people['case']}")
        problems = _check(page, paths, _axe_source(), "councillor")
        # The address shown once after asking for it, and a form's errors.
        page.goto("/my/calendar/")
        page.click("text=Get my calendar link")
        assert page.locator("#webcal-address").inner_text().startswith("webcal://")
        page.add_script_tag(content=_axe_source())
        problems += [f"address: {v['id']}" for v in page.evaluate(AXE_RUN, AXE_TAGS)["violations"]]
        if page.evaluate("document.documentElement.scrollWidth") > 320:
            problems.append("the calendar address makes the page wider than 320px")
        shot(page, "my-pages-councillor-calendar-address")
        page.goto("/my/enquiries/new")
        page.click("text=Raise enquiry")
        page.locator(".govuk-error-summary").wait_for()  # the answer to the post, not the form
        assert page.locator(".govuk-error-summary").count() == 1
        page.add_script_tag(content=_axe_source())
        result = page.evaluate(AXE_RUN, AXE_TAGS)
        problems += [f"errors page: {v['id']}" for v in result["violations"]]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_an_officers_pages_pass_axe_and_fit_a_small_screen(
    browser, base_url, council, node_modules
):
    kdc, people = council
    context = browser.new_context(base_url=base_url, bypass_csp=True)
    page = context.new_page()
    try:
        _sign_in(page, kdc, people["officer"])
        problems = _check(page, OFFICER_PAGES, _axe_source(), "officer")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
