"""The admin's "Directory sync" page: every recorded run of ``kdc directory sync``.

Read-only and open to every signed-in role; imported only by the web app, through the
``kdc_admin_views`` hook of :mod:`kdc_core.directory.commands`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from flask_admin import expose

from kdc_admin.security import SecuredBaseView
from kdc_core.app import Kdc
from kdc_core.directory.engine import recent_runs

TEMPLATES = Path(__file__).parent / "templates"


class DirectorySyncView(SecuredBaseView):
    """The latest directory syncs: source, when, who, outcome and counts."""

    def create_blueprint(self, admin: Any) -> Any:
        blueprint = super().create_blueprint(admin)
        blueprint.template_folder = str(TEMPLATES)
        return blueprint

    @expose("/")
    def index(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        return self.render("kdc_directory/sync_runs.html", runs=recent_runs(kdc, 100))


def directory_admin_views(kdc: Kdc) -> list[Any]:
    return [
        DirectorySyncView(
            name="Directory sync",
            category="People",
            endpoint="directory_sync",
            url="directory-sync",
        )
    ]
