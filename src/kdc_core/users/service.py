"""Local user accounts: create, list, disable, reset passwords, and log in with a lockout.

Every function takes a unit of work and leaves committing to it, so the CLI and the web app
share the same rules. Passwords are hashed with Argon2id (argon2-cffi's defaults).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import attrs
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kdc_core.db.base import utcnow
from kdc_core.db.users import SignInFailureRow, UserRow, WebSessionRow
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail.addresses import AddressError, normalise_address
from kdc_core.timewords import time_of_day
from kdc_core.users.values import LoginResult, User, UserRole

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kdc_core.unit_of_work import UnitOfWork

#: Failed logins in a row before an account is locked.
MAX_FAILED_LOGINS = 5
#: How long a locked account stays locked.
LOCKOUT = dt.timedelta(minutes=15)
#: The shortest password accepted.
MIN_PASSWORD_LENGTH = 12

BAD_CREDENTIALS = "Email address or password is wrong."
_hasher = PasswordHasher()


class UserError(KdcError):
    """A user account cannot be created or changed as asked."""


# -- passwords -----------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (after checking it is long enough)."""
    check_password(password)
    return _hasher.hash(password)


def check_password(password: str) -> None:
    """:raises UserError: the password is shorter than :data:`MIN_PASSWORD_LENGTH`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"password too short: use at least {MIN_PASSWORD_LENGTH} characters "
            f"(got {len(password)})"
        )


def generate_password() -> str:
    """A random 20-character password, safe to print once."""
    return secrets.token_urlsafe(15)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def credential_tag(password_hash: str | None) -> str:
    """A short digest of the hash: changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


