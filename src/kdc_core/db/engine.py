"""Engines and sessions: one place that knows how to talk to SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from kdc_core.private_files import private_file

#: How long an SQLite connection waits for another's write lock when the URL does not say
#: (``?timeout=`` in seconds).
SQLITE_BUSY_SECONDS = 30


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys on, WAL, a busy timeout (30 s, or the URL's
    ``?timeout=`` in seconds), write transactions that take the write lock as they begin, and
    its folder (0700) and file (0600) made."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not _uri(parsed.database):
            # Created readable by this account only: it holds constituents' details and
            # password hashes. An empty file is an empty SQLite database.
            private_file(Path(parsed.database))
        if "timeout" not in parsed.query:
            kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_SECONDS})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _uri(database: str) -> bool:
    return database.startswith("file:")


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself so a unit of work really is one transaction.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL's recommended setting: a commit is durable once the OS has it; only a power cut
    # can lose the last commits, never corrupt the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    # A deferred transaction that has read and then writes gets SQLITE_BUSY at once when
    # another connection holds the write lock — the busy timeout never applies — so
    # concurrent writers failed with "database is locked". Taking the write lock when the
    # transaction begins makes them queue for it instead. Connections that only read (an
    # engine from :func:`read_only`) begin deferred and never wait for writers (WAL).
    if conn.get_execution_options().get(_BEGIN_OPTION) == "deferred":
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


_BEGIN_OPTION = "kdc_sqlite_begin"


def read_only(engine: Engine) -> Engine:
    """The same engine (and pool) for work that never writes: on SQLite its transactions
    begin deferred, so they neither take nor wait for the write lock."""
    if engine.dialect.name != "sqlite":
        return engine
    return engine.execution_options(**{_BEGIN_OPTION: "deferred"})


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
