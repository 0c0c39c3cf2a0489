"""Limits on signing in, per client address and per account (flask-limiter).

Failed admin logins, requests for an emailed sign-in link, sign-in links that did not work
and single sign-ons that did not work all count against one limit per client address
(``[signin] per_address``), whatever account they were for; admin logins and link requests
also count against one limit per email address (``per_account``), wherever they come from.
Past a limit the answer is 429 with a ``Retry-After`` header and a page in the style of the
part of the site asked for (:func:`too_many`); no password is checked. The counts live
where ``[signin] storage`` says (:mod:`kdc_core.signin_config`). These limits come on top of
the lock an address gets after :data:`~kdc_core.users.service.MAX_FAILED_LOGINS` failures in a row.

The per-account count is keyed by a digest of the address, so no address reaches the
limiter's own log lines.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.errors import ConfigurationError
from werkzeug.wrappers import Response

from kdc_core.app import Kdc
from kdc_core.db import rate_limits
from kdc_core.errors import ConfigError
from kdc_core.signin_config import DATABASE, MEMORY
from kdc_core.users.service import address_key

#: The shared counts every sign-in route adds to.
ADDRESS_SCOPE = "sign-in-address"
ACCOUNT_SCOPE = "sign-in-account"


def _account() -> str:
    """The per-account key: a digest of the form's email address."""
    return "account:" + address_key(request.form.get("email", ""))


def _failed(response: Response) -> bool:
    """A sign-in that did not let anyone in (a success redirects)."""
    return response.status_code != 302


def _refused(response: Response) -> bool:
    return response.status_code >= 400


def _always(_response: Response) -> bool:
    return True


#: endpoint -> (what counts, also counted per account)
ROUTES: dict[str, tuple[Callable[[Response], bool], bool]] = {
    "auth.login": (_failed, True),
    "site.email_sign_in_link": (_always, True),
    "site.use_sign_in_link": (_refused, False),
    "site.oidc_callback": (_refused, False),
}


def make_limiter(kdc: Kdc) -> Limiter:
    """A limiter with its own counts, kept where ``[signin] storage`` says."""
    storage = kdc.settings.signin.storage
    options: dict[str, Any] = {}
    if storage == MEMORY:
        uri = "memory://"
    elif storage == DATABASE:
        uri = f"{rate_limits.SCHEME}://"
        options["engine"] = kdc.engine
    else:
        uri = storage
    return Limiter(
        key_func=get_remote_address,
        storage_uri=uri,
        storage_options=options,
        strategy="fixed-window",
        # A Redis or memcached that stops answering must not stop sign-in: count in this
        # process until it is back.
        in_memory_fallback_enabled=storage not in (MEMORY, DATABASE),
        key_prefix="kdc",
    )


def init_limits(app: Flask, kdc: Kdc) -> Limiter:
    """Put the sign-in limits on the sign-in routes ``app`` has (call after every blueprint
    is registered).

    :raises ConfigError: ``[signin] storage`` names a storage that cannot be used (an unknown
        scheme, or one whose driver is not installed).
    """
    limiter = make_limiter(kdc)
    try:
        limiter.init_app(app)
    except ConfigurationError as exc:  # an unknown scheme, or its driver not installed
        raise ConfigError(f"signin.storage: {exc}", key="signin.storage") from None
    # Every limit here is put on its view (below), and a limited view checks its own limits
    # when called. The check Flask-Limiter adds before every request is for application-wide
    # and default limits, which kdc has none of: drop it, so the requests that have no limit
    # (the feeds calendar apps poll, every page) do not pay for it.
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks if getattr(hook, "__self__", None) is not limiter]
    settings = kdc.settings.signin
    for endpoint, (counts, per_account) in ROUTES.items():
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        wrapped: Any = limiter.shared_limit(
            settings.per_address,
            scope=ADDRESS_SCOPE,
            methods=["POST"] if endpoint != "site.oidc_callback" else ["GET"],
            deduct_when=counts,
        )(view)
        if per_account:
            wrapped = limiter.shared_limit(
                settings.per_account,
                scope=ACCOUNT_SCOPE,
                key_func=_account,
                methods=["POST"],
                deduct_when=counts,
            )(wrapped)
        app.view_functions[endpoint] = wrapped
    app.extensions["kdc_limiter"] = limiter
    return limiter


def wait_seconds(app: Flask) -> int:
    """Seconds until the limit this request went over lets sign-ins through again (the
    ``Retry-After`` of the 429 answer)."""
    limiter = app.extensions.get("kdc_limiter")
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def too_many(app: Flask, template: str, **context: Any) -> Response:
    """The 429 answer: ``template`` with :data:`TOO_MANY` as its message, and
    ``Retry-After``."""
    seconds = wait_seconds(app)
    minutes = max(1, math.ceil(seconds / 60))
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    page = render_template(template, message=TOO_MANY.format(wait=wait), **context)
    return Response(page, 429, {"Retry-After": str(seconds)})


#: What the 429 page says (``{wait}``: :func:`wait_words`).
TOO_MANY = (
    "There have been too many attempts to sign in from here, or with this email address. "
    "Wait {wait}, then try again."
)
