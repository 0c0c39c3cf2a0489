"""Committees and their members from ModernGov: ``kdc import moderngov-committees``.

SOURCE is the GetCommittees answer (a file, an http(s) URL, or ``-`` for the web service at
``plugins.moderngov.base_url``)::

    <committees>
      <committeescount>2</committeescount>
      <committee>
        <committeeid>139</committeeid>
        <committeetitle>Planning Committee</committeetitle>
        <committeedeleted>False</committeedeleted>
        <committeeexpired>False</committeeexpired>
        <committeecategory>Regulatory</committeecategory>
        <committeepurpose>…</committeepurpose>
      </committee>
      …

(some installs wrap it as ``<getcommittees><committees>…``). Seats come from ``--members``
answers, each either one committee's member list (GetCommittee: ``<getcommittee><committee>
<committeeid>…<committeemembers><committeemember><councillorid>…<fullusername>…<role>Chair``)
or one councillor's committees (GetCommitteesByUser: ``<committeesbyuser><councillorid>…
<committees><committee><committeeid>…<role>…``). ``--members -`` asks the configured web
service for the member list of every current committee.

Strict about structure: malformed XML, a document of another kind, a committee or seat
without an id, a non-numeric id, a committee without a title, the same committee twice, or a
``committeescount`` that disagrees with the entries refuse the whole import, naming the file
and line. Tolerant of history: a seat on a committee the list does not have, a councillor
not imported yet, or two answers giving one seat different roles are left out (or the first
kept) with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from xml.etree.ElementTree import Element

import attrs

from kdc_core.changes import ChangeSet
from kdc_core.config import Settings
from kdc_core.errors import ImportFailed
from kdc_core.people.committees import (
    DEFAULT_ROLE,
    CommitteeRecord,
    SeatRecord,
    SeatScope,
    sync_committees,
)
from kdc_core.unit_of_work import UnitOfWork
from kdc_moderngov.config import SECTION, ModernGovConfig
from kdc_moderngov.fetch import fetch
from kdc_moderngov.parse import _parse_xml, clean_name, text_of
from kdc_moderngov.values import SCHEME

SOURCE = "moderngov"
CONFIGURED_SERVICE = "-"
COMMITTEES_PATH = "/mgWebService.asmx/GetCommittees"
COMMITTEE_PATH = "/mgWebService.asmx/GetCommittee?lCommitteeId={id}"

_ID = re.compile(r"^\d{1,18}$")
_FLAGS = {"": False, "false": False, "0": False, "no": False, "true": True, "1": True, "yes": True}
_MEMBER_ROOTS = ("getcommittee", "committeesbyuser", "getcommitteesbyuser")


@attrs.frozen
class MemberList:
    """One ``--members`` answer: its seats, and whose seats it lists in full."""

    seats: tuple[SeatRecord, ...]
    scope: SeatScope


class CommitteeAnswer(list[CommitteeRecord]):
    """The committees read, the seats of the member lists, and what those lists cover."""

    def __init__(
        self,
        committees: Sequence[CommitteeRecord],
        seats: Sequence[SeatRecord] = (),
        scope: SeatScope | None = None,
    ) -> None:
        super().__init__(committees)
        self.seats = tuple(seats)
        self.scope = scope or SeatScope()


class _Doc:
    """A parsed answer: its root, element lines and source, for errors that name the line."""

    def __init__(self, data: bytes, source: str) -> None:
        self.root, self.lines = _parse_xml(data, source)
        self.source = source

    def line(self, element: Element) -> int:
        return self.lines.get(element, 0)

    def fail(self, message: str, where: str) -> ImportFailed:
        return ImportFailed(message, source=self.source, record=where)

    def expect(self, roots: Sequence[str], what: str) -> None:
        if self.root.tag not in roots:
            raise self.fail(
                f"expected {what}, found <{self.root.tag}>", f"line {self.line(self.root)}"
            )

    def id_of(self, element: Element, tags: Sequence[str], what: str, where: str) -> str:
        for tag in tags:
            value = text_of(element, tag)
            if value is not None:
                if not _ID.match(value):
                    raise self.fail(f"<{tag}> {value!r} is not a numeric {what} id", where)
                return value
        raise self.fail(f"has no <{tags[0]}>, so it cannot be matched", where)

    def flag(self, element: Element, tag: str, where: str) -> bool:
        value = text_of(element, tag) or ""
        if value.lower() not in _FLAGS:
            raise self.fail(f"<{tag}> {value!r} is neither True nor False", where)
        return _FLAGS[value.lower()]


def parse_committees(data: bytes, *, source: str) -> tuple[CommitteeRecord, ...]:
    """Every committee in a GetCommittees answer, in document order.

    :raises ImportFailed: naming the file and the line or committee at fault.
    """
    doc = _Doc(data, source)
    doc.expect(("committees", "getcommittees"), "a <committees> document (GetCommittees)")
    container = doc.root.find("committees") if doc.root.tag == "getcommittees" else doc.root
    if container is None:
        raise doc.fail("<getcommittees> has no <committees> element", "line 1")
    entries = container.findall("committee")
    count_text = text_of(container, "committeescount")
    if count_text is not None:
        if not count_text.isdigit():
            raise doc.fail(f"<committeescount> {count_text!r} is not a whole number", "line 1")
        if int(count_text) != len(entries):
            raise doc.fail(
                f"<committeescount> says {count_text} but {len(entries)} <committee> entries "
                "follow (a truncated or edited file?)",
                f"line {doc.line(container)}",
            )
    committees: list[CommitteeRecord] = []
    seen: dict[str, str] = {}
    for number, element in enumerate(entries, start=1):
        where = f"committee #{number} (line {doc.line(element)})"
        external_id = doc.id_of(element, ("committeeid",), "committee", where)
        where = f"committee {external_id} (line {doc.line(element)})"
        if external_id in seen:
            raise doc.fail(
                f"committee id {external_id} appears twice (first at {seen[external_id]})", where
            )
        seen[external_id] = where
        title = text_of(element, "committeetitle")
        if title is None:
            raise doc.fail("has no <committeetitle>", where)
        committees.append(
            CommitteeRecord(
                external_id=external_id,
                title=title,
                category=text_of(element, "committeecategory"),
                purpose=text_of(element, "committeepurpose")
                or text_of(element, "committeedescription"),
                deleted=doc.flag(element, "committeedeleted", where),
                expired=doc.flag(element, "committeeexpired", where),
            )
        )
    return tuple(committees)


def parse_members(data: bytes, *, source: str) -> MemberList:
    """The seats in a GetCommittee answer (one committee's members) or a GetCommitteesByUser
    answer (one councillor's committees).

    :raises ImportFailed: naming the file and the line or entry at fault.
    """
    doc = _Doc(data, source)
    doc.expect(
        _MEMBER_ROOTS,
        "a committee's members (<getcommittee>) or a councillor's committees (<committeesbyuser>)",
    )
    if doc.root.tag == "getcommittee":
        return _committee_members(doc)
    return _councillor_committees(doc)


def _committee_members(doc: _Doc) -> MemberList:
    committee = doc.root.find("committee")
    if committee is None:
        raise doc.fail("<getcommittee> has no <committee> element", "line 1")
    where = f"committee (line {doc.line(committee)})"
    committee_id = doc.id_of(committee, ("committeeid",), "committee", where)
    container = committee.find("committeemembers")
    if container is None:
        container = committee.find("members")
    entries = _children(container, ("committeemember", "member"))
    seats = []
    for number, entry in enumerate(entries, start=1):
        name = _name(entry)
        at = f"committee {committee_id}, member #{number}" + (f" '{name}'" if name else "")
        at += f" (line {doc.line(entry)})"
        seats.append(
            SeatRecord(
                committee_id=committee_id,
                councillor_id=doc.id_of(entry, ("councillorid", "memberid"), "councillor", at),
                role=_role(entry),
                name=name,
                where=f"{doc.source}, {at}",
            )
        )
    return MemberList(tuple(seats), SeatScope(committees=frozenset({committee_id})))


def _councillor_committees(doc: _Doc) -> MemberList:
    top = doc.root.find("councillor")
    owner = top if top is not None else doc.root
    name = _name(owner)
    councillor_id = doc.id_of(
        owner, ("councillorid", "userid"), "councillor", f"line {doc.line(owner)}"
    )
    container = owner.find("committees")
    seats = []
    for number, entry in enumerate(_children(container, ("committee",)), start=1):
        at = f"councillor {councillor_id}, committee #{number} (line {doc.line(entry)})"
        seats.append(
            SeatRecord(
                committee_id=doc.id_of(entry, ("committeeid",), "committee", at),
                councillor_id=councillor_id,
                role=_role(entry),
                name=name,
                where=f"{doc.source}, {at}",
            )
        )
    return MemberList(tuple(seats), SeatScope(councillors=frozenset({councillor_id})))


def _children(container: Element | None, tags: Sequence[str]) -> Iterator[Element]:
    for child in container if container is not None else ():
        if child.tag in tags:
            yield child


def _name(element: Element) -> str | None:
    raw = text_of(element, "fullusername") or text_of(element, "membername")
    return clean_name(raw) if raw else None


def _role(element: Element) -> str:
    for tag in ("role", "roledescription", "memberrole"):
        value = text_of(element, tag)
        if value:
            return value
    return DEFAULT_ROLE


def load_committees(
    source: str, settings: Settings, members: Sequence[str] = ()
) -> CommitteeAnswer:
    """Read and check the GetCommittees answer and every ``--members`` answer.

    :param members: files or URLs of member lists; ``"-"`` asks the configured web service
        for the member list of each current committee.
    :raises ImportFailed: naming the file or URL and the line or entry at fault.
    """
    config = ModernGovConfig.from_settings(settings)
    if CONFIGURED_SERVICE in (source, *members) and config.base_url is None:
        raise ImportFailed(
            f"'-' means the web service at plugins.{SECTION}.base_url, which is not set; "
            "give a file path or an http(s) URL instead"
        )
    if source == CONFIGURED_SERVICE:
        source = f"{config.base_url}{COMMITTEES_PATH}"
    committees = parse_committees(fetch(source, timeout=config.timeout), source=source)
    if not committees:
        raise ImportFailed(
            "no committees in the answer; refusing to archive every committee", source=source
        )
    sources: list[str] = []
    for item in members:
        if item == CONFIGURED_SERVICE:
            sources.extend(
                f"{config.base_url}{COMMITTEE_PATH.format(id=c.external_id)}"
                for c in committees
                if not (c.deleted or c.expired)
            )
        else:
            sources.append(item)
    seats: list[SeatRecord] = []
    scope_committees: set[str] = set()
    scope_councillors: set[str] = set()
    for item in dict.fromkeys(sources):
        listed = parse_members(fetch(item, timeout=config.timeout), source=item)
        seats.extend(listed.seats)
        scope_committees |= listed.scope.committees
        scope_councillors |= listed.scope.councillors
    return CommitteeAnswer(
        committees, seats, SeatScope(frozenset(scope_committees), frozenset(scope_councillors))
    )


def apply_committees(uow: UnitOfWork, answer: Sequence[CommitteeRecord]) -> ChangeSet:
    seats = getattr(answer, "seats", ())
    scope = getattr(answer, "scope", SeatScope())
    return sync_committees(uow, answer, seats, source=SOURCE, scheme=SCHEME, scope=scope)
