"""The councillor parser on damaged answers gives a councillor list or an ImportFailed, never
another exception; key posts read as role kinds."""

from __future__ import annotations

import random

import pytest

from fixture_files import fixture_path
from kdc_core.errors import ImportFailed
from kdc_core.people.roster_history import kind_of
from kdc_core.people.values import RoleKind
from kdc_moderngov.parse import parse_councillors

ANSWERS = ("district-two-member-wards.xml", "welsh-county-five-member-ward.xml")
_DAMAGE = (b"<", b">", b"&", b"\x00", b"\xff", b"</councillor>", b"<termofoffice>", b"", b"abc")


def damaged(data: bytes, rng: random.Random) -> bytes:
    """``data`` with a few random cuts, insertions and overwrites."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(out) + 1)
        match rng.randrange(3):
            case 0:
                del out[at : at + rng.randint(1, 40)]
            case 1:
                out[at:at] = rng.choice(_DAMAGE)
            case _:
                out[at : at + 1] = bytes([rng.randrange(256)])
    return bytes(out)


@pytest.mark.parametrize("name", ANSWERS)
def test_damaged_answers_never_raise_anything_but_import_failed(name):
    data = fixture_path("moderngov", name).read_bytes()
    rng = random.Random(name)
    outcomes = {"parsed": 0, "refused": 0}
    for _ in range(300):
        try:
            parse_councillors(damaged(data, rng), source="damaged.xml")
        except ImportFailed as exc:
            assert str(exc).startswith("damaged.xml")
            outcomes["refused"] += 1
        else:
            outcomes["parsed"] += 1
    assert outcomes["refused"] > 0 and outcomes["parsed"] > 0


@pytest.mark.parametrize(
    ("post", "kind"),
    [
        ("Cabinet Member – Children & Families", RoleKind.CABINET_PORTFOLIO),
        ("Portfolio Holder for Climate & Nature", RoleKind.CABINET_PORTFOLIO),
        ("Aelod Cabinet - Addysg / Cabinet Member - Education", RoleKind.CABINET_PORTFOLIO),
        ("Leader of the Green Group", RoleKind.GROUP_LEADER),
        ("Deputy Leader of the Labour Group", RoleKind.OTHER),
        ("Labour Group Business Manager", RoleKind.GROUP_BUSINESS_MANAGER),
        ("Chair of Overview and Scrutiny Management Committee", RoleKind.SCRUTINY),
        ("Leader of the Council", RoleKind.OTHER),
        ("Mayor of Kirklees", RoleKind.OTHER),
    ],
)
def test_key_posts_read_as_role_kinds(post, kind):
    assert kind_of(post) == kind
