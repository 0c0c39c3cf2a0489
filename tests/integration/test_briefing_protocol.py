"""Stored briefings are judged under protocol 8.1 and 9.1: by ``kdc protocol check`` and when
they are posted or sent."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from outbox import OutboxMailer, record_sent
from sqlalchemy import event, func, select

from kdc_core import hookimpl
from kdc_core.briefings.protocol import protocol_briefings
from kdc_core.briefings.service import post_briefing
from kdc_core.config import MailSettings, Settings
from kdc_core.db import CouncillorRow, PoliticalGroupRow, WardRow
from kdc_core.db.newsletters import BriefingRow
from kdc_core.protocol.rules import Rule, Severity

TODAY = dt.date.today()


class HushRule:
    """An error-level briefing rule: briefings titled one of ``hushed`` may not go out."""

    def __init__(self) -> None:
        self.hushed: set[str] = set()
        self.rule = Rule("9.9-test-hush", "9.9", Severity.ERROR, "briefing", "Hush", self.check)

    def check(self, uow, target):
        query = select(BriefingRow).order_by(BriefingRow.id)
        if target.ids is not None:
            query = query.where(BriefingRow.id.in_(target.ids))
        for row in uow.session.scalars(query):
            if row.title in self.hushed:
                yield self.rule.finding(row.id, row.title, "It is hushed.", "Wait.")

    @hookimpl
    def kdc_register_protocol_rules(self, register):
        register(self.rule)


@pytest.fixture
def hush() -> HushRule:
    return HushRule()


@pytest.fixture
def mailer() -> OutboxMailer:
    return OutboxMailer()


@pytest.fixture
def kdc_settings(kdc_database_url, tmp_path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        mail=MailSettings(mailer="outbox", sender="ward-briefings@kirklees.example"),
    )


@pytest.fixture
def kdc_extra_plugins(hush, mailer):
    return [("hush", hush), ("outbox", mailer)]


@pytest.fixture
def people(kdc_app) -> dict[str, int]:
    """Lindley: Ann (Labour), Bo (Green), Cy (Labour); Dee (Green) sits for Crosland Moor."""
    with kdc_app.unit_of_work() as uow:
        labour = PoliticalGroupRow(name="Labour")
        green = PoliticalGroupRow(name="Green")
        lindley = WardRow(name="Lindley", slug="lindley")
        crosland = WardRow(name="Crosland Moor", slug="crosland-moor")
        uow.session.add_all([labour, green, lindley, crosland])
        rows = [
            CouncillorRow(
                name=name,
                ward=ward,
                group=group,
                email=f"{name.split()[0].lower()}@kirklees.example",
            )
            for name, ward, group in (
                ("Ann Ash", lindley, labour),
                ("Bo Birch", lindley, green),
                ("Cy Cedar", lindley, labour),
                ("Dee Dale", crosland, green),
            )
        ]
        uow.session.add_all(rows)
        uow.session.flush()
        return {r.name.split()[0]: r.id for r in rows} | {"green": green.id}


def stored(kdc_app, title: str, public_on: dt.date, sends: dict[int, dt.datetime], **kw) -> int:
    """A briefing posted before ``public_on`` with these send records (councillor → when)."""
    with kdc_app.unit_of_work() as uow:
        b = post_briefing(
            uow,
            wards=["Lindley"],
            title=title,
            body="Details.",
            public_on=public_on,
            posted_at=dt.datetime.combine(public_on, dt.time(9), dt.UTC) - dt.timedelta(days=5),
            **kw,
        )
        for c, at in sends.items():
            record_sent(
                uow.session,
                key=f"briefing:{b.id}:{c}:email",
                kind="briefing",
                councillor_id=c,
                at=at,
            )
        return b.id


def check(kdc_run) -> list[dict]:
    result = kdc_run("protocol", "check", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["findings"]


def test_protocol_check_names_the_ward_councillor_who_had_a_briefing_only_after_it_was_public(
    kdc_app, kdc_run, people
):
    public_on = TODAY - dt.timedelta(days=3)
    before = dt.datetime.combine(public_on, dt.time(12), dt.UTC) - dt.timedelta(days=2)
    after = dt.datetime.combine(public_on, dt.time(12), dt.UTC) + dt.timedelta(days=1)
    late = stored(
        kdc_app,
        "Bus lane",
        public_on,
        {people["Ann"]: before, people["Bo"]: before, people["Cy"]: after},
    )
    on_time = stored(
        kdc_app, "Play area", public_on, {people[n]: before for n in ("Ann", "Bo", "Cy")}
    )
    findings = check(kdc_run)
    about = [f for f in findings if f["subject"]["kind"] == "briefing"]
    assert [(f["clause"], f["subject"]["id"]) for f in about] == [("8.1", late)]
    assert about[0]["entities"] == [{"kind": "councillor", "id": people["Cy"], "label": "Cy Cedar"}]
    assert "Cy Cedar" in about[0]["problem"] and "Ann Ash" not in about[0]["problem"]
    assert on_time not in {f["subject"]["id"] for f in about}


def test_significant_briefing_sent_to_one_group_only_gives_9_1_until_the_other_group_has_it(
    kdc_app, kdc_run, people
):
    soon = TODAY + dt.timedelta(days=10)
    now = dt.datetime.now(dt.UTC)
    briefing_id = stored(
        kdc_app,
        "Budget",
        soon,
        {people["Ann"]: now, people["Cy"]: now},
        significant=True,
    )
    about = [f for f in check(kdc_run) if f["subject"]["kind"] == "briefing"]
    assert [(f["clause"], f["subject"]["id"]) for f in about] == [("9.1", briefing_id)]
    assert about[0]["entities"] == [
        {"kind": "political_group", "id": people["green"], "label": "Green"}
    ]
    with kdc_app.unit_of_work() as uow:
        record_sent(
            uow.session,
            key=f"briefing:{briefing_id}:{people['Bo']}:email",
            kind="briefing",
            councillor_id=people["Bo"],
            at=now,
        )
    assert [f for f in check(kdc_run) if f["subject"]["kind"] == "briefing"] == []


def test_stored_briefings_are_read_in_a_fixed_number_of_queries(kdc_app, people):
    public_on = TODAY + dt.timedelta(days=4)
    now = dt.datetime.now(dt.UTC)
    for n in range(6):
        stored(kdc_app, f"Item {n}", public_on, {people["Ann"]: now, people["Bo"]: now})
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    with kdc_app.unit_of_work(dry_run=True) as uow:
        engine = uow.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            values = protocol_briefings(uow)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    assert len(values) == 6 and len(statements) == 3
    assert values[0].ward_ids and {c for c, _ in values[5].sent} == {people["Ann"], people["Bo"]}


def test_posting_a_briefing_on_its_public_date_prints_the_8_1_warning(kdc_run, people):
    late = kdc_run(
        "briefing",
        "post",
        "--ward",
        "Lindley",
        "--title",
        "Bus lane",
        "--body",
        "Consultation opens.",
        "--public-on",
        TODAY.isoformat(),
    )
    assert late.exit_code == 0, late.output
    assert "WARNING 8.1 Bus lane" in late.stderr and "Cy Cedar" in late.stderr
    timely = kdc_run(
        "briefing",
        "post",
        "--ward",
        "Lindley",
        "--title",
        "Play area",
        "--body",
        "Plans.",
        "--public-on",
        (TODAY + dt.timedelta(days=14)).isoformat(),
    )
    assert timely.exit_code == 0 and timely.stderr == ""


def test_an_error_level_briefing_finding_blocks_post_and_send_unless_overridden(
    kdc_app, kdc_run, people, hush, mailer
):
    hush.hushed.add("Quiet plan")
    args = ["briefing", "post", "--ward", "Lindley", "--title", "Quiet plan", "--body", "x"]
    args += ["--public-on", (TODAY + dt.timedelta(days=7)).isoformat()]
    blocked = kdc_run(*args)
    assert blocked.exit_code != 0 and "9.9 Quiet plan: It is hushed." in blocked.output
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(BriefingRow)) == 0
    hush.hushed.clear()
    posted = kdc_run(*args, "--json")
    assert posted.exit_code == 0, posted.output
    briefing_id = json.loads(posted.stdout)["id"]

    hush.hushed.add("Quiet plan")
    refused = kdc_run("briefing", "send", str(briefing_id), "--mailer", "outbox")
    assert refused.exit_code != 0 and "It is hushed." in refused.output
    assert mailer.outbox.emails == []
    sent = kdc_run(
        "briefing", "send", str(briefing_id), "--mailer", "outbox", "--override", "Chair agreed"
    )
    assert sent.exit_code == 0, sent.output
    assert len(mailer.outbox.emails) == 3 and mailer.outbox.texts == []
    assert "[overridden: Chair agreed]" in sent.stderr


def test_delivered_counts_the_outbox_s_sent_messages_by_default():
    """``delivered`` names the outbox's sent status itself, so that registering the briefing
    rules imports no outbox table; it must stay the outbox's own."""
    import inspect

    from kdc_core.briefings.protocol import delivered
    from kdc_core.db.outbox import SENT

    assert inspect.signature(delivered).parameters["status"].default == SENT
