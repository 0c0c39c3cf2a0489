"""The admin's "Directory sync" page: every recorded run of ``kdc directory sync``.

Read-only and open to every signed-in role.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_admin import expose

from kdc_admin.menus import PEOPLE
from kdc_admin.security import SecuredBaseView
from kdc_core.app import Kdc
from kdc_core.directory.engine import recent_runs


class DirectorySyncView(SecuredBaseView):
    """The latest directory syncs: source, when, who, outcome and counts."""

    @expose("/")
    def index(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        return self.render("kdc_directory/sync_runs.html", runs=recent_runs(kdc, 100))


def directory_admin_views(kdc: Kdc) -> list[Any]:
    return [
        DirectorySyncView(
            name="Directory sync",
            category=PEOPLE,
            endpoint="directory_sync",
            url="directory-sync",
        )
    ]
