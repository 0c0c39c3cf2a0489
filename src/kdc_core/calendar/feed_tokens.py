"""Private calendar-feed tokens: issuing, rotating, revoking and resolving them.

A token is 256 random bits (``secrets.token_urlsafe(32)``, 43 characters). Only its SHA-256
digest is stored, so a token can be shown once, when it is issued, and never again: to give
someone their feed URL a second time, issue a new token (which revokes the old one).

Resolving a token hashes it and looks the digest up; a revoked, unknown or malformed token
and a token whose owner has left all resolve to ``None`` alike, so a feed answers 404 without
saying which it was.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import itertools
import re
import secrets
from typing import Any

import attrs
from sqlalchemy import and_, bindparam, event, func, select, update

from kdc_core.db.base import utcnow
from kdc_core.db.feed_tokens import FeedTokenRow
from kdc_core.db.people import CouncillorRow, OfficerRow
from kdc_core.unit_of_work import UnitOfWork

#: Random bytes in a token: 32 bytes = 256 bits.
TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43,128}")


class OwnerKind(enum.StrEnum):
    COUNCILLOR = "councillor"
    OFFICER = "officer"


@attrs.frozen
class FeedOwner:
    """Whose private feed a token opens."""

    kind: OwnerKind
    id: int
    name: str


@attrs.frozen
class IssuedToken:
    """A freshly issued token: the only moment the token itself is known."""

    owner: FeedOwner
    token: str = attrs.field(repr=False)
    created_at: dt.datetime
    revoked: int = 0


@attrs.frozen
class TokenInfo:
    """An active token, without the token (only its digest is kept)."""

    owner: FeedOwner
    created_at: dt.datetime


def hash_token(token: str) -> str:
    """The hex SHA-256 digest stored in place of the token."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def find_councillor(uow: UnitOfWork, name: str) -> FeedOwner:
    """The councillor called ``name`` (``Cllr``/``Councillor`` prefix allowed) as an owner.

    :raises NotFound: no such councillor, or more than one.
    """
    councillor = uow.people.find_councillor(name)
    assert councillor.id is not None
    return FeedOwner(OwnerKind.COUNCILLOR, councillor.id, councillor.name)


def find_officer(uow: UnitOfWork, person_id_or_name: str) -> FeedOwner:
    """An officer by staff-directory id, full name (any case) or id.

    :raises NotFound: no such officer (with the closest names), or several with that name
        (listing their person ids).
    """
    from kdc_core.people.lookup import resolve_officer

    row = resolve_officer(uow.session, person_id_or_name)
    return FeedOwner(OwnerKind.OFFICER, row.id, row.name)


def active_token(uow: UnitOfWork, owner: FeedOwner) -> TokenInfo | None:
    """The owner's current token, if one was issued and not revoked."""
    created = uow.session.scalar(
        select(FeedTokenRow.created_at)
        .where(
            FeedTokenRow.owner_kind == owner.kind.value,
            FeedTokenRow.owner_id == owner.id,
            FeedTokenRow.revoked_at.is_(None),
        )
        .order_by(FeedTokenRow.created_at.desc(), FeedTokenRow.id.desc())
        .limit(1)
    )
    return None if created is None else TokenInfo(owner, created)


def active_tokens(uow: UnitOfWork, kind: OwnerKind) -> dict[int, dt.datetime]:
    """``{owner id: when their current token was issued}`` for every owner of ``kind``."""
    rows = uow.session.execute(
        select(FeedTokenRow.owner_id, func.max(FeedTokenRow.created_at))
        .where(FeedTokenRow.owner_kind == kind.value, FeedTokenRow.revoked_at.is_(None))
        .group_by(FeedTokenRow.owner_id)
    )
    return {owner_id: issued for owner_id, issued in rows}


_REVOCATIONS = itertools.count(1)
_revoked = 0


def _count_revocation(_session: object) -> None:
    global _revoked
    _revoked = next(_REVOCATIONS)


def revocations() -> int:
    """How many times this process has revoked feed addresses: a feed server that keeps
    answers for a moment checks it, so an address revoked here stops working at once."""
    return _revoked


def revoke(uow: UnitOfWork, owner: FeedOwner) -> int:
    """Revoke every active token of the owner; their URLs answer 404 from now on (in other
    processes, after their ``[plugins.ical] recheck_seconds``, if set).

    :returns: how many tokens were revoked.
    """
    event.listen(uow.session, "after_commit", _count_revocation, once=True)
    result = uow.session.execute(
        update(FeedTokenRow)
        .where(
            FeedTokenRow.owner_kind == owner.kind.value,
            FeedTokenRow.owner_id == owner.id,
            FeedTokenRow.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def issue(uow: UnitOfWork, owner: FeedOwner) -> IssuedToken:
    """Issue a new token for the owner, revoking any they had (so one URL works at a time).

    The returned token is the only copy: show it now, it cannot be recovered later.
    """
    revoked = revoke(uow, owner)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = FeedTokenRow(
        owner_kind=owner.kind.value,
        owner_id=owner.id,
        token_hash=hash_token(token),
        created_at=utcnow(),
    )
    uow.session.add(row)
    uow.session.flush()
    return IssuedToken(owner, token, row.created_at, revoked)


#: Rotating is issuing: the new token replaces the old one, whose URL then answers 404.
rotate = issue


def _resolve_query() -> Any:
    """Token digest → owner and their name, in one Core statement built once."""
    tokens = FeedTokenRow.__table__.c
    councillors, officers = CouncillorRow.__table__, OfficerRow.__table__
    return (
        select(
            tokens.owner_kind,
            tokens.owner_id,
            tokens.token_hash,
            councillors.c.name,
            councillors.c.archived_at.label("councillor_archived"),
            officers.c.given_name,
            officers.c.family_name,
            officers.c.archived_at.label("officer_archived"),
        )
        .select_from(FeedTokenRow.__table__)
        .outerjoin(
            councillors,
            and_(tokens.owner_kind == "councillor", councillors.c.id == tokens.owner_id),
        )
        .outerjoin(officers, and_(tokens.owner_kind == "officer", officers.c.id == tokens.owner_id))
        .where(tokens.token_hash == bindparam("digest"), tokens.revoked_at.is_(None))
    )


_RESOLVE: Any = None


def resolve(uow: UnitOfWork, token: str, kind: OwnerKind | None = None) -> FeedOwner | None:
    """The owner a token opens, or ``None`` (unknown, revoked, malformed, wrong kind, or the
    owner is archived or gone). Only the digest is looked up and compared, in constant time.
    One query.
    """
    global _RESOLVE
    if not _TOKEN_SHAPE.fullmatch(token):
        return None
    if _RESOLVE is None:
        _RESOLVE = _resolve_query()
    digest = hash_token(token)
    found = uow.session.connection().execute(_RESOLVE, {"digest": digest}).first()
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    owner_kind = OwnerKind(found.owner_kind)
    if kind is not None and owner_kind is not kind:
        return None
    if owner_kind is OwnerKind.COUNCILLOR:
        name = found.name if found.councillor_archived is None else None
    elif found.officer_archived is None and found.family_name is not None:
        name = f"{found.given_name} {found.family_name}".strip()
    else:
        name = None
    return None if name is None else FeedOwner(owner_kind, found.owner_id, name)
