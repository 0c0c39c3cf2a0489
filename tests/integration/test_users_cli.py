"""``kdc users``: create (prompted or generated password), list, disable, enable, reset."""

from __future__ import annotations

import json

from kdc_core import users


def _user(kdc_app, email):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return users.find_user(uow, email)


def test_create_with_a_prompted_password_stores_an_argon2_hash(kdc_app, kdc_run):
    result = kdc_run(
        "users",
        "create",
        "Ann.Lee@Example.gov.uk",
        "--role",
        "liaison",
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created liaison ann.lee@example.gov.uk." in result.output
    assert "shown once" not in result.output
    user = _user(kdc_app, "ann.lee@example.gov.uk")
    assert user.role == users.UserRole.LIAISON and user.active
    with kdc_app.unit_of_work() as uow:
        assert users.authenticate(uow, "ann.lee@example.gov.uk", "correct horse battery").ok
    from kdc_core.db.users import UserRow

    with kdc_app.unit_of_work(dry_run=True) as uow:
        stored = uow.session.query(UserRow).one().password_hash
    assert stored.startswith("$argon2id$")
    assert "correct horse battery" not in stored


def test_create_reprompts_for_a_short_password(kdc_run):
    result = kdc_run(
        "users",
        "create",
        "bob@example.gov.uk",
        "--role",
        "viewer",
        input="short\nshort\nlong enough password\nlong enough password\n",
    )
    assert result.exit_code == 0
    assert "password too short: use at least 12 characters (got 5)" in result.output


def test_generated_password_is_printed_once_and_works(kdc_app, kdc_run):
    result = kdc_run(
        "users", "create", "cat@example.gov.uk", "--role", "admin", "--generate-password"
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("Password (shown once): "))
    password = line.split(": ", 1)[1]
    assert len(password) >= users.MIN_PASSWORD_LENGTH
    with kdc_app.unit_of_work() as uow:
        assert users.authenticate(uow, "cat@example.gov.uk", password).ok


def test_duplicate_email_bad_role_and_bad_address_fail_and_write_nothing(kdc_app, kdc_run):
    assert (
        kdc_run(
            "users", "create", "d@example.gov.uk", "--role", "viewer", "--generate-password"
        ).exit_code
        == 0
    )
    again = kdc_run("users", "create", "D@example.gov.uk", "--role", "admin", "--generate-password")
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert _user(kdc_app, "d@example.gov.uk").role == users.UserRole.VIEWER
    bad_role = kdc_run(
        "users", "create", "e@example.gov.uk", "--role", "root", "--generate-password"
    )
    assert bad_role.exit_code == 2
    bad_email = kdc_run(
        "users", "create", "not-an-address", "--role", "viewer", "--generate-password"
    )
    assert bad_email.exit_code == 1
    assert "not a valid email address" in bad_email.output
    assert _user(kdc_app, "e@example.gov.uk") is None


def test_list_shows_roles_and_state_as_text_and_json(kdc_run):
    kdc_run("users", "create", "a@example.gov.uk", "--role", "admin", "--generate-password")
    kdc_run("users", "create", "v@example.gov.uk", "--role", "viewer", "--generate-password")
    assert kdc_run("users", "disable", "v@example.gov.uk").exit_code == 0
    text = kdc_run("users", "list").output
    assert "a@example.gov.uk" in text and "admin" in text
    assert "disabled" in text
    data = json.loads(kdc_run("users", "list", "--json").output)
    assert [(u["email"], u["role"], u["active"]) for u in data] == [
        ("a@example.gov.uk", "admin", True),
        ("v@example.gov.uk", "viewer", False),
    ]


def test_disabled_account_cannot_log_in_until_enabled(kdc_app, kdc_run):
    result = kdc_run(
        "users", "create", "f@example.gov.uk", "--role", "viewer", "--generate-password"
    )
    password = result.output.rsplit(": ", 1)[1].strip()
    assert kdc_run("users", "disable", "f@example.gov.uk").output == "Disabled f@example.gov.uk.\n"
    with kdc_app.unit_of_work() as uow:
        refused = users.authenticate(uow, "f@example.gov.uk", password)
    assert not refused.ok and "disabled" in refused.message
    assert kdc_run("users", "enable", "f@example.gov.uk").exit_code == 0
    with kdc_app.unit_of_work() as uow:
        assert users.authenticate(uow, "f@example.gov.uk", password).ok


def test_disable_and_reset_name_an_unknown_address(kdc_run):
    for command in (["disable"], ["reset-password", "--generate-password"]):
        result = kdc_run("users", *command, "ghost@example.gov.uk")
        assert result.exit_code == 1
        assert "no user with email 'ghost@example.gov.uk'" in result.output


def test_reset_password_unlocks_and_changes_the_credential_tag(kdc_app, kdc_run):
    kdc_run("users", "create", "g@example.gov.uk", "--role", "viewer", "--generate-password")
    before = _user(kdc_app, "g@example.gov.uk")
    for _ in range(users.MAX_FAILED_LOGINS):
        with kdc_app.unit_of_work() as uow:
            users.authenticate(uow, "g@example.gov.uk", "wrong password!")
    assert _user(kdc_app, "g@example.gov.uk").locked_until is not None
    result = kdc_run("users", "reset-password", "g@example.gov.uk", "--generate-password")
    assert result.exit_code == 0, result.output
    password = result.output.rsplit(": ", 1)[1].strip()
    after = _user(kdc_app, "g@example.gov.uk")
    assert after.locked_until is None
    assert after.credential_tag != before.credential_tag
    with kdc_app.unit_of_work() as uow:
        assert users.authenticate(uow, "g@example.gov.uk", password).ok


def test_every_users_command_has_help(kdc_run):
    for command in ("create", "list", "disable", "enable", "reset-password"):
        result = kdc_run("users", command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output
