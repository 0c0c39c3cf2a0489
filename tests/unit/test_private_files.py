"""The SQLite database, its WAL and shared-memory files and the instance folder are created
readable by the running account only, whatever the umask."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from kdc_admin.secret_key import load_secret_key
from kdc_core.config import Settings
from kdc_core.db.engine import make_engine


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual default: new files world-readable
    yield
    os.umask(old)


def test_a_new_sqlite_database_and_its_wal_files_are_0600_in_a_0700_folder(tmp_path, open_umask):
    instance = tmp_path / "deploy" / "instance"
    database = instance / "kdc.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE constituents (name TEXT)"))
            conn.execute(text("INSERT INTO constituents VALUES ('A Resident')"))
        with engine.connect() as conn:  # the WAL and shared-memory files exist while open
            assert conn.execute(text("SELECT count(*) FROM constituents")).scalar() == 1
            wal, shm = instance / "kdc.sqlite3-wal", instance / "kdc.sqlite3-shm"
            assert wal.exists() and shm.exists()
            assert {p.name: _mode(p) for p in (database, wal, shm)} == {
                "kdc.sqlite3": 0o600,
                "kdc.sqlite3-wal": 0o600,
                "kdc.sqlite3-shm": 0o600,
            }
    finally:
        engine.dispose()
    assert _mode(instance) == 0o700
    assert _mode(tmp_path / "deploy") == 0o755  # only the folder kdc-core owns is narrowed


def test_an_existing_database_file_keeps_the_mode_it_was_given(tmp_path, open_umask):
    database = tmp_path / "kdc.sqlite3"
    database.touch(mode=0o640)
    os.chmod(database, 0o640)
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x)"))
    engine.dispose()
    assert _mode(database) == 0o640


def test_the_instance_folder_made_for_the_secret_key_is_0700(tmp_path, open_umask):
    instance = tmp_path / "instance"
    load_secret_key(Settings(database_url="sqlite://", instance_path=instance, environ={}))
    assert _mode(instance) == 0o700
    assert _mode(instance / next(p.name for p in instance.iterdir())) == 0o600
