"""Local user accounts: create, list, disable, reset passwords, and log in with a lockout.

Every function takes a unit of work and leaves committing to it, so the CLI and the web app
share the same rules. Passwords are hashed with Argon2id (argon2-cffi's defaults).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from kdc_core.db.base import utcnow
from kdc_core.db.users import UserRow
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail.addresses import AddressError, normalise_address
from kdc_core.timewords import time_of_day
from kdc_core.users.values import LoginResult, User, UserRole

if TYPE_CHECKING:
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
    """Stop an account logging in; its web sessions end on their next request.

    :raises NotFound: there is no such account.
    """
    row = _require(uow, email)
    row.active = False
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
    row.password_hash = hash_password(password)
    row.failed_logins = 0
    row.locked_until = None
    uow.session.flush()
    return user_value(row)


# -- logging in ----------------------------------------------------------------------------------


def authenticate(
    uow: UnitOfWork, email: str, password: str, *, now: dt.datetime | None = None
) -> LoginResult:
    """Check a login and record the outcome (failed-login count, lockout, last login).

    After :data:`MAX_FAILED_LOGINS` wrong passwords in a row the account is locked for
    :data:`LOCKOUT`; while locked even the right password is refused, and the message says
    until when. An unknown address costs the same hashing work as a known one and gets the
    same message as a wrong password. The caller must commit the unit of work even when the
    login fails, so the count is kept.
    """
    now = now or utcnow()
    row = _row(uow, email)
    if row is None or not row.password_hash:
        _verify(_dummy_hash(), password)
        return LoginResult(None, BAD_CREDENTIALS)
    if row.locked_until is not None and row.locked_until > now:
        _verify(_dummy_hash(), password)
        return LoginResult(None, _locked_message(uow, row.locked_until), row.locked_until)
    if not _verify(row.password_hash, password):
        row.failed_logins = (row.failed_logins or 0) + 1
        if row.failed_logins >= MAX_FAILED_LOGINS:
            row.failed_logins = 0
            row.locked_until = now + LOCKOUT
            uow.session.flush()
            return LoginResult(None, _locked_message(uow, row.locked_until), row.locked_until)
        uow.session.flush()
        return LoginResult(None, BAD_CREDENTIALS)
    if not row.active:
        return LoginResult(None, "This account is disabled: ask an administrator.")
    row.failed_logins = 0
    row.locked_until = None
    row.last_login_at = now
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    uow.session.flush()
    return LoginResult(user_value(row))


def _locked_message(uow: UnitOfWork, until: dt.datetime) -> str:
    minutes = int(LOCKOUT.total_seconds() // 60)
    return (
        f"Too many failed logins: this account is locked for {minutes} minutes, "
        f"until {time_of_day(until, uow.settings.tz)}. Try again then, or ask an "
        "administrator to reset the password."
    )
