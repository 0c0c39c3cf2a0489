"""Signing in to the people's site in tests, and picking demo people to sign in as."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import exists, select

from kdc_core.app import Kdc
from kdc_core.db.people import CouncillorRow, OfficerRow, OfficerWardRow
from kdc_core.enquiries import service
from kdc_core.enquiries.categories import set_category
from kdc_core.enquiries.values import NewEnquiry
from kdc_core.users import sessions


def form_token(page: str) -> str:
    """The CSRF token in a page's first form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(kdc: Kdc, client: Any, email: str) -> Any:
    """Sign ``client`` in as ``email`` with a one-time link; the redirect response."""
    with kdc.unit_of_work() as uow:
        token = sessions.issue_sign_in_link(uow, email)
    form = client.get(f"/sign-in/link/{token}")
    assert form.status_code == 200
    answer = client.post(
        f"/sign-in/link/{token}", data={"csrf_token": form_token(form.get_data(as_text=True))}
    )
    assert answer.status_code == 302
    return answer


def councillors_with_enquiries(kdc: Kdc) -> list[tuple[int, str, str]]:
    """Two active councillors with an email, ``(id, name, email)``, after opening enquiries:
    two raised by the first, one by the second, and one by the second that the first joined.
    """
    with kdc.unit_of_work(source="test") as uow:
        rows = uow.session.execute(
            select(CouncillorRow.id, CouncillorRow.name, CouncillorRow.email, CouncillorRow.ward_id)
            .where(CouncillorRow.email.is_not(None), CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.id)
        ).all()
        first = rows[0]
        second = next(r for r in rows if r.ward_id != first.ward_id)
        wards = {w.id: w.name for w in uow.people.wards()}
        set_category(uow, "Street lighting", acknowledge_days=1, respond_days=10)
        for raiser, joined, text in (
            (first, (), "Streetlight out on the corner."),
            (first, (), "Flytipping behind the shops."),
            (second, (), "Blocked drain on the high street."),
            (second, (first.name,), "Bus shelter glass broken."),
        ):
            service.create(
                uow,
                NewEnquiry(
                    councillors=(raiser.name, *joined),
                    ward=wards[raiser.ward_id],
                    category="Street lighting",
                    service="highways",
                    description=text,
                ),
                "test",
            )
    return [(r.id, r.name, r.email) for r in (first, second)]


def an_officer(kdc: Kdc, *, manages: bool = False) -> tuple[int, str]:
    """``(id, email)`` of an active officer with an email and a manager who either manages
    people or (in the demo, where managers list no wards) works in wards."""
    with kdc.unit_of_work(dry_run=True) as uow:
        active = select(OfficerRow.manager_id).where(
            OfficerRow.manager_id.is_not(None), OfficerRow.archived_at.is_(None)
        )
        managers = set(uow.session.scalars(active))
        which = (
            OfficerRow.id.in_(managers)
            if manages
            else exists().where(OfficerWardRow.officer_id == OfficerRow.id)
        )
        row = uow.session.execute(
            select(OfficerRow.id, OfficerRow.email)
            .where(
                OfficerRow.email.is_not(None),
                OfficerRow.archived_at.is_(None),
                OfficerRow.manager_id.is_not(None),
                which,
            )
            .order_by(OfficerRow.id)
            .limit(1)
        ).first()
    assert row is not None, "the demo should have such an officer"
    return row.id, row.email
