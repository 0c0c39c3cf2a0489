"""Signing in to the site and out of it.

Every way in ends in :func:`kdc_admin.auth.begin_web_session`, so the site and the admin share
one server-side session: signing out of either ends it for both.

An emailed sign-in link opens a page with a button rather than signing in on the ``GET``: mail
scanners that fetch every link in a message would otherwise use the link up before the person
does.

Asking for a link (``POST /sign-in/email``) answers with the same page whatever the address,
so the form cannot be used to find out who has an address here.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from kdc_admin.auth import begin_web_session, end_web_session
from kdc_admin.auth import safe_path as safe_next
from kdc_core.app import Kdc
from kdc_core.mail.addresses import AddressError
from kdc_core.mail.outbox import NoMailer
from kdc_core.users import links, sessions
from kdc_site.access import visitor

log = logging.getLogger(__name__)

ENTER_ADDRESS = "Enter your email address"
BAD_ADDRESS = "Enter an email address in the correct format, like name@example.com"

LINK_USED = (
    "This sign-in link has expired or has already been used. Links work once, for 15 minutes: "
    "ask for a new one."
)


def register(bp: Blueprint, kdc: Kdc) -> None:
    link_form = kdc.settings.mail.configured

    def sign_in_page(email: str = "", error: str | None = None, status: int = 200) -> Any:
        page = render_template(
            "site/sign_in.html",
            next_url=safe_next(request.args.get("next")),
            link_form=link_form,
            email=email,
            error=error,
        )
        return page, status

    @bp.get("/sign-in")
    def sign_in() -> Any:
        next_url = safe_next(request.args.get("next"))
        if visitor() is not None:
            return redirect(next_url or url_for("site.home"))
        return sign_in_page()

    @bp.post("/sign-in/email")
    def email_sign_in_link() -> Any:
        if not link_form:
            abort(404)
        email = request.form.get("email", "").strip()
        if not email:
            return sign_in_page(email, ENTER_ADDRESS, 400)
        try:
            with kdc.unit_of_work(source="web:sign-in-link-request") as uow:
                outcome = links.request_sign_in_link(uow, email)
        except AddressError:
            return sign_in_page(email, BAD_ADDRESS, 400)
        except NoMailer:
            outcome = None
        log.info("sign-in link asked for: %s", outcome.value if outcome else "no mailer")
        return render_template("site/sign_in_link_sent.html", email=email)

    @bp.get("/sign-in/link/<token>")
    def sign_in_link(token: str) -> Any:
        return render_template("site/sign_in_link.html", token=token)

    @bp.post("/sign-in/link/<token>")
    def use_sign_in_link(token: str) -> Any:
        with kdc.unit_of_work(source="web:sign-in-link") as uow:
            email = sessions.redeem_sign_in_link(uow, token)
            identity = sessions.identify(uow, email) if email else None
        if identity is None:
            page = render_template("site/error.html", title="Link not valid", message=LINK_USED)
            return page, 400
        if not identity.known:
            abort(403)
        begin_web_session(identity.email, "link")
        flash(f"You are signed in as {identity.name}.", "success")
        return redirect(url_for("site.my_home"))

    @bp.post("/sign-out")
    def sign_out() -> Any:
        end_web_session()
        flash("You have signed out.", "success")
        return redirect(url_for("site.home"))
