"""Messages and tokens without a database: MIME structure, header encoding, month parsing."""

from __future__ import annotations

import base64
import email
import email.policy
from email.message import EmailMessage

import pytest

from kdc_core.errors import KdcError
from kdc_core.mail.message import render_eml
from kdc_core.newsletter.unsubscribe import make_token, read_token
from kdc_core.newsletter.values import Month


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, _class=EmailMessage, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_non_ascii_names_and_subjects_survive_as_encoded_words():
    data = render_eml(
        sender="Kirklees Council <news@kirklees.test>",
        to="Zoë Ćwik-Ó'Brien <zoe@kirklees.test>",
        subject="Holme Valley South ward newsletter — März 2027 · ünïcödé " * 2,
        html="<p>ß</p>",
        text="ß\nzwei",
        unsubscribe_url="https://kdc.test/newsletter/unsubscribe/t",
    )
    assert data.isascii() and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    msg = parse(data)
    assert str(msg["To"]) == "Zoë Ćwik-Ó'Brien <zoe@kirklees.test>"
    subject = "Holme Valley South ward newsletter — März 2027 · ünïcödé " * 2
    assert msg["Subject"] == subject.strip()  # runs of white space fold to one
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content() == "ß\r\nzwei" or text.get_content() == "ß\nzwei"
    assert html.get_content() == "<p>ß</p>"
    assert msg["List-Unsubscribe"] == "<https://kdc.test/newsletter/unsubscribe/t>"


def test_a_message_without_html_is_plain_text_alone():
    msg = parse(render_eml(sender="a@b.test", to="c@d.test", subject="s", html=None, text="t"))
    assert msg.get_content_type() == "text/plain" and "List-Unsubscribe" not in msg


def test_unsubscribe_tokens_only_verify_with_the_same_key_and_unchanged():
    key = b"k" * 40
    token = make_token(key, 42, "contacts")
    assert read_token(key, token) == (42, "contacts")
    assert read_token(b"other" * 8, token) is None
    assert read_token(key, token.replace(".42.", ".43.")) is None
    assert read_token(key, token.replace("contacts", "newsletter")) is None
    assert read_token(key, "u1.42.contacts") is None


@pytest.mark.parametrize("text", ["2027-13", "27-03", "2027-3", "March"])
def test_a_month_must_be_yyyy_mm(text):
    with pytest.raises(KdcError, match="YYYY-MM"):
        Month.parse(text)


def test_december_rolls_into_the_next_year():
    december = Month.parse("2027-12")
    assert (december.first.isoformat(), december.next_first.isoformat()) == (
        "2027-12-01",
        "2028-01-01",
    )


@pytest.mark.parametrize("size", [0, 1, 56, 57, 58, 113, 114, 171, 1000])
def test_bodies_are_base64_in_lines_of_76_with_crlf_line_ends(size):
    text = ("Zoë\r\nsaid\n" * size)[:size]
    data = render_eml(sender="a@b.test", to="c@d.test", subject="s", html=None, text=text)
    body = data.split(b"\r\n\r\n", 1)[1]
    lines = body.split(b"\r\n") if body else []
    assert all(len(line) == 76 for line in lines[:-1]) and len(lines[-1] if lines else b"") <= 76
    expected = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    assert base64.b64decode(b"".join(lines)) == expected
