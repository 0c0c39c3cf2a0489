"""Logging in: lockout after repeated failures, same answer for unknown addresses."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from kdc_core import users
from kdc_core.db.users import SignInFailureRow
from kdc_core.users import service

PASSWORD = "a long enough password"


@pytest.fixture
def account(kdc_app):
    with kdc_app.unit_of_work() as uow:
        return users.create_user(uow, "ann@example.gov.uk", "liaison", PASSWORD)


def _login(kdc_app, password, now=None, email="ann@example.gov.uk"):
    with kdc_app.unit_of_work() as uow:
        return users.authenticate(uow, email, password, now=now)


def test_right_password_logs_in_and_records_the_time(kdc_app, account):
    now = dt.datetime(2027, 1, 4, 9, 30, tzinfo=dt.UTC)
    result = _login(kdc_app, PASSWORD, now)
    assert result.ok and result.user.email == "ann@example.gov.uk"
    assert _login(kdc_app, PASSWORD).user.last_login_at is not None
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert users.find_user(uow, "ann@example.gov.uk").failed_logins == 0


def test_five_failures_lock_the_account_for_fifteen_minutes(kdc_app, account):
    start = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
    for i in range(users.MAX_FAILED_LOGINS - 1):
        result = _login(kdc_app, "wrong password", start + dt.timedelta(seconds=i))
        assert result.message == users.BAD_CREDENTIALS
    locked = _login(kdc_app, "wrong password", start + dt.timedelta(seconds=10))
    assert not locked.ok
    assert locked.locked_until == start + dt.timedelta(seconds=10) + users.LOCKOUT
    assert "locked for 15 minutes, until 9:15am." in locked.message  # GMT in January
    still = _login(kdc_app, PASSWORD, start + dt.timedelta(minutes=14))
    assert not still.ok and "locked" in still.message
    assert _login(kdc_app, PASSWORD, start + dt.timedelta(minutes=16)).ok


def test_a_success_resets_the_failure_count(kdc_app, account):
    for _ in range(users.MAX_FAILED_LOGINS - 1):
        _login(kdc_app, "wrong password")
    assert _login(kdc_app, PASSWORD).ok
    for _ in range(users.MAX_FAILED_LOGINS - 1):
        assert _login(kdc_app, "wrong password").message == users.BAD_CREDENTIALS


def test_an_unknown_address_gets_the_same_answers_as_a_real_account(kdc_app, account):
    """Counted and locked alike: neither the messages nor the lock tell who has an account."""
    start = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)

    def answers(email: str) -> list[tuple[str | None, dt.datetime | None]]:
        out = []
        for i in range(users.MAX_FAILED_LOGINS + 2):
            result = _login(kdc_app, "wrong password", start + dt.timedelta(seconds=i), email)
            out.append((result.message, result.locked_until))
        return out

    real, unknown = answers("ann@example.gov.uk"), answers("nobody@example.gov.uk")
    assert real == unknown
    assert [m for m, _ in real[: users.MAX_FAILED_LOGINS - 1]] == [users.BAD_CREDENTIALS] * 4
    assert all("locked for 15 minutes" in m for m, _ in real[users.MAX_FAILED_LOGINS - 1 :])
    with kdc_app.unit_of_work(dry_run=True) as uow:
        stored = uow.session.scalars(select(SignInFailureRow.key)).all()
    assert stored == [service.address_key("nobody@example.gov.uk")]  # a digest, not the address
    # Both unlock after 15 minutes, the unknown one with the same "wrong" answer as before.
    later = start + users.LOCKOUT + dt.timedelta(minutes=1)
    assert _login(kdc_app, PASSWORD, later).ok
    assert _login(kdc_app, PASSWORD, later, "nobody@example.gov.uk").message == (
        users.BAD_CREDENTIALS
    )


def test_an_unknown_address_costs_the_same_password_hashing_as_a_real_one(kdc_app, monkeypatch):
    """With Argon2 parameters of a real deployment's order (the suite's are the cheapest), the
    password check is most of a login's time: an unknown address that skipped it would answer
    many times faster. Each address's fastest of several tries (other work on a busy machine
    only ever adds time) and a generous ratio keep this steady under load."""
    monkeypatch.setattr(service, "_hasher", PasswordHasher(time_cost=2, memory_cost=19456))
    service._dummy_hash.cache_clear()
    try:
        with kdc_app.unit_of_work() as uow:
            users.create_user(uow, "ann@example.gov.uk", "liaison", PASSWORD)
        timings: dict[str, list[float]] = {"nobody@example.gov.uk": [], "ann@example.gov.uk": []}
        for _ in range(6):
            for email, times in timings.items():
                with kdc_app.unit_of_work() as uow:  # keep the address unlocked
                    service.unlock(uow, email)
                started = time.perf_counter()
                _login(kdc_app, "wrong password x", email=email)
                times.append(time.perf_counter() - started)
        fast, slow = sorted(min(times) for times in timings.values())
        assert fast > slow / 2.5, timings
    finally:
        service._dummy_hash.cache_clear()


def test_a_lock_runs_its_fifteen_minutes_even_for_the_right_password(kdc_app, account):
    start = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
    for i in range(users.MAX_FAILED_LOGINS):
        _login(kdc_app, "wrong password", start + dt.timedelta(seconds=i))
    refused = _login(kdc_app, PASSWORD, start + dt.timedelta(minutes=1))
    assert not refused.ok and refused.locked_until == start + dt.timedelta(seconds=4) + (
        users.LOCKOUT
    )
    with kdc_app.unit_of_work(dry_run=True) as uow:  # the refused right password changed nothing
        assert users.find_user(uow, "ann@example.gov.uk").last_login_at is None


def test_address_matching_ignores_case_and_spaces(kdc_app, account):
    assert _login(kdc_app, PASSWORD, email="  ANN@example.GOV.uk ").ok
