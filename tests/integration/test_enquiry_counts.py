"""The SLA dashboard's summary always equals a recount of the enquiries, whatever changed
them: the service's every step, the legacy import, retention, plain ORM edits and deletes, a
deleted ward, a rolled-back savepoint, an ORM bulk update, and the migration that fills it."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.script import ScriptDirectory
from enquiry_people import seed_enquiry_people
from sqlalchemy import delete, select, update

from kdc_core.db import enquiry_counts
from kdc_core.db.enquiries import EnquiryOpenCountRow, EnquiryRow
from kdc_core.db.migrate import alembic_config, downgrade, upgrade
from kdc_core.db.people import OfficerRow
from kdc_core.enquiries import legacy, retention, service
from kdc_core.enquiries.dashboard import dashboard, overdue_counts, sla
from kdc_core.enquiries.values import NewEnquiry

UTC = dt.UTC


def new(day: str, service_name: str = "Highways", ward: str = "Almondbury") -> NewEnquiry:
    return NewEnquiry(
        councillors=("Ann Smith",), ward=ward, category="general", service=service_name,
        description="Street light out", received_at=dt.datetime.fromisoformat(f"{day}T09:00+00:00"),
    )  # fmt: skip


def check(kdc) -> dict:
    """The stored summary, after asserting it equals a recount."""
    with kdc.unit_of_work(dry_run=True) as uow:
        stored = enquiry_counts.stored(uow.session)
        assert stored == enquiry_counts.recount(uow.session)
    return stored


@pytest.fixture
def kdc(kdc_app):
    seed_enquiry_people(kdc_app)
    return kdc_app


def test_every_step_of_an_enquiry_keeps_the_summary_equal_to_a_recount(kdc, tmp_path):
    with kdc.unit_of_work() as uow:
        a = service.create(uow, new("2026-01-05"), "t").reference
        b = service.create(uow, new("2026-01-06", "Waste", "Dalton"), "t").reference
        c = service.create(uow, new("2026-01-07", "Parks"), "t").reference
    assert check(kdc)[("open", "officer", 0, dt.date(2026, 1, 21))] == 1  # Parks: nobody

    def to(ref: str, status: str, day: str):
        when = dt.datetime.fromisoformat(f"{day}T12:00+00:00")
        return lambda uow: service.update_status(uow, ref, status, "t", now=when)

    steps = [
        lambda uow: service.assign(uow, c, "Jo Joint", "t", "knows parks"),
        lambda uow: service.update_status(uow, a, "acknowledged", "t"),
        lambda uow: service.extend(uow, a, "waiting for a contractor", "t"),
        to(a, "resolved", "2026-02-02"),
        to(b, "resolved", "2026-03-02"),
        to(a, "closed", "2026-02-03"),
        # reopened inside the follow-up window: open again, no longer answered
        to(a, "in_progress", "2026-02-10"),
        to(a, "resolved", "2026-02-11"),
        to(a, "closed", "2026-02-12"),
    ]
    for step in steps:
        with kdc.unit_of_work() as uow:
            step(uow)
        check(kdc)
    with kdc.unit_of_work(dry_run=True) as uow:
        officers = {line.name: line for line in sla(uow, dt.date(2026, 3, 3), "officer")}
    assert officers["Jo Joint"].open == 1 and officers["Jo Joint"].overdue == 1
    # answered again after the extended date (2 February): late
    assert (officers["Hana Road"].answered, officers["Hana Road"].answered_in_time) == (1, 0)
    assert officers["Wes Bins"].answered == 1 and officers["Wes Bins"].answered_in_time == 0

    # retention anonymises the closed one: nothing the summary counts changes
    with kdc.unit_of_work() as uow:
        due = retention.due_for_anonymising(uow, dt.datetime(2099, 1, 1, tzinfo=UTC))
        retention.anonymise(uow, due, "t", dt.datetime(2099, 1, 1, tzinfo=UTC))
    # the closed one, and the one resolved but never closed
    assert sorted(d.reference for d in due) == [a, b]
    check(kdc)

    # the legacy import: one closed, one still in progress
    source = tmp_path / "legacy.csv"
    source.write_text(
        "legacy_reference,councillor,ward,category,service,description,received_at,status\n"
        "OLD-1,Ann Smith,Almondbury,general,Highways,Old pothole,2026-11-02T09:00:00+00:00,closed\n"
        "OLD-2,Cat Lee,Dalton,general,Waste,Missed bin,2026-11-03T09:00:00+00:00,in_progress\n",
        encoding="utf-8",
    )
    with kdc.unit_of_work() as uow:
        legacy.import_legacy(uow, source)
    stored = check(kdc)
    assert sum(n for k, n in stored.items() if k[:2] == ("open", "ward")) == 2  # c and OLD-2


def test_plain_orm_edits_deletes_and_a_deleted_ward_keep_it_too(kdc):
    with kdc.unit_of_work() as uow:
        ref = service.create(uow, new("2026-01-05"), "t").reference
        ward = uow.people.ward_row("Almondbury")
        # an enquiry written straight into the session (no audit rows, so it can be deleted)
        loose = EnquiryRow(
            reference="KE-2026-999999", year=2026, number=999999, ward_id=ward.id,
            service_id=None, category="general", description="x",
            received_at=dt.datetime(2026, 1, 5, tzinfo=UTC), acknowledge_by=dt.date(2026, 1, 6),
            respond_by=dt.date(2026, 1, 19), original_respond_by=dt.date(2026, 1, 19),
            officer_id=None, routed_by="unassigned",
        )  # fmt: skip
        uow.session.add(loose)
    check(kdc)
    with kdc.unit_of_work() as uow:  # edits as the admin's forms make them, on loaded rows
        row = uow.session.scalars(select(EnquiryRow).where(EnquiryRow.reference == ref)).one()
        row.respond_by = dt.date(2026, 2, 1)
        row.officer_id = None
        uow.session.flush()
        row.status = "closed"
        row.resolved_in_time = False
    check(kdc)
    with kdc.unit_of_work() as uow:  # set without loading first
        row = uow.session.get(EnquiryRow, uow.session.scalar(select(EnquiryRow.id).limit(1)))
        uow.session.expire(row)
        row.resolved_in_time = True
        row.service_id = None
    check(kdc)
    with kdc.unit_of_work() as uow:
        row = uow.session.scalars(
            select(EnquiryRow).where(EnquiryRow.reference == "KE-2026-999999")
        ).one()
        uow.session.expire(row)
        uow.session.delete(row)
    check(kdc)
    with kdc.unit_of_work() as uow:  # a rolled-back savepoint takes its counts with it
        savepoint = uow.session.begin_nested()
        service.create(uow, new("2026-01-09", "Waste"), "t")
        savepoint.rollback()
        service.create(uow, new("2026-01-10", "Waste", "Dalton"), "t")
    check(kdc)
    with kdc.unit_of_work() as uow:  # the database sets the ward's enquiries to none
        uow.session.delete(uow.people.ward_row("Dalton"))
    stored = check(kdc)
    assert sum(n for k, n in stored.items() if k[:3] == ("open", "ward", 0)) == 1
    with kdc.unit_of_work() as uow:  # an officer leaves for good
        officer = uow.session.scalars(select(OfficerRow).where(OfficerRow.person_id == "p3"))
        uow.session.delete(officer.one())
    check(kdc)
    with kdc.unit_of_work() as uow:  # an ORM bulk update: recounted before commit
        uow.session.execute(update(EnquiryRow).values(status="in_progress"))
    assert check(kdc)


def test_a_summary_out_of_step_is_rebuilt_in_one_transaction(kdc):
    with kdc.unit_of_work() as uow:
        for day in ("2026-01-05", "2026-01-06", "2026-01-07"):
            service.create(uow, new(day), "t")
    right = check(kdc)
    with kdc.engine.begin() as conn:  # someone writes by SQL, bypassing the ORM
        conn.execute(delete(EnquiryOpenCountRow))
    with kdc.unit_of_work(dry_run=True) as uow:
        assert enquiry_counts.stored(uow.session) != enquiry_counts.recount(uow.session)
    with kdc.unit_of_work() as uow:
        assert enquiry_counts.rebuild(uow.session) == len(right)
    assert check(kdc) == right


def test_the_dashboard_counts_due_soon_overdue_and_in_time(kdc):
    with kdc.unit_of_work() as uow:
        late = service.create(uow, new("2026-01-05"), "t")  # respond by 19 January
        soon = service.create(uow, new("2026-01-15", "Waste"), "t")  # by 29 January
        later = service.create(uow, new("2026-01-26", "Waste"), "t")  # by 9 February
        done = service.create(uow, new("2026-01-05", "Parks"), "t")
        service.update_status(uow, done.reference, "resolved", "t",
                              now=dt.datetime(2026, 1, 9, tzinfo=UTC))  # fmt: skip
    assert (late.respond_by, soon.respond_by, later.respond_by) == (
        dt.date(2026, 1, 19), dt.date(2026, 1, 29), dt.date(2026, 2, 9))  # fmt: skip
    with kdc.unit_of_work(dry_run=True) as uow:
        # Monday 26 January: due soon runs to Thursday 29 January (three working days)
        board = dashboard(uow, dt.date(2026, 1, 26))
        by_officer = overdue_counts(uow, dt.date(2026, 1, 26), "officer")
    assert board.due_until == dt.date(2026, 1, 29)
    totals = board.totals
    assert (totals.open, totals.due, totals.overdue, totals.answered) == (3, 1, 1, 1)
    assert totals.percent_in_time == 100.0
    waste = {line.name: line for line in board.by_service}["Waste"]
    assert (waste.open, waste.due, waste.overdue) == (2, 1, 0)
    assert by_officer == [("Hana Road", 1)] == board.overdue_by_officer


def _summary_migration() -> str | None:
    """The revision before the one that adds the summary (found by its file, so this holds
    whatever number it is given)."""
    script = ScriptDirectory.from_config(alembic_config())
    for rev in script.walk_revisions():
        if rev.path.endswith("_enquiry_counts.py"):
            down = rev.down_revision
            assert isinstance(down, str)
            return down
    raise AssertionError("no enquiry_counts migration")


def test_the_migration_fills_the_summary_from_the_enquiries_already_there(kdc):
    with kdc.unit_of_work() as uow:
        service.create(uow, new("2026-01-05"), "t")
        b = service.create(uow, new("2026-01-06", "Waste"), "t").reference
        service.update_status(uow, b, "resolved", "t", now=dt.datetime(2026, 1, 7, tzinfo=UTC))
    right = check(kdc)
    kdc.dispose()
    downgrade(kdc.engine, _summary_migration())
    upgrade(kdc.engine)
    # per dimension: one open by date, and the totals of one open and one answered
    assert check(kdc) == right and len(right) == 9


def test_the_dashboard_command_checks_rebuilds_and_prints_the_figures(kdc, kdc_run):
    with kdc.unit_of_work() as uow:
        service.create(uow, new("2026-01-05"), "t")
    with kdc.engine.begin() as conn:  # written by SQL: the summary misses it
        conn.execute(delete(EnquiryOpenCountRow))
    off = kdc_run("enquiries", "dashboard", "--check", "--today", "2026-01-26")
    assert off.exit_code == 1 and "--rebuild" in off.output
    fixed = kdc_run("enquiries", "dashboard", "--rebuild", "--check", "--today", "2026-01-26")
    assert fixed.exit_code == 0, fixed.output
    assert "Rebuilt the dashboard summary: 6 rows." in fixed.output
    assert "Highways: 1 open, 0 due soon, 1 overdue; 0 answered, - in time" in fixed.output
    officers = kdc_run("enquiries", "dashboard", "--by", "officer", "--json")
    assert '"name": "Hana Road"' in officers.output
    check(kdc)
