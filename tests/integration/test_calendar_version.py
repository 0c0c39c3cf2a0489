"""The calendar version moves in the same transaction as every change a feed can show, and
only then; its log says what moved it."""

from __future__ import annotations

import pytest

from kdc_core.changes import Action, Change
from kdc_core.db import PoliticalGroupRow, WardRow, calendar_version, tracking


def _version(kdc) -> int:
    with kdc.unit_of_work(dry_run=True) as uow:
        return calendar_version.current(uow.session)


def test_a_committed_change_moves_the_version_and_logs_what_it_was(kdc_app):
    start = _version(kdc_app)
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Dalton", slug="dalton")
        uow.session.add(ward)
        uow.session.flush()
        assert calendar_version.current(uow.session) == start  # not before the commit
    assert _version(kdc_app) == start + 1
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert calendar_version.changes_since(uow.session, start) == (
            start + 1,
            [("ward", ward.id)],
        )


def test_a_rollback_a_dry_run_or_an_unrelated_change_leaves_it(kdc_app):
    start = _version(kdc_app)
    with pytest.raises(RuntimeError), kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Dalton", slug="dalton"))
        uow.session.flush()
        raise RuntimeError("undo")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        uow.session.add(WardRow(name="Dalton", slug="dalton"))
    with kdc_app.unit_of_work() as uow:
        uow.session.add(PoliticalGroupRow(name="Independent"))
    assert _version(kdc_app) == start


def test_changes_recorded_by_hand_for_bulk_writes_move_it(kdc_app):
    start = _version(kdc_app)
    with kdc_app.unit_of_work() as uow:
        tracking.record(uow.session, [Change("officer", Action.UPDATED, 7, "Olu", (), "cli")])
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert calendar_version.changes_since(uow.session, start) == (start + 1, [("officer", 7)])


def test_many_changes_of_one_kind_are_logged_as_any_of_that_kind(kdc_app):
    start = _version(kdc_app)
    many = calendar_version.MANY + 1
    with kdc_app.unit_of_work(dry_run=True) as uow:
        logged = calendar_version.log_size(uow.session)
    with kdc_app.unit_of_work() as uow:
        tracking.record(
            uow.session,
            [Change("officer", Action.ADDED, n, f"O{n}", (), "cli") for n in range(1, many + 1)]
            + [Change("ward", Action.UPDATED, 3, "Dalton", (), "cli")],
        )
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert calendar_version.changes_since(uow.session, start) == (
            start + 1,
            [("officer", None), ("ward", 3)],
        )
        assert calendar_version.log_size(uow.session) == logged + 2


def test_condensed_notes_keep_every_kind_and_let_any_stand_for_its_ids():
    many = calendar_version.MANY
    assert calendar_version.condensed([("event", 2), ("event", None), ("ward", 1)]) == [
        ("event", None),
        ("ward", 1),
    ]
    assert calendar_version.condensed([("officer", n) for n in range(many, 0, -1)]) == [
        ("officer", n) for n in range(1, many + 1)
    ]
    assert calendar_version.condensed([("officer", n) for n in range(many + 1)]) == [
        ("officer", None)
    ]


def test_a_reader_behind_the_log_is_told_everything_changed(kdc_app):
    start = _version(kdc_app)
    with kdc_app.unit_of_work() as uow:
        uow.session.add(WardRow(name="Dalton", slug="dalton"))
    with kdc_app.unit_of_work() as uow:
        uow.session.execute(
            calendar_version.CalendarChangeRow.__table__.delete().where(
                calendar_version.CalendarChangeRow.version == start + 1
            )
        )
        assert calendar_version.changes_since(uow.session, start) is None
