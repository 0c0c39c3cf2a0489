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
    return policy(g.get("csp_nonce"), form_targets)


def policy(nonce: str | None, form_targets: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy allowing inline scripts with ``nonce`` (none without)."""
    return _POLICY.format(
        nonce=f" 'nonce-{nonce}'" if nonce else "",
        form_action=" ".join(("'self'", *form_targets)),
    )


def csp_nonce() -> str:
    """The nonce for this request (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


#: Paths whose files may be cached (every other response is ``no-store`` unless it says).
CACHEABLE_PREFIXES = ("/admin/static/", "/kdc-static/")


def security_headers(policy: str, path: str, secure: bool) -> list[tuple[str, str]]:
    """The headers every response carries unless it set its own: ``policy`` is the
    Content-Security-Policy (:func:`content_security_policy`), ``secure`` whether the site is
    served over HTTPS (then Strict-Transport-Security too)."""
    headers = [
        ("Content-Security-Policy", policy),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    if not path.startswith(CACHEABLE_PREFIXES):
        headers.append(("Cache-Control", "no-store"))
    return headers


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    for name, value in security_headers(content_security_policy(), request.path, secure):
        headers.setdefault(name, value)
    return response


def init_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
