"""``[signin] storage = "database"``: the sign-in limits count in the database, so every web
process on it counts together."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select, update

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, csrf_token
from kdc_core.app import Kdc
from kdc_core.db.rate_limits import DatabaseStorage
from kdc_core.db.users import RateLimitRow
from kdc_core.errors import ConfigError
from kdc_core.signin_config import SignInSettings


def _worker(kdc_app: Kdc):
    """A second web process on the same database: its own Kdc, app and limiter."""
    settings = kdc_app.settings.evolve(signin=SignInSettings(storage="database"))
    client = create_app(Kdc(settings), SECRET_KEY=TEST_SECRET).test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.10"
    return client


def _fail_login(client, email: str) -> int:
    token = csrf_token(client, "/login")
    data = {"email": email, "password": "wrong", "csrf_token": token}
    return client.post("/login", data=data).status_code


def test_two_workers_share_one_count_per_address(kdc_app):
    one, two = _worker(kdc_app), _worker(kdc_app)
    for i in range(10):
        assert _fail_login(one, f"a{i}@example.gov.uk") == 200
        assert _fail_login(two, f"b{i}@example.gov.uk") == 200
    assert _fail_login(one, "c@example.gov.uk") == 429
    assert _fail_login(two, "c@example.gov.uk") == 429
    with kdc_app.unit_of_work(dry_run=True) as uow:
        keys = uow.session.scalars(select(RateLimitRow.key)).all()
    assert keys and not any("@" in key for key in keys)  # digests of addresses, never them


def test_the_database_storage_counts_in_fixed_windows(kdc_app):
    storage = DatabaseStorage(engine=kdc_app.engine)
    assert storage.check()
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get("other") == 0
    assert time.time() < storage.get_expiry("k") <= time.time() + 60
    with kdc_app.engine.begin() as conn:  # the window ends
        conn.execute(update(RateLimitRow).values(expires_at=time.time() - 1))
    assert storage.get("k") == 0
    assert storage.incr("k", 60, amount=2) == 2  # a new window
    storage.clear("k")
    assert storage.get("k") == 0
    storage.incr("a", 60)
    assert storage.reset() == 1


def test_a_storage_that_cannot_be_used_stops_start_up_naming_the_key(kdc_app):
    settings = kdc_app.settings.evolve(signin=SignInSettings(storage="nosuch://limits.internal"))
    with pytest.raises(ConfigError, match=r"^signin\.storage: .*nosuch") as caught:
        create_app(Kdc(settings), SECRET_KEY=TEST_SECRET)
    assert caught.value.key == "signin.storage"
