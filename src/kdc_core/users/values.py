"""Frozen values for the web app's local accounts; the password hash never leaves the service."""

from __future__ import annotations

import datetime as dt
import enum

import attrs


class UserRole(enum.StrEnum):
    """What a user may do in the web app.

    - ``admin``: everything, including managing users;
    - ``liaison``: read and edit people, wards, contacts and the organisation;
    - ``viewer``: read only.
    """

    ADMIN = "admin"
    LIAISON = "liaison"
    VIEWER = "viewer"


#: Roles that may change data (people, wards, contacts, the organisation …).
EDITOR_ROLES = frozenset({UserRole.ADMIN, UserRole.LIAISON})


@attrs.frozen
class User:
    """One local account.

    :ivar credential_tag: a short digest of the current password hash. It changes when the
        password does, so a web session that carries it ends when the password is reset.
    """

    id: int
    email: str
    role: UserRole
    active: bool
    failed_logins: int = 0
    locked_until: dt.datetime | None = None
    last_login_at: dt.datetime | None = None
    created_at: dt.datetime | None = None
    credential_tag: str = ""

    @property
    def can_edit(self) -> bool:
        return self.role in EDITOR_ROLES

    @property
    def can_manage_users(self) -> bool:
        return self.role == UserRole.ADMIN


@attrs.frozen
class LoginResult:
    """What :func:`kdc_core.users.authenticate` decided.

    :ivar user: the account when the login succeeded, else ``None``.
    :ivar message: why it failed, fit to show the person logging in.
    :ivar locked_until: set when the account is locked after too many failures.
    """

    user: User | None
    message: str | None = None
    locked_until: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None
