"""``kdc users …``: manage the web app's local accounts from the command line."""

from __future__ import annotations

import click

from kdc_core.app import Kdc
from kdc_core.cli import echo_json, pass_kdc
from kdc_core.timewords import plain_moment
from kdc_core.users import service
from kdc_core.users.values import User, UserRole

_ROLES = click.Choice([r.value for r in UserRole], case_sensitive=False)


def _password(generate: bool) -> tuple[str, bool]:
    """A password from the prompt (typed twice), or a generated one; and whether generated."""
    if generate:
        return service.generate_password(), True
    while True:
        password: str = click.prompt(
            f"Password (at least {service.MIN_PASSWORD_LENGTH} characters)",
            hide_input=True,
            confirmation_prompt=True,
            err=True,
        )
        try:
            service.check_password(password)
        except service.UserError as exc:
            click.echo(f"Error: {exc}", err=True)
            continue
        return password, False


def _as_dict(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role.value,
        "active": user.active,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


@click.group("users")
def users() -> None:
    """Manage web app accounts (admin, liaison or viewer)."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=_ROLES, required=True, help="admin, liaison or viewer.")
@click.option(
    "--generate-password",
    "generate",
    is_flag=True,
    help="Make up a random password and print it once, instead of prompting.",
)
@pass_kdc
def create(kdc: Kdc, email: str, role: str, generate: bool) -> None:
    """Create an account. The password is prompted for (twice) unless --generate-password."""
    with kdc.unit_of_work(source="cli") as uow:
        if service.find_user(uow, email) is not None:
            raise service.UserError(f"a user with email {email.strip().lower()!r} already exists")
        password, generated = _password(generate)
        user = service.create_user(uow, email, role, password)
    click.echo(f"Created {user.role.value} {user.email}.")
    if generated:
        click.echo(f"Password (shown once): {password}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
@pass_kdc
def list_(kdc: Kdc, as_json: bool) -> None:
    """List accounts with their role, state and last login."""
    with kdc.unit_of_work(source="cli", dry_run=True) as uow:
        found = service.list_users(uow)
    if as_json:
        echo_json([_as_dict(u) for u in found])
        return
    if not found:
        click.echo("No users yet: add one with kdc users create EMAIL --role admin.")
        return
    for u in found:
        state = "active" if u.active else "disabled"
        if u.locked_until is not None:
            state += f", locked until {plain_moment(u.locked_until, kdc.settings.tz)}"
        last = plain_moment(u.last_login_at, kdc.settings.tz, "never")
        click.echo(f"{u.email:<40} {u.role.value:<8} {state:<10} last login {last}")


@users.command("disable")
@click.argument("email")
@pass_kdc
def disable(kdc: Kdc, email: str) -> None:
    """Stop an account logging in; its open web sessions end at their next request."""
    with kdc.unit_of_work(source="cli") as uow:
        user = service.disable_user(uow, email)
    click.echo(f"Disabled {user.email}.")


@users.command("enable")
@click.argument("email")
@pass_kdc
def enable(kdc: Kdc, email: str) -> None:
    """Let a disabled account log in again."""
    with kdc.unit_of_work(source="cli") as uow:
        user = service.enable_user(uow, email)
    click.echo(f"Enabled {user.email}.")


@users.command("reset-password")
@click.argument("email")
@click.option(
    "--generate-password",
    "generate",
    is_flag=True,
    help="Make up a random password and print it once, instead of prompting.",
)
@pass_kdc
def reset_password(kdc: Kdc, email: str, generate: bool) -> None:
    """Set a new password, unlock the account and end its open web sessions."""
    with kdc.unit_of_work(source="cli") as uow:
        service.require_user(uow, email)
        password, generated = _password(generate)
        user = service.set_password(uow, email, password)
    click.echo(f"Password reset for {user.email}.")
    if generated:
        click.echo(f"Password (shown once): {password}")
