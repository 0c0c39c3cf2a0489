"""One-time sign-in links for the demo, so a visitor can see the site as a councillor and as
an officer without an identity provider or a mail client."""

from __future__ import annotations

import attrs
from sqlalchemy import func, select

from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.unit_of_work import UnitOfWork
from kdc_core.users import sessions


@attrs.frozen
class DemoSignIn:
    """A person of the demo council and a link that signs a browser in as them."""

    kind: str
    name: str
    url: str


def _busiest_councillor(uow: UnitOfWork) -> int | None:
    """The active councillor with an email address who raised the most enquiries."""
    found: int | None = uow.session.scalar(
        select(CouncillorRow.id)
        .join(EnquiryPersonRow, EnquiryPersonRow.person_id == CouncillorRow.id)
        .where(
            EnquiryPersonRow.kind == "councillor",
            CouncillorRow.email.is_not(None),
            CouncillorRow.archived_at.is_(None),
        )
        .group_by(CouncillorRow.id)
        .order_by(func.count(EnquiryPersonRow.id).desc(), CouncillorRow.id)
        .limit(1)
    )
    return found


def _busiest_officer(uow: UnitOfWork) -> int | None:
    """The active officer with an email address named on the most enquiries."""
    found: int | None = uow.session.scalar(
        select(OfficerRow.id)
        .join(EnquiryRow, EnquiryRow.officer_id == OfficerRow.id)
        .where(OfficerRow.email.is_not(None), OfficerRow.archived_at.is_(None))
        .group_by(OfficerRow.id)
        .order_by(func.count(EnquiryRow.id).desc(), OfficerRow.id)
        .limit(1)
    )
    return found


def demo_sign_in_links(uow: UnitOfWork, base_url: str | None = None) -> list[DemoSignIn]:
    """Fresh one-time links (15 minutes) for the councillor and the officer with the most
    enquiries, on ``base_url`` (default: the configured one); none when the database has no
    such people."""
    base = (base_url or uow.settings.base_url).rstrip("/")
    links = []
    councillor_id = _busiest_councillor(uow)
    if councillor_id is not None:
        councillor = uow.people.councillor(councillor_id)
        token = sessions.issue_sign_in_link(uow, councillor.email or "")
        links.append(DemoSignIn("councillor", councillor.name, f"{base}/sign-in/link/{token}"))
    officer_id = _busiest_officer(uow)
    if officer_id is not None:
        officer = uow.people.officer(officer_id)
        token = sessions.issue_sign_in_link(uow, officer.email or "")
        links.append(DemoSignIn("officer", officer.name, f"{base}/sign-in/link/{token}"))
    return links
