"""Two processes changing enquiries at once on PostgreSQL lose no count in the dashboard's
summary: afterwards it equals a recount."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from enquiry_people import seed_enquiry_people
from sqlalchemy import func, select

from kdc_core import testing
from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db import enquiry_counts
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.enquiries import service
from kdc_core.enquiries.values import NewEnquiry

EACH = 9

ENQUIRY = NewEnquiry(
    councillors=("Ann Smith",), ward="Almondbury", category="general", service="Highways",
    description="Street light out", received_at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
)  # fmt: skip


def work(url: str, who: str, folder: Path, start: Any) -> None:
    """One process: create enquiries, and extend, resolve or reassign each."""
    kdc = Kdc(Settings(database_url=url, instance_path=folder, environ={}))
    start.wait()
    for i in range(EACH):
        with kdc.unit_of_work() as uow:
            ref = service.create(uow, ENQUIRY, who).reference
        with kdc.unit_of_work() as uow:
            if i % 3 == 0:
                service.extend(uow, ref, "waiting", who)
            elif i % 3 == 1:
                when = dt.datetime(2026, 3, 5, tzinfo=dt.UTC)
                service.update_status(uow, ref, "resolved", who, now=when)
            else:
                service.assign(uow, ref, "Jo Joint", who)
    kdc.dispose()


@pytest.fixture
def kdc_database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """PostgreSQL only: SQLite lets one writer in at a time by itself."""
    yield from testing.database_url_for(
        "postgres", tmp_path, request.getfixturevalue("kdc_postgres_url")
    )


def test_two_processes_changing_enquiries_at_once_lose_no_count(kdc_app, tmp_path):
    seed_enquiry_people(kdc_app)
    url = kdc_app.settings.database_url
    kdc_app.dispose()  # no pooled connection is handed to the children
    forked = multiprocessing.get_context("fork")  # the children start with kdc imported
    start = forked.Barrier(2)
    workers = [
        forked.Process(target=work, args=(url, f"worker {n}", tmp_path / str(n), start))
        for n in (1, 2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    with kdc_app.unit_of_work(dry_run=True) as uow:
        stored = enquiry_counts.stored(uow.session)
        assert stored == enquiry_counts.recount(uow.session)
        made = uow.session.scalar(select(func.count()).select_from(EnquiryRow))
    assert made == 2 * EACH
    answered = sum(n for k, n in stored.items() if k[:2] == ("totals", "ward") and k[3] != "open")
    opened = sum(n for k, n in stored.items() if k[:2] == ("open", "ward"))
    assert (answered, opened) == (2 * (EACH // 3), 2 * EACH - 2 * (EACH // 3))
