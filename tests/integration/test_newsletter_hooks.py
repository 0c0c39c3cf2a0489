"""The newsletter's two hooks: a plugin's section appears by topic; a plugin's mailer sends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from outbox import OutboxMailer
from sqlalchemy import select

from kdc_core import hookimpl
from kdc_core.app import Kdc
from kdc_core.briefings.sending import send_briefing
from kdc_core.briefings.service import get_briefing, post_briefing
from kdc_core.config import MailSettings, Settings
from kdc_core.db import CouncillorRow, PoliticalGroupRow, WardRow
from kdc_core.errors import PluginError
from kdc_core.mail.delivery import Mailer
from kdc_core.mail.dispatch import dispatch
from kdc_core.mail.topics import confirm_topics, overdue_reviews, set_topic
from kdc_core.newsletter.values import Section, SectionItem, WardMonth


class EnquiryFigures(OutboxMailer):
    """A plugin adding an enquiries section and an in-memory mailer."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[WardMonth] = []

    def figures(self, uow: Any, wm: WardMonth) -> tuple[SectionItem, ...]:
        self.asked.append(wm)
        return (SectionItem(heading="Enquiries", text=f"7 open in {wm.ward_name}"),)

    @hookimpl
    def kdc_register_newsletter_sections(self, register):
        register(
            Section(
                name="enquiries",
                title="Your enquiries",
                topic="enquiry_digest",
                collect=self.figures,
                order=5,
            )
        )


@pytest.fixture
def plugin() -> EnquiryFigures:
    return EnquiryFigures()


@pytest.fixture
def kdc_settings(kdc_database_url, tmp_path) -> Settings:
    return Settings(
        database_url=kdc_database_url,
        instance_path=tmp_path / "instance",
        environ={},
        mail=MailSettings(mailer="outbox", sender="ward-briefings@kirklees.example"),
    )


@pytest.fixture
def kdc_extra_plugins(plugin):
    return [("enquiry-figures", plugin)]


@pytest.fixture
def ward(kdc_app):
    with kdc_app.unit_of_work() as uow:
        labour = PoliticalGroupRow(name="Labour")
        green = PoliticalGroupRow(name="Green")
        w = WardRow(name="Lindley", slug="lindley")
        uow.session.add_all([labour, green, w])
        uow.session.flush()
        for name, group in (("Ann Ash", labour), ("Bo Birch", green), ("Cy Cedar", labour)):
            uow.session.add(
                CouncillorRow(
                    name=name,
                    ward=w,
                    group=group,
                    email=f"{name[:2].lower()}@kirklees.example",
                    mobile="07700900001",
                )
            )
    return "Lindley"


def ids(kdc_app) -> list[int]:
    with kdc_app.unit_of_work(dry_run=True) as uow:
        return list(uow.session.scalars(select(CouncillorRow.id).order_by(CouncillorRow.name)))


def test_hook_kdc_register_newsletter_sections_adds_a_section_shown_by_topic(
    kdc_app, kdc_run, plugin, ward, tmp_path: Path
):
    ann, bo, _ = ids(kdc_app)
    with kdc_app.unit_of_work() as uow:
        set_topic(uow, bo, "enquiry_digest", opted_in=False)
    result = kdc_run("newsletter", "build", "--month", "2027-03", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert [wm.ward_name for wm in plugin.asked] == ["Lindley"]  # once per ward, not per person
    ann_text = (tmp_path / f"2027-03-lindley-{ann}.txt").read_text()
    bo_text = (tmp_path / f"2027-03-lindley-{bo}.txt").read_text()
    assert "Your enquiries" in ann_text and "7 open in Lindley" in ann_text
    assert "Your enquiries" not in bo_text


def test_hook_kdc_register_newsletter_sections_refuses_a_second_section_with_one_name(kdc_app):
    class Again:
        @hookimpl
        def kdc_register_newsletter_sections(self, register):
            register(Section(name="contacts", title="x", topic="contacts", collect=lambda u, w: ()))

    kdc_app.pm.register(Again(), name="again")
    with pytest.raises(PluginError, match=r"'contacts': again and kdc_core\.newsletter\.plugin"):
        Kdc(kdc_app.settings, kdc_app.pm)


def test_hook_kdc_register_mailers_delivers_briefings_once_by_email_and_by_sms_when_asked(
    kdc_app, plugin, ward
):
    ann, bo, cy = ids(kdc_app)
    registered: list[Mailer] = []
    kdc_app.pm.hook.kdc_register_mailers(register=registered.append)
    assert {"outbox", "smtp"} <= {m.name for m in registered}
    assert "outbox" in kdc_app.mailers and "smtp" in kdc_app.mailers
    with kdc_app.unit_of_work() as uow:
        set_topic(uow, bo, "planning", opted_in=True, sms=True)
        b = post_briefing(
            uow,
            wards=["Lindley"],
            title="Estate plans",
            body="Details.",
            public_on=dt.date.today() + dt.timedelta(days=7),
            significant=True,
            topic="planning",
        )
    queued = send_briefing(kdc_app, b.id)
    assert len(queued.queued) == 4
    assert plugin.outbox.emails == []  # queued, not sent
    dispatch(kdc_app)
    assert len(plugin.outbox.emails) == 3  # every group in the ward: Labour and Green
    (text,) = plugin.outbox.texts
    assert text[0] == "07700900001" and text[1].startswith("Significant briefing: Estate plans")
    with kdc_app.unit_of_work(dry_run=True) as uow:
        sent = get_briefing(uow, b.id)
    assert {(cid, ch) for cid, ch, _ in sent.sent} == {
        (ann, "email"),
        (bo, "email"),
        (cy, "email"),
        (bo, "sms"),
    }
    assert not sent.late
    again = send_briefing(kdc_app, b.id)
    assert again.queued == () and len(again.already) == 4
    dispatch(kdc_app)
    assert len(plugin.outbox.emails) == 3 and len(plugin.outbox.texts) == 1


def test_menu_reviews_older_than_a_year_are_listed(kdc_app, ward):
    ann, bo, cy = ids(kdc_app)
    today = dt.date(2027, 6, 1)
    with kdc_app.unit_of_work() as uow:
        confirm_topics(uow, ann, dt.date(2027, 1, 5))
        confirm_topics(uow, bo, dt.date(2026, 5, 1))
        overdue = overdue_reviews(uow, today)
    assert [(cid, on) for cid, _, on in overdue] == [(bo, dt.date(2026, 5, 1)), (cy, None)]
