"""The declarative base every row class derives from, with a stable constraint naming convention."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapper, Session, object_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as UTC; SQLite gives it back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware value")
        return value.astimezone(dt.UTC)

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Mapper, "before_configured")
def _every_table_first() -> None:
    """Before the ORM configures its mappers (on the first ORM query or row made), import
    every table module: a relationship names its other side by class name, which must be
    known by then, and :mod:`kdc_core.db` imports the row classes only when asked for."""
    from kdc_core.db import load_tables

    load_tables()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def council_zone(of: object) -> dt.tzinfo | None:
    """The council's time zone, from the application whose session is ``of`` or holds the
    row ``of`` (both ``Kdc.unit_of_work`` and the admin put it in ``session.info``); ``None``
    outside an application, so that a row's label can still be written there."""
    session = of if isinstance(of, Session) else object_session(of)
    app = session.info.get("kdc_app") if session is not None else None
    zone: dt.tzinfo | None = getattr(getattr(app, "settings", None), "tz", None)
    return zone
