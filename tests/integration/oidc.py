"""A real OpenID Connect provider for the tests (``tests/oidc/provider.mjs``, the certified
``oidc-provider`` package under Node), and a browser-like walk through its own sign-in pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"


class Provider:
    """A running provider: its ``issuer`` URL and the clients it knows."""

    def __init__(self, issuer: str, clients: Mapping[str, Mapping[str, Any]]) -> None:
        self.issuer = issuer
        self.clients = clients

    def metadata(self) -> dict[str, Any]:
        response = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


@contextmanager
def running_provider(
    clients: list[dict[str, Any]], accounts: Mapping[str, Mapping[str, Any]], log: Path
) -> Iterator[Provider]:
    """Start the provider on 127.0.0.1 (a free port it picks), wait for its discovery
    document, and stop it afterwards."""
    node = shutil.which("node")
    assert node is not None
    config = json.dumps({"clients": clients, "accounts": accounts})
    with open(log, "wb") as errors:
        process = subprocess.Popen(
            [node, str(SCRIPT), config],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the provider did not start: {log.read_text()}")
        provider = Provider(json.loads(line)["issuer"], {c["client_id"]: c for c in clients})
        deadline = time.monotonic() + 20
        while True:
            try:
                provider.metadata()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


class _Form(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = values.get("action") or ""
            self._in_form = True
        elif tag == "input" and self._in_form and values.get("name"):
            self.fields[str(values["name"])] = values.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False


def sign_in_at_provider(http: requests.Session, url: str, login: str, back_to: str) -> str:
    """Follow ``url`` (an authorization request) through the provider's login and consent
    forms as a browser would, signing in as the account ``login``; returns the URL the
    provider finally sends the browser to (it starts with ``back_to``), without opening it."""
    response = http.get(url, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if target.startswith(back_to):
                return target
            response = http.get(target, allow_redirects=False, timeout=10)
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        form = _Form()
        form.feed(response.text)
        assert form.action is not None, response.text[:500]
        data = dict(form.fields)
        if "login" in data:
            data.update(login=login, password="any password")
        response = http.post(
            urljoin(response.url, form.action), data=data, allow_redirects=False, timeout=10
        )
    raise AssertionError("the provider never sent the browser back")


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_tokens(provider: Provider, client_id: str, login: str, nonce: str) -> dict[str, Any]:
    """A whole code flow for ``client_id`` done by hand: the token response the provider
    gives (``id_token``, ``access_token`` …) for the account ``login`` and ``nonce``."""
    client = provider.clients[client_id]
    redirect_uri = client["redirect_uris"][0]
    metadata = provider.metadata()
    verifier, challenge = _pkce()
    state = secrets.token_urlsafe(16)
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid email",
            "redirect_uri": redirect_uri,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    with requests.Session() as http:
        back = sign_in_at_provider(
            http, f"{metadata['authorization_endpoint']}?{query}", login, redirect_uri
        )
        answer = parse_qs(urlsplit(back).query)
        assert answer["state"] == [state]
        response = http.post(
            metadata["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": answer["code"][0],
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(client_id, client["client_secret"]),
            timeout=10,
        )
    response.raise_for_status()
    tokens: dict[str, Any] = response.json()
    return tokens
