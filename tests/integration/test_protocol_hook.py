"""A plugin's protocol rule runs when events are created and can block them."""

from __future__ import annotations

import datetime as dt

import pytest

from kdc_core import hookimpl
from kdc_core.calendar.events import create_event, update_event
from kdc_core.calendar.values import EventKind, NewEvent
from kdc_core.errors import PluginError
from kdc_core.protocol.rules import Rule, RuleRegistry, Severity
from kdc_core.protocol.service import ProtocolBlocked, open_findings, override

START = dt.datetime(2027, 5, 6, 9, 0, tzinfo=dt.UTC)


def no_weekend_events(uow, target):
    from kdc_core.db import EventRow

    for event_id in sorted(target.ids or ()):
        row = uow.session.get(EventRow, event_id)
        if row.status != "cancelled" and row.start.weekday() >= 5:
            yield WEEKEND.finding(
                row.id, row.title, "Officers are booked on a weekend.", "Move it to a weekday."
            )
        elif row.start.hour >= 17:
            yield WEEKEND.finding(
                row.id,
                row.title,
                "Officers are booked in the evening.",
                "Agree time off in lieu.",
                severity=Severity.WARNING,
            )


WEEKEND = Rule(
    "9.4-test-weekday", "9.4", Severity.ERROR, "event", "Weekdays only", no_weekend_events
)


class WeekdayPlugin:
    @hookimpl
    def kdc_register_protocol_rules(self, register):
        register(WEEKEND)


@pytest.fixture
def kdc_extra_plugins():
    return [("weekday-rule", WeekdayPlugin())]


def _event(start: dt.datetime) -> NewEvent:
    return NewEvent(EventKind.OTHER, "Staff briefing", start, start + dt.timedelta(hours=1))


def test_hook_kdc_register_protocol_rules_adds_a_rule_that_blocks_event_changes(kdc_app):
    registry = RuleRegistry()
    kdc_app.pm.hook.kdc_register_protocol_rules(register=registry.register)
    assert "9.4-test-weekday" in {r.id for r in registry}
    assert {"7.4", "7.5", "8.1", "8.2", "9.1", "6.1", "11.2"} <= {r.clause for r in registry}
    assert [r.id for r in kdc_app.rules] == [r.id for r in registry], "collected at startup"
    with pytest.raises(PluginError, match=r"9\.4-test-weekday"):
        registry.register(WEEKEND)

    with kdc_app.unit_of_work() as uow:
        weekday = create_event(uow, _event(START))  # a Thursday: no finding
    saturday = START + dt.timedelta(days=2)
    with (
        pytest.raises(ProtocolBlocked, match="Move it to a weekday"),
        kdc_app.unit_of_work() as uow,
    ):
        update_event(uow, weekday.id, start=saturday, end=saturday + dt.timedelta(hours=1))
    with kdc_app.unit_of_work() as uow:
        assert uow.events.get(weekday.id).start == START  # the blocked change was not written
        override(uow, "Emergency flood response")
        update_event(uow, weekday.id, start=saturday, end=saturday + dt.timedelta(hours=1))
    with kdc_app.unit_of_work() as uow:
        [recorded] = open_findings(uow, "event", weekday.id)
    assert recorded.finding.rule_id == "9.4-test-weekday"
    assert (recorded.override_reason, recorded.overridden_by) == (
        "Emergency flood response",
        "code",
    )


def test_the_open_day_command_prints_protocol_warnings_and_is_refused_on_an_error(kdc_app, kdc_run):
    from kdc_core.db import EventRow, ServiceRow

    with kdc_app.unit_of_work() as uow:
        uow.session.add(ServiceRow(name="Highways", slug="highways"))
    base = ("calendar", "open-day", "--service", "highways", "--location", "Depot")
    evening = kdc_run(*base, "--start", "2027-05-06T17:30+00:00", "--end", "2027-05-06T19:00+00:00")
    assert evening.exit_code == 0, evening.output
    assert "Protocol WARNING 9.4 Highways open day: Officers are booked in the evening." in (
        evening.output
    )
    saturday = kdc_run(
        *base, "--start", "2027-05-08T10:00+00:00", "--end", "2027-05-08T12:00+00:00"
    )
    assert saturday.exit_code == 1
    assert "Officers are booked on a weekend. Fix: Move it to a weekday." in saturday.output
    with kdc_app.unit_of_work(dry_run=True) as uow:
        assert [r.start.day for r in uow.session.query(EventRow)] == [6]
