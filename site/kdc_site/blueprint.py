"""The site's blueprint: the GOV.UK Frontend templates, the pages, and what every page knows."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.sansio.app import App
from flask.sansio.blueprints import BlueprintSetupState
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from kdc_core.app import Kdc
from kdc_site import views
from kdc_site.access import visitor
from kdc_site.formats import register_filters


def _add_govuk_templates(app: App) -> None:
    """Make ``govuk_frontend_jinja/…`` templates (the Design System's macros) loadable."""
    govuk = PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})
    loader = app.jinja_env.loader
    if isinstance(loader, ChoiceLoader) and govuk in loader.loaders:
        return
    app.jinja_env.loader = ChoiceLoader([loader, govuk] if loader else [govuk])


def make_blueprint(kdc: Kdc) -> Blueprint:
    """The site, served from ``/`` (the admin keeps ``/admin``)."""
    bp = Blueprint(
        "site",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/site-static",
    )

    @bp.record_once
    def _setup(state: BlueprintSetupState) -> None:
        _add_govuk_templates(state.app)
        register_filters(state.app, kdc.settings.tz, kdc.settings.base_url)

    @bp.app_context_processor
    def _site_context() -> dict[str, Any]:
        return {"visitor": visitor, "council_tz": kdc.settings.tz}

    views.register(bp, kdc)
    return bp
