"""Single sign-on against a real OpenID Connect provider (oidc-provider under Node), started
once for the module on 127.0.0.1: the code flow with PKCE, state, nonce, audience and
signature checks, the mapping of the verified address to a person, and sign-out."""

from __future__ import annotations

import base64
import json
import logging
import re
import secrets
import socket
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey
from site_people import councillors_with_enquiries
from sqlalchemy import select, update

from kdc_admin import create_app
from kdc_admin.testing import TEST_SECRET, add_user, csrf_token
from kdc_core.app import Kdc
from kdc_core.config import OidcSettings, Settings
from kdc_core.db.enquiries import EnquiryPersonRow, EnquiryRow
from kdc_core.db.people import CouncillorRow
from kdc_core.db.users import WebSessionRow
from kdc_core.plugins import make_plugin_manager
from kdc_site import oidc
from oidc import Provider, issue_tokens, running_provider, sign_in_at_provider

BASE_URL = "http://127.0.0.1:8000"
CALLBACK = f"{BASE_URL}/sign-in/oidc/callback"
SITE, OTHER = "kdc-site", "other-app"
COUNCILLOR = "oidc.councillor@kirklees.example"
ADMIN = "oidc.admin@kirklees.example"
ACCOUNTS = {
    "councillor": {"email": COUNCILLOR, "email_verified": True},
    "admin": {"email": ADMIN, "email_verified": True},
    "stranger": {"email": "stranger@example.org", "email_verified": True},
    "unverified": {"email": COUNCILLOR, "email_verified": False},
}


@pytest.fixture(scope="module")
def provider(node_modules: Path, tmp_path_factory: pytest.TempPathFactory):
    clients = [
        {
            "client_id": SITE,
            "client_secret": secrets.token_urlsafe(24),
            "redirect_uris": [CALLBACK],
        },
        {
            "client_id": OTHER,
            "client_secret": secrets.token_urlsafe(24),
            "redirect_uris": ["http://127.0.0.1:8001/callback"],
        },
    ]
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with running_provider(clients, ACCOUNTS, log) as running:
        yield running


def _oidc(provider: Provider, **changes) -> OidcSettings:
    settings = OidcSettings(
        issuer=provider.issuer,
        client_id=SITE,
        client_secret=provider.clients[SITE]["client_secret"],
        label="Sign in with your council account",
    )
    return attrs.evolve(settings, **changes)


@pytest.fixture
def kdc_template() -> str:
    return "demo"


@pytest.fixture
def kdc_settings(kdc_database_url: str, tmp_path: Path, provider: Provider) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        base_url=BASE_URL,
        oidc=_oidc(provider),
    )


@pytest.fixture
def councillor(kdc_app: Kdc) -> str:
    """The name of a demo councillor whose address is the provider account's."""
    with kdc_app.unit_of_work() as uow:
        row = uow.session.scalars(
            select(CouncillorRow)
            .where(CouncillorRow.archived_at.is_(None), CouncillorRow.email.is_not(None))
            .order_by(CouncillorRow.id)
            .limit(1)
        ).one()
        uow.session.execute(
            update(CouncillorRow).where(CouncillorRow.id == row.id).values(email=COUNCILLOR)
        )
        return row.name


@pytest.fixture
def client(kdc_app: Kdc):
    return create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()


def _start(client, next_url: str = "/") -> str:
    """Press the button on the sign-in page; returns where the browser is sent."""
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in/oidc", data={"csrf_token": token, "next": next_url})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _callback(client, back: str):
    parts = urlsplit(back)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK
    return client.get(f"{parts.path}?{parts.query}")


def _sign_in(client, login: str, next_url: str = "/"):
    with requests.Session() as http:
        back = sign_in_at_provider(http, _start(client, next_url), login, CALLBACK)
    return _callback(client, back)


def _signed_in_as(client) -> str | None:
    found = re.search(r"Signed in as <strong[^>]*>([^<]+)</strong>", client.get("/").text)
    return found.group(1) if found else None


def test_the_sign_in_page_offers_the_button_and_lets_its_form_reach_the_provider(client, provider):
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert "Sign in with your council account" in page.text
    assert 'action="/sign-in/oidc"' in page.text
    policy = page.headers["Content-Security-Policy"]
    assert f"form-action 'self' {provider.issuer};" in policy
    # Other pages keep form-action to this site alone.
    assert "form-action 'self';" in client.get("/").headers["Content-Security-Policy"]