# -- accounts ------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """One valid address (:func:`kdc_core.mail.addresses.normalise_address`), lower-cased:
    an account's login name is matched without regard to case.

    :raises UserError: the value is not exactly one valid address (a display name, angle
        brackets or a list of addresses are refused), saying why.
    """
    try:
        return normalise_address(email).lower()
    except AddressError as exc:
        raise UserError(str(exc)) from None


def parse_role(role: str) -> UserRole:
    """:raises UserError: naming the roles there are."""
    try:
        return UserRole(role.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in UserRole)
        raise UserError(f"unknown role {role!r} (roles: {known})") from None


def user_value(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        role=UserRole(row.role),
        active=bool(row.active),
        failed_logins=row.failed_logins or 0,
        locked_until=row.locked_until,
        last_login_at=row.last_login_at,
        created_at=row.created_at,
        credential_tag=credential_tag(row.password_hash),
    )


def _row(uow: UnitOfWork, email: str) -> UserRow | None:
    key = email.strip().lower()
    return uow.session.scalar(select(UserRow).where(func.lower(UserRow.email) == key))


def _require(uow: UnitOfWork, email: str) -> UserRow:
    """The account for ``email``. :raises UserError: the value is not one address;
    :raises NotFound: no account has it."""
    row = _row(uow, normalise_email(email))
    if row is None:
        raise NotFound(f"no user with email {email.strip()!r} (see kdc users list)")
    return row


def create_user(uow: UnitOfWork, email: str, role: UserRole | str, password: str) -> User:
    """Add an active account.

    :raises UserError: the address is taken or malformed, the role unknown or the password
        too short.
    """
    key = normalise_email(email)
    user_role = parse_role(str(role))
    if _row(uow, key) is not None:
        raise UserError(f"a user with email {key!r} already exists")
    row = UserRow(
        email=key,
        password_hash=hash_password(password),
        role=user_role.value,
        active=True,
        failed_logins=0,
    )
    uow.session.add(row)
    uow.session.flush()
    return user_value(row)


def list_users(uow: UnitOfWork) -> list[User]:
    return [user_value(r) for r in uow.session.scalars(select(UserRow).order_by(UserRow.email))]


def get_user(uow: UnitOfWork, user_id: int) -> User | None:
    row = uow.session.get(UserRow, user_id)
    return user_value(row) if row is not None else None


def find_user(uow: UnitOfWork, email: str) -> User | None:
    row = _row(uow, email)
    return user_value(row) if row is not None else None


def require_user(uow: UnitOfWork, email: str) -> User:
    """:raises NotFound: there is no account with this address."""
    return user_value(_require(uow, email))


def disable_user(uow: UnitOfWork, email: str) -> User:
    """Stop an account logging in; its web sessions end at once.

    :raises NotFound: there is no such account.
    """
    row = _require(uow, email)
    row.active = False
    end_web_sessions(uow.session, row.email)
    uow.session.flush()
    return user_value(row)


def enable_user(uow: UnitOfWork, email: str) -> User:
    """Let a disabled account log in again. :raises NotFound: there is no such account."""
    row = _require(uow, email)
    row.active = True
    uow.session.flush()
    return user_value(row)


def set_password(uow: UnitOfWork, email: str, password: str) -> User:
    """Replace the password, unlock the account and end its existing web sessions.

    :raises NotFound: there is no such account.
    :raises UserError: the password is too short.
    """
    row = _require(uow, email)
    replace_password(uow.session, row, password)
    uow.session.flush()
    return user_value(row)


def replace_password(db: Session, row: UserRow, password: str) -> None:
    """Give the account ``row`` a new password: hashed, the lock cleared, and every web
    session of the account's address ended, so a browser signed in with the old password
    (or a cookie copied from one) has to sign in again.

    :raises UserError: the password is too short.
    """
    row.password_hash = hash_password(password)
    row.failed_logins = 0
    row.locked_until = None
    end_web_sessions(db, row.email)


def end_web_sessions(db: Session, email: str, now: dt.datetime | None = None) -> int:
    """End every live web session of ``email`` (password changed, account disabled, a device
    lost); returns how many ended."""
    result = db.execute(
        update(WebSessionRow)
        .where(WebSessionRow.email == email.strip().lower(), WebSessionRow.ended_at.is_(None))
        .values(ended_at=now or utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# -- logging in ----------------------------------------------------------------------------------
#
# Failed logins are counted before the password is checked: a login first claims one of the
# :data:`MAX_FAILED_LOGINS` tries with a single conditional statement (an ``UPDATE`` of the
# account, or for an address without one an upsert into ``sign_in_failures``), and only a login
# that got a try has its password checked. The database decides who gets the tries, so however
# many logins for one address run at once, at most that many passwords are checked before the
# lock, and a right password that comes after them is refused like the rest. A right password
# gives its try back. Addresses without an account are counted and locked the same way, so the
# answers (and the work done) never tell whether an account exists.


def _open(table: Any, now: dt.datetime) -> ColumnElement[bool]:
    """The counter still has a try left: not locked and under the limit, or its lock is over."""
    return or_(
        and_(table.c.locked_until.is_(None), table.c.failed_logins < MAX_FAILED_LOGINS),
        table.c.locked_until <= now,
    )


def _next_count(table: Any) -> ColumnElement[int]:
    """One more failed login, starting again from one after a lock is over."""
    return case((table.c.locked_until.is_(None), table.c.failed_logins + 1), else_=1)


def address_key(email: str) -> str:
    """How ``sign_in_failures`` knows an address: its SHA-256, never the address itself."""
    return hashlib.sha256(email.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()


@attrs.frozen
class _Counter:
    """The failed-login counter a login is counted on: an account's row, or the address's."""

    table: Any
    where: ColumnElement[bool]


def _claim(
    uow: UnitOfWork, key: str, now: dt.datetime
) -> tuple[_Counter, UserRow | None, int | None]:
    """Take one try for ``key``: the counter, the account (if any) and the count including
    this try, or ``None`` for the count when no try is left (the address is locked)."""
    user_id = uow.session.scalar(select(UserRow.id).where(func.lower(UserRow.email) == key))
    if user_id is not None:
        users: Any = UserRow.__table__
        counter = _Counter(users, users.c.id == user_id)
        count = uow.session.scalar(
            update(users)
            .where(counter.where, _open(users, now))
            .values(failed_logins=_next_count(users), locked_until=None)
            .returning(users.c.failed_logins)
        )
        row = uow.session.get(UserRow, user_id, populate_existing=True)
        return counter, row, count
    failures: Any = SignInFailureRow.__table__
    digest = address_key(key)
    counter = _Counter(failures, failures.c.key == digest)
    dialect = uow.session.get_bind().dialect.name
    make_insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make_insert(failures).values(key=digest, failed_logins=1, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={"failed_logins": _next_count(failures), "locked_until": None, "updated_at": now},
        where=_open(failures, now),
    )
    count = uow.session.scalar(stmt.returning(failures.c.failed_logins))
    return counter, None, count


def authenticate(
    uow: UnitOfWork, email: str, password: str, *, now: dt.datetime | None = None
) -> LoginResult:
    """Check a login and record the outcome (failed-login count, lockout, last login).

    After :data:`MAX_FAILED_LOGINS` wrong passwords in a row for an address it is locked for
    :data:`LOCKOUT`; while locked even the right password is refused, and the message says
    until when. An address without an account is counted and locked the same way, costs the
    same hashing work and gets the same messages, so the answers cannot tell who has an
    account. The caller must commit the unit of work even when the login fails, so the count
    is kept.
    """
    now = now or utcnow()
    key = email.strip().lower()
    counter, row, count = _claim(uow, key, now)
    if count is None:
        _verify(_dummy_hash(), password)
        until = uow.session.scalar(select(counter.table.c.locked_until).where(counter.where))
        return _locked(uow, until or now + LOCKOUT)
    password_hash = row.password_hash if row is not None else None
    if not password_hash or not _verify(password_hash, password):
        if not password_hash:
            _verify(_dummy_hash(), password)
        if count < MAX_FAILED_LOGINS:
            return LoginResult(None, BAD_CREDENTIALS)
        until = now + LOCKOUT
        uow.session.execute(
            update(counter.table)
            .where(counter.where, counter.table.c.failed_logins >= MAX_FAILED_LOGINS)
            .values(locked_until=until)
        )
        uow.session.expire_all()
        return _locked(uow, until)
    assert row is not None
    row.failed_logins = 0
    row.locked_until = None
    if not row.active:
        uow.session.flush()
        return LoginResult(None, "This account is disabled: ask an administrator.")
    row.last_login_at = now
    if _hasher.check_needs_rehash(password_hash):
        row.password_hash = _hasher.hash(password)
    uow.session.flush()
    return LoginResult(user_value(row))


def unlock(uow: UnitOfWork, email: str) -> None:
    """Clear the failed logins and any lock of ``email``, with or without an account."""
    key = email.strip().lower()
    uow.session.execute(
        update(UserRow)
        .where(func.lower(UserRow.email) == key)
        .values(failed_logins=0, locked_until=None)
    )
    uow.session.execute(delete(SignInFailureRow).where(SignInFailureRow.key == address_key(key)))
    uow.session.expire_all()


def _locked(uow: UnitOfWork, until: dt.datetime) -> LoginResult:
    minutes = int(LOCKOUT.total_seconds() // 60)
    message = (
        f"Too many failed logins with this email address: logging in with it is locked for "
        f"{minutes} minutes, until {time_of_day(until, uow.settings.tz)}. Try again then, or "
        "ask an administrator to reset the password."
    )
    return LoginResult(None, message, until)
