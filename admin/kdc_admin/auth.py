"""Signing in and out: server-side web sessions, Flask-Login over the core's users service,
and the single sign-on hook.

Every way of signing in (a password here, OpenID Connect or an emailed link on the site) ends
in :func:`begin_web_session`: a row in ``web_sessions`` whose random token the cookie holds.
Every request looks that row up, so signing out ends the session on the server and a cookie
replayed afterwards no longer works. The admin's Flask-Login user is the active local account
with the session's email address; it remembers ``"<user id>:<credential tag>"`` and reloads
the account each request, so disabling a user, changing their role or resetting their
password takes effect at once. When the session holds no user, plugins get a chance through
``kdc_authenticate`` (a proxy header …); the address they return must belong to an active
local account, whose role then applies.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import attrs
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
)
from flask import url_for as flask_url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from kdc_core.app import Kdc
from kdc_core.db.base import utcnow
from kdc_core.users import service as users
from kdc_core.users import sessions
from kdc_core.users.sessions import Identity
from kdc_core.users.values import User

#: The Flask session key holding the web session's token.
SESSION_KEY = "sid"

bp = Blueprint("auth", __name__)


@attrs.frozen
class WebUser(UserMixin):
    """What Flask-Login holds for the logged-in person: a :class:`User` value and its role."""

    user: User

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def role(self) -> str:
        return self.user.role.value

    @property
    def is_active(self) -> bool:
        return self.user.active

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.credential_tag}"


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


def _kdc() -> Kdc:
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def _web_session() -> sessions.WebSession | None:
    """The live server-side session of this request's cookie (looked up once a request)."""
    if "kdc_web_session" not in g:
        token = session.get(SESSION_KEY)
        found = None
        if isinstance(token, str):
            with _kdc().unit_of_work(source="web", dry_run=True) as uow:
                found = sessions.find_session(uow, token)
        g.kdc_web_session = found
    result: sessions.WebSession | None = g.kdc_web_session
    return result


def current_identity() -> Identity | None:
    """Who is signed in on this request (councillor, officer and/or admin account), or ``None``."""
    if "kdc_identity" not in g:
        web = _web_session()
        identity = None
        if web is not None:
            with _kdc().unit_of_work(source="web", dry_run=True) as uow:
                identity = sessions.identify(uow, web.email)
        g.kdc_identity = identity
    result: Identity | None = g.kdc_identity
    return result


def begin_web_session(email: str, method: str) -> Identity:
    """Sign this browser in as ``email``: a new server-side session (any old one is dropped,
    so a session id planted before sign-in is useless), and the admin login when ``email``
    has an active local account."""
    with _kdc().unit_of_work(source=f"web:{method}") as uow:
        token, _web = sessions.start_session(uow, email, method)
        identity = sessions.identify(uow, email)
    logout_user()
    session.clear()
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME
    session[SESSION_KEY] = token
    for key in ("kdc_web_session", "kdc_identity"):
        g.pop(key, None)
    if identity.user is not None:
        login_user(WebUser(identity.user))
    return identity


def end_web_session() -> None:
    """Sign out: the server-side session ends, whoever holds a copy of the cookie."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        with _kdc().unit_of_work(source="web:sign-out") as uow:
            sessions.end_session(uow, token)
    logout_user()
    session.clear()
    for key in ("kdc_web_session", "kdc_identity"):
        g.pop(key, None)


def load_user(session_id: str) -> WebUser | None:
    user_id, _, tag = session_id.partition(":")
    if not user_id.isdigit():
        return None
    web = _web_session()
    if web is None:
        return None
    with _kdc().unit_of_work(source="web", dry_run=True) as uow:
        user = users.get_user(uow, int(user_id))
    if user is None or not user.active or user.credential_tag != tag:
        return None
    if user.email.lower() != web.email:
        return None
    return WebUser(user)


def load_user_from_request(req: Any) -> WebUser | None:
    kdc = _kdc()
    email = kdc.hook.kdc_authenticate(request=req, kdc=kdc)
    if not email:
        return None
    with kdc.unit_of_work(source="web", dry_run=True) as uow:
        user = users.find_user(uow, str(email))
    if user is None or not user.active:
        return None
    return WebUser(user)


def init_login(app: Flask) -> None:
    manager = LoginManager()
    manager.login_view = "auth.login"
    manager.login_message = "Please log in to continue."
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    manager.request_loader(load_user_from_request)
    manager.init_app(app)
    app.register_blueprint(bp)


def safe_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else ``None``: never an absolute,
    scheme-relative or backslashed URL (the admin's and the site's "next" after sign-in).

    :raises BadRequest: ``target`` holds control characters (``%0D%0A`` …): browsers drop
        some of them from addresses, and a line break would end the ``Location`` header.
    """
    if not target:
        return None
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target):
        raise BadRequest("The address to go to after signing in is not valid.")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _safe_next(target: str | None) -> str:
    """Where to go after logging in to the admin: a same-site path, or the admin's start."""
    return safe_path(target) or flask_url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_url = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = LoginForm()
    if form.validate_on_submit():
        with _kdc().unit_of_work(source="web:login") as uow:
            result = users.authenticate(uow, form.email.data or "", form.password.data or "")
        if result.user is not None:
            begin_web_session(result.user.email, "password")
            return redirect(next_url)
        flash(result.message or users.BAD_CREDENTIALS, "error")
        page = render_template("kdc/login.html", form=form)
        if result.locked_until is None:
            return page, 200
        wait = max(1, int((result.locked_until - utcnow()).total_seconds()))
        return page, 429, {"Retry-After": str(wait)}
    status = 400 if request.method == "POST" else 200
    return render_template("kdc/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    end_web_session()
    flash("You have logged out.", "info")
    return redirect(flask_url_for("auth.login"))
