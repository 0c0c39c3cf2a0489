"""Logging in: lockout after repeated failures, same answer for unknown addresses."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from kdc_core import users

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


def test_unknown_address_gets_the_wrong_password_answer_and_similar_time(kdc_app, account):
    unknown = _login(kdc_app, PASSWORD, email="nobody@example.gov.uk")
    assert unknown.message == _login(kdc_app, "wrong password").message
    timings = {}
    for email in ("nobody@example.gov.uk", "ann@example.gov.uk"):
        start = time.perf_counter()
        for _ in range(3):
            _login(kdc_app, "wrong password x", email=email)
        timings[email] = time.perf_counter() - start
    fast, slow = sorted(timings.values())
    assert fast > slow / 3, timings


def test_address_matching_ignores_case_and_spaces(kdc_app, account):
    assert _login(kdc_app, PASSWORD, email="  ANN@example.GOV.uk ").ok
