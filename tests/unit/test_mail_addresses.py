"""One valid address per person: what is accepted and what is refused, and the [mail] table."""

from __future__ import annotations

from pathlib import Path

import pytest

from kdc_core.config import load_settings
from kdc_core.errors import ConfigError
from kdc_core.mail.addresses import AddressError, normalise_address, optional_address


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("cllr.ann.o'neill@kirklees.gov.uk", "cllr.ann.o'neill@kirklees.gov.uk"),
        ("  Someone@Kirklees.GOV.UK ", "Someone@kirklees.gov.uk"),
    ],
)
def test_a_bare_valid_address_is_kept_in_normal_form(given, stored):
    assert normalise_address(given) == stored


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("cllr@x.gov.uk>, <someone@elsewhere.example", "one bare address"),
        ("a@x.gov.uk,b@x.gov.uk", "one bare address"),
        ("a@x.gov.uk; b@x.gov.uk", "one bare address"),
        ("Ann Lee <ann@x.gov.uk>", "one bare address"),
        ("ann@x.gov.uk\r\nBcc: eve@y.example", "control character"),
        ("ann", "not a valid email address"),
        ("ann@", "not a valid email address"),
        ("", "empty"),
    ],
)
def test_anything_but_one_valid_address_is_refused(given, why):
    with pytest.raises(AddressError, match=why):
        normalise_address(given)


def test_an_optional_address_may_be_empty():
    assert optional_address("  ") is None
    assert optional_address(None) is None
    assert optional_address("a@x.gov.uk") == "a@x.gov.uk"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kdc.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_mail_table_sets_the_mailer_and_sender(tmp_path):
    path = write(
        tmp_path,
        '[mail]\nmailer = "smtp"\nsender = "ward-briefings@kirklees.gov.uk"\nmax_attempts = 5\n',
    )
    settings = load_settings(path, environ={})
    assert settings.mail.configured
    assert settings.mail.sender == "ward-briefings@kirklees.gov.uk"
    assert settings.mail.id_domain == "kirklees.gov.uk"
    assert settings.mail.max_attempts == 5


def test_without_a_mail_table_no_mailer_is_configured(tmp_path):
    assert not load_settings(write(tmp_path, ""), environ={}).mail.configured


def test_the_environment_can_name_the_mailer_and_sender(tmp_path):
    env = {"KDC_MAIL_MAILER": "notify", "KDC_MAIL_SENDER": "a@kirklees.gov.uk"}
    settings = load_settings(write(tmp_path, ""), environ=env)
    assert (settings.mail.mailer, settings.mail.sender) == ("notify", "a@kirklees.gov.uk")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[mail]\nsendr = "a@x.gov.uk"\n', "mail.sendr"),
        ('[mail]\nsender = "A <a@x.gov.uk>"\n', "mail.sender"),
        ("[mail]\nmax_attempts = 0\n", "mail.max_attempts"),
        ("[mail]\nmailer = 3\n", "mail.mailer"),
    ],
)
def test_a_bad_mail_setting_names_its_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text), environ={})
    assert caught.value.key == key


def test_the_everyday_fast_path_agrees_with_email_validator():
    """Addresses the fast path takes must be exactly what the library gives back."""
    import random

    import email_validator

    from kdc_core.mail import addresses

    rng = random.Random(7)
    atoms = ["ann", "o'neill", "j.smith", "x-y", "a+b", "Z_9", "q", "a" * 64, "xn--bcher-kva"]
    domains = [
        "kirklees.gov.uk",
        "Example.ORG",
        "a-b.co",
        "xn--bcher-kva.example",
        "x.test",
        "mail.local",
        "b.c",
        "localhost.example",
        "sub.example.invalid",
    ]
    for _ in range(400):
        value = f"{rng.choice(atoms)}{rng.choice(['', '.', '..'])}{rng.choice(atoms)}@" + (
            rng.choice(domains)
        )
        try:
            expected = email_validator.validate_email(
                value, check_deliverability=False, allow_display_name=False
            ).normalized
        except email_validator.EmailNotValidError:
            expected = None
        addresses.normalise_address.cache_clear()
        try:
            got = addresses.normalise_address(value)
        except AddressError:
            got = None
        assert got == expected, value


def test_many_addresses_at_once_agree_with_one_at_a_time():
    from kdc_core.mail.addresses import normalise_many

    everyday = [
        f"p{n}@Example.GOV.uk" if n % 7 == 0 else f"p{n}@kirklees.gov.uk" for n in range(300)
    ]
    assert normalise_many(everyday) == [normalise_address(v) for v in everyday]
    assert normalise_many(everyday[1:7]) == everyday[1:7]  # nothing to change: the list itself
    # Values the pattern does not settle are read one at a time, with the same answers.
    odd = [*everyday[:5], "  Someone@Kirklees.GOV.UK ", "ann@bücher.example", "b" * 65 + "@x.uk"]
    assert normalise_many(odd) == [normalise_address(v) for v in odd]
    assert normalise_many([]) == []


@pytest.mark.parametrize(
    "values",
    [
        ["a@x.gov.uk", "not an address"],
        # a line break inside one value must not let two lines stand for two values
        ["a@x.gov.uk\nb@x.gov.uk", "c@x.gov.uk;"],
        ["a@x.gov.uk", "b@mail.local"],
    ],
)
def test_many_addresses_refuse_what_one_at_a_time_refuses(values):
    from kdc_core.mail.addresses import normalise_many

    with pytest.raises(AddressError):
        [normalise_address(v) for v in values]
    with pytest.raises(AddressError):
        normalise_many(values)
