"""A storage for the `limits` library (behind flask-limiter) in the application's database.

``[signin] storage = "database"`` keeps the counts of the web app's request limits in the
``rate_limits`` table, so every web process on the same database counts together: two
workers behind a proxy do not each allow the full limit. Each count is one row, raised by a
single upsert (a fixed window: the row holds the hits and when the window ends).
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import Engine, case, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from kdc_core.db.engine import read_only
from kdc_core.db.users import RateLimitRow

#: The storage URI scheme (``storage_uri="kdc+database://"`` with ``engine=`` as an option).
SCHEME = "kdc+database"
#: Windows that ended longer ago than this are deleted as new counts come in.
KEEP_SECONDS = 3600

_TABLE: Any = RateLimitRow.__table__


class DatabaseStorage(Storage):
    """Counts kept in the ``rate_limits`` table of ``engine`` (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the base class declares it a plain attribute)

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any
    ) -> None:
        engine = options.pop("engine", None)
        if not isinstance(engine, Engine):
            raise ValueError(f"{SCHEME}: pass the database engine as the 'engine' option")
        super().__init__(uri, wrap_exceptions, **options)
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        make_insert: Any = (
            postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        )
        stmt = make_insert(_TABLE).values(key=key, hits=amount, expires_at=now + expiry)
        ended = _TABLE.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "hits": case((ended, amount), else_=_TABLE.c.hits + amount),
                "expires_at": case((ended, now + expiry), else_=_TABLE.c.expires_at),
            },
        )
        with self.engine.begin() as conn:
            hits = conn.scalar(stmt.returning(_TABLE.c.hits))
            conn.execute(delete(_TABLE).where(_TABLE.c.expires_at < now - KEEP_SECONDS))
        return int(hits or 0)

    def _window(self, key: str) -> tuple[int, float] | None:
        with read_only(self.engine).connect() as conn:
            row = conn.execute(
                select(_TABLE.c.hits, _TABLE.c.expires_at).where(_TABLE.c.key == key)
            ).first()
        if row is None or row.expires_at <= time.time():
            return None
        return int(row.hits), float(row.expires_at)

    def get(self, key: str) -> int:
        window = self._window(key)
        return window[0] if window else 0

    def get_expiry(self, key: str) -> float:
        window = self._window(key)
        return window[1] if window else time.time()

    def check(self) -> bool:
        try:
            with read_only(self.engine).connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_TABLE)).rowcount)

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_TABLE).where(_TABLE.c.key == key))
