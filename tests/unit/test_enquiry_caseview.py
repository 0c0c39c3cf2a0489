"""The words the caseworker's screens use: how a change's messages came out (counted, queued
never "sent"), how an enquiry was routed, and how late it is — in words, never colour alone."""

from __future__ import annotations

import datetime as dt

from kdc_core.enquiries.caseview import (
    audit_value,
    field_words,
    queued_words,
    routed_by_words,
    timescale_words,
)
from kdc_core.enquiries.values import KEPT_ELSEWHERE, Told


def test_queued_messages_are_counted_and_never_called_sent():
    told = Told(queued=("Ann Smith", "Hana Road", "Wes Bins"), no_address=("Bob Jones",))
    words = queued_words(told)
    assert words.startswith("3 messages queued for Ann Smith, Hana Road, Wes Bins (they go when")
    assert words.endswith("; no email address for Bob Jones.") and "sent" not in words
    assert queued_words(Told(queued=("Ann Smith",))).startswith("1 message queued for Ann Smith")
    assert queued_words(Told(already=("Ann Smith",))) == (
        "0 messages queued; 1 queued earlier for Ann Smith."
    )


def test_nothing_queued_says_why():
    assert queued_words(Told(not_queued_because="no mailer is configured")) == (
        "Nobody was told: no mailer is configured."
    )
    assert queued_words(KEPT_ELSEWHERE).startswith("No message was queued here")
    assert "does not report" in queued_words(None)


def test_routing_in_words():
    assert routed_by_words("ward_contact") == "The ward's named contact for the service"
    assert routed_by_words("service_default") == "The service's default contact"
    assert routed_by_words("unassigned") == "Nobody yet: the liaison team's queue"
    assert routed_by_words("assigned") == "Assigned by hand"
    assert routed_by_words("some_new_way") == "Some new way"


def test_timescale_words_never_rely_on_colour():
    monday = dt.date(2027, 3, 1)
    assert timescale_words("received", monday, dt.date(2027, 3, 15)) == "Overdue by 10 working days"
    assert timescale_words("extended", monday, dt.date(2027, 3, 2)) == "Overdue by 1 working day"
    friday = dt.date(2027, 3, 5)
    assert timescale_words("in_progress", friday, dt.date(2027, 3, 6)) == "Overdue"
    assert timescale_words("received", monday, monday) == "Due today"
    assert timescale_words("received", friday, monday) == "", "not due soon: nothing to say"
    assert timescale_words("received", dt.date(2027, 3, 4), monday) == "Due in 3 working days"
    assert timescale_words("resolved", monday, dt.date(2027, 3, 15)) == ""


def test_audit_values_in_words():
    assert audit_value("status", "status", "in_progress") == "In progress"
    assert audit_value("extension 1", "respond_by", "2027-03-05") == "5 March 2027"
    assert audit_value("routed", "officer", "service_default") == "The service's default contact"
    assert audit_value("assigned", "officer", "Hana Road") == "Hana Road"
    assert audit_value("note", None, None) == ""


def test_an_audit_entrys_field_reads_as_words():
    assert field_words("respond_by") == "Respond-by date"
    assert field_words("officer") == "Named officer"
    assert field_words("personal data") == "Personal data"
    assert field_words(None) == ""
