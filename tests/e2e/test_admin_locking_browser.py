"""Two admins in two Chromium sessions edit the same councillor: the first save stands, the
second is refused and names the first admin (issue 15, acceptance 3)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from admin_browser import demo_kdc, log_in, served, shot
from sqlalchemy import func, select

from kdc_core import Kdc
from kdc_core.db.people import CouncillorRow

pytestmark = pytest.mark.browser

ANN, BOB = "ann.admin@example.gov.uk", "bob.admin@example.gov.uk"


@pytest.fixture(scope="module")
def kdc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kdc]:
    kdc = demo_kdc(
        request, tmp_path_factory.mktemp("kdc-locking"), [(ANN, "admin"), (BOB, "admin")]
    )
    yield kdc
    kdc.dispose()


@pytest.fixture(scope="module")
def base_url(kdc: Kdc) -> Iterator[str]:
    with served(kdc) as url:
        yield url


def test_the_second_of_two_saves_of_a_councillor_is_refused_and_names_the_first(
    browser, base_url, kdc
):
    with kdc.unit_of_work(dry_run=True) as uow:
        key = uow.session.scalar(
            select(func.min(CouncillorRow.id)).where(CouncillorRow.archived_at.is_(None))
        )
    pages = []
    for who in (ANN, BOB):
        context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        log_in(page, who)
        page.goto(f"/admin/councillor/edit/?id={key}")
        pages.append(page)
    ann, bob = pages
    try:
        ann.fill("#phone", "01484 111111")
        bob.fill("#phone", "01484 222222")
        ann.click("input[type=submit][value=Save]")
        ann.wait_for_url(re.compile(r".*/admin/councillor/(\?.*)?$"))

        bob.click("input[type=submit][value=Save]")
        bob.wait_for_load_state()
        message = bob.locator(".alert-danger", has_text="This record was changed by")
        assert message.count() == 1
        text = message.inner_text()
        assert f"changed by {ANN} at " in text
        assert "reload to see the change and make yours again" in text
        shot(bob, "locking-refused")
        with kdc.unit_of_work(dry_run=True) as uow:
            assert uow.session.get(CouncillorRow, key).phone == "01484 111111"

        bob.goto(f"/admin/councillor/edit/?id={key}")
        assert f"Last changed by {ANN} on " in bob.content()
        assert bob.input_value("#phone") == "01484 111111"
    finally:
        for page in pages:
            page.context.close()
