"""Local user accounts for the web app: roles, Argon2 password hashes, login with lockout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kdc_core.lazy import exports

if TYPE_CHECKING:
    from kdc_core.users.service import (
        BAD_CREDENTIALS,
        LOCKOUT,
        MAX_FAILED_LOGINS,
        MIN_PASSWORD_LENGTH,
        UserError,
        authenticate,
        create_user,
        credential_tag,
        disable_user,
        enable_user,
        find_user,
        generate_password,
        get_user,
        list_users,
        normalise_email,
        parse_role,
        require_user,
        set_password,
    )
    from kdc_core.users.values import EDITOR_ROLES, LoginResult, User, UserRole

__all__ = [
    "BAD_CREDENTIALS",
    "EDITOR_ROLES",
    "LOCKOUT",
    "MAX_FAILED_LOGINS",
    "MIN_PASSWORD_LENGTH",
    "LoginResult",
    "User",
    "UserError",
    "UserRole",
    "authenticate",
    "create_user",
    "credential_tag",
    "disable_user",
    "enable_user",
    "find_user",
    "generate_password",
    "get_user",
    "list_users",
    "normalise_email",
    "parse_role",
    "require_user",
    "set_password",
]

#: Imported when first used, not with the package: every ``kdc`` command loads
#: :mod:`kdc_core.users.plugin`, and the service brings in Argon2 and the address checks.
_VALUES = ("EDITOR_ROLES", "LoginResult", "User", "UserRole")
__getattr__ = exports(
    __name__,
    {
        name: "kdc_core.users.values" if name in _VALUES else "kdc_core.users.service"
        for name in __all__
    },
)
