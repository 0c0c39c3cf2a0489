"""One valid email address per person, checked the same way on every way in.

The admin's forms, the ModernGov import, every directory source, the CLI and the outbox all
call :func:`normalise_address`. It accepts exactly one bare address (``name@example.gov.uk``)
and refuses anything else: a display name, angle brackets, a comma or semicolon list, white
space, control characters, or an address that is not valid by RFC 5321/5322 as the
``email-validator`` library reads them. Deliverability (DNS) is not checked: kdc-core runs
where DNS may not be reachable, and the outbox reports addresses the mail server refuses.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Sequence

import email_validator

from kdc_core.errors import KdcError

#: Characters that mean a value holds more than one bare address.
_NOT_BARE = set(',;<>"()[] \t\r\n')

#: The everyday shape (an ASCII dot-atom at a hostname of letters, digits and hyphens) that
#: email-validator always accepts. Matching it spares the library's character-by-character
#: checks for most addresses (a directory of 50,000 people); anything else is judged by the
#: library. tests/unit/test_mail_addresses.py checks the two agree.
_EVERYDAY = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})"
)
#: The same shape, one address a line, for :func:`normalise_many`.
_EVERYDAY_LINES = re.compile(f"^{_EVERYDAY.pattern}$", re.MULTILINE)
_SPECIAL = frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: RFC 5321's limits: the part before the @, and the whole address. Past them, the library
#: decides (and may still accept a longer local part, as it reads the RFCs).
LOCAL_MAX, ADDRESS_MAX = 64, 254


class AddressError(KdcError):
    """A value is not exactly one valid email address (the message says why)."""


@functools.lru_cache(maxsize=8192)
def normalise_address(value: str) -> str:
    """The address in its normal form (domain lower-cased, IDNA decoded as typed).

    :raises AddressError: naming what is wrong; the value itself is not repeated, so the
        message can be logged.
    """
    if not isinstance(value, str):
        raise AddressError("an email address must be text")
    # The everyday shape has no space, control character or list separator in it, so the
    # checks below can only refuse what it does not match.
    everyday = _EVERYDAY.fullmatch(value)
    if everyday:
        local, domain = everyday["local"], everyday["domain"]
        if len(local) <= LOCAL_MAX and len(value) <= ADDRESS_MAX and _plain_domain(domain.lower()):
            return f"{local}@{domain.lower()}"
    stripped = value.strip()
    if not stripped:
        raise AddressError("the email address is empty")
    if _CONTROL.search(stripped):
        raise AddressError("the email address contains a control character")
    bad = sorted(_NOT_BARE & set(stripped))
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise AddressError(
            f"the email address must be one bare address (name@example.gov.uk); it contains {shown}"
        )
    if stripped != value:
        return normalise_address(stripped)
    try:
        result = email_validator.validate_email(
            stripped, check_deliverability=False, allow_display_name=False
        )
    except email_validator.EmailNotValidError as exc:
        raise AddressError(f"not a valid email address: {exc}") from None
    return str(result.normalized)


def normalise_many(values: Sequence[str]) -> list[str]:
    """:func:`normalise_address` of each value, in order.

    When every value has the everyday shape (as in a directory of 50,000 people), one
    pattern search over them all settles it, with no Python step per address; otherwise
    each is read on its own.

    :raises AddressError: for the first value that is not one valid address.
    """
    values = list(values)
    text = "\n".join(values)
    pairs = _EVERYDAY_LINES.findall(text) if text.count("\n") == len(values) - 1 else []
    # Every line matched (one line per value, as counted): each value has the shape.
    if values and len(pairs) == len(values):
        domains = set(map(operator.itemgetter(1), pairs))
        if (
            max(map(len, values)) <= ADDRESS_MAX
            and max(map(len, map(operator.itemgetter(0), pairs))) <= LOCAL_MAX
            and all(_plain_domain(d.lower()) for d in domains)
        ):
            if all(d == d.lower() for d in domains):
                return values
            return [f"{local}@{domain.lower()}" for local, domain in pairs]
    return [normalise_address(v) for v in values]


@functools.lru_cache(maxsize=1024)
def _plain_domain(domain: str) -> bool:
    """No special case of the library's applies to this everyday-shaped (lower-case) domain:
    no label with ``--`` in its third and fourth places, and not a special-use name."""
    labels = domain.split(".")
    return not any(label[2:4] == "--" for label in labels) and not any(
        ".".join(labels[i:]) in _SPECIAL for i in range(len(labels))
    )


def optional_address(value: str | None) -> str | None:
    """:func:`normalise_address` for a field that may be empty (empty gives ``None``)."""
    if value is None or not value.strip():
        return None
    return normalise_address(value)
