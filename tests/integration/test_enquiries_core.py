"""Enquiries on a real database: references, due dates, routing, status rules and the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from enquiry_people import seed_enquiry_people
from sqlalchemy import select

from kdc_core.db.enquiries import AuditIsAppendOnly, EnquiryAuditRow
from kdc_core.db.repositories import enquiries as store
from kdc_core.enquiries import service
from kdc_core.enquiries.service import EnquiryError
from kdc_core.enquiries.values import CategorySettings, Constituent, NewEnquiry, Status


def received(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")


def new(ward="Almondbury", svc="Highways", day="2026-12-23", **kw) -> NewEnquiry:
    return NewEnquiry(
        councillors=kw.pop("councillors", ("Ann Smith",)),
        ward=ward,
        category=kw.pop("category", "general"),
        service=svc,
        description=kw.pop("description", "Pothole on Long Lane"),
        received_at=received(day),
        constituent=Constituent("Pat Resident", "pat@example.org", "01484 000000", "1 Long Lane"),
        **kw,
    )


@pytest.fixture
def council(kdc_app):
    seed_enquiry_people(kdc_app)
    return kdc_app


def test_received_before_christmas_is_due_after_the_bank_holidays(council):
    with council.unit_of_work() as uow:
        enquiry = service.create(uow, new(), actor="test")
    assert enquiry.reference == "KE-2026-000001"
    assert enquiry.acknowledge_by == dt.date(2026, 12, 24)
    assert enquiry.respond_by == dt.date(2027, 1, 11)
    assert enquiry.status is Status.RECEIVED


def test_routing_named_contact_then_service_default_then_unassigned_queue(council):
    with council.unit_of_work() as uow:
        named = service.create(uow, new(), actor="test")
        default = service.create(uow, new(ward="Dalton", councillors=("Cat Lee",)), actor="t")
        waste = service.create(uow, new(svc="Waste"), actor="test")
        nobody = service.create(uow, new(svc="Parks"), actor="test")
    assert (named.officer, named.routed_by) == ("Hana Road", "ward_contact")
    assert (default.officer, default.routed_by) == ("Dev Default", "service_default")
    assert (waste.officer, waste.routed_by) == ("Wes Bins", "service_default")
    assert (nobody.officer, nobody.routed_by, nobody.unassigned) == (None, "unassigned", True)
    assert nobody.advocacy is True  # the liaison team holds it
    assert not named.advocacy


def test_references_count_per_year_from_one(council):
    with council.unit_of_work() as uow:
        refs = [
            service.create(uow, new(day=d), actor="t").reference
            for d in ("2026-12-30", "2027-01-04", "2026-12-31", "2027-01-05")
        ]
    assert refs == ["KE-2026-000001", "KE-2027-000001", "KE-2026-000002", "KE-2027-000002"]


def test_a_rolled_back_enquiry_gives_its_number_back(council):
    with council.unit_of_work() as uow:
        service.create(uow, new(), actor="t")
    with pytest.raises(RuntimeError), council.unit_of_work() as uow:
        service.create(uow, new(), actor="t")
        raise RuntimeError("abandon")
    with council.unit_of_work() as uow:
        assert service.create(uow, new(), actor="t").reference == "KE-2026-000002"


def test_category_settings_change_the_timescales(council):
    with council.unit_of_work() as uow:
        store.save_category(uow.session, CategorySettings("potholes", 2, 5))
        enquiry = service.create(uow, new(category="Potholes"), actor="t")
    assert enquiry.category == "potholes"
    assert enquiry.acknowledge_by == dt.date(2026, 12, 29)
    assert enquiry.respond_by == dt.date(2027, 1, 4)


def test_status_changes_follow_the_rules_and_each_is_audited(council):
    with council.unit_of_work() as uow:
        ref = service.create(uow, new(), actor="clerk").reference
        service.update_status(uow, ref, "acknowledged", actor="hana")
        service.update_status(uow, ref, "in_progress", actor="hana", note="Inspected")
        with pytest.raises(EnquiryError, match="in_progress → closed"):
            service.update_status(uow, ref, "closed", actor="hana")
        service.update_status(uow, ref, "resolved", actor="hana")
        done = service.update_status(uow, ref, "closed", actor="liaison")
    changes = [(a.actor, a.old, a.new) for a in done.audit if a.field == "status"]
    assert changes == [
        ("clerk", None, "received"),
        ("hana", "received", "acknowledged"),
        ("hana", "acknowledged", "in_progress"),
        ("hana", "in_progress", "resolved"),
        ("liaison", "resolved", "closed"),
    ]
    assert [n.body for n in done.notes] == ["Inspected"]
    assert done.closed_at is not None


def test_reopening_works_inside_the_follow_up_window_only(council):
    with council.unit_of_work() as uow:
        ref = service.create(uow, new(), actor="t").reference
        service.update_status(uow, ref, "resolved", actor="t")
        closed = service.update_status(uow, ref, "closed", actor="t")
        later = closed.closed_at + dt.timedelta(days=27)
        reopened = service.update_status(uow, ref, "in_progress", actor="cllr", now=later)
        assert reopened.status is Status.IN_PROGRESS and reopened.closed_at is None
        service.update_status(uow, ref, "resolved", actor="t", now=later)
        service.update_status(uow, ref, "closed", actor="t", now=later)
        with pytest.raises(EnquiryError, match="follow-up window has passed"):
            service.update_status(
                uow, ref, "in_progress", actor="cllr", now=later + dt.timedelta(days=29)
            )


def test_two_stage_extension_with_reasons_then_no_more(council):
    with council.unit_of_work() as uow:
        ref = service.create(uow, new(), actor="t").reference
        first = service.extend(uow, ref, "Contractor booked", actor="hana")
        assert (first.status, first.extension_stage) == (Status.EXTENDED, 1)
        assert first.respond_by == dt.date(2027, 1, 25)
        second = service.extend(
            uow, ref, "Awaiting parts", actor="hana", new_due=dt.date(2027, 2, 26)
        )
        assert (second.respond_by, second.extension_reason) == (
            dt.date(2027, 2, 26),
            "Awaiting parts",
        )
        with pytest.raises(EnquiryError, match="both extensions"):
            service.extend(uow, ref, "Again", actor="hana")
    assert [a.action for a in second.audit if a.field == "respond_by"] == [
        "extension 1",
        "extension 2",
    ]


def test_audit_rows_cannot_be_changed_or_deleted(council):
    with council.unit_of_work() as uow:
        service.create(uow, new(), actor="t")
    with pytest.raises(AuditIsAppendOnly), council.unit_of_work() as uow:
        row = uow.session.scalars(select(EnquiryAuditRow)).first()
        row.actor = "someone else"
        uow.session.flush()
    with pytest.raises(AuditIsAppendOnly), council.unit_of_work() as uow:
        uow.session.delete(uow.session.scalars(select(EnquiryAuditRow)).first())
        uow.session.flush()


def test_overdue_lists_open_enquiries_past_their_response_date(council):
    with council.unit_of_work() as uow:
        late = service.create(uow, new(day="2026-11-02"), actor="t").reference
        done = service.create(uow, new(day="2026-11-02"), actor="t").reference
        service.update_status(uow, done, "resolved", actor="t")
        service.create(uow, new(day="2026-11-20"), actor="t")
        found = service.overdue(uow, today=dt.date(2026, 11, 20))
    assert [e.reference for e in found] == [late]
