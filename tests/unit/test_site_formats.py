"""Times and dates on the people's site: GOV.UK style, in the council's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kdc_site.formats import long_date, on_site_image, time_of_day, when

LONDON = ZoneInfo("Europe/London")


def test_times_are_written_in_the_councils_zone_gov_uk_style():
    winter = dt.datetime(2027, 3, 2, 18, 0, tzinfo=dt.UTC)
    summer = dt.datetime(2027, 7, 6, 11, 5, tzinfo=dt.UTC)
    assert when(winter, LONDON) == "Tuesday 2 March 2027, 6:00pm"
    assert when(summer, LONDON) == "Tuesday 6 July 2027, 12:05pm"
    assert time_of_day(dt.datetime(2027, 1, 1, 0, 30, tzinfo=LONDON), LONDON) == "12:30am"
    # Late on New Year's Eve in UTC is still 31 December in London in winter …
    assert long_date(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), LONDON) == "31 December 2026"
    # … but a summer evening in UTC can be the next day in London.
    assert long_date(dt.datetime(2027, 6, 30, 23, 30, tzinfo=dt.UTC), LONDON) == "1 July 2027"
    assert long_date(dt.date(2027, 5, 9), LONDON) == "9 May 2027"


def test_only_images_on_this_site_are_shown():
    base = "https://kdc.kirklees.example"
    assert on_site_image("/site-static/photos/a.jpg", base) == "/site-static/photos/a.jpg"
    assert on_site_image(f"{base}/photos/a.jpg", base) == f"{base}/photos/a.jpg"
    for elsewhere in (
        "https://democracy.example.gov.uk/UserData/bigpic.jpg",
        "//evil.example/a.jpg",
        "javascript:alert(1)",
        "http://kdc.kirklees.example/a.jpg",
        "/\\evil.example/a.jpg",
        "",
        None,
    ):
        assert on_site_image(elsewhere, base) is None, elsewhere
