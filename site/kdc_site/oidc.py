"""Single sign-on over OpenID Connect: the authorization code flow with PKCE, through Authlib.

:func:`start` sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE
(S256) code verifier, all kept in this browser's session for the callback. :func:`finish`
takes the provider's answer: the ``state`` must be one this browser started (and is used up),
the code is exchanged at the token endpoint with the verifier, and the ID token must be signed
by a key in the provider's JWKS with an algorithm it announces, and name this provider
(``iss``), this client (``aud``, ``azp``), the ``nonce`` sent, and not have expired. Only then
is its ``email`` claim read.

Everything that goes wrong raises :class:`SignInRefused`, with a reason safe to log (no
token, code or address) and the HTTP status to answer with: 400 for an answer that cannot be
trusted, 502 when the provider cannot be reached or answers nonsense.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.oidc.core import CodeIDToken
from flask import redirect, request, session
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from werkzeug.wrappers import Response

from kdc_core.config import OidcSettings

log = logging.getLogger(__name__)
# Authlib logs PKCE code verifiers at DEBUG level; keep them out of any log.
logging.getLogger("authlib").setLevel(max(logging.INFO, logging.getLogger("authlib").level))

#: Seconds of clock difference allowed on ``exp``, ``iat`` and ``nbf``.
LEEWAY = 60
#: Seconds to wait for the provider on each request.
TIMEOUT = 10
#: Signing algorithms accepted when the provider's metadata names none.
DEFAULT_ALGORITHMS = ("RS256",)


class SignInRefused(Exception):
    """Single sign-on did not succeed: ``reason`` is for the log, ``status`` for the answer."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def make_client(settings: OidcSettings) -> FlaskOAuth2App:
    """An Authlib client for the configured provider (discovery is read on first use)."""
    return FlaskOAuth2App(
        FlaskIntegration("council"),
        name="council",
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.metadata_url,
        client_kwargs={
            "scope": " ".join(settings.scopes),
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )


def provider_origins(client: FlaskOAuth2App, settings: OidcSettings) -> list[str]:
    """Origins the sign-in form may lead to (for the page's ``form-action`` policy): the
    issuer's, and the authorization endpoint's once discovery has been read."""
    urls = [settings.issuer, str(client.server_metadata.get("authorization_endpoint") or "")]
    origins = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def _metadata(client: FlaskOAuth2App) -> Mapping[str, Any]:
    try:
        metadata: Mapping[str, Any] = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise SignInRefused(f"discovery failed ({type(exc).__name__})", 502) from None
    for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(key), str):
            client.server_metadata.clear()
            raise SignInRefused(f"discovery document lacks {key}", 502)
    return metadata


def start(client: FlaskOAuth2App, redirect_uri: str, next_url: str | None) -> Response:
    """Send the browser to the provider; ``next_url`` (already checked) is kept for after."""
    _metadata(client)
    try:
        found = client.create_authorization_url(redirect_uri)
    except (requests.RequestException, AuthlibBaseError) as exc:
        raise SignInRefused(f"could not start ({type(exc).__name__})", 502) from None
    client.save_authorize_data(redirect_uri=redirect_uri, next=next_url, **found)
    return redirect(found["url"], 303)


