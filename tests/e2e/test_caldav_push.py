"""``kdc calendar push`` against a real Radicale 3.9 the tests start (htpasswd, owner_only).

Required in CI: if Radicale cannot start, these tests fail rather than skip.
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import icalendar
import pytest

from kdc_core.calendar.events import cancel_event, create_event, update_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.db import CouncillorRoleRow, CouncillorRow, WardRow
from kdc_core.testing.radicale import RadicaleFailed, ThrowawayRadicale

LONDON = ZoneInfo("Europe/London")
PASSWORD_ENV = "KDC_TEST_CALDAV_PASSWORD"
WRITES = ("PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH")


def _next(month: int, day: int) -> dt.date:
    today = dt.date.today()
    candidate = dt.date(today.year, month, day)
    return candidate if candidate > today else dt.date(today.year + 1, month, day)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@pytest.fixture
def radicale(tmp_path):
    server = ThrowawayRadicale(tmp_path / "radicale", {"kdc": "s3cret-pw", "other": "pw2"})
    try:
        server.start()
    except (RadicaleFailed, OSError) as exc:
        pytest.fail(f"Radicale could not start: {exc}")
    yield server
    server.stop()


@pytest.fixture
def password():
    return "s3cret-pw"


@pytest.fixture
def kdc_settings(kdc_settings, radicale, password):
    section = {
        "url": radicale.url,
        "username": "kdc",
        "password": {"$env": PASSWORD_ENV},
        "calendar_path": "/{username}/{councillor_slug}/",
    }
    return kdc_settings.evolve(
        plugin_sections={"caldav": section}, environ={PASSWORD_ENV: password}
    )


@pytest.fixture
def cal(kdc_app):
    jan, jul = _next(1, 14), _next(7, 15)
    with kdc_app.unit_of_work() as uow:
        ward = WardRow(name="Dalton", slug="dalton")
        ann = CouncillorRow(name="Ann Lee", ward=ward)
        ann.roles.append(
            CouncillorRoleRow(kind="committee", title="Member", committee="Planning Committee")
        )
        bob = CouncillorRow(name="Bob Hall", ward=ward)
        uow.session.add_all([ann, bob])
        uow.session.flush()

        def new(kind, title, day, hour, **extra):
            return NewEvent(kind, title, _at(day, hour), _at(day, hour + 1), **extra)

        events = {
            "jan": create_event(
                uow, new(EventKind.WALKABOUT, "Walkabout", jan, 10, councillor_ids=(ann.id,))
            ),
            "jul": create_event(
                uow, new(EventKind.OPEN_DAY, "Open day", jul, 10, councillor_ids=(ann.id, bob.id))
            ),
            "planning": create_event(
                uow,
                new(EventKind.COUNCIL_MEETING, "Planning", jan, 18, committee="Planning Committee"),
            ),
        }
    return events


def _client(radicale, user="kdc", password="s3cret-pw"):
    from caldav.davclient import DAVClient

    return DAVClient(url=radicale.url, username=user, password=password, auth_type="basic")


def _calendar(radicale, slug="ann-lee"):
    from caldav.collection import Calendar

    return Calendar(_client(radicale), url=f"{radicale.url}kdc/{slug}/")


def _found(calendar, start, end):
    hits = calendar.search(start=start, end=end, event=True, expand=False)
    return {str(icalendar.Calendar.from_ical(h.data).walk("VEVENT")[0]["UID"]) for h in hits}


def _server_event(calendar, uid):
    for obj in calendar.search(event=True):
        vevent = icalendar.Calendar.from_ical(obj.data).walk("VEVENT")[0]
        if str(vevent["UID"]) == uid:
            return vevent
    return None


def _writes(radicale):
    counts = radicale.requests()
    return sum(counts[m] for m in WRITES)


def test_push_puts_each_event_at_the_right_utc_time(kdc_run, radicale, cal):
    result = kdc_run("calendar", "push")
    assert result.exit_code == 0, result.output
    assert "Cllr Ann Lee: 3 created" in result.output
    assert "Cllr Bob Hall: 1 created" in result.output

    calendar = _calendar(radicale)
    jan = cal["jan"].start.astimezone(dt.UTC)  # 10:00 GMT = 10:00 UTC
    assert jan.hour == 10
    assert cal["jan"].uid in _found(calendar, jan, jan + dt.timedelta(minutes=30))
    before = _found(calendar, jan - dt.timedelta(hours=1), jan - dt.timedelta(minutes=1))
    assert cal["jan"].uid not in before
    jul = cal["jul"].start.astimezone(dt.UTC)  # 10:00 BST = 09:00 UTC
    assert jul.hour == 9 and cal["jul"].uid in _found(calendar, jul, jul + dt.timedelta(minutes=30))
    assert _server_event(calendar, cal["jan"].uid)["SEQUENCE"] == 0  # not bumped by the client
    assert _server_event(_calendar(radicale, "bob-hall"), cal["jan"].uid) is None


def test_a_second_run_with_no_changes_sends_no_writes(kdc_run, radicale, cal):
    assert kdc_run("calendar", "push").exit_code == 0
    writes = _writes(radicale)
    assert writes >= 4
    again = kdc_run("calendar", "push", "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.output)
    assert report["totals"] == {
        "created": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": 4,
        "writes": 0,
    }
    assert _writes(radicale) == writes  # counted by the server, not the client


def test_a_changed_event_is_replaced_with_its_new_sequence(kdc_app, kdc_run, radicale, cal):
    assert kdc_run("calendar", "push", "--councillor", "Ann Lee").exit_code == 0
    puts = radicale.requests()["PUT"]
    new_start = cal["jan"].start.astimezone(dt.UTC) + dt.timedelta(hours=3)
    with kdc_app.unit_of_work() as uow:
        moved = update_event(
            uow, cal["jan"].id, start=new_start, end=new_start + dt.timedelta(hours=1)
        )
    assert moved.sequence == 1
    result = kdc_run("calendar", "push", "--councillor", "Ann Lee")
    assert "1 updated" in result.output
    assert radicale.requests()["PUT"] == puts + 1
    server = _server_event(_calendar(radicale), cal["jan"].uid)
    assert server["SEQUENCE"] == 1
    assert server.start.astimezone(dt.UTC) == new_start


def test_a_cancellation_removes_the_event(kdc_app, kdc_run, radicale, cal):
    assert kdc_run("calendar", "push").exit_code == 0
    with kdc_app.unit_of_work() as uow:
        cancel_event(uow, cal["jul"].id)
    result = kdc_run("calendar", "push")
    assert result.exit_code == 0
    assert radicale.requests()["DELETE"] == 2  # from Ann's calendar and from Bob's
    for slug in ("ann-lee", "bob-hall"):
        assert _server_event(_calendar(radicale, slug), cal["jul"].uid) is None
    assert _server_event(_calendar(radicale), cal["jan"].uid) is not None


def test_objects_kdc_did_not_write_are_left_alone(kdc_run, radicale, cal):
    assert kdc_run("calendar", "push", "--councillor", "Ann Lee").exit_code == 0
    calendar = _calendar(radicale)
    calendar.add_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:dentist@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART:20270301T090000Z\r\nDTEND:20270301T100000Z\r\nSUMMARY:Dentist\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert kdc_run("calendar", "push", "--councillor", "Ann Lee").exit_code == 0
    assert _server_event(calendar, "dentist@example.org") is not None


def test_a_dry_run_reports_and_writes_nothing(kdc_run, radicale, cal):
    result = kdc_run("calendar", "push", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Cllr Ann Lee: 3 would create" in result.output
    assert "Dry run: nothing was written." in result.output
    assert _writes(radicale) == 0


@pytest.mark.parametrize("password", ["wrong-password"])
def test_a_refused_login_fails_naming_the_calendar_and_writes_nothing(kdc_run, radicale, cal):
    result = kdc_run("calendar", "push")
    assert result.exit_code == 1
    assert "Cllr Ann Lee" in result.output and f"{radicale.url}kdc/ann-lee/" in result.output
    assert _writes(radicale) == 0


def test_an_unknown_councillor_fails_before_any_request(kdc_run, radicale, cal):
    result = kdc_run("calendar", "push", "--councillor", "Nobody")
    assert result.exit_code == 1 and "Nobody" in result.output
    assert sum(radicale.requests().values()) == 0


def test_push_has_help(kdc_run):
    result = kdc_run("calendar", "push", "--help")
    assert (
        result.exit_code == 0 and "--dry-run" in result.output and "--councillor" in result.output
    )


def test_push_without_a_caldav_section_says_it_is_not_configured(
    kdc_settings, kdc_copy_template, tmp_path
):
    from click.testing import CliRunner

    from kdc_core.app import Kdc
    from kdc_core.cli import build_cli
    from kdc_core.plugins import make_plugin_manager

    settings = kdc_settings.evolve(plugin_sections={})
    kdc_copy_template(settings.database_url)
    kdc = Kdc(settings, make_plugin_manager(settings))
    try:
        result = CliRunner().invoke(build_cli(kdc), ["calendar", "push"], obj=kdc)
    finally:
        kdc.dispose()
    assert result.exit_code == 1
    assert "not configured" in result.output and "[plugins.caldav]" in result.output
