"""The legacy import reads dates as people in the UK write them: day first."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kdc_core.enquiries.legacy import parse_received

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("02/11/2026", "2026-11-02T00:00:00+00:00"),
        ("2/11/2026", "2026-11-02T00:00:00+00:00"),
        (" 02/11/2026 14:30 ", "2026-11-02T14:30:00+00:00"),
        ("2/7/2026 14:30:15", "2026-07-02T13:30:15+00:00"),  # British Summer Time
        ("2026-07-02", "2026-07-01T23:00:00+00:00"),  # the start of the local day
        ("2026-07-02T14:30", "2026-07-02T13:30:00+00:00"),
        ("2026-07-02 14:30:59", "2026-07-02T13:30:59+00:00"),
        ("2026-07-02T14:30:00+00:00", "2026-07-02T14:30:00+00:00"),
        ("2026-07-02T14:30+02:00", "2026-07-02T12:30:00+00:00"),
        ("2026-07-02T14:30:00Z", "2026-07-02T14:30:00+00:00"),
    ],
)
def test_each_form_people_write(text, utc):
    parsed = parse_received(text, LONDON)
    assert parsed.tzinfo is not None
    assert parsed.astimezone(dt.UTC).isoformat() == utc


def test_day_first_never_month_first():
    assert parse_received("12/01/2027", LONDON).date() == dt.date(2027, 1, 12)


@pytest.mark.parametrize(
    "text", ["3rd Nov", "31/02/2026", "2026/11/02", "11-02-2026", "02/11/26", "", "13/13/2026"]
)
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_received(text, LONDON)
