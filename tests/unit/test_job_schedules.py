"""When a job's schedule last fired, at the edges of a minute."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kdc_core.jobs.values import Schedule

LONDON = ZoneInfo("Europe/London")


def test_in_the_last_second_of_a_minute_the_next_firing_has_not_happened():
    now = dt.datetime(2026, 12, 5, 12, 0, 59, 500_000, tzinfo=dt.UTC)
    assert Schedule("* * * * *").previous(now, LONDON) == dt.datetime(
        2026, 12, 5, 12, 0, tzinfo=dt.UTC
    )


def test_a_firing_exactly_now_counts_as_fired():
    now = dt.datetime(2026, 12, 5, 12, 1, tzinfo=dt.UTC)
    assert Schedule("* * * * *").previous(now, LONDON) == now


def test_a_daily_schedule_in_council_time():
    now = dt.datetime(2027, 7, 1, 1, 30, 59, 900_000, tzinfo=dt.UTC)  # 02:30:59.9 BST
    assert Schedule("30 2 * * *").previous(now, LONDON) == dt.datetime(
        2027, 7, 1, 1, 30, tzinfo=dt.UTC
    )
