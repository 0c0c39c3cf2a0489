"""Parsing ModernGov's GetCouncillorsByWard answer, quirks and all.

Pure: bytes in, frozen :class:`~kdc_moderngov.values.ModernGovCouncillor` values out, or an
:class:`~kdc_core.errors.ImportFailed` that names the file and the line or the entry at fault.

The quirks real answers have: counts with a leading space (``<councillorcount> 3``);
whitespace-only elements that mean "nothing"; the email in ``<homeaddress>`` or in
``<workaddress>``; the postcode as ``<postcode>`` or as the last ``<lineN>``; ``<phone>``
and/or ``<mobile>``; several ``<termofoffice>`` entries with dd/mm/yyyy dates; ``&amp;`` in key
posts; apostrophes in names and emails.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

import attrs
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from kdc_core.errors import ImportFailed
from kdc_core.mail.addresses import AddressError, normalise_address
from kdc_core.people.values import TermOfOffice
from kdc_moderngov.terms import is_open_end, tidy_terms
from kdc_moderngov.values import Address, Councillors, ModernGovCouncillor

ROOT = "councillorsbyward"
_NAME_PREFIXES = re.compile(r"^(?:councillor|cllr\.?)\s+", re.IGNORECASE)
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)
_LINE_TAG = re.compile(r"^line(\d+)$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_BREAK = re.compile(r"\s*(?:<br\s*/?>|\r?\n)\s*", re.IGNORECASE)
#: ModernGov councillor ids are whole numbers (the ``UID`` in ``mgUserInfo.aspx?UID=…``).
_ID = re.compile(r"^[0-9]{1,18}$")


class _LineTreeBuilder(TreeBuilder):
    """A tree builder that remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.position: Callable[[], int] = lambda: 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        # ModernGov answers carry no namespace, but a proxy may add one: match local names.
        element = super().start(tag.rsplit("}", 1)[-1], attrs)
        self.lines[element] = self.position()
        return element


def parse_councillors(data: bytes, *, source: str) -> Councillors:
    """Every councillor in a GetCouncillorsByWard answer, in document order, with a warning
    (``.warnings``) for each term of office left out or taken as it is (see
    :func:`kdc_moderngov.terms.tidy_terms`).

    :param data: the XML as bytes (its declaration names the encoding).
    :param source: the file or URL it came from, for messages.
    :raises ImportFailed: malformed XML (with the parser's line and column), a document that
        is not a GetCouncillorsByWard answer, a ward whose ``councillorcount`` disagrees with
        the councillors listed, or an entry without an id, with an id that is not a number,
        without a name or with a date that cannot be read.
    """
    root, lines = _parse_xml(data, source)
    reader = _Reader(source, lines)
    if root.tag != ROOT:
        raise ImportFailed(
            f"expected a <{ROOT}> document (GetCouncillorsByWard), found <{root.tag}>",
            source=source,
            record=f"line {lines.get(root, 1)}",
        )
    wards = root.find("wards")
    if wards is None:
        raise ImportFailed(f"<{ROOT}> has no <wards> element", source=source)
    councillors: list[ModernGovCouncillor] = []
    for number, ward in enumerate(wards.findall("ward"), start=1):
        councillors.extend(reader.ward(ward, number))
    return Councillors(councillors, warnings=reader.warnings)


def _parse_xml(data: bytes, source: str) -> tuple[Element, dict[Element, int]]:
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder)
    builder.position = lambda: int(parser.parser.CurrentLineNumber)
    try:
        parser.feed(data)
        root: Element = parser.close()
    except ParseError as exc:
        line, column = exc.position
        raise ImportFailed(
            f"malformed XML: {expat.ErrorString(exc.code)} (column {column + 1})",
            source=source,
            record=f"line {line}",
        ) from None
    except DefusedXmlException as exc:
        raise ImportFailed(
            f"refusing XML with a DTD, entity declarations or external references ({exc})",
            source=source,
        ) from None
    return root, builder.lines


def text_of(parent: Element | None, tag: str) -> str | None:
    """The stripped text of ``parent/tag`` with runs of whitespace made one space; ``None``
    when the element is missing, empty or whitespace-only."""
    element = parent.find(tag) if parent is not None else None
    if element is None:
        return None
    return " ".join("".join(element.itertext()).split()) or None


def _postcode(text: str | None) -> str | None:
    return text.upper() if text and _POSTCODE.match(text) else text


def numbered_lines(element: Element | None) -> list[str]:
    """The non-empty ``<line1>``, ``<line2>`` … children, in number order."""
    numbered = []
    for child in element if element is not None else ():
        match = _LINE_TAG.match(child.tag)
        text = " ".join("".join(child.itertext()).split())
        if match and text:
            numbered.append((int(match.group(1)), text))
    return [text for _, text in sorted(numbered)]


def parse_address(element: Element | None) -> Address:
    """A ``<workaddress>``/``<homeaddress>`` (``None`` or whitespace-only gives an empty one)."""
    if element is None:
        return Address()
    lines = numbered_lines(element)
    postcode = text_of(element, "postcode")
    if postcode is None and lines and _POSTCODE.match(lines[-1]):
        postcode = lines.pop()
    email = text_of(element, "email")
    if email and email.lower().startswith("mailto:"):
        email = email[len("mailto:") :].strip() or None
    return Address(
        lines=tuple(lines),
        postcode=_postcode(postcode),
        phone=text_of(element, "phone"),
        mobile=text_of(element, "mobile"),
        email=email,
    )


