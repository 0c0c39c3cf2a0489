"""The admin home page (data health) works out its counts and lists in SQL: the queries it
issues do not grow with the number of officers, and the stale list and counts stay right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, insert

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, log_in
from kdc_core.db.people import OfficerRow, ServiceRow, WardRow
from kdc_core.people.health import data_health

NOW = dt.datetime(2027, 3, 2, 12, 0, tzinfo=dt.UTC)
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
RECENT = NOW - dt.timedelta(days=10)


def _add_officers(kdc, start: int, count: int) -> None:
    """``count`` more officers, every other one stale (updated long ago)."""
    with kdc.unit_of_work(source="test") as uow:
        service = uow.session.query(ServiceRow).first()
        uow.session.execute(
            insert(OfficerRow),
            [
                {
                    "person_id": f"P{n:05d}",
                    "given_name": f"Given{n}",
                    "family_name": f"Family{n:05d}",
                    "service_id": service.id,
                    "updated_at": LONG_AGO if n % 2 else RECENT,
                }
                for n in range(start, start + count)
            ],
        )


@contextmanager
def counted(kdc) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(kdc.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(kdc.engine, "before_cursor_execute", note)


def test_the_home_page_issues_as_many_queries_for_1200_officers_as_for_4(kdc_app):
    with kdc_app.unit_of_work(source="test") as uow:
        uow.session.add(ServiceRow(name="Streetscene", slug="streetscene", ward_facing=True))
        uow.session.add(WardRow(name="Almondbury", slug="almondbury"))
    add_user(kdc_app, "viewer@example.gov.uk", "viewer")
    client = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    log_in(client, "viewer@example.gov.uk")

    _add_officers(kdc_app, 1, 4)
    client.get("/admin/")  # anything done once per process is out of the way
    with counted(kdc_app) as small:
        page = client.get("/admin/")
    assert page.status_code == 200
    assert ">2</span>" in page.get_data(as_text=True)  # the stale badge

    _add_officers(kdc_app, 5, 1196)
    with counted(kdc_app) as large:
        page = client.get("/admin/")
    text = page.get_data(as_text=True)
    assert ">600</span>" in text
    assert "… and 575 more" in text  # 25 listed of the 600 stale
    assert len(large) == len(small), "\n".join(large)


def test_stale_officers_are_listed_never_checked_first_then_oldest(kdc_app):
    with kdc_app.unit_of_work(source="test") as uow:
        uow.session.add(ServiceRow(name="Libraries", slug="libraries"))
    with kdc_app.unit_of_work(source="test") as uow:
        service = uow.session.query(ServiceRow).one()
        rows = {
            "never": OfficerRow(person_id="A", given_name="Ann", family_name="Never"),
            "old": OfficerRow(person_id="B", given_name="Ben", family_name="Old"),
            "older": OfficerRow(person_id="C", given_name="Cat", family_name="Older"),
            "confirmed": OfficerRow(person_id="D", given_name="Dan", family_name="Confirmed"),
            "fresh": OfficerRow(person_id="E", given_name="Eve", family_name="Fresh"),
            "left": OfficerRow(person_id="F", given_name="Fay", family_name="Left"),
            "only-confirmed-long-ago": OfficerRow(
                person_id="G", given_name="Gus", family_name="Gone"
            ),
        }
        rows["old"].updated_at = LONG_AGO + dt.timedelta(days=300)
        rows["older"].updated_at = LONG_AGO
        rows["confirmed"].updated_at = LONG_AGO
        rows["confirmed"].confirmed_at = RECENT  # their own confirmation restarts the clock
        rows["fresh"].updated_at = RECENT
        rows["left"].updated_at = LONG_AGO
        rows["left"].archived_at = RECENT
        rows["only-confirmed-long-ago"].confirmed_at = LONG_AGO + dt.timedelta(days=100)
        for row in rows.values():
            row.service_id = service.id
            uow.session.add(row)
    with kdc_app.unit_of_work(dry_run=True) as uow:
        health = data_health(uow, now=NOW)
        first_two = data_health(uow, now=NOW, limit=2)
    assert [o.family_name for o in health.stale_officers] == ["Never", "Older", "Gone", "Old"]
    assert health.stale_count == 4 and health.officers == 6
    assert [o.family_name for o in first_two.stale_officers] == ["Never", "Older"]
    assert first_two.stale_count == 4
