"""On SQLite, processes writing at once wait for each other instead of failing: 4 processes
creating 250 enquiries each all succeed with distinct references."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from enquiry_people import seed_enquiry_people
from sqlalchemy import func, select

from kdc_core.app import Kdc
from kdc_core.config import Settings
from kdc_core.db.enquiries import EnquiryRow

PROCESSES, EACH = 4, 250


@pytest.fixture
def kdc_database_url(tmp_path: Path) -> Iterator[str]:
    """SQLite only: the point is SQLite's single writer."""
    yield f"sqlite:///{tmp_path / 'kdc.sqlite3'}"


def create_many(url: str, folder: str, start: Any, done: Any) -> None:
    from kdc_core.enquiries import service
    from kdc_core.enquiries.values import NewEnquiry

    kdc = Kdc(Settings(database_url=url, instance_path=Path(folder), environ={}))
    new = NewEnquiry(
        councillors=("Ann Smith",),
        ward="Almondbury",
        category="general",
        service="Highways",
        description="Street light out",
        received_at=dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC),
    )
    start.wait()
    for _ in range(EACH):
        with kdc.unit_of_work() as uow:
            service.create(uow, new, actor="load")
    kdc.dispose()
    done.put(EACH)


def test_four_processes_creating_250_each_all_succeed_with_distinct_references(kdc_app, tmp_path):
    seed_enquiry_people(kdc_app)
    url = kdc_app.settings.database_url
    context = multiprocessing.get_context("spawn")
    start, done = context.Barrier(PROCESSES), context.Queue()
    workers = [
        context.Process(target=create_many, args=(url, str(tmp_path / "instance"), start, done))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    assert [done.get(timeout=5) for _ in workers] == [EACH] * PROCESSES
    with kdc_app.unit_of_work(dry_run=True) as uow:
        total = uow.session.scalar(select(func.count()).select_from(EnquiryRow))
        distinct = uow.session.scalar(select(func.count(func.distinct(EnquiryRow.reference))))
    assert total == distinct == PROCESSES * EACH
