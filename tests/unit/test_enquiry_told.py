"""``Told.summary()``: one honest line — queued is not sent, and nobody told says why."""

from __future__ import annotations

from kdc_core.enquiries.values import KEPT_ELSEWHERE, Told


def test_queued_says_it_goes_when_the_outbox_is_dispatched():
    told = Told(queued=("Cllr Ann Smith", "Hana Road"))
    assert told.summary() == (
        "A message is queued for Cllr Ann Smith, Hana Road (it goes when the outbox is dispatched)."
    )


def test_already_queued_and_missing_addresses_are_named():
    told = Told(already=("Hana Road",), no_address=("Cllr Bob Jones",))
    assert told.summary() == (
        "Already queued earlier for Hana Road; no email address for Cllr Bob Jones."
    )


def test_no_mailer_says_nobody_was_told():
    told = Told(not_queued_because="no mailer is configured ([mail] in kdc.toml)")
    assert told.summary() == "Nobody was told: no mailer is configured ([mail] in kdc.toml)."


def test_an_external_casework_system_owns_its_messages():
    assert KEPT_ELSEWHERE.summary().startswith("No message was queued here: the enquiry is kept")


def test_nothing_to_tell_is_said_plainly():
    assert Told().summary() == "Nobody needed telling."
