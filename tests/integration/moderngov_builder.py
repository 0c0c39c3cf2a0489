"""Writes GetCouncillorsByWard XML for all 23 Kirklees wards × 3 councillors, for tests.

The people are invented; the shape and the quirks are ModernGov's (see
``tests/fixtures/README.md``): ``" 3"`` counts, whitespace-only empty elements, the email in
``<homeaddress>`` or ``<workaddress>``, the postcode as ``<postcode>`` or the last ``<lineN>``,
``<phone>`` and/or ``<mobile>``, several ``<termofoffice>`` with dd/mm/yyyy dates, ``&amp;`` in
key posts, apostrophes in names and emails, a missing big photo. Tests compare what was
imported with the :class:`SampleCouncillor` values the file was written from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from kdc_core.demo import WARD_NAMES

#: The 23 Kirklees wards, as the demo council has them.
WARDS = WARD_NAMES
_GIVEN = (
    "Elin", "Orla", "Priya", "Aisha", "Sanjay", "Rosa", "Yusuf", "Zara", "Tom", "Hannah",
    "Imran", "Grace", "Owen", "Fatima", "Callum", "Nadia", "Lewis", "Mei", "Declan", "Ruth",
    "Bilal", "Kirsty", "Amir",
)  # fmt: skip
_FAMILY = (
    "Sykes", "O'Hara", "Pickles", "Ackroyd", "D'Souza", "Whiteley", "Dyson", "Rhodes",
    "Haigh", "Bottomley",
)  # fmt: skip
PARTIES = (
    "Labour",
    "Conservative",
    "Liberal Democrat",
    "Green Party",
    "Independent",
    "Labour and Co-operative",
)
#: Index in :func:`kirklees_councillors` → key posts (written with ``&amp;``, one per line).
KEY_POSTS = {
    0: ("Leader of the Council",),
    4: ("Deputy Leader", "Cabinet Member – Culture & Greener Kirklees"),
    10: ("Chair – Planning & Development Committee",),
    29: ("Cabinet Member – Children & Families",),
    50: ("Mayor of Kirklees",),
}
_TERM_NOW = (dt.date(2021, 5, 6), dt.date(2027, 5, 2))
_TERM_2012 = (dt.date(2012, 5, 3), dt.date(2016, 5, 5))
_TERM_2004 = (dt.date(2004, 6, 10), dt.date(2008, 5, 1))
_TERM_OPEN = (dt.date(2024, 5, 2), None)


@dataclass(frozen=True)
class SampleCouncillor:
    id: int
    name: str
    ward: str
    party: str
    email: str
    email_at_work: bool = False
    postcode_element: bool = False
    phone: str | None = None
    mobile: str | None = None
    key_posts: tuple[str, ...] = ()
    terms: tuple[tuple[dt.date, dt.date | None], ...] = (_TERM_NOW,)
    big_photo: bool = True

    @property
    def photo_url(self) -> str:
        size = "big" if self.big_photo else "small"
        return f"https://democracy.example.gov.uk/UserData/Info{self.id:08d}/{size}pic.jpg"


def _terms(i: int) -> tuple[tuple[dt.date, dt.date | None], ...]:
    if i % 11 == 4:
        return (_TERM_OPEN,)
    if i % 7 == 3:
        return (_TERM_2004, _TERM_2012, _TERM_NOW)
    if i % 5 == 0:
        return (_TERM_2012, _TERM_NOW)
    return (_TERM_NOW,)


def kirklees_councillors() -> tuple[SampleCouncillor, ...]:
    """69 councillors, three a ward, ids 1001–1069, every quirk somewhere."""
    out = []
    for i in range(len(WARDS) * 3):
        name = f"{_GIVEN[i % len(_GIVEN)]} {_FAMILY[(3 * i) % len(_FAMILY)]}"
        out.append(
            SampleCouncillor(
                id=1001 + i,
                name=name,
                ward=WARDS[i // 3],
                party=PARTIES[(i * 5 + i // 3) % len(PARTIES)],
                email=name.lower().replace(" ", ".") + "@kirklees.example.gov.uk",
                email_at_work=i % 4 == 2,
                postcode_element=i % 2 == 1,
                phone=f"01484 22{i:04d}" if i % 3 != 2 else None,
                mobile=f"07700 90{i:04d}" if i % 3 != 0 else None,
                key_posts=KEY_POSTS.get(i, ()),
                terms=_terms(i),
                big_photo=i % 6 != 5,
            )
        )
    return tuple(out)


_BLANK = "\n          "


def _el(tag: str, text: str | None, indent: str) -> str:
    """An element, or a whitespace-only one (ModernGov's way of saying "nothing")."""
    body = escape(text) if text else _BLANK
    return f"{indent}<{tag}>{body}</{tag}>\n"


def _address(c: SampleCouncillor, tag: str, *, work: bool) -> str:
    indent = "          "
    if work and not c.email_at_work:
        return _el(tag, None, indent)
    if work:
        return f"{indent}<{tag}>\n{indent}  <email>{escape(c.email)}</email>\n{indent}</{tag}>\n"
    inner = "".join(
        f"{indent}  <line{n}>{escape(line)}</line{n}>\n"
        for n, line in enumerate(["Civic Centre 3", "High Street", "Huddersfield"], start=1)
    )
    inner += (
        f"{indent}  <postcode>HD1 2TG</postcode>\n"
        if c.postcode_element
        else f"{indent}  <line4>HD1 2TG</line4>\n"
    )
    for part, value in (("phone", c.phone), ("mobile", c.mobile)):
        if value:
            inner += f"{indent}  <{part}>{escape(value)}</{part}>\n"
    if not c.email_at_work:
        inner += f"{indent}  <email>{escape(c.email)}</email>\n"
    return f"{indent}<{tag}>\n{inner}{indent}</{tag}>\n"


def _councillor(c: SampleCouncillor) -> str:
    ind = "          "
    keyposts = "\n".join(c.key_posts) or None
    terms = "".join(
        f"{ind}  <termofoffice>\n"
        f"{ind}    <startdate>{start:%d/%m/%Y}</startdate>\n"
        f"{ind}    <enddate>{f'{end:%d/%m/%Y}' if end else _BLANK}</enddate>\n"
        f"{ind}  </termofoffice>\n"
        for start, end in c.terms
    )
    small = c.photo_url.replace("bigpic", "smallpic")
    return (
        "        <councillor>\n"
        + _el("councillorid", str(c.id), ind)
        + _el("fullusername", f"Councillor {c.name}", ind)
        + _el("photosmallurl", small, ind)
        + _el("photobigurl", c.photo_url if c.big_photo else None, ind)
        + _el("politicalpartytitle", c.party, ind)
        + _el("districttitle", None, ind)
        + _el("representing", None, ind)
        + _el("keyposts", keyposts, ind)
        + _address(c, "workaddress", work=True)
        + _address(c, "homeaddress", work=False)
        + f"{ind}<surgerydetails>\n{ind}  <line1>Please contact the Councillor.</line1>\n"
        f"{ind}</surgerydetails>\n"
        + f"{ind}<termsofoffice>\n{terms}{ind}</termsofoffice>\n"
        + "        </councillor>\n"
    )


def councillors_by_ward_xml(councillors: Iterable[SampleCouncillor] | None = None) -> str:
    """The GetCouncillorsByWard document for ``councillors`` (default: all 69)."""
    people = list(kirklees_councillors() if councillors is None else councillors)
    wards = []
    for ward in dict.fromkeys(c.ward for c in people):
        members = [c for c in people if c.ward == ward]
        wards.append(
            "    <ward>\n"
            f"      <wardtitle>{escape(ward)}</wardtitle>\n"
            "      <councillors>\n"
            f"        <councillorcount> {len(members)}</councillorcount>\n"
            + "".join(_councillor(c) for c in members)
            + "      </councillors>\n    </ward>\n"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<councillorsbyward>\n  <wards>\n'
        + "".join(wards)
        + "  </wards>\n</councillorsbyward>\n"
    )


def write_councillors_by_ward(
    path: Path, councillors: Iterable[SampleCouncillor] | None = None
) -> Path:
    """Write :func:`councillors_by_ward_xml` to ``path`` (UTF-8) and return ``path``."""
    path.write_text(councillors_by_ward_xml(councillors), encoding="utf-8")
    return path
