"""Issue 7's acceptance points on the demo council with the 2027 meetings and rota applied.

The demo council, the meetings import and the rota are built once per database per module;
each test works on its own ward or month so they do not depend on one another's writes.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result
from sqlalchemy import select

from fixture_files import fixture_path
from kdc_core import testing
from kdc_core.app import Kdc
from kdc_core.briefings.service import get_briefing
from kdc_core.calendar.rota.service import apply_plan, plan
from kdc_core.cli import build_cli
from kdc_core.config import MailSettings, Settings
from kdc_core.db import CouncillorRow, EventRow, WardRow
from kdc_core.db.newsletters import NewsletterIssueRow, SuccessStoryRow
from kdc_core.mail.topics import set_topic
from kdc_core.plugins import make_plugin_manager

SECRET = "newsletter-test-secret-" + "k" * 32


def meetings_fixture() -> Path:
    return fixture_path("moderngov", "meetings-2027.xml")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Collect:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.sessions: set[int] = set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sessions.add(id(session))
        self.messages.append(
            email.message_from_bytes(
                envelope.content, _class=EmailMessage, policy=email.policy.default
            )
        )
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Collect, int]]:
    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, smtp
) -> Iterator[Kdc]:
    tmp = tmp_path_factory.mktemp(f"newsletter-{request.param}")
    server = request.getfixturevalue("kdc_postgres_url") if request.param == "postgres" else None
    urls = testing.database_url_for(request.param, tmp, server)
    url = next(urls)
    settings = Settings(
        database_url=url,
        instance_path=tmp / "instance",
        environ={"KDC_SECRET_KEY": SECRET},
        base_url="https://kdc.example.gov.uk",
        plugin_sections={"smtp": {"host": "127.0.0.1", "port": smtp[1], "retries": 1}},
        mail=MailSettings(mailer="smtp", sender="ward-newsletter@kirklees.example"),
    )
    testing.copy_template(request, url, "demo")
    kdc = Kdc(settings, make_plugin_manager(settings))
    result = run(kdc, "import", "moderngov-meetings", str(meetings_fixture()))
    assert result.exit_code == 0, result.output
    with kdc.unit_of_work(source="test:rota") as uow:
        inputs, result_plan = plan(uow, 2027, (1, 2, 3, 4))
        apply_plan(uow, inputs, result_plan)
    yield kdc
    kdc.dispose()
    for _ in urls:  # drop a PostgreSQL test database
        pass


def run(kdc: Kdc, *args: str) -> Result:
    return CliRunner().invoke(build_cli(kdc), list(args), obj=kdc, catch_exceptions=False)


def build_issues(kdc: Kdc, month: str, ward: str, out: Path) -> Result:
    """``kdc newsletter build`` for one ward and month, writing into ``out``."""
    return run(kdc, "newsletter", "build", "--month", month, "--ward", ward, "--out", str(out))


def ward_councillors(kdc: Kdc, ward: str) -> list[tuple[int, str, str | None]]:
    with kdc.unit_of_work(dry_run=True) as uow:
        return [
            (c.id, c.name, c.email)
            for c in uow.session.scalars(
                select(CouncillorRow)
                .join(WardRow, WardRow.id == CouncillorRow.ward_id)
                .where(WardRow.name == ward, CouncillorRow.archived_at.is_(None))
            )
        ]


def parse(path: Path) -> EmailMessage:
    return email.message_from_bytes(
        path.read_bytes(), _class=EmailMessage, policy=email.policy.default
    )


def parts(msg: EmailMessage) -> tuple[str, str]:
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def web_client(kdc: Kdc) -> Any:
    from kdc_admin import create_app

    app = create_app(kdc, SECRET_KEY=SECRET, TESTING=True)
    return app.test_client()


# -- 1 ------------------------------------------------------------------------------------------


def test_build_writes_one_multipart_eml_per_almondbury_councillor_with_walkabout_and_contacts(
    demo: Kdc, tmp_path: Path
):
    result = build_issues(demo, "2027-03", "Almondbury", tmp_path)
    assert result.exit_code == 0, result.output
    people = ward_councillors(demo, "Almondbury")
    emls = sorted(tmp_path.glob("*.eml"))
    assert len(people) == 3 and len(emls) == 3
    assert len(list(tmp_path.glob("*.html"))) == 3 and len(list(tmp_path.glob("*.txt"))) == 3
    with demo.unit_of_work(dry_run=True) as uow:
        walkabouts = [
            (e.title, e.start)
            for e in uow.session.scalars(select(EventRow).where(EventRow.kind == "walkabout"))
            if [w.name for w in e.wards] == ["Almondbury"]
            and dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
            <= e.start
            < dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
        ]
        contact_names = {
            f"{c.officer.given_name} {c.officer.family_name}"
            for w in uow.session.scalars(select(WardRow).where(WardRow.name == "Almondbury"))
            for c in uow.people.ward_contacts(w.id)
            if c.officer.active
        }
    assert len(walkabouts) == 1, "the rota should give Almondbury one walkabout in March 2027"
    addresses = {p[2] for p in people}
    for path in emls:
        msg = parse(path)
        assert email.utils.parseaddr(msg["To"])[1] in addresses
        text, html = parts(msg)
        for title, start in walkabouts:
            assert title in text and title in html
            assert f"{start.astimezone(demo.settings.tz):%-d %B %Y}" in text
        assert contact_names and all(name in text and name in html for name in contact_names)
        assert "<script" not in html.lower()
        # one-click unsubscribe (RFC 8058)
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = msg["List-Unsubscribe"].strip("<>")
        assert url.startswith("https://kdc.example.gov.uk/newsletter/unsubscribe/")


def test_the_list_unsubscribe_header_works_with_a_bare_post_and_rejects_a_forged_token(
    demo: Kdc, tmp_path: Path
):
    build_issues(demo, "2027-03", "Batley East", tmp_path)
    emls = sorted(tmp_path.glob("*.eml"))
    url = parse(emls[0])["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("https://kdc.example.gov.uk")
    client = web_client(demo)
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert client.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    again = tmp_path / "again"
    build_issues(demo, "2027-03", "Batley East", again)
    assert len(list(again.glob("*.eml"))) == len(emls) - 1


# -- 2 ------------------------------------------------------------------------------------------


def test_opting_out_of_a_topic_drops_its_section_and_the_section_link_turns_it_off(
    demo: Kdc, tmp_path: Path
):
    people = ward_councillors(demo, "Dewsbury East")
    first, second = people[0][0], people[1][0]
    with demo.unit_of_work() as uow:
        set_topic(uow, first, "contacts", opted_in=False)
    build_issues(demo, "2027-03", "Dewsbury East", tmp_path)
    texts = {int(p.stem.rsplit("-", 1)[1]): p.read_text() for p in tmp_path.glob("*.txt")}
    assert "Your named contacts" not in texts[first]
    assert "Your named contacts" in texts[second]
    link = next(
        line.split(": ", 1)[1]
        for line in texts[second].splitlines()
        if line.startswith("Stop receiving your named contacts: ")
    )
    client = web_client(demo)
    page = client.get(link.removeprefix("https://kdc.example.gov.uk"))
    assert page.status_code == 200 and b'method="post"' in page.data
    assert client.post(link.removeprefix("https://kdc.example.gov.uk")).status_code == 200
    again = tmp_path / "again"
    build_issues(demo, "2027-03", "Dewsbury East", again)
    rebuilt = (again / f"2027-03-dewsbury-east-{second}.txt").read_text()
    assert "Your named contacts" not in rebuilt and "Service spotlight" in rebuilt


# -- 3 ------------------------------------------------------------------------------------------


def test_a_success_story_title_with_markup_is_shown_as_text_never_as_markup(
    demo: Kdc, tmp_path: Path
):
    title = "<img src=x onerror=alert(1)>"
    with demo.unit_of_work() as uow:
        ward = uow.session.scalars(select(WardRow).where(WardRow.name == "Colne Valley")).one()
        uow.session.add(
            SuccessStoryRow(
                title=title,
                body="Litter pick & <b>clean-up</b>",
                published_on=dt.date(2027, 6, 10),
                ward_id=ward.id,
            )
        )
    build_issues(demo, "2027-06", "Colne Valley", tmp_path)
    for path in tmp_path.glob("*.html"):
        html = path.read_text()
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<img src=x" not in html and "<b>clean-up</b>" not in html
        assert "Litter pick &amp; &lt;b&gt;clean-up&lt;/b&gt;" in html
    for path in tmp_path.glob("*.txt"):
        assert title in path.read_text()


# -- 4 ------------------------------------------------------------------------------------------


def test_send_delivers_each_message_once_and_a_second_run_sends_nothing(demo: Kdc, smtp):
    handler, _ = smtp
    before = len(handler.messages)
    people = ward_councillors(demo, "Greenhead")
    first = run(demo, "newsletter", "send", "--month", "2027-02", "--ward", "Greenhead")
    assert first.exit_code == 0, first.output
    new = handler.messages[before:]
    assert sorted(email.utils.parseaddr(m["To"])[1] for m in new) == sorted(
        str(p[2]) for p in people
    )
    assert all(m.get_content_type() == "multipart/alternative" for m in new)
    assert "Outbox dispatched: " in first.output
    second = run(demo, "newsletter", "send", "--month", "2027-02", "--ward", "Greenhead")
    assert second.exit_code == 0 and "Queued 0 issues" in second.output
    assert len(handler.messages) == before + len(people)
    with demo.unit_of_work(dry_run=True) as uow:
        stored = [
            r.sent_at
            for r in uow.session.scalars(
                select(NewsletterIssueRow).where(NewsletterIssueRow.month == "2027-02")
            )
        ]
    assert len(stored) == len(people) and all(sent_at is not None for sent_at in stored)


def test_send_dry_run_lists_recipients_and_sends_nothing(demo: Kdc, smtp):
    handler, _ = smtp
    before = len(handler.messages)
    result = run(
        demo,
        "newsletter",
        "send",
        "--month",
        "2027-08",
        "--ward",
        "Holme Valley North",
        "--dry-run",
    )
    assert result.exit_code == 0 and "would queue:" in result.output
    assert len(handler.messages) == before


# -- 5 ------------------------------------------------------------------------------------------


def test_a_late_briefing_is_flagged_and_a_timely_one_reaches_all_three_councillors(demo: Kdc, smtp):
    handler, _ = smtp
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    late = run(
        demo,
        "briefing",
        "post",
        "--ward",
        "Lindley",
        "--title",
        "Bus lane",
        "--body",
        "Consultation opens.",
        "--public-on",
        yesterday,
        "--json",
    )
    assert late.exit_code == 0 and '"late": true' in late.stdout
    soon = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    posted = run(
        demo,
        "briefing",
        "post",
        "--ward",
        "Lindley",
        "--title",
        "New play area",
        "--body",
        "Plans for the park.",
        "--public-on",
        soon,
        "--significant",
        "--service",
        "Parks and Greenspaces",
        "--json",
    )
    assert posted.exit_code == 0 and '"late": false' in posted.stdout
    import json

    briefing_id = json.loads(posted.stdout)["id"]
    before = len(handler.messages)
    sent = run(demo, "briefing", "send", str(briefing_id))
    assert sent.exit_code == 0, sent.output
    people = ward_councillors(demo, "Lindley")
    assert len(people) == 3
    # it is significant, so (protocol 9.1) the leaders of the groups with no Lindley
    # councillor have it too
    with demo.unit_of_work(dry_run=True) as uow:
        ward_groups = set(
            uow.session.scalars(
                select(CouncillorRow.group_id).where(CouncillorRow.id.in_([p[0] for p in people]))
            )
        )
        leaders = {
            (row.id, row.email)
            for gid, ids in uow.people.group_leaders().items()
            if gid not in ward_groups
            for row in (uow.session.get(CouncillorRow, i) for i in ids)
            if row is not None
        }
    assert leaders, "the demo council has groups with no councillor in Lindley"
    expected = {(p[0], str(p[2])) for p in people} | leaders
    got = handler.messages[before:]
    assert sorted(email.utils.parseaddr(m["To"])[1] for m in got) == sorted(
        str(address) for _, address in expected
    )
    assert all("New play area" in m["Subject"] for m in got)
    assert run(demo, "briefing", "send", str(briefing_id)).exit_code == 0
    assert len(handler.messages) == before + len(expected)
    with demo.unit_of_work(dry_run=True) as uow:
        sends = [cid for cid, _, _ in get_briefing(uow, briefing_id).sent]
    assert sorted(sends) == sorted(cid for cid, _ in expected)
