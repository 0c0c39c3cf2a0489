"""Helpers for tests of the people's site: a client, and signing in with a one-time link."""

from __future__ import annotations

import re
from typing import Any

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET
from kdc_core.app import Kdc
from kdc_core.users import sessions


def site_client(kdc: Kdc) -> Any:
    return create_app(kdc, SECRET_KEY=TEST_SECRET).test_client()


def sign_in(kdc: Kdc, client: Any, email: str) -> None:
    """Sign ``client`` in as ``email`` through an emailed link, as a person would."""
    with kdc.unit_of_work() as uow:
        token = sessions.issue_sign_in_link(uow, email)
    form = client.get(f"/sign-in/link/{token}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf, "no CSRF token on the sign-in page"
    response = client.post(f"/sign-in/link/{token}", data={"csrf_token": csrf.group(1)})
    assert response.status_code == 302, response.status_code
