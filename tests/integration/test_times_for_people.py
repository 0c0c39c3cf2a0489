"""Times for people: every kind of output gives a time in the council's zone, to the minute.

A meeting at 17:00 UTC on Tuesday 6 July 2027 is 18:00 BST, and one at 10:00 UTC on Tuesday
12 January 2027 is 10:00 GMT: plain text (the command line, import messages, protocol
findings, clash and lock messages) says ``18:00 BST`` / ``10:00 GMT``; emails use GOV.UK
words (``6:00pm`` / ``10:00am``); ``--json`` keeps ISO 8601 with an offset for machines.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import re

import pytest
from event_people import meeting, seed_cast, walkabout
from sqlalchemy import insert, select, update

from kdc_core.app import Kdc
from kdc_core.calendar.events import create_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.config import MailSettings, Settings
from kdc_core.db.jobs import JobLockRow
from kdc_core.db.outbox import OutboxMessageRow
from kdc_core.db.people import CouncillorRow
from kdc_core.db.users import UserRow
from kdc_core.jobs import locks
from kdc_core.users import links, service

SUMMER = dt.datetime(2027, 7, 6, 17, 0, tzinfo=dt.UTC)  # 18:00 BST
WINTER = dt.datetime(2027, 1, 12, 10, 0, tzinfo=dt.UTC)  # 10:00 GMT
#: A time as the bad old output wrote it: in UTC, with seconds, or as an ISO string.
UTC_WORDS = re.compile(r"UTC|17:00|\d\d:\d\d:\d\d|\+00:00")


@pytest.fixture
def kdc_settings(kdc_settings: Settings) -> Settings:
    """Mail and an address, for the sign-in letter."""
    return kdc_settings.evolve(
        base_url="https://councillors.kirklees.example",
        mail=MailSettings(mailer="smtp", sender="councillor-support@kirklees.example"),
    )


@pytest.fixture
def cast(kdc_app):
    with kdc_app.unit_of_work() as uow:
        return seed_cast(uow)


MEETINGS = """<?xml version="1.0" encoding="utf-8"?>
<getmeetings>
  <meetings>
    <meeting>
      <meetingid>7001</meetingid>
      <committeeid>2</committeeid>
      <committeetitle>Cabinet</committeetitle>
      <meetingdate>06/07/2027</meetingdate>
      <meetingtime>18:00</meetingtime>
      <meetingstatus>Confirmed</meetingstatus>
      <meetingvenue>Town Hall, Huddersfield</meetingvenue>
    </meeting>
    <meeting>
      <meetingid>7002</meetingid>
      <committeeid>1</committeeid>
      <committeetitle>Council</committeetitle>
      <meetingdate>12/01/2027</meetingdate>
      <meetingtime>10:00</meetingtime>
      <meetingstatus>Confirmed</meetingstatus>
      <meetingvenue>Town Hall, Huddersfield</meetingvenue>
    </meeting>
  </meetings>
</getmeetings>
"""


def test_a_getmeetings_import_lists_its_meetings_in_the_councils_time(kdc_run, tmp_path):
    source = tmp_path / "meetings.xml"
    source.write_text(MEETINGS, encoding="utf-8")
    result = kdc_run("import", "moderngov-meetings", str(source))
    assert result.exit_code == 0, result.output
    assert "Cabinet (Tue 6 Jul 2027 18:00 BST)" in result.output
    assert "Council (Tue 12 Jan 2027 10:00 GMT)" in result.output
    assert not UTC_WORDS.search(result.output), result.output


#: Times in UTC (``Z``), as many feeds write them; the third event ends before it starts.
CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example//Meetings//EN
BEGIN:VEVENT
UID:summer@x
DTSTAMP:20270101T000000Z
DTSTART:20270706T170000Z
DTEND:20270706T190000Z
SUMMARY:Summer forum
END:VEVENT
BEGIN:VEVENT
UID:winter@x
DTSTAMP:20270101T000000Z
DTSTART:20270112T100000Z
DTEND:20270112T120000Z
SUMMARY:Winter forum
END:VEVENT
BEGIN:VEVENT
UID:back@x
DTSTAMP:20270101T000000Z
DTSTART:20270706T170000Z
DTEND:20270706T160000Z
SUMMARY:Backwards
END:VEVENT
END:VCALENDAR
"""


