"""A month's build asks each section once for every ward: its queries do not grow with wards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from kdc_core.app import Kdc
from kdc_core.calendar.events import create_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db import (
    CouncillorRow,
    OfficerRow,
    OfficerWardRow,
    ServiceRow,
    WardContactRow,
    WardRow,
)
from kdc_core.newsletter.build import build_month
from kdc_core.newsletter.values import Month

MARCH = Month(2027, 3)


def add_wards(kdc: Kdc, first: int, count: int) -> None:
    """``count`` wards, each with two councillors, an officer working there (its link officer
    and named Parks contact) and an open day in March."""
    with kdc.unit_of_work() as uow:
        parks = uow.session.query(ServiceRow).filter_by(slug="parks").one_or_none()
        if parks is None:
            parks = ServiceRow(name="Parks", slug="parks", ward_facing=True)
            uow.session.add(parks)
        for n in range(first, first + count):
            officer = OfficerRow(
                person_id=f"o{n}",
                given_name="Olu",
                family_name=f"Officer{n}",
                email=f"o{n}@x.test",
                service=parks,
                created_at=dt.datetime(2027, 3, 2, tzinfo=dt.UTC),
            )
            ward = WardRow(name=f"Ward {n:02d}", slug=f"ward-{n:02d}", link_officer=officer)
            uow.session.add_all(
                [
                    officer,
                    ward,
                    CouncillorRow(name=f"Ann {n}", ward=ward, email=f"a{n}@x.test"),
                    CouncillorRow(name=f"Bo {n}", ward=ward, email=f"b{n}@x.test"),
                    OfficerWardRow(officer=officer, ward=ward, source="local"),
                    WardContactRow(ward=ward, service=parks, officer=officer),
                ]
            )
            uow.session.flush()
            create_event(
                uow,
                NewEvent(
                    kind=EventKind.OPEN_DAY,
                    title=f"Open day {n}",
                    start=dt.datetime(2027, 3, 10, 10, tzinfo=dt.UTC),
                    end=dt.datetime(2027, 3, 10, 12, tzinfo=dt.UTC),
                    ward_ids=(ward.id,),
                ),
            )


@contextmanager
def counting(kdc: Kdc) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(kdc.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(kdc.engine, "before_cursor_execute", before)


def build_counted(kdc: Kdc) -> tuple[int, int]:
    """(issues built, statements run) for March's build of every ward, stored."""
    with kdc.unit_of_work(source="test") as uow, counting(kdc) as statements:
        built = build_month(uow, kdc.sections, MARCH)
    return len(built), len(statements)


def test_a_months_build_runs_as_many_queries_for_twelve_wards_as_for_two(kdc_app: Kdc):
    add_wards(kdc_app, 0, 2)
    two, queries_two = build_counted(kdc_app)
    add_wards(kdc_app, 2, 10)
    twelve, queries_twelve = build_counted(kdc_app)
    assert (two, twelve) == (4, 24)
    assert queries_twelve == queries_two


def test_every_ward_gets_its_own_entries_from_the_shared_queries(kdc_app: Kdc):
    add_wards(kdc_app, 0, 3)
    with kdc_app.unit_of_work(source="test", dry_run=True) as uow:
        built = build_month(uow, kdc_app.sections, MARCH, store=False)
    for issue in built:
        n = int(issue.ward_name.split()[-1])
        assert f"Open day {n}" in issue.text
        assert f"Olu Officer{n}" in issue.text
        others = {f"Olu Officer{m}" for m in range(3) if m != n}
        assert not any(other in issue.text for other in others)
        assert f"1 of its officer works in {issue.ward_name}." in issue.text
