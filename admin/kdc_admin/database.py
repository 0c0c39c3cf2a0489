"""The admin's database access: Flask-SQLAlchemy-Lite's interface over the Kdc's engine.

Flask-Admin's SQLAlchemy views want a Flask-SQLAlchemy(-Lite) object. :class:`KdcDatabase`
is one, but its sessions come from the application's own engine, record changes through
:mod:`kdc_core.db.tracking`, and commit through :meth:`kdc_core.Kdc.commit` — so an edit in
the admin fires ``kdc_changes_committed`` exactly as a unit of work does.
"""

from __future__ import annotations

from typing import Any, ClassVar
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from flask import g, has_request_context
from flask.sansio.app import App
from flask_login import current_user
from flask_sqlalchemy_lite import SQLAlchemy
from sqlalchemy.orm import Session, sessionmaker

from kdc_core.app import Kdc
from kdc_core.db import tracking
from kdc_core.unit_of_work import UnitOfWork

_KDC = "kdc_app"
_SESSIONS = "_kdc_admin_sessions"


class AdminSession(Session):
    """A session whose ``commit()`` is :meth:`Kdc.commit`: commit, then notify plugins."""

    def commit(self) -> None:
        self.info[_KDC].commit(self)


def admin_source() -> str:
    """``"admin:<email>"`` for the logged-in user, as change notifications report it."""
    if has_request_context() and current_user.is_authenticated:
        return f"admin:{current_user.email}"
    return "admin"


class KdcDatabase(SQLAlchemy):
    """One per :class:`Kdc`; get it with :meth:`for_kdc` (plugins' ModelViews can too)."""

    _instances: ClassVar[WeakKeyDictionary[Kdc, KdcDatabase]] = WeakKeyDictionary()

    def __init__(self, kdc: Kdc) -> None:
        super().__init__(require_default_engine=False)
        self.kdc = kdc
        self._maker: sessionmaker[Session] = sessionmaker(
            bind=kdc.engine, class_=AdminSession, expire_on_commit=False, autoflush=True
        )
        tracking.track(self._maker)

    @classmethod
    def for_kdc(cls, kdc: Kdc) -> KdcDatabase:
        if kdc not in cls._instances:
            cls._instances[kdc] = cls(kdc)
        return cls._instances[kdc]

    def init_app(self, app: App) -> None:
        app.extensions["sqlalchemy"] = self
        app.teardown_appcontext(_close_sessions)

    @property
    def engines(self) -> dict[str, sa.Engine]:
        return {"default": self.kdc.engine}

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        return self._maker

    def get_session(self, name: str = "default") -> Session:
        """The request's session (made on first use, closed when the request ends)."""
        sessions: dict[str, Session] = g.setdefault(_SESSIONS, {})
        if name not in sessions:
            session = self._maker()
            session.info[_KDC] = self.kdc
            tracking.set_source(session, admin_source())
            sessions[name] = session
        return sessions[name]

    def unit_of_work(self) -> UnitOfWork:
        """The request's session as a unit of work, for calling core services.

        Commit with ``uow.session.commit()``; plugins are notified as usual.
        """
        return UnitOfWork(self.session, self.kdc.settings, admin_source())


def _close_sessions(_exc: Any = None) -> None:
    for session in g.pop(_SESSIONS, {}).values():
        session.close()
