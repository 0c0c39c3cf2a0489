"""The app factory: Flask-Admin over the core, behind a login, CSRF on every POST."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, render_template
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from markupsafe import Markup

from kdc_admin.auth import init_login
from kdc_admin.database import KdcDatabase
from kdc_admin.fastpath import install_fast_path
from kdc_admin.formats import day, moment
from kdc_admin.headers import csp_nonce, init_headers
from kdc_admin.inputs import init_input_checks
from kdc_admin.limits import init_limits, too_many
from kdc_admin.menus import place
from kdc_admin.monitoring import init_monitoring
from kdc_admin.routing import KdcFlask
from kdc_admin.secret_key import load_secret_key
from kdc_admin.unavailable import init_unavailable
from kdc_admin.views import core_views
from kdc_admin.views.pages import DashboardView
from kdc_core.app import Kdc
from kdc_core.people.markup import render_bio


class CompiledTemplates(BytecodeCache):
    """Compiled templates kept in memory and shared by every app this process builds.

    Each app has its own Jinja environment, which compiles a template the first time it is
    rendered; a process that builds several apps (a test run, a worker that rebuilds its app)
    then compiles each template once. Jinja checks the source's checksum on every load, so an
    edited template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def create_app(kdc: Kdc | None = None, **overrides: Any) -> Flask:
    """Build the web app for ``kdc`` (read from ``kdc.toml``/``KDC_*`` when not given).

    :param overrides: Flask config values applied last (``TESTING=True``,
        ``SESSION_COOKIE_SECURE=True`` …).
    """
    if kdc is None:
        kdc = Kdc.from_config()
    app = KdcFlask(
        "kdc_admin",
        instance_path=str(kdc.settings.instance_path.resolve()),
        static_url_path="/kdc-static",
    )
    app.config.update(
        SESSION_COOKIE_NAME="kdc_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=kdc.settings.base_url.startswith("https://"),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(kdc.settings)
    app.extensions["kdc"] = kdc

    CSRFProtect(app)
    init_headers(app)
    init_input_checks(app)
    init_monitoring(app)
    init_unavailable(app)
    init_login(app)
    db = KdcDatabase.for_kdc(kdc)
    db.init_app(app)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    app.jinja_env.filters["bio"] = lambda text: Markup(render_bio(text))
    app.jinja_env.filters.update(moment=moment, day=day)  # local time; UK date
    app.context_processor(lambda: {"council": kdc.settings.council_name})

    admin = Admin(
        app,
        name=kdc.settings.council_name,
        index_view=DashboardView(name="Data health", url="/admin"),
        theme=Bootstrap4Theme(base_template="kdc/base.html", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    with app.app_context():  # Flask-Admin touches db.session while building views
        for view in core_views(kdc, db):
            admin.add_view(place(view))
        for views in kdc.hook.kdc_admin_views(kdc=kdc):
            for view in views or ():
                admin.add_view(place(view))
    for blueprints in kdc.hook.kdc_blueprints(kdc=kdc):
        for blueprint in blueprints or ():
            app.register_blueprint(blueprint)
    init_limits(app, kdc)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        return render_template("kdc/error.html", code=400, message=exc.description), 400

    @app.errorhandler(403)
    def forbidden(_exc: Exception) -> Any:
        message = "Your role does not allow this. Ask an administrator if you need it."
        return render_template("kdc/error.html", code=403, message=message), 403

    @app.errorhandler(429)
    def too_many_attempts(_exc: Exception) -> Any:
        return too_many(app, "kdc/error.html", code=429)

    install_fast_path(app)
    return app
