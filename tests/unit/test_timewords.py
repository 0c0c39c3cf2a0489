"""kdc_core.timewords: times for people in the council's zone, across the clock changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kdc_core.timewords import (
    clock_time,
    govuk_date,
    plain_date,
    plain_moment,
    plain_span,
    plain_time,
)

LONDON = ZoneInfo("Europe/London")
SUMMER = dt.datetime(2027, 7, 6, 17, 0, tzinfo=dt.UTC)  # 18:00 BST
WINTER = dt.datetime(2027, 1, 12, 10, 0, tzinfo=dt.UTC)  # 10:00 GMT


def test_a_plain_time_is_the_councils_clock_with_its_abbreviation():
    assert plain_time(SUMMER, LONDON) == "18:00 BST"
    assert plain_time(WINTER, LONDON) == "10:00 GMT"
    assert plain_time(SUMMER.replace(tzinfo=None), LONDON) == "18:00 BST"  # naive is UTC
    assert plain_time(SUMMER, dt.UTC) == "17:00 UTC"


def test_a_plain_moment_has_the_date_in_the_councils_zone_and_no_seconds():
    assert plain_moment(SUMMER.replace(second=59, microsecond=5), LONDON) == (
        "Tue 6 Jul 2027 18:00 BST"
    )
    assert plain_moment(WINTER, LONDON) == "Tue 12 Jan 2027 10:00 GMT"
    # 23:30 UTC on 30 June is already 1 July in London.
    assert plain_moment(dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC), LONDON) == (
        "Thu 1 Jul 2027 00:30 BST"
    )
    assert plain_date(dt.date(2027, 3, 3), LONDON) == "Wed 3 Mar 2027"
    assert plain_moment(None, LONDON) == "" and plain_moment(None, LONDON, "never") == "never"


def test_the_clocks_go_forward_at_one_in_the_morning_utc_on_the_last_sunday_of_march():
    before = dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC)
    after = dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC)
    assert plain_moment(before, LONDON) == "Sun 28 Mar 2027 00:59 GMT"
    assert plain_moment(after, LONDON) == "Sun 28 Mar 2027 02:00 BST"
    assert plain_span(before, after + dt.timedelta(minutes=30), LONDON) == (
        "Sun 28 Mar 2027 00:59 GMT–02:30 BST"
    )


def test_the_clocks_go_back_at_one_in_the_morning_utc_on_the_last_sunday_of_october():
    before = dt.datetime(2027, 10, 31, 0, 59, tzinfo=dt.UTC)
    after = dt.datetime(2027, 10, 31, 1, 0, tzinfo=dt.UTC)
    # The hour from 01:00 to 02:00 happens twice; the abbreviation tells them apart.
    assert plain_moment(before, LONDON) == "Sun 31 Oct 2027 01:59 BST"
    assert plain_moment(after, LONDON) == "Sun 31 Oct 2027 01:00 GMT"
    assert plain_span(before - dt.timedelta(minutes=29), after, LONDON) == (
        "Sun 31 Oct 2027 01:30 BST–01:00 GMT"
    )
    assert clock_time(after, LONDON) == "Sunday 31 October 2027, 1:00am"


def test_a_span_names_the_day_once_or_both_days():
    assert plain_span(SUMMER, SUMMER + dt.timedelta(hours=2), LONDON) == (
        "Tue 6 Jul 2027 18:00–20:00 BST"
    )
    assert plain_span(SUMMER, SUMMER + dt.timedelta(hours=15), LONDON) == (
        "Tue 6 Jul 2027 18:00 BST – Wed 7 Jul 2027 09:00 BST"
    )


def test_gov_uk_words_for_pages_and_emails_are_in_the_councils_zone():
    assert clock_time(SUMMER, LONDON) == "Tuesday 6 July 2027, 6:00pm"
    assert clock_time(WINTER, LONDON) == "Tuesday 12 January 2027, 10:00am"
    assert govuk_date(dt.datetime(2027, 7, 12, 23, 30, tzinfo=dt.UTC), LONDON) == (
        "Tuesday 13 July 2027"
    )
