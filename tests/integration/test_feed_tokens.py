"""Feed tokens: 256 bits, stored only as SHA-256, rotatable; ``kdc feeds url`` and ``rotate``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import select

from kdc_core.calendar import feed_tokens
from kdc_core.calendar.feed_tokens import OwnerKind
from kdc_core.db import CouncillorRow, FeedTokenRow, OfficerRow, WardRow

BASE = "https://calendar.kirklees.example"


@pytest.fixture
def kdc_settings(kdc_settings):
    return kdc_settings.evolve(base_url=BASE)


@pytest.fixture
def people(kdc_app):
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Dalton", slug="dalton")
        ann = CouncillorRow(name="Ann Lee", ward=ward)
        gone = CouncillorRow(name="Dev Shah", ward=ward)
        olu = OfficerRow(person_id="p-olu", given_name="Olu", family_name="Ade")
        uow.session.add_all([ann, gone, olu])
        uow.session.flush()
        return {"ann": ann.id, "gone": gone.id, "olu": olu.id}


def _owner(kdc_app, kind, owner_id):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        if kind is OwnerKind.COUNCILLOR:
            name = uow.people.councillor(owner_id).name
        else:
            name = uow.people.officer(owner_id).name
    return feed_tokens.FeedOwner(kind, owner_id, name)


def _issue(kdc_app, owner):
    with kdc_app.unit_of_work() as uow:
        return feed_tokens.issue(uow, owner)


def _resolve(kdc_app, token, kind=None):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return feed_tokens.resolve(uow, token, kind)


def _stored(kdc_app):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        rows = uow.session.scalars(select(FeedTokenRow).order_by(FeedTokenRow.id)).all()
        return [(r.owner_kind, r.owner_id, r.token_hash, r.revoked_at) for r in rows]


def test_a_token_has_256_bits_and_only_its_sha256_digest_is_stored(kdc_app, people):
    ann = _owner(kdc_app, OwnerKind.COUNCILLOR, people["ann"])
    issued = _issue(kdc_app, ann)
    assert len(issued.token) >= 43  # 32 random bytes, URL-safe base64
    [(kind, owner_id, digest, revoked)] = _stored(kdc_app)
    assert (kind, owner_id, revoked) == ("councillor", people["ann"], None)
    assert digest == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in repr(issued)  # the token is kept out of logs and reprs


def test_resolve_finds_the_owner_and_refuses_unknown_malformed_and_wrong_kind(kdc_app, people):
    ann = _owner(kdc_app, OwnerKind.COUNCILLOR, people["ann"])
    issued = _issue(kdc_app, ann)
    assert _resolve(kdc_app, issued.token) == ann
    assert _resolve(kdc_app, issued.token, OwnerKind.COUNCILLOR) == ann
    assert _resolve(kdc_app, issued.token, OwnerKind.OFFICER) is None
    assert _resolve(kdc_app, issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B")) is None
    assert _resolve(kdc_app, "short") is None
    assert _resolve(kdc_app, "../" + issued.token) is None


def test_rotating_revokes_the_old_token_and_keeps_one_active(kdc_app, people):
    olu = _owner(kdc_app, OwnerKind.OFFICER, people["olu"])
    first = _issue(kdc_app, olu)
    with kdc_app.unit_of_work() as uow:
        second = feed_tokens.rotate(uow, olu)
    assert second.revoked == 1 and second.token != first.token
    assert _resolve(kdc_app, first.token) is None
    assert _resolve(kdc_app, second.token) == olu
    active = [row for row in _stored(kdc_app) if row[3] is None]
    assert len(active) == 1


def test_an_archived_councillors_token_opens_nothing(kdc_app, people):
    gone = _owner(kdc_app, OwnerKind.COUNCILLOR, people["gone"])
    issued = _issue(kdc_app, gone)
    with kdc_app.unit_of_work() as uow:
        uow.session.get(CouncillorRow, people["gone"]).archived_at = dt.datetime.now(dt.UTC)
    assert _resolve(kdc_app, issued.token) is None


# -- the command line -----------------------------------------------------------------------------


def _url_token(url):
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_feeds_url_issues_a_token_and_prints_the_https_and_webcal_addresses(kdc_run, people):
    result = kdc_run("feeds", "url", "--councillor", "Cllr Ann Lee")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    web = next(line.split()[-1] for line in lines if line.strip().startswith("https:"))
    webcal = next(line.split()[-1] for line in lines if line.strip().startswith("webcal:"))
    assert web.startswith(f"{BASE}/feeds/councillors/") and web.endswith(".ics")
    assert webcal == "webcal://" + web.removeprefix("https://")
    assert "shown only now" in result.output


def test_feeds_url_will_not_replace_an_existing_address_without_rotate(kdc_app, kdc_run, people):
    first = json.loads(kdc_run("feeds", "url", "--councillor", "Ann Lee", "--json").output)
    again = kdc_run("feeds", "url", "--councillor", "Ann Lee")
    assert again.exit_code == 1
    assert "already has a feed address" in again.output and "--rotate" in again.output
    assert _resolve(kdc_app, _url_token(first["url"])) is not None  # still works
    assert len(_stored(kdc_app)) == 1

    rotated = json.loads(
        kdc_run("feeds", "url", "--councillor", "Ann Lee", "--rotate", "--json").output
    )
    assert rotated["revoked_previous"] == 1
    assert _resolve(kdc_app, _url_token(first["url"])) is None
    assert _resolve(kdc_app, _url_token(rotated["url"])).id == people["ann"]


def test_feeds_rotate_finds_officers_by_directory_id_or_name(kdc_app, kdc_run, people):
    by_id = json.loads(kdc_run("feeds", "rotate", "--officer", "p-olu", "--json").output)
    by_name = json.loads(kdc_run("feeds", "rotate", "--officer", "olu ade", "--json").output)
    assert (
        by_id["owner"]
        == by_name["owner"]
        == {"kind": "officer", "id": people["olu"], "name": "Olu Ade"}
    )
    assert "/feeds/officers/" in by_name["url"]
    assert _resolve(kdc_app, _url_token(by_id["url"])) is None
    assert _resolve(kdc_app, _url_token(by_name["url"])).id == people["olu"]


def test_an_unknown_person_fails_with_their_name_and_writes_nothing(kdc_app, kdc_run, people):
    result = kdc_run("feeds", "url", "--councillor", "Nobody Here")
    assert result.exit_code == 1 and "Nobody Here" in result.output
    result = kdc_run("feeds", "rotate", "--officer", "p-nobody")
    assert result.exit_code == 1 and "p-nobody" in result.output
    assert _stored(kdc_app) == []


def test_exactly_one_of_councillor_or_officer_is_needed(kdc_run, people):
    neither = kdc_run("feeds", "url")
    both = kdc_run("feeds", "url", "--councillor", "Ann Lee", "--officer", "p-olu")
    assert neither.exit_code == both.exit_code == 2
    assert "exactly one" in neither.output


def test_feeds_commands_have_help(kdc_run):
    for command in ("url", "rotate"):
        result = kdc_run("feeds", command, "--help")
        assert result.exit_code == 0 and "--councillor" in result.output
    assert "hash" in kdc_run("feeds", "url", "--help").output
