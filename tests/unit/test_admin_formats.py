"""The admin's shared formatters: headings from column names, labels from codes, local times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask

from kdc_admin.formats import (
    DETAIL_FORMATTERS,
    LIST_FORMATTERS,
    code_choices,
    code_label,
    column_label,
    moment,
)
from kdc_core.calendar.values import EventKind, EventStatus
from kdc_core.db.people import CouncillorRow


def test_headings_drop_id_and_at_and_keep_acronyms():
    assert column_label("councillor_id") == "Councillor"
    assert column_label("posted_at") == "Posted"
    assert column_label("ons_code") == "ONS code"
    assert column_label("link_officer") == "Link officer"
    assert column_label("service.name") == "Name"


def test_codes_read_as_labels():
    assert code_label("ward_contact") == "Ward contact"
    assert code_label(EventKind.COUNCIL_MEETING) == "Council meeting"  # its own label
    assert code_choices(EventStatus)[0] == ("confirmed", "Confirmed")


class _Settings:
    tz = ZoneInfo("Europe/London")


class _Kdc:
    settings = _Settings()


def test_moments_are_the_councils_time_to_the_minute_in_summer_and_winter():
    app = Flask(__name__)
    app.extensions["kdc"] = _Kdc()
    with app.app_context():
        summer = dt.datetime(2026, 7, 1, 15, 54, 29, 695759, tzinfo=dt.UTC)
        assert moment(summer) == "Wednesday 1 July 2026, 4:54pm"
        assert moment(dt.datetime(2026, 12, 4, 16, 54, 29)) == "Friday 4 December 2026, 4:54pm"
        cell = LIST_FORMATTERS[dt.date]
        assert cell(None, dt.date(2026, 12, 4), "public_on") == "Friday 4 December 2026"
        assert LIST_FORMATTERS[bool](None, False, "advocacy") == "No"
        assert LIST_FORMATTERS[dt.datetime](None, summer, "at") == "Wednesday 1 July 2026, 4:54pm"


def test_councillors_are_cllr_and_lists_are_written_item_by_item():
    app = Flask(__name__)
    app.extensions["kdc"] = _Kdc()
    amir = CouncillorRow(name="Amir Hussain")
    with app.app_context():
        assert DETAIL_FORMATTERS[CouncillorRow](None, amir, "councillor") == "Cllr Amir Hussain"
        cells = LIST_FORMATTERS[list](None, [amir, dt.date(2027, 3, 2), True], "things")
        assert cells == "Cllr Amir Hussain, Tuesday 2 March 2027, Yes"