def finish(client: FlaskOAuth2App, settings: OidcSettings) -> tuple[str, str | None]:
    """Check the provider's answer to this request; returns (email, next URL).

    :raises SignInRefused: for any failure, with a loggable reason.
    """
    state = request.args.get("state", "")
    data = client.framework.get_state_data(session, state) if state else None
    if state:
        client.framework.clear_state_data(session, state)
    error = request.args.get("error")
    if error:
        code = "".join(c for c in error[:40] if c.isalnum() or c in "_-")
        raise SignInRefused(f"the provider answered error={code}")
    if not data:
        raise SignInRefused("unknown or reused state")
    metadata = _metadata(client)
    issuer = metadata["issuer"]
    if issuer.rstrip("/") != settings.issuer.rstrip("/"):
        raise SignInRefused("the discovery document names another issuer", 502)
    answered_by = request.args.get("iss")
    if answered_by is not None and answered_by != issuer:
        raise SignInRefused("the answer came from another issuer (iss parameter)")
    auth_code = request.args.get("code")
    if not auth_code:
        raise SignInRefused("no authorization code")
    try:
        token = client.fetch_access_token(
            code=auth_code, code_verifier=data["code_verifier"], redirect_uri=data["redirect_uri"]
        )
    except MismatchingStateError:
        raise SignInRefused("state mismatch") from None
    except OAuthError as exc:
        said = "".join(c for c in str(exc.error or "")[:40] if c.isalnum() or c in "_-")
        raise SignInRefused(f"the token endpoint refused the code ({said})") from None
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise SignInRefused(f"token request failed ({type(exc).__name__})", 502) from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInRefused("no ID token in the token response")
    claims = verify_id_token(
        id_token,
        jwks=lambda force: _jwks(client, force),
        issuer=issuer,
        client_id=settings.client_id,
        nonce=str(data.get("nonce") or ""),
        algorithms=metadata.get("id_token_signing_alg_values_supported"),
        access_token=token.get("access_token"),
    )
    email = email_from(claims, require_verified=settings.require_verified_email)
    return email, data.get("next")


def _jwks(client: FlaskOAuth2App, force: bool) -> Mapping[str, Any]:
    try:
        keys: Mapping[str, Any] = client.fetch_jwk_set(force=force)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        reason = f"could not read the provider's keys ({type(exc).__name__})"
        raise SignInRefused(reason, 502) from None
    return keys


def verify_id_token(
    id_token: str,
    *,
    jwks: Any,
    issuer: str,
    client_id: str,
    nonce: str,
    algorithms: Any = None,
    access_token: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of ``id_token`` once it is proved to be for us and fresh.

    :param jwks: the provider's key set (a JWKS mapping), or a callable ``jwks(force)`` that
        returns it, fetched again with ``force=True`` when the token names an unknown key.
    :param algorithms: the provider's ``id_token_signing_alg_values_supported``; ``none`` and
        the HMAC algorithms (keyed by the client secret, so forgeable by anyone holding it)
        are never accepted.
    :raises SignInRefused: the signature, ``iss``, ``aud``/``azp``, ``exp``/``iat``,
        ``nonce`` or ``at_hash`` is wrong or missing.
    """
    if not nonce:
        raise SignInRefused("no nonce was sent")
    allowed = [
        a
        for a in (algorithms or DEFAULT_ALGORITHMS)
        if isinstance(a, str) and a != "none" and not a.startswith("HS")
    ]
    if not allowed:
        raise SignInRefused("the provider announces no usable signing algorithm", 502)

    def key_set(force: bool) -> KeySet:
        raw = jwks(force) if callable(jwks) else jwks
        try:
            return KeySet.import_key_set(raw)
        except (JoseError, ValueError, KeyError, TypeError):
            raise SignInRefused("the provider's key set cannot be read", 502) from None

    try:
        try:
            decoded = jwt.decode(id_token, key_set(False), algorithms=allowed)
        except InvalidKeyIdError:
            if not callable(jwks):
                raise
            decoded = jwt.decode(id_token, key_set(True), algorithms=allowed)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": client_id},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "sub": {"essential": True},
            },
            {"nonce": nonce, "client_id": client_id, "access_token": access_token},
        )
        claims.validate(now=int(now if now is not None else time.time()), leeway=LEEWAY)
    except SignInRefused:
        raise
    except (JoseError, AuthlibBaseError, ValueError, TypeError) as exc:
        detail = getattr(exc, "claim", None) or type(exc).__name__
        raise SignInRefused(f"ID token refused ({detail})") from None
    return dict(claims)


def email_from(claims: Mapping[str, Any], *, require_verified: bool = True) -> str:
    """The verified email address in ID token claims.

    :raises SignInRefused: no address, or (when ``require_verified``) not marked verified.
    """
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 254:
        raise SignInRefused("the ID token has no email claim")
    if require_verified and claims.get("email_verified") is not True:
        raise SignInRefused("the ID token's email is not verified")
    return email.strip().lower()
