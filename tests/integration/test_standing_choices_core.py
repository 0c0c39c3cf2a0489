"""The core services behind the admin's new pages: officers' unavailability, a service's one
default contact, and editing a briefing with rules 8.1 and 9.1 run again."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kdc_core.briefings.service import edit_briefing, post_briefing
from kdc_core.calendar.rota.service import save_unavailability
from kdc_core.db.enquiries import ServiceContactRow
from kdc_core.db.events import OfficerUnavailabilityRow
from kdc_core.db.people import OfficerRow, ServiceRow
from kdc_core.enquiries.routing import set_service_contact
from kdc_core.errors import KdcError, NotFound
from kdc_core.protocol.service import open_findings


@pytest.fixture
def kdc_template() -> str:
    return "demo"


def _officers(uow, n: int = 2) -> list[OfficerRow]:
    return list(uow.session.scalars(select(OfficerRow).order_by(OfficerRow.person_id).limit(n)))


def test_unavailability_is_saved_changed_and_refused_when_backwards(kdc_app):
    start = dt.datetime(2027, 3, 1, 9, tzinfo=kdc_app.settings.tz)
    with kdc_app.unit_of_work() as uow:
        first, second = _officers(uow)
        with pytest.raises(KdcError, match="ends before"):
            save_unavailability(uow, first.id, start, start, "Leave")
        with pytest.raises(NotFound):
            save_unavailability(uow, 10**6, start, start + dt.timedelta(days=1), None)
        span = save_unavailability(uow, first.id, start, start + dt.timedelta(days=2), "  ")
        save_unavailability(uow, second.id, start, start + dt.timedelta(days=3), "Training", span)
        with pytest.raises(NotFound):
            save_unavailability(uow, first.id, start, start + dt.timedelta(days=1), None, 10**6)
        second_id = second.id
    with kdc_app.unit_of_work(dry_run=True) as uow:
        (row,) = uow.session.scalars(select(OfficerUnavailabilityRow)).all()
        assert (row.id, row.officer_id, row.reason) == (span, second_id, "Training")
        assert row.end - row.start == dt.timedelta(days=3)


def test_a_service_keeps_one_default_contact_unless_replaced(kdc_app):
    with kdc_app.unit_of_work() as uow:
        service = uow.session.scalars(select(ServiceRow).order_by(ServiceRow.name)).first()
        first, second = _officers(uow)
        set_service_contact(uow.session, service.id, first.id, replace=False)
        set_service_contact(uow.session, service.id, first.id, replace=False)  # the same: fine
        with pytest.raises(
            KdcError, match=re.escape(f"already has a default contact, {first.name}")
        ):
            set_service_contact(uow.session, service.id, second.id, replace=False)
        set_service_contact(uow.session, service.id, second.id)
        assert uow.session.get(ServiceContactRow, service.id).officer_id == second.id
        set_service_contact(uow.session, service.id, None)
        uow.session.flush()
        assert uow.session.get(ServiceContactRow, service.id) is None


def test_editing_a_briefing_checks_its_fields_and_runs_the_rules_again(kdc_app):
    today = dt.datetime.now(kdc_app.settings.tz).date()
    with kdc_app.unit_of_work() as uow:
        posted = post_briefing(
            uow,
            wards=["Almondbury"],
            title="Bins",
            body="New rounds.",
            public_on=today.replace(year=today.year + 1),
        )
        assert not posted.late and open_findings(uow, "briefing", posted.id) == []
        with pytest.raises(NotFound):
            edit_briefing(uow, 10**6, wards=["Almondbury"], title="x", body="y", public_on=today)
        with pytest.raises(NotFound, match="no ward called 'Atlantis'"):
            edit_briefing(uow, posted.id, wards=["Atlantis"], title="x", body="y", public_on=today)
        edited = edit_briefing(
            uow,
            posted.id,
            wards=["Almondbury", "Ashbrow"],
            title="Bins, again",
            body="New rounds.",
            public_on=today,
            significant=True,
        )
        assert edited.late and edited.wards == ("Almondbury", "Ashbrow")
        assert edited.posted_at == posted.posted_at
        clauses = {r.finding.clause for r in open_findings(uow, "briefing", posted.id)}
    assert clauses == {"8.1", "9.1"}