def test_an_ics_import_lists_events_and_warnings_in_the_councils_time(kdc_run, tmp_path):
    source = tmp_path / "forums.ics"
    source.write_text(CALENDAR.replace("\n", "\r\n"), encoding="utf-8")
    args = ("import", "ics", str(source), "--kind", "other", "--from", "2027-01-01")
    result = kdc_run(*args, "--to", "2027-12-31", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "Summer forum (Tue 6 Jul 2027 18:00 BST)" in result.output
    assert "Winter forum (Tue 12 Jan 2027 10:00 GMT)" in result.output
    assert (
        "Warning: skipped VEVENT 'back@x' 'Backwards' (line 18): ends (Tue 6 Jul 2027 17:00 "
        "BST) before it starts (Tue 6 Jul 2027 18:00 BST)"
    ) in result.output
    assert not UTC_WORDS.search(result.output.replace("17:00 BST", "")), result.output


def test_a_protocol_finding_names_the_event_by_the_councils_time(kdc_app, kdc_run, cast):
    with kdc_app.unit_of_work() as uow:
        for start, title in ((SUMMER, "Summer forum"), (WINTER, "Winter forum")):
            # A feed's event keeps its own zone (here UTC); people still read council time.
            event = NewEvent(
                kind=EventKind.WARD_SOLUTION_MEETING,
                title=title,
                start=start,
                end=start + dt.timedelta(hours=1),
                timezone="UTC",
                ward_ids=(cast.dalton,),
                councillor_ids=(cast.ann,),
                public=True,
            )
            create_event(uow, event)
    result = kdc_run("protocol", "check")
    assert "WARNING 7.4 Summer forum (Tue 6 Jul 2027 18:00 BST): Public meeting" in (result.output)
    assert "WARNING 7.4 Winter forum (Tue 12 Jan 2027 10:00 GMT): Public meeting" in (result.output)
    assert not UTC_WORDS.search(result.output), result.output
    found = json.loads(kdc_run("protocol", "check", "--json").output)["findings"]
    assert {f["subject"]["label"] for f in found} == {
        "Summer forum (Tue 6 Jul 2027 18:00 BST)",
        "Winter forum (Tue 12 Jan 2027 10:00 GMT)",
    }


def test_a_clash_message_gives_the_overlap_in_the_councils_time(kdc_app, kdc_run, cast):
    with kdc_app.unit_of_work() as uow:
        for start in (SUMMER, WINTER):
            create_event(uow, meeting("Standards Committee", start, 1))
            create_event(
                uow,
                walkabout(
                    cast.dalton, start, 1, title="Dalton walkabout", councillor_ids=(cast.ann,)
                ),
            )
    result = kdc_run("calendar", "clashes", "--from", "2027-01-01", "--to", "2027-12-31")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Tue 12 Jan 2027 10:00–11:00 GMT  Dalton walkabout clashes")
    assert lines[2].startswith("Tue 6 Jul 2027 18:00–19:00 BST  Dalton walkabout clashes")
    assert not UTC_WORDS.search(result.output), result.output
    as_json = json.loads(
        kdc_run(
            "calendar", "clashes", "--from", "2027-07-01", "--to", "2027-07-31", "--json"
        ).output
    )
    (clash,) = as_json["clashes"]
    assert clash["overlap"] == ["2027-07-06T17:00:00+00:00", "2027-07-06T18:00:00+00:00"]


def test_a_job_lock_message_says_since_when_in_the_councils_time(kdc_app, kdc_run):
    owner = "web1:4242:abcd"
    if kdc_app.engine.dialect.name == "postgresql":
        # The advisory lock is taken now, so only the form of the time can be checked.
        with locks.hold(kdc_app.engine, "outbox_dispatch", owner):
            result = kdc_run("jobs", "run", "outbox_dispatch")
        assert result.exit_code == 1
        assert re.search(
            r"outbox_dispatch: not run: outbox_dispatch is already running on web1 since "
            r"\w{3} \d{1,2} \w{3} \d{4} \d\d:\d\d (GMT|BST)\n",
            result.output,
        ), result.output
        return
    with kdc_app.engine.begin() as conn:
        conn.execute(
            insert(JobLockRow).values(
                name="outbox_dispatch",
                owner=owner,
                acquired_at=SUMMER,
                expires_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
            )
        )
    result = kdc_run("jobs", "run", "outbox_dispatch")
    assert result.exit_code == 1
    assert result.output == (
        "outbox_dispatch: not run: outbox_dispatch is already running on web1 since "
        "Tue 6 Jul 2027 18:00 BST\n"
    )


def test_the_lock_message_is_in_the_zone_asked_for_and_utc_for_logs(kdc_settings):
    busy = locks.Busy("directory_sync", locks.Held("web2:1:x", WINTER))
    assert busy.local(kdc_settings.tz) == (
        "directory_sync is already running on web2 since Tue 12 Jan 2027 10:00 GMT"
    )
    summer = locks.Busy("directory_sync", locks.Held(None, SUMMER))
    assert summer.local(kdc_settings.tz).endswith(" since Tue 6 Jul 2027 18:00 BST")
    assert str(summer) == "directory_sync is already running since Tue 6 Jul 2027 17:00 UTC"


def test_users_list_gives_locked_until_and_last_login_in_the_councils_time(kdc_app, kdc_run):
    with kdc_app.unit_of_work() as uow:
        service.create_user(uow, "ann@example.gov.uk", "admin", "correct horse battery")
        uow.session.execute(
            update(UserRow).values(
                locked_until=SUMMER + dt.timedelta(seconds=42), last_login_at=WINTER
            )
        )
    result = kdc_run("users", "list")
    assert result.exit_code == 0, result.output
    assert "locked until Tue 6 Jul 2027 18:00 BST" in result.output
    assert "last login Tue 12 Jan 2027 10:00 GMT" in result.output
    assert not UTC_WORDS.search(result.output), result.output
    (listed,) = json.loads(kdc_run("users", "list", "--json").output)
    assert listed["locked_until"] == "2027-07-06T17:00:42+00:00"  # machines get ISO 8601
    assert listed["last_login_at"] == "2027-01-12T10:00:00+00:00"


def _letter_text(kdc: Kdc) -> list[str]:
    with kdc.unit_of_work(dry_run=True) as uow:
        bodies = uow.session.scalars(
            select(OutboxMessageRow.body)
            .where(OutboxMessageRow.kind == links.KIND)
            .order_by(OutboxMessageRow.id)
        ).all()
    texts = []
    for body in bodies:
        message = email.message_from_bytes(body)
        part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        texts.append(payload.decode(part.get_content_charset() or "utf-8"))
    return texts


def test_an_email_gives_the_time_in_gov_uk_words_in_the_councils_zone(kdc_app):
    with kdc_app.unit_of_work() as uow:
        uow.session.add(CouncillorRow(name="Cllr Linda Link", email="cllr.link@kirklees.example"))
    lifetime = dt.timedelta(minutes=15)
    for asked in (SUMMER - lifetime, WINTER - lifetime):  # links last 15 minutes
        with kdc_app.unit_of_work() as uow:
            links.request_sign_in_link(uow, "cllr.link@kirklees.example", now=asked)
    summer, winter = _letter_text(kdc_app)
    assert "until Tuesday 6 July 2027, 6:00pm" in summer
    assert "until Tuesday 12 January 2027, 10:00am" in winter
    assert not UTC_WORDS.search(summer + winter)
