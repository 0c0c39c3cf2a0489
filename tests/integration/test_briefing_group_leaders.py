"""Protocol 9.1: a significant briefing also reaches the leader of every political group that
has no councillor in its wards; an ordinary briefing goes to the ward councillors only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from outbox import Outbox, OutboxMailer

from kdc_core.config import MailSettings, Settings
from kdc_core.db import CouncillorRow, PoliticalGroupRow, WardRow
from kdc_core.db.people import CouncillorRoleRow

SOON = (dt.date.today() + dt.timedelta(days=14)).isoformat()


@pytest.fixture
def mailer() -> OutboxMailer:
    return OutboxMailer()


@pytest.fixture
def outbox(mailer) -> Outbox:
    return mailer.outbox


@pytest.fixture
def kdc_settings(kdc_database_url, tmp_path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        mail=MailSettings(mailer="outbox", sender="ward-briefings@kirklees.example"),
    )


@pytest.fixture
def kdc_extra_plugins(mailer):
    return [("outbox", mailer)]


@pytest.fixture
def council(kdc_app) -> dict[str, int]:
    """Lindley is all Labour. Elsewhere: Green with a leader's role, an Independent group whose
    leader is known only from a key post, and Conservatives with a deputy leader but no leader."""
    with kdc_app.unit_of_work() as uow:
        groups = {n: PoliticalGroupRow(name=n) for n in ("Labour", "Green", "Independent", "Con")}
        lindley = WardRow(name="Lindley", slug="lindley")
        dalton = WardRow(name="Dalton", slug="dalton")
        uow.session.add_all([*groups.values(), lindley, dalton])
        people = {
            "Ann Ash": (lindley, "Labour", None),
            "Cy Cedar": (lindley, "Labour", "Leader of the Labour Group"),
            "Dee Dale": (dalton, "Green", None),
            "Eve Elm": (dalton, "Green", "Leader of the Green Group"),
            "Fay Fir": (dalton, "Independent", "Leader of the Independent Group"),
            "Gus Gorse": (dalton, "Con", "Deputy Group Leader"),
            "Hal Holly": (None, "Con", "Leader of the Con Group"),
        }
        rows = {
            name: CouncillorRow(
                name=name,
                ward=ward,
                group=groups[group],
                email=f"{name.split()[0].lower()}@kirklees.example",
                key_posts=post,
            )
            for name, (ward, group, post) in people.items()
        }
        uow.session.add_all(rows.values())
        # Dee holds the Green leader's role: the role wins over Eve's (out of date) key post.
        uow.session.add(
            CouncillorRoleRow(
                councillor=rows["Dee Dale"], kind="group_leader", title="Green Group Leader"
            )
        )
        # Hal, the Conservatives' leader, has left the council.
        rows["Hal Holly"].archived_at = dt.datetime.now(dt.UTC)
        uow.session.flush()
        return {name: row.id for name, row in rows.items()} | {
            g: row.id for g, row in groups.items()
        }


def post(kdc_run, title: str, *extra: str) -> int:
    args = ["briefing", "post", "--ward", "Lindley", "--title", title, "--body", "Details."]
    result = kdc_run(*args, "--public-on", SOON, "--json", *extra)
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["id"])


def test_group_leaders_come_from_roles_then_key_posts_and_skip_deputies_and_the_archived(
    kdc_app, council
):
    with kdc_app.unit_of_work(dry_run=True) as uow:
        leaders = uow.people.group_leaders()
    assert leaders == {
        council["Labour"]: [council["Cy Cedar"]],
        council["Green"]: [council["Dee Dale"]],
        council["Independent"]: [council["Fay Fir"]],
    }


def test_a_significant_briefing_reaches_the_leader_of_each_group_not_in_the_ward(
    kdc_app, kdc_run, council, outbox
):
    briefing_id = post(kdc_run, "Library closures", "--significant")
    sent = kdc_run("briefing", "send", str(briefing_id), "--mailer", "outbox")
    assert sent.exit_code == 0, sent.output
    assert sorted(outbox.to()) == ["Ann Ash", "Cy Cedar", "Dee Dale", "Fay Fir"]
    assert "leader of the Green group" in outbox.body("Dee Dale")
    assert "protocol 9.1" in outbox.body("Fay Fir")
    assert "leader of the" not in outbox.body("Ann Ash")
    assert all("Library closures" in outbox.body(n) for n in outbox.to())
    # the Conservatives have no leader on record, so 9.1 names them and no one else
    check = kdc_run("protocol", "check", "--json")
    assert check.exit_code == 0, check.output
    about = [f for f in json.loads(check.stdout)["findings"] if f["subject"]["kind"] == "briefing"]
    assert [(f["clause"], [e["label"] for e in f["entities"]]) for f in about] == [("9.1", ["Con"])]
    # once each: a second send sends nothing
    again = kdc_run("briefing", "send", str(briefing_id), "--mailer", "outbox")
    assert again.exit_code == 0, again.output
    assert len(outbox.emails) == 4 and outbox.texts == []


def test_an_ordinary_briefing_goes_to_the_ward_councillors_only(kdc_run, council, outbox):
    briefing_id = post(kdc_run, "Bin day moves")
    sent = kdc_run("briefing", "send", str(briefing_id), "--mailer", "outbox")
    assert sent.exit_code == 0, sent.output
    assert sorted(outbox.to()) == ["Ann Ash", "Cy Cedar"]
