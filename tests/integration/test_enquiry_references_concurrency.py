"""References stay unique and gap-free when many enquiries arrive at once on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from enquiry_people import seed_enquiry_people
from pooled import pooled_kdc, postgres_database_url
from sqlalchemy import select

from kdc_core.app import Kdc
from kdc_core.db.enquiries import EnquiryRow
from kdc_core.enquiries import service
from kdc_core.enquiries.values import NewEnquiry

THREADS, EACH = 20, 25


@pytest.fixture
def kdc_database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """PostgreSQL only: SQLite serialises writers by itself."""
    yield from postgres_database_url(request, tmp_path)


@pytest.fixture
def pooled(kdc_database_url, kdc_copy_template, tmp_path) -> Iterator[Kdc]:
    kdc_copy_template(kdc_database_url)
    kdc = pooled_kdc(kdc_database_url, tmp_path, THREADS)
    seed_enquiry_people(kdc)
    yield kdc
    kdc.dispose()


ENQUIRY = NewEnquiry(
    councillors=("Ann Smith",),
    ward="Almondbury",
    category="general",
    service="Highways",
    description="Street light out",
    received_at=dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC),
)


class Abandon(Exception):
    pass


def test_twenty_threads_creating_25_each_get_500_distinct_gap_free_references(pooled):
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work() -> None:
        try:
            start.wait()
            for i in range(EACH):
                if i % 10 == 5:  # an abandoned transaction must give its number back
                    try:
                        with pooled.unit_of_work() as uow:
                            service.create(uow, ENQUIRY, actor="load")
                            raise Abandon
                    except Abandon:
                        pass
                with pooled.unit_of_work() as uow:
                    service.create(uow, ENQUIRY, actor="load")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pooled.unit_of_work(dry_run=True) as uow:
        refs = list(uow.session.scalars(select(EnquiryRow.reference)))
        numbers = sorted(uow.session.scalars(select(EnquiryRow.number)))
    assert len(refs) == len(set(refs)) == THREADS * EACH
    assert numbers == list(range(1, THREADS * EACH + 1))
    assert "KE-2027-000500" in refs and "KE-2027-000501" not in refs
