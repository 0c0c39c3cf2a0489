"""Web sessions kept on the server, one-time sign-in links, and who an email address is.

A browser that signs in (password, OpenID Connect or an emailed link) gets a random token in
its cookie; only the token's SHA-256 is stored. Every request looks the row up, so signing out
(:func:`end_session`) ends the session everywhere at once: a cookie copied before then no
longer works. Sign-in links are single use: redeeming one is a single conditional ``UPDATE``,
so two hosts given the same link at the same moment let exactly one browser in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import attrs
from sqlalchemy import func, select, update

from kdc_core.db.base import utcnow
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.db.users import SignInLinkRow, UserRow, WebSessionRow
from kdc_core.people.values import Councillor, Officer
from kdc_core.unit_of_work import UnitOfWork
from kdc_core.users.service import end_web_sessions, user_value
from kdc_core.users.values import User

#: How long a signed-in browser stays signed in without signing in again.
SESSION_LIFETIME = dt.timedelta(hours=8)
#: How long an emailed sign-in link works.
LINK_LIFETIME = dt.timedelta(minutes=15)
#: How a session began.
METHODS = frozenset({"password", "oidc", "link"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@attrs.frozen
class WebSession:
    """One signed-in browser (never the token itself)."""

    id: int
    email: str
    method: str
    created_at: dt.datetime
    expires_at: dt.datetime


@attrs.frozen
class Identity:
    """Who an email address belongs to: a councillor, an officer, an admin account, or
    several of these at once (an officer who also keeps the data)."""

    email: str
    councillor: Councillor | None = None
    officer: Officer | None = None
    user: User | None = None

    @property
    def known(self) -> bool:
        return any((self.councillor, self.officer, self.user))

    @property
    def is_staff(self) -> bool:
        """Officers and admin users see staff-only details."""
        return self.officer is not None or self.user is not None

    @property
    def name(self) -> str:
        for person in (self.councillor, self.officer):
            if person is not None:
                return person.name
        return self.email


def _row_value(row: WebSessionRow) -> WebSession:
    return WebSession(row.id, row.email, row.method, row.created_at, row.expires_at)


def start_session(
    uow: UnitOfWork, email: str, method: str, now: dt.datetime | None = None
) -> tuple[str, WebSession]:
    """Record a new signed-in browser for ``email``; returns the token for its cookie."""
    if method not in METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = WebSessionRow(
        token_hash=_digest(token),
        email=email.strip().lower(),
        method=method,
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    uow.session.add(row)
    uow.session.flush()
    return token, _row_value(row)


def find_session(uow: UnitOfWork, token: str, now: dt.datetime | None = None) -> WebSession | None:
    """The live session for a cookie's token, or ``None`` (unknown, ended or expired)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    row = uow.session.scalar(
        select(WebSessionRow).where(WebSessionRow.token_hash == _digest(token))
    )
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return _row_value(row)


def end_session(uow: UnitOfWork, token: str, now: dt.datetime | None = None) -> bool:
    """Sign a browser out; ``True`` if a live session ended."""
    result = uow.session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.token_hash == _digest(token), WebSessionRow.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_sessions_for(uow: UnitOfWork, email: str, now: dt.datetime | None = None) -> int:
    """Sign every browser of ``email`` out (an account disabled, a device lost)."""
    return end_web_sessions(uow.session, email, now)


def issue_sign_in_link(uow: UnitOfWork, email: str, now: dt.datetime | None = None) -> str:
    """A new one-time link token for ``email``, valid for :data:`LINK_LIFETIME`."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    uow.session.add(
        SignInLinkRow(
            token_hash=_digest(token),
            email=email.strip().lower(),
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    uow.session.flush()
    return token


def redeem_sign_in_link(uow: UnitOfWork, token: str, now: dt.datetime | None = None) -> str | None:
    """Use a link: the email it was sent to, or ``None`` if it is unknown, used or expired.

    Exactly one caller can redeem a link, however many race for it.
    """
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    digest = _digest(token)
    result = uow.session.execute(
        update(SignInLinkRow)
        .where(
            SignInLinkRow.token_hash == digest,
            SignInLinkRow.used_at.is_(None),
            SignInLinkRow.expires_at > now,
        )
        .values(used_at=now)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return None
    return uow.session.scalar(select(SignInLinkRow.email).where(SignInLinkRow.token_hash == digest))


def identify(uow: UnitOfWork, email: str) -> Identity:
    """Who ``email`` is: the active councillor, officer and admin account that have it."""
    key = email.strip().lower()
    councillor_id = uow.session.scalar(
        select(CouncillorRow.id)
        .where(func.lower(CouncillorRow.email) == key, CouncillorRow.archived_at.is_(None))
        .order_by(CouncillorRow.id)
        .limit(1)
    )
    officer_id = uow.session.scalar(
        select(OfficerRow.id)
        .where(func.lower(OfficerRow.email) == key, OfficerRow.archived_at.is_(None))
        .order_by(OfficerRow.id)
        .limit(1)
    )
    user_row = uow.session.scalar(
        select(UserRow).where(func.lower(UserRow.email) == key, UserRow.active.is_(True))
    )
    return Identity(
        email=key,
        councillor=uow.people.councillor(councillor_id) if councillor_id is not None else None,
        officer=uow.people.officer(officer_id) if officer_id is not None else None,
        user=user_value(user_row) if user_row is not None else None,
    )