def parse_key_posts(element: Element | None) -> tuple[str, ...]:
    """Key posts, one per child element or per line (``<br>`` counts as a line break)."""
    if element is None:
        return ()
    chunks = ["".join(c.itertext()) for c in element] if len(element) else [element.text or ""]
    posts: list[str] = []
    for chunk in chunks:
        for part in _BREAK.split(chunk):
            post = " ".join(part.split())
            if post and post not in posts:
                posts.append(post)
    return tuple(posts)


def parse_date(text: str) -> dt.date:
    """``"06/05/2021"`` (day first) → 6 May 2021; a trailing time is ignored.

    :raises ValueError: not a dd/mm/yyyy date.
    """
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a dd/mm/yyyy date")
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real date ({exc})") from None


def clean_name(text: str) -> str:
    """``"Councillor Zara O'Hara"`` → ``"Zara O'Hara"``."""
    return _NAME_PREFIXES.sub("", " ".join(text.split()))


class _Reader:
    """Walks the tree, naming each ward and entry in errors."""

    def __init__(self, source: str, lines: dict[Element, int]) -> None:
        self.source = source
        self.lines = lines
        self.warnings: list[str] = []

    def fail(self, message: str, where: str) -> ImportFailed:
        return ImportFailed(message, source=self.source, record=where)

    def ward(self, element: Element, number: int) -> list[ModernGovCouncillor]:
        line = self.lines.get(element, 0)
        title = text_of(element, "wardtitle")
        if title is None:
            raise self.fail("has no <wardtitle>", f"ward #{number} (line {line})")
        where = f"ward {title} (line {line})"
        container = element.find("councillors")
        entries = container.findall("councillor") if container is not None else []
        count_text = text_of(container, "councillorcount")
        if count_text is not None:
            try:
                count = int(count_text)
            except ValueError:
                raise self.fail(
                    f"<councillorcount> {count_text!r} is not a whole number", where
                ) from None
            if count != len(entries):
                raise self.fail(
                    f"<councillorcount> says {count} but {len(entries)} "
                    f"<councillor> entries follow (a truncated or edited file?)",
                    where,
                )
        return [self.councillor(e, title, n) for n, e in enumerate(entries, start=1)]

    def councillor(self, element: Element, ward: str, number: int) -> ModernGovCouncillor:
        raw_name = text_of(element, "fullusername")
        name = clean_name(raw_name) if raw_name else None
        where = f"ward {ward}, councillor #{number}" + (f" '{name}'" if name else "")
        where += f" (line {self.lines.get(element, 0)})"
        councillor_id = text_of(element, "councillorid")
        if councillor_id is None:
            raise self.fail("has no <councillorid>, so it cannot be matched", where)
        if not _ID.match(councillor_id):
            raise self.fail(
                f"<councillorid> {councillor_id!r} is not a ModernGov id (a whole number)", where
            )
        if not name:
            raise self.fail(f"councillor {councillor_id} has no <fullusername>", where)
        return ModernGovCouncillor(
            id=councillor_id,
            name=name,
            ward=ward,
            party=text_of(element, "politicalpartytitle"),
            photo_url=text_of(element, "photobigurl") or text_of(element, "photosmallurl"),
            key_posts=parse_key_posts(element.find("keyposts")),
            work=self.address(element, "workaddress", where),
            home=self.address(element, "homeaddress", where),
            surgery=tuple(numbered_lines(element.find("surgerydetails"))),
            terms=self.terms(element.find("termsofoffice"), where),
            where=where,
        )

    def address(self, element: Element, tag: str, where: str) -> Address:
        """The address, its email checked: one valid address or none (see
        :mod:`kdc_core.mail.addresses`); anything else refuses the file, naming the entry."""
        address = parse_address(element.find(tag))
        if address.email is None:
            return address
        try:
            email = normalise_address(address.email)
        except AddressError as exc:
            raise self.fail(f"<{tag}><email>: {exc}", where) from None
        return attrs.evolve(address, email=email)

    def terms(self, element: Element | None, where: str) -> tuple[TermOfOffice, ...]:
        """The terms as the source has them where that makes sense (see :mod:`.history`);
        the rest are left out with a warning naming the councillor and the term."""
        if element is None:
            return ()
        read: list[tuple[str, TermOfOffice]] = []
        for number, term in enumerate(element.findall("termofoffice"), start=1):
            label = f"term of office #{number} (line {self.lines.get(term, 0)})"
            start_text, end_text = text_of(term, "startdate"), text_of(term, "enddate")
            if start_text is None:
                raise self.fail(f"{label} has no <startdate>", where)
            try:
                start = parse_date(start_text)
                end = None if is_open_end(end_text) else parse_date(end_text or "")
            except ValueError as exc:
                raise self.fail(f"{label}: {exc}", where) from None
            read.append((label, TermOfOffice(start=start, end=end)))
        kept, warnings = tidy_terms(read)
        self.warnings.extend(f"{where}: {warning}" for warning in warnings)
        return tuple(sorted(kept, key=_term_order))


def _term_order(term: TermOfOffice) -> tuple[Any, ...]:
    return (term.start, term.end is None, term.end or dt.date.min)
