"""The people's site's public pages in headless Chromium: no axe-core (WCAG 2.2 AA) violations,
nothing wider than a 320 px screen, and nothing the Content-Security-Policy has to block."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from admin_browser import demo_kdc, served, shot

from kdc_core.calendar.events import create_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.demo.photos import seed_photos
from kdc_core.people.slugs import councillor_slugs

pytestmark = pytest.mark.browser

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    """The demo council served for real, with one public event and the demo's councillor
    photos; the paths to visit."""
    kdc = demo_kdc(request, tmp_path_factory.mktemp("site"), [])
    seed_photos(kdc)
    start = dt.datetime(2027, 3, 2, 18, 0, tzinfo=ZoneInfo("Europe/London"))
    with kdc.unit_of_work() as uow:
        ward = uow.people.wards()[0]
        councillor = uow.people.councillors(ward_id=ward.id)[0]
        officer = next(o for o in uow.people.officers() if o.bio and o.wards)
        event = create_event(
            uow,
            NewEvent(
                kind=EventKind.OPEN_DAY,
                title="Open day at the library",
                start=start,
                end=start + dt.timedelta(hours=2),
                location="Dewsbury Library, Railway Street, Dewsbury WF12 8EQ",
                ward_ids=(ward.id,),
                councillor_ids=(councillor.id,),
                public=True,
            ),
            override_reason="test",
        )
        slug = councillor_slugs(uow)[councillor.id]
    paths = [
        "/",
        "/wards/",
        f"/wards/{ward.slug}/",
        "/councillors/",
        f"/councillors/{slug}/",
        "/people/?q=a",
        f"/people/{officer.person_id}/",
        f"/people/contact?service=highways&ward={ward.slug}",
        "/people/contact?service=&ward=",
        "/events/",
        f"/events/{event.uid}",
        "/protocol/",
        "/protocol/clauses/",
        "/protocol/scenarios/",
        "/stories/",
        "/no-such-page",
    ]
    with served(kdc) as base_url:
        yield base_url, paths
    kdc.engine.dispose()


def test_public_pages_pass_axe_and_fit_a_phone(browser, site, node_modules):
    base_url, paths = site
    context = browser.new_context(base_url=base_url, viewport={"width": 320, "height": 640})
    context.add_init_script(path=str(node_modules / "axe-core" / "axe.min.js"))
    page = context.new_page()
    blocked: list[str] = []
    errors: list[tuple[str, str]] = []
    current = {"path": ""}

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)
        elif message.type == "error":
            errors.append((current["path"], message.text))

    page.on("console", console)
    page.on("pageerror", lambda exc: errors.append((current["path"], str(exc))))
    problems = {}
    photos = 0
    for path in paths:
        current["path"] = path
        page.goto(path)
        # GOV.UK Frontend's scripts ran: on a phone the menu folds behind its "Menu" button.
        assert page.locator(".govuk-service-navigation__toggle").is_visible(), path
        images = page.evaluate(
            "[...document.images].map(i => ({src: i.src, shown: i.complete && i.naturalWidth > 0}))"
        )
        photos += sum("/photo?" in i["src"] for i in images)
        assert all(i["shown"] for i in images), (path, images)
        width = page.evaluate("document.documentElement.scrollWidth")
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
        )
        violations = [
            f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]
        ]
        if violations or width > 320:
            problems[path] = {"width": width, "violations": violations}
            shot(page, "site" + path.replace("/", "_").replace("?", "_")[:80])
    context.close()
    assert not problems, problems
    assert not blocked, blocked
    # The one page expected to answer 404 is the missing one itself.
    errors = [(path, text) for path, text in errors if path != "/no-such-page"]
    assert not errors, errors
    assert photos > 0  # the ward and councillor pages showed stored photos
