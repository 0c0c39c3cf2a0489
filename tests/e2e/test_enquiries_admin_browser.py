"""Casework in headless Chromium: liaison staff log an enquiry through the admin's form, then
add a note on the case view; the reference, the named officer and the trail show it.

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
from kdc_core.enquiries import service

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
    page.click("text=Enquiries")
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
    notes = page.locator("#case-notes").inner_text()
    assert "Rang the resident." in notes and SCRIPT in notes  # shown as text, not run
    assert page.evaluate("window.__xss") is None and page.title() != "pwned"
    audit = page.locator("#case-audit tbody tr").all_inner_texts()
    assert any(f"admin:{LIAISON}" in row and "note" in row for row in audit)
    shot(page, "enquiries-02-case-with-note")
    assert page.dialogs == []

    with kdc.unit_of_work(dry_run=True) as uow:
        made = service.get(uow, reference.group())
    assert made.councillors == (councillor.name,) and made.ward == "Almondbury"
    assert [(n.author, n.body) for n in made.notes] == [
        (f"admin:{LIAISON}", f"Rang the resident. {SCRIPT}")
    ]
    assert [a.actor for a in made.audit] == [f"admin:{LIAISON}"] * 3
