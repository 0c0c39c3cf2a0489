"""On PostgreSQL, a burst of logins for one address cannot check more passwords than the
lockout allows: each login claims a try in the database before its password is checked."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pooled import pooled_kdc, postgres_database_url

from kdc_core import users
from kdc_core.app import Kdc
from kdc_core.users import service

THREADS = 60
PASSWORD = "a long enough password"


@pytest.fixture
def kdc_database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """PostgreSQL only: SQLite serialises writers by itself."""
    yield from postgres_database_url(request, tmp_path)


@pytest.fixture
def pooled(kdc_database_url, kdc_copy_template, tmp_path) -> Iterator[Kdc]:
    kdc_copy_template(kdc_database_url)
    kdc = pooled_kdc(kdc_database_url, tmp_path, THREADS)
    yield kdc
    kdc.dispose()


@pytest.fixture
def checked(monkeypatch) -> list[str]:
    """The hashes passwords were checked against, in order (thread-safe appends)."""
    seen: list[str] = []
    real = service._verify

    def counting(password_hash: str, password: str) -> bool:
        seen.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(service, "_verify", counting)
    return seen


def _burst(kdc: Kdc, email: str) -> list[users.LoginResult]:
    start = threading.Barrier(THREADS)
    results: list[users.LoginResult] = []
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            start.wait()
            with kdc.unit_of_work(source="test") as uow:
                results.append(users.authenticate(uow, email, "wrong password"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_sixty_parallel_wrong_passwords_check_at_most_the_allowed_number(pooled, checked):
    with pooled.unit_of_work() as uow:
        account = users.create_user(uow, "ann@example.gov.uk", "admin", PASSWORD)
        real_hash = uow.session.get(service.UserRow, account.id).password_hash
    results = _burst(pooled, "ann@example.gov.uk")
    assert len(results) == THREADS and not any(r.ok for r in results)
    assert checked.count(real_hash) == users.MAX_FAILED_LOGINS
    assert sum(r.locked_until is not None for r in results) == THREADS - (
        users.MAX_FAILED_LOGINS - 1
    )
    # The right password after the burst is refused while the lock lasts, without a check.
    before = checked.count(real_hash)
    after = _login_once(pooled, PASSWORD)
    assert not after.ok and after.locked_until is not None
    assert checked.count(real_hash) == before


def test_a_burst_for_an_unknown_address_locks_it_the_same_way(pooled, checked):
    results = _burst(pooled, "nobody@example.gov.uk")
    assert sum(r.locked_until is None for r in results) == users.MAX_FAILED_LOGINS - 1
    assert len(checked) == THREADS  # the dummy hash, every time: the same work as a real one


def _login_once(kdc: Kdc, password: str) -> users.LoginResult:
    with kdc.unit_of_work(source="test") as uow:
        return users.authenticate(uow, "ann@example.gov.uk", password)
