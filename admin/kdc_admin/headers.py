"""Security headers on every response, and the per-request nonce for the few inline scripts.

The Content-Security-Policy allows scripts only from this site or carrying the request's
nonce (Flask-Admin's inline snippets get it through ``csp_nonce_generator``). Inline event
handlers in Flask-Admin's templates (``onclick=…``) are therefore blocked; ``kdc.js`` wires
the same behaviour up from a script file.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

_POLICY = (
    "default-src 'self'; "
    "script-src 'self'{nonce}; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action {form_action}; "
    "frame-ancestors 'none'"
)


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """The policy for this request; ``form_targets`` are origins besides this site that a
    form on the page may lead to (a sign-in button that redirects to the identity provider).

    The nonce is in the policy only if the page used one: a feed or a file, which has no
    inline script, costs no random bytes and allows none."""
    nonce = g.get("csp_nonce")
    return _POLICY.format(
        nonce=f" 'nonce-{nonce}'" if nonce else "",
        form_action=" ".join(("'self'", *form_targets)),
    )


def csp_nonce() -> str:
    """The nonce for this request (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not request.path.startswith(("/admin/static/", "/kdc-static/")):
        headers.setdefault("Cache-Control", "no-store")
    return response


def init_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
