"""``kdc_core.lazy.exports``: a package's names imported when first used, not with it."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_the_users_and_rota_packages_import_their_modules_only_when_a_name_is_used():
    script = (
        "import sys\n"
        "import kdc_core.users, kdc_core.calendar.rota\n"
        "before = [m in sys.modules for m in ('argon2', 'kdc_core.users.service', "
        "'kdc_core.calendar.rota.planner')]\n"
        "from kdc_core.users import create_user\n"
        "from kdc_core.calendar.rota import plan_rota\n"
        "after = [m in sys.modules for m in ('argon2', 'kdc_core.users.service', "
        "'kdc_core.calendar.rota.planner')]\n"
        "print(before, after, create_user.__module__, plan_rota.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split("] [")[0] == "[False, False, False"
    assert "[True, True, True]" in done.stdout
    assert "kdc_core.users.service kdc_core.calendar.rota.planner" in done.stdout


def test_a_name_is_kept_on_the_package_and_an_unknown_name_is_an_attribute_error():
    import kdc_core.users as users

    first = users.authenticate
    assert users.__dict__["authenticate"] is first
    with pytest.raises(AttributeError, match=r"'kdc_core\.users' has no attribute 'nothing'"):
        users.nothing  # noqa: B018
    from kdc_core.calendar.rota import service  # a submodule, not an export, still imports

    assert service.__name__ == "kdc_core.calendar.rota.service"
