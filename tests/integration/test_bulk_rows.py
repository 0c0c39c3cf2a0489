"""Bulk row writes (``COPY`` on PostgreSQL, the driver's executemany on SQLite) store exactly
what an ordinary insert would, awkward text and timestamps included, in the caller's
transaction."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from sqlalchemy import Table, select

from kdc_core import changelog
from kdc_core.changes import Action, Change
from kdc_core.db import bulk
from kdc_core.db.changelog import ChangeLogRow

AWKWARD = [
    "tab\there",
    "line\nbreak",
    "carriage\rreturn",
    "back\\slash \\N",
    "quote ' and \" marks",
    "Ünïcødé — 東京",
    "",
    "\\.",
]
WHEN = dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


def _table() -> Table:
    return cast(Table, ChangeLogRow.__table__)


@pytest.mark.parametrize("count", [1, 57])
def test_rows_come_back_as_they_were_given(kdc_app, count):
    table = _table()
    with kdc_app.unit_of_work() as uow:
        conn = uow.session.connection()
        when = bulk.stored_form(conn, table.c.at)(WHEN)
        rows = [
            (when, "test", "officer", n if n % 3 else None, "updated", text, "a,b")
            for n, text in enumerate(AWKWARD * (count // len(AWKWARD) + 1))
        ][:count]
        assert bulk.insert_rows(conn, table, changelog.COLUMNS, rows) == count
    with kdc_app.unit_of_work(dry_run=True) as uow:
        stored = uow.session.execute(
            select(ChangeLogRow.at, ChangeLogRow.key, ChangeLogRow.label, ChangeLogRow.fields)
            .where(ChangeLogRow.source == "test")
            .order_by(ChangeLogRow.id)
        ).all()
    assert [(r.key, r.label, r.fields) for r in stored] == [(r[3], r[5], r[6]) for r in rows]
    assert {r.at for r in stored} == {WHEN}
    assert all(r.at.utcoffset() == dt.timedelta(0) for r in stored)


def test_nothing_given_writes_nothing(kdc_app):
    with kdc_app.unit_of_work() as uow:
        assert bulk.insert_rows(uow.session.connection(), _table(), changelog.COLUMNS, []) == 0


def test_bulk_rows_roll_back_with_the_transaction(kdc_app):
    changes = [
        Change("officer", Action.ADDED, n, f"Officer {n}", (), "rollback-test") for n in range(100)
    ]
    with pytest.raises(RuntimeError), kdc_app.unit_of_work() as uow:
        assert changelog.write(uow.session, changes) == len(changes)
        logged = uow.session.scalars(
            select(ChangeLogRow.key).where(ChangeLogRow.source == "rollback-test")
        ).all()
        assert len(logged) == len(changes)  # visible inside the transaction
        raise RuntimeError("undo")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert not uow.session.scalars(
            select(ChangeLogRow.id).where(ChangeLogRow.source == "rollback-test")
        ).all()


def test_a_row_the_table_refuses_fails_the_whole_write(kdc_app):
    table = _table()
    with pytest.raises(Exception, match=r"(?i)null"), kdc_app.unit_of_work() as uow:
        conn = uow.session.connection()
        when = bulk.stored_form(conn, table.c.at)(WHEN)
        rows = [(when, "test", "officer", n, "added", "x", "") for n in range(50)]
        rows.append((when, "test", "officer", 0, "added", None, ""))  # label is NOT NULL
        bulk.insert_rows(conn, table, changelog.COLUMNS, rows)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert not uow.session.scalars(
            select(ChangeLogRow.id).where(ChangeLogRow.source == "test")
        ).all()