def test_the_authorization_request_uses_pkce_state_and_nonce(client):
    location = _start(client)
    query = parse_qs(urlsplit(location).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [SITE]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert set(query["scope"][0].split()) >= {"openid", "email"}


def test_a_councillor_signs_in_with_the_council_account(client, kdc_app, councillor):
    response = _sign_in(client, "councillor", next_url="/sign-in?from=test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?from=test"
    assert _signed_in_as(client) == councillor
    with kdc_app.unit_of_work(dry_run=True) as uow:
        methods = uow.session.scalars(
            select(WebSessionRow.method).where(WebSessionRow.email == COUNCILLOR)
        ).all()
    assert methods == ["oidc"]
    # A councillor without an admin account does not get the admin.
    assert client.get("/admin/").status_code == 302


def test_an_admin_user_signing_in_gets_the_admin_with_their_role(client, kdc_app):
    add_user(kdc_app, ADMIN, "admin")
    assert client.get("/admin/").status_code == 302
    assert _sign_in(client, "admin").status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/user/").status_code == 200  # the admin role's own page


def test_sign_out_ends_the_session_on_the_server(client, kdc_app, councillor):
    _sign_in(client, "councillor")
    cookie = client.get_cookie("kdc_session")
    assert cookie is not None and _signed_in_as(client) == councillor
    assert client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")}).status_code == 302
    replay = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    replay.set_cookie("kdc_session", cookie.value)
    assert _signed_in_as(replay) is None


def test_a_tampered_state_is_refused(client, councillor, caplog):
    caplog.set_level(logging.INFO)
    with requests.Session() as http:
        back = sign_in_at_provider(http, _start(client), "councillor", CALLBACK)
    real = parse_qs(urlsplit(back).query)["state"][0]
    response = _callback(client, back.replace(f"state={real}", f"state={real[:-2]}xx"))
    assert response.status_code == 400
    assert "Sign-in did not work" in response.text
    assert "Traceback" not in response.text
    assert _signed_in_as(client) is None
    assert "single sign-on refused: unknown or reused state" in caplog.text
    assert real not in caplog.text and COUNCILLOR not in caplog.text


def test_an_answer_meant_for_another_browser_is_refused(client, kdc_app, councillor):
    with requests.Session() as http:
        back = sign_in_at_provider(http, _start(client), "councillor", CALLBACK)
    other = create_app(kdc_app, SECRET_KEY=TEST_SECRET).test_client()
    assert _callback(other, back).status_code == 400
    assert _signed_in_as(other) is None


def test_an_id_token_with_another_nonce_is_refused(client, councillor, caplog):
    """The browser's remembered nonce is changed before the answer comes back: the provider's
    (genuine, well-signed) ID token then carries a nonce this browser did not send."""
    location = _start(client)
    with client.session_transaction() as session:
        (key,) = [k for k in session if k.startswith("_state_")]
        stored = session[key]
        stored["data"]["nonce"] = "not-the-nonce-sent"
        session[key] = stored
    with requests.Session() as http:
        back = sign_in_at_provider(http, location, "councillor", CALLBACK)
    response = _callback(client, back)
    assert response.status_code == 400
    assert _signed_in_as(client) is None
    assert "ID token refused (nonce)" in caplog.text


def test_the_providers_error_answer_is_a_clear_400(client):
    location = _start(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get(f"/sign-in/oidc/callback?error=access_denied&state={state}")
    assert response.status_code == 400
    assert "Sign-in did not work" in response.text


def test_an_address_nobody_here_has_gets_a_polite_refusal(client):
    response = _sign_in(client, "stranger")
    assert response.status_code == 403
    assert "Ask the councillor liaison team" in response.text
    assert _signed_in_as(client) is None


def test_an_unverified_address_is_refused(client, councillor):
    assert _sign_in(client, "unverified").status_code == 400
    assert _signed_in_as(client) is None


def test_a_provider_that_cannot_be_reached_is_a_502(kdc_app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = kdc_app.settings.evolve(
        oidc=attrs.evolve(kdc_app.settings.oidc, issuer=f"http://127.0.0.1:{port}")
    )
    down = Kdc(settings, make_plugin_manager(settings))
    try:
        client = create_app(down, SECRET_KEY=TEST_SECRET).test_client()
        token = csrf_token(client, "/sign-in")
        response = client.post("/sign-in/oidc", data={"csrf_token": token})
        assert response.status_code == 502
        assert "Sign-in is not working at the moment" in response.text
    finally:
        down.dispose()


# The ID token checks, on tokens the provider issued (then altered, or forged).


@pytest.fixture(scope="module")
def issued(provider: Provider) -> dict:
    nonce = secrets.token_urlsafe(16)
    return {
        "nonce": nonce,
        "site": issue_tokens(provider, SITE, "councillor", nonce)["id_token"],
        "other": issue_tokens(provider, OTHER, "councillor", nonce)["id_token"],
        "jwks": requests.get(provider.metadata()["jwks_uri"], timeout=5).json(),
    }


def _verify(provider: Provider, issued: dict, id_token: str, **changes):
    options = {
        "jwks": issued["jwks"],
        "issuer": provider.issuer,
        "client_id": SITE,
        "nonce": issued["nonce"],
        "algorithms": ["RS256", "PS256", "ES256", "EdDSA"],
    }
    options.update(changes)
    return oidc.verify_id_token(id_token, **options)


def test_a_genuine_id_token_is_accepted(provider, issued):
    claims = _verify(provider, issued, issued["site"])
    assert claims["email"] == COUNCILLOR and claims["aud"] == SITE
    assert oidc.email_from(claims) == COUNCILLOR


def test_a_wrong_nonce_is_refused(provider, issued):
    with pytest.raises(oidc.SignInRefused, match="nonce"):
        _verify(provider, issued, issued["site"], nonce="another-nonce")


def test_an_id_token_for_another_audience_is_refused(provider, issued):
    assert _verify(provider, issued, issued["other"], client_id=OTHER)["aud"] == OTHER
    with pytest.raises(oidc.SignInRefused, match="aud"):
        _verify(provider, issued, issued["other"])


def test_an_id_token_from_another_issuer_is_refused(provider, issued):
    with pytest.raises(oidc.SignInRefused, match="iss"):
        _verify(provider, issued, issued["site"], issuer="https://login.example.org")


def test_an_expired_id_token_is_refused(provider, issued):
    claims = _verify(provider, issued, issued["site"])
    with pytest.raises(oidc.SignInRefused, match="exp"):
        _verify(provider, issued, issued["site"], now=claims["exp"] + oidc.LEEWAY + 1)


def test_an_altered_id_token_is_refused(provider, issued):
    header, payload, signature = issued["site"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = ADMIN
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(oidc.SignInRefused, match="BadSignature"):
        _verify(provider, issued, f"{header}.{forged}.{signature}")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    with pytest.raises(oidc.SignInRefused, match="BadSignature"):
        _verify(provider, issued, f"{header}.{payload}.{flipped}")


def test_an_id_token_signed_with_another_key_is_refused(provider, issued):
    token = jwt.decode(issued["site"], KeySet.import_key_set(issued["jwks"]))
    impostor = RSAKey.generate_key(2048, parameters={"kid": token.header["kid"]})
    forged = jwt.encode(token.header, token.claims, impostor, algorithms=[token.header["alg"]])
    with pytest.raises(oidc.SignInRefused, match="BadSignature"):
        _verify(provider, issued, forged)


def test_unsigned_and_hmac_id_tokens_are_refused(provider, issued):
    claims = _verify(provider, issued, issued["site"])
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(oidc.SignInRefused, match="UnsupportedAlgorithm"):
        _verify(provider, issued, f"{header}.{body}.", algorithms=["none", "RS256"])
    secret = provider.clients[SITE]["client_secret"]
    hmac = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret), algorithms=["HS256"])
    with pytest.raises(oidc.SignInRefused, match="UnsupportedAlgorithm"):
        _verify(provider, issued, hmac, algorithms=["HS256", "RS256"])


def test_the_button_needs_the_forms_csrf_token(client):
    assert client.post("/sign-in/oidc", data={"next": "/"}).status_code == 400
    with client.session_transaction() as session:
        assert not [k for k in session if k.startswith("_state_")]


def test_a_councillor_signed_in_by_the_provider_sees_their_enquiries_and_no_one_elses(
    client, kdc_app, councillor
):
    (me, name, email), (other, _, _) = councillors_with_enquiries(kdc_app)
    assert name == councillor and email == COUNCILLOR
    with kdc_app.unit_of_work(dry_run=True) as uow:
        by_person: dict[int, set[str]] = {}
        for person, reference in uow.session.execute(
            select(EnquiryPersonRow.person_id, EnquiryRow.reference)
            .join(EnquiryRow, EnquiryRow.id == EnquiryPersonRow.enquiry_id)
            .where(EnquiryPersonRow.kind.in_(("councillor", "joint_councillor")))
        ):
            by_person.setdefault(person, set()).add(reference)
    mine, theirs = by_person[me], by_person[other] - by_person[me]
    assert mine and theirs
    landed = _sign_in(client, "councillor", next_url="")
    assert landed.headers["Location"] == "/my/"
    listing = client.get("/my/enquiries/").text
    assert set(re.findall(r"KE-\d{4}-\d{6}", listing)) == mine
    for reference in theirs:
        assert client.get(f"/my/enquiries/{reference}").status_code == 404
