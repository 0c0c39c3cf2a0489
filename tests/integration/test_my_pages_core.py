"""The core services behind the people's own pages: a councillor's cases, their topic menu,
their ward's briefings, and an officer confirming their directory details."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from directory_data import WARDS, directory, write_csv
from sqlalchemy import select

from kdc_core import hookimpl
from kdc_core.briefings.service import briefings_for_ward, post_briefing
from kdc_core.changes import Action
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.db.people import CouncillorRow, OfficerRow, WardRow
from kdc_core.directory.report import confirm_details, freshness_report
from kdc_core.enquiries import councillors as casework
from kdc_core.enquiries import service
from kdc_core.enquiries.categories import set_category
from kdc_core.enquiries.values import CategorySettings, NewEnquiry
from kdc_core.errors import NotFound
from kdc_core.mail.topics import menu_of, save_menu, set_topic
from kdc_core.mail.values import TOPICS


class Listener:
    def __init__(self) -> None:
        self.seen: list = []

    @hookimpl
    def kdc_changes_committed(self, changes, kdc):
        self.seen.append(changes)


@pytest.fixture
def listener():
    return Listener()


@pytest.fixture
def kdc_extra_plugins(listener):
    return [("listener", listener)]


@pytest.fixture
def council(kdc_app):
    """Three councillors in two wards, and a Highways service."""
    with kdc_app.unit_of_work() as uow:
        from kdc_core.db.people import ServiceRow

        dalton = WardRow(name="Dalton", slug="dalton")
        lindley = WardRow(name="Lindley", slug="lindley")
        uow.session.add(ServiceRow(name="Highways", slug="highways"))
        for name, ward in (("Ann Lee", dalton), ("Bob Kaye", dalton), ("Cy Moss", lindley)):
            uow.session.add(CouncillorRow(name=name, ward=ward, email=f"{name[:3]}@x.gov.uk"))
        for category in ("Street lighting", "Noise"):
            set_category(uow, category, acknowledge_days=1, respond_days=10)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return {
            c.name: c.id
            for c in uow.session.execute(select(CouncillorRow.id, CouncillorRow.name)).all()
        }


def _open(kdc_app, councillors, text, category="Street lighting", ward="Dalton"):
    with kdc_app.unit_of_work() as uow:
        return service.create(
            uow, NewEnquiry(councillors, ward, category, "highways", text), "test"
        ).reference


def test_a_councillors_cases_are_those_they_raised_or_joined(kdc_app, council):
    ann, bob = council["Ann Lee"], council["Bob Kaye"]
    own = _open(kdc_app, ("Ann Lee",), "One")
    joined = _open(kdc_app, ("Bob Kaye", "Ann Lee"), "Two")
    other = _open(kdc_app, ("Bob Kaye",), "Three", category="Noise")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        mine = casework.for_councillor(uow, ann)
        assert [c.enquiry.reference for c in mine] == [joined, own]  # newest first
        assert [c.enquiry.reference for c in casework.for_councillor(uow, bob)] == [other, joined]
        assert casework.case_for_councillor(uow, ann, joined).enquiry.description == "Two"
        with pytest.raises(NotFound) as theirs:
            casework.case_for_councillor(uow, ann, other)
        with pytest.raises(NotFound) as nobodys:
            casework.case_for_councillor(uow, ann, "KE-1999-000001")
        assert str(theirs.value).startswith("no enquiry with reference")
        assert str(nobodys.value).startswith("no enquiry with reference")
        names = [c.name for c in casework.known_categories(uow)]
        assert names == ["General", "Noise", "Street lighting"]


def test_a_case_is_overdue_only_while_open_and_past_its_date(kdc_app, council):
    reference = _open(kdc_app, ("Ann Lee",), "Late one")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        due = service.get(uow, reference).respond_by
        after = due + dt.timedelta(days=1)
        assert (
            casework.case_for_councillor(uow, council["Ann Lee"], reference, today=due).overdue
            is False
        )
        assert casework.case_for_councillor(uow, council["Ann Lee"], reference, today=after).overdue
    with kdc_app.unit_of_work() as uow:
        uow.session.scalar(
            select(EnquiryRow).where(EnquiryRow.reference == reference)
        ).status = "resolved"
    with kdc_app.unit_of_work(dry_run=True) as uow:
        case = casework.case_for_councillor(uow, council["Ann Lee"], reference, today=after)
    assert case.overdue is False


def test_the_topic_menu_is_read_and_saved_whole(kdc_app, council):
    ann = council["Ann Lee"]
    with kdc_app.unit_of_work() as uow:
        start = menu_of(uow, ann)
        assert start.email == frozenset(TOPICS) and start.sms == frozenset()
        assert start.confirmed_on is None and start.review_due(dt.date(2027, 1, 1))
        set_topic(uow, ann, "planning", True, sms=True)
        saved = save_menu(uow, ann, ["newsletter", "planning"])  # texts left as they were
        assert saved.email == {"newsletter", "planning"} and saved.sms == {"planning"}
        saved = save_menu(uow, ann, ["newsletter"], sms=[])
        assert saved.email == {"newsletter"} and saved.sms == frozenset()
        with pytest.raises(Exception, match="unknown topic"):
            save_menu(uow, ann, ["nonsense"])


def test_briefings_for_a_ward_are_its_own_newest_first(kdc_app, council):
    now = dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC)
    with kdc_app.unit_of_work() as uow:
        for title, wards, hours in (
            ("Old", ["Dalton"], 3),
            ("Both", ["Dalton", "Lindley"], 1),
            ("Lindley only", ["Lindley"], 2),
        ):
            post_briefing(
                uow,
                wards=wards,
                title=title,
                body="Text.",
                public_on=dt.date(2027, 4, 1),
                posted_at=now - dt.timedelta(hours=hours),
            )
        dalton = uow.people.ward("dalton")
        found = briefings_for_ward(uow, dalton.id)
    assert [b.title for b in found] == ["Both", "Old"]
    assert found[0].wards == ("Dalton", "Lindley")


def test_confirming_details_restarts_the_clock_and_survives_a_directory_sync(
    kdc_app, kdc_run, listener, tmp_path
):
    with kdc_app.unit_of_work() as uow:
        for name in WARDS:
            uow.session.add(WardRow(name=name, slug=name.lower().replace(" ", "-")))
    path = write_csv(tmp_path / "officers.csv", directory(12))
    result = kdc_run("directory", "sync", "csv", str(path), "--json")
    assert result.exit_code == 0, result.output
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)  # everyone is stale by then
    with kdc_app.unit_of_work(dry_run=True) as uow:
        officer_id = uow.session.scalar(
            select(OfficerRow.id).where(OfficerRow.person_id == "P000007")
        )
    listener.seen.clear()
    with kdc_app.unit_of_work(source="web:p000007@example.gov.uk") as uow:
        when = confirm_details(uow, officer_id, now=later - dt.timedelta(days=1))
    (changes,) = listener.seen
    (change,) = changes.changes
    assert (change.entity, change.action, change.fields) == (
        "officer",
        Action.UPDATED,
        ("confirmed_at",),
    )
    assert change.source == "web:p000007@example.gov.uk"
    again = kdc_run("directory", "sync", "csv", str(path), "--json")
    assert json.loads(again.stdout)["updated"] == []  # the confirmation is not a difference
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.get(OfficerRow, officer_id).confirmed_at == when
        report = freshness_report(uow.session, now=later)
    stale = {i.person_id for i in report.stale}
    assert "P000007" not in stale and "P000008" in stale
    with kdc_app.unit_of_work() as uow, pytest.raises(NotFound):
        confirm_details(uow, 999_999)


def test_the_categories_offered_are_the_active_ones(kdc_app, council):
    with kdc_app.unit_of_work() as uow:
        set_category(uow, "Potholes", acknowledge_days=2, respond_days=5)
        set_category(uow, "Noise", active=False)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert casework.known_categories(uow) == [
            CategorySettings("General"),
            CategorySettings("Potholes", 2, 5),
            CategorySettings("Street lighting"),
        ]
