"""Casework in headless Chromium: liaison staff log an enquiry through the admin's form, then
add a note on the case view; the reference, the named officer and the timeline show it. The
enquiry list shows the description, councillor, ward and officer by name and marks a late
case with words ("Overdue by … working days"), and the named officer is changed from the case
page.

Chromium is Debian's (``/usr/bin/chromium``, or ``KDC_CHROMIUM``). Without it these tests
skip, unless ``KDC_REQUIRE_BROWSER=1`` (as in CI), when they fail. Screenshots land in
``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from admin_browser import LIAISON, demo_kdc, log_in, served, shot

from kdc_core import Kdc
from kdc_core.enquiries import service
from kdc_core.enquiries.values import NewEnquiry

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss = 'note'; document.title = 'pwned'</script>"


@pytest.fixture(scope="module")
def kdc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kdc]:
    kdc = demo_kdc(
        request, tmp_path_factory.mktemp("kdc-enquiries-browser"), [(LIAISON, "liaison")]
    )
    yield kdc
    kdc.dispose()


@pytest.fixture(scope="module")
def base_url(kdc: Kdc) -> Iterator[str]:
    with served(kdc) as url:
        yield url


def test_liaison_logs_an_enquiry_and_adds_a_note(page, kdc):
    with kdc.unit_of_work(dry_run=True) as uow:
        ward = uow.people.ward("Almondbury")
        councillor = uow.people.councillors(ward_id=ward.id)[0]
        services = [s.name for s in uow.people.services()]
    log_in(page)
    page.click("nav a.dropdown-toggle:has-text('Casework')")
    page.click("a:has-text('Log an enquiry')")
    page.wait_for_url("**/admin/enquiry_log/")

    # Submitted empty: each required field says what it needs, and nothing is saved.
    page.click("#log-submit")
    page.wait_for_load_state()
    assert page.locator("#form-errors").is_visible()
    assert page.locator("#councillor-error").inner_text() == (
        "Choose the councillor raising the enquiry."
    )
    assert page.locator("#description-error").inner_text() == "Say what the enquiry is about."
    shot(page, "enquiries-01-log-form-errors")

    page.select_option("#councillor", councillor.name)
    page.select_option("#ward", "Almondbury")
    page.select_option("#service", services[0])
    page.fill("#category", "general")
    page.fill("#description", "Street light out on Fenay Lane")
    page.fill("#constituent_name", "Pat Resident")
    page.fill("#constituent_email", "pat@example.org")
    page.click("#log-submit")
    page.wait_for_url(re.compile(r".*/admin/enquiry_case/details/\?id=\d+$"))

    flash = page.locator(".alert-success").first.inner_text()
    reference = re.search(r"KE-\d{4}-\d{6}", flash)
    assert reference is not None and "Named officer:" in flash
    assert "Pat Resident" in page.content()

    page.fill("#note-body", f"Rang the resident. {SCRIPT}")
    page.click("#case-note button[type=submit]")
    page.wait_for_load_state()
    assert f"Note added to {reference.group()}." in page.locator(".alert-success").inner_text()
    notes = page.locator("#case-timeline").inner_text()
    assert "Rang the resident." in notes and SCRIPT in notes  # shown as text, not run
    assert page.evaluate("window.__xss") is None and page.title() != "pwned"
    timeline = page.locator("#case-timeline tbody tr").all_inner_texts()
    assert any(f"{LIAISON} (liaison)" in row and "Note added" in row for row in timeline)
    assert "admin:" not in page.locator("#case-timeline").inner_text()
    shot(page, "enquiries-02-case-with-note")
    assert page.dialogs == []

    with kdc.unit_of_work(dry_run=True) as uow:
        made = service.get(uow, reference.group())
    assert made.councillors == (councillor.name,) and made.ward == "Almondbury"
    assert [(n.author, n.body) for n in made.notes] == [
        (f"admin:{LIAISON}", f"Rang the resident. {SCRIPT}")
    ]
    assert [a.actor for a in made.audit] == [f"admin:{LIAISON}"] * 3


def test_the_list_names_everyone_and_marks_the_late_case_in_words(page, kdc):
    """Acceptance 3, first half."""
    today = dt.datetime.now(kdc.settings.tz).date()
    with kdc.unit_of_work() as uow:
        ward = uow.people.ward("Dalton")
        councillor = uow.people.councillors(ward_id=ward.id)[0]
        officers = [o for o in uow.people.officers() if o.service][:2]
        late = service.create(
            uow,
            NewEnquiry(
                councillors=(councillor.name,),
                ward="Dalton",
                category="general",
                service=officers[0].service.name,  # type: ignore[union-attr]
                description="Flooded cellar on Long Lane after the culvert blocked again",
                received_at=dt.datetime.combine(today - dt.timedelta(days=70), dt.time(9), dt.UTC),
            ),
            "t",
        )
        if late.officer != officers[0].name:
            service.assign(uow, late.reference, officers[0].person_id, "t")
    log_in(page)
    page.goto(f"/admin/enquiry/?search={late.reference}")
    row = page.locator("table.model-list tr", has_text=late.reference)
    assert row.count() == 1
    cells = {
        name: row.locator(f"td.col-{name}").inner_text().strip()
        for name in ("description", "councillor", "ward", "officer", "status", "timescale")
    }
    assert cells["description"].startswith("Flooded cellar on Long Lane")
    assert cells["councillor"] == councillor.name and cells["ward"] == "Dalton"
    assert cells["officer"] == officers[0].name and cells["status"] == "Received"
    assert re.fullmatch(r"Overdue by \d+ working days", cells["timescale"]), cells
    shot(page, "enquiries-03-list-overdue")

    page.goto("/admin/enquiry/?flt0_5=overdue")  # the Queue filter: overdue
    assert page.locator("#active-filters-data").inner_text() != "[]"
    badges = page.locator("td.col-timescale").all_inner_texts()
    assert badges and all(b.strip().startswith("Overdue") for b in badges)

    page.goto(f"/admin/enquiry/?search={late.reference}")
    page.click(f"a:has-text('{late.reference}')")
    page.wait_for_url(re.compile(r".*/admin/enquiry_case/details/\?id=\d+$"))
    page.select_option("#assign-officer", officers[1].person_id)
    page.fill("#assign-reason", "Back from leave")
    page.click("#case-assign button[type=submit]")
    page.wait_for_load_state()
    flash = page.locator(".alert-success").inner_text()
    assert f"the named officer is now {officers[1].name}" in flash
    # The demo has no mailer: the page says so instead of claiming anything was sent.
    assert "Nobody was told: no mailer is configured" in flash and "sent" not in flash
    timeline = page.locator("#case-timeline").inner_text()
    assert f"Named officer changed from {officers[0].name} to {officers[1].name}" in timeline
    shot(page, "enquiries-04-case-assigned")
