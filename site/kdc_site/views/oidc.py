"""Single sign-on with the council's identity provider (``[oidc]`` in kdc.toml).

``POST /sign-in/oidc`` (the button on the sign-in page, CSRF-checked like every form) sends
the browser to the provider; ``GET /sign-in/oidc/callback`` takes it back, checks everything
(:mod:`kdc_site.oidc`), finds who the verified address belongs to and starts the shared web
session. Without ``[oidc]`` neither route exists (404) and the button is not shown.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from kdc_admin.auth import begin_web_session
from kdc_admin.auth import safe_path as safe_next
from kdc_admin.headers import content_security_policy
from kdc_core.app import Kdc
from kdc_core.users import sessions
from kdc_site import oidc

log = logging.getLogger(__name__)

_MESSAGES = {
    400: (
        "Sign-in did not work",
        "We could not sign you in with your council account: the answer from the sign-in "
        "service could not be checked, or the sign-in took too long. Go back to the sign-in "
        "page and try again.",
    ),
    502: (
        "Sign-in is not working at the moment",
        "We could not reach the council's sign-in service. Try again in a few minutes, or ask "
        "for a sign-in link by email.",
    ),
}


def register(bp: Blueprint, kdc: Kdc) -> None:
    settings = kdc.settings.oidc
    if not settings.configured:
        return
    client = oidc.make_client(settings)
    redirect_uri = f"{kdc.settings.base_url}/sign-in/oidc/callback"

    def refused(problem: oidc.SignInRefused) -> Any:
        log.warning("single sign-on refused: %s", problem.reason)
        title, message = _MESSAGES[502 if problem.status >= 500 else 400]
        page = render_template("site/error.html", title=title, message=message)
        return page, 502 if problem.status >= 500 else 400

    @bp.context_processor
    def _button() -> dict[str, Any]:
        return {"oidc_label": settings.label}

    @bp.after_request
    def _allow_form_to_provider(response: Response) -> Response:
        """The sign-in page's button leads (by redirect) to the provider: allow that origin."""
        if request.endpoint == "site.sign_in":
            origins = tuple(oidc.provider_origins(client, settings))
            response.headers["Content-Security-Policy"] = content_security_policy(origins)
        return response

    @bp.post("/sign-in/oidc")
    def oidc_start() -> Any:
        try:
            return oidc.start(client, redirect_uri, safe_next(request.form.get("next")))
        except oidc.SignInRefused as problem:
            return refused(problem)

    @bp.get("/sign-in/oidc/callback")
    def oidc_callback() -> Any:
        try:
            email, next_url = oidc.finish(client, settings)
        except oidc.SignInRefused as problem:
            return refused(problem)
        with kdc.unit_of_work(source="web:oidc", dry_run=True) as uow:
            identity = sessions.identify(uow, email)
        if not identity.known:
            log.info("single sign-on: the address is not a councillor's, officer's or user's")
            page = render_template("site/sign_in_unknown.html", email=email)
            return page, 403
        begin_web_session(identity.email, "oidc")
        flash(f"You are signed in as {identity.name}.", "success")
        return redirect(safe_next(next_url) or url_for("site.my_home"))
