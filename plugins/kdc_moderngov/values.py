"""What one ModernGov councillor entry says, as frozen values, before it becomes a record."""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from kdc_core.people.values import CouncillorRecord, TermOfOffice

#: The external-id scheme under which ModernGov councillor ids are stored.
SCHEME = "moderngov"
#: Characters that Markdown would take as formatting, and a line that would start a list.
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>#|~]|(?<=^\d)[.)]|(?<=^\d\d)[.)]|^[-+=](?=\s|$)")


@attrs.frozen
class Address:
    """A ``<workaddress>`` or ``<homeaddress>``; every part may be missing.

    ``postcode`` comes from ``<postcode>`` or, failing that, from the last ``<lineN>`` when
    that line is a postcode (which is then not repeated in ``lines``).
    """

    lines: tuple[str, ...] = ()
    postcode: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None


@attrs.frozen
class ModernGovCouncillor:
    """One ``<councillor>`` entry of a GetCouncillorsByWard answer.

    :ivar id: ``<councillorid>``, stable across calls.
    :ivar name: ``<fullusername>`` without its ``Councillor`` prefix.
    :ivar where: how messages name the entry: ward, position in the ward, name and line.
    """

    id: str
    name: str
    ward: str
    party: str | None = None
    photo_url: str | None = None
    key_posts: tuple[str, ...] = ()
    work: Address = Address()
    home: Address = Address()
    surgery: tuple[str, ...] = ()
    terms: tuple[TermOfOffice, ...] = ()
    where: str = ""

    # Work details first: they are the ones meant for the public when both are given.
    @property
    def email(self) -> str | None:
        return self.work.email or self.home.email

    @property
    def phone(self) -> str | None:
        return self.work.phone or self.home.phone

    @property
    def mobile(self) -> str | None:
        return self.work.mobile or self.home.mobile

    @property
    def address(self) -> str | None:
        """The postal address for correspondence: the work address when it has lines,
        else the home address; one line per line, the postcode last."""
        for part in (self.work, self.home):
            lines = [*part.lines, *([part.postcode] if part.postcode else [])]
            if part.lines:
                return "\n".join(lines)
        return None

    @property
    def surgery_text(self) -> str | None:
        """The surgery lines as Markdown, one line each (characters Markdown would read as
        formatting are escaped); ``None`` when there are none."""
        if not self.surgery:
            return None
        return "\\\n".join(_MARKDOWN_SPECIAL.sub(r"\\\g<0>", line) for line in self.surgery)

    def record(self) -> CouncillorRecord:
        """The source-neutral record the roster service syncs."""
        return CouncillorRecord(
            scheme=SCHEME,
            external_id=self.id,
            name=self.name,
            ward_name=self.ward,
            group_name=self.party,
            email=self.email,
            phone=self.phone,
            mobile=self.mobile,
            photo_url=self.photo_url,
            key_posts=self.key_posts,
            terms=self.terms,
            where=self.where,
            surgery=self.surgery_text,
            address=self.address,
        )


class Councillors(tuple[ModernGovCouncillor, ...]):
    """The councillors of one answer, in document order, and what was said about them:
    ``warnings`` names each term of office left out or taken as the source has it."""

    warnings: tuple[str, ...]

    def __new__(
        cls, councillors: Iterable[ModernGovCouncillor], *, warnings: Iterable[str] = ()
    ) -> Councillors:
        made = super().__new__(cls, councillors)
        made.warnings = tuple(warnings)
        return made
