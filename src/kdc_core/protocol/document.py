"""The protocol as frozen values: sections, numbered clauses, expectations and scenarios.

The current protocol ships with the package (``data/kirklees.toml``). A council that adopts a
new version writes it in the same format and stores it with ``kdc protocol adopt FILE``;
findings keep the version they were judged under.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from kdc_core.errors import KdcError

PACKAGED = "kirklees.toml"
_CLAUSE = re.compile(r"^\d+\.\d+$")


class ProtocolError(KdcError):
    """A protocol document cannot be read; the message names the file and the entry."""


class Binds(enum.StrEnum):
    COUNCILLORS = "councillors"
    OFFICERS = "officers"
    BOTH = "both"

    def covers(self, audience: str) -> bool:
        return self is Binds.BOTH or self.value == audience


@attrs.frozen
class Clause:
    number: str
    section: str
    summary: str
    binds: Binds


@attrs.frozen
class Section:
    number: str
    title: str
    summary: str = ""
    clauses: tuple[Clause, ...] = ()


@attrs.frozen
class Expectations:
    who: Binds
    heading: str
    items: tuple[str, ...]


@attrs.frozen
class Scenario:
    number: int
    title: str
    situation: str
    guidance: tuple[str, ...]


@attrs.frozen
class Protocol:
    version: str
    title: str
    source: str
    sections: tuple[Section, ...]
    expectations: tuple[Expectations, ...]
    scenarios: tuple[Scenario, ...]
    digest: str = ""

    def clause(self, number: str) -> Clause:
        for section in self.sections:
            for clause in section.clauses:
                if clause.number == number:
                    return clause
        known = ", ".join(c.number for c in self.clauses())
        raise ProtocolError(f"protocol {self.version} has no clause {number!r} (known: {known})")

    def section(self, number: str) -> Section:
        for section in self.sections:
            if section.number == number:
                return section
        raise ProtocolError(f"protocol {self.version} has no section {number!r}")

    def clauses(self) -> list[Clause]:
        return [c for s in self.sections for c in s.clauses]


def _need(data: dict[str, Any], key: str, where: str, kind: type = str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise ProtocolError(f"{where}: {key!r} is missing or not a {kind.__name__}")
    return value


def _binds(value: Any, where: str) -> Binds:
    try:
        return Binds(value)
    except ValueError:
        raise ProtocolError(
            f"{where}: binds/who must be councillors, officers or both, not {value!r}"
        ) from None


def parse(data: dict[str, Any], origin: str) -> Protocol:
    """Build a :class:`Protocol` from a parsed document, naming ``origin`` in any error."""
    head = _need(data, "protocol", origin, dict)
    sections, seen = [], set()
    for i, raw in enumerate(data.get("sections", []), 1):
        where = f"{origin}: sections[{i}]"
        number = str(_need(raw, "number", where))
        clauses = []
        for j, c in enumerate(raw.get("clauses", []), 1):
            cwhere = f"{where} clause {j}"
            cnum = str(_need(c, "number", cwhere))
            if not _CLAUSE.match(cnum) or not cnum.startswith(number + "."):
                raise ProtocolError(f"{cwhere}: clause number {cnum!r} is not {number}.N")
            if cnum in seen:
                raise ProtocolError(f"{cwhere}: clause {cnum} appears twice")
            seen.add(cnum)
            summary = _need(c, "summary", f"{origin}: clause {cnum}")
            binds = _binds(c.get("binds"), f"{origin}: clause {cnum}")
            clauses.append(Clause(cnum, number, summary.strip(), binds))
        title = _need(raw, "title", where)
        sections.append(Section(number, title, raw.get("summary", "").strip(), tuple(clauses)))
    if not sections:
        raise ProtocolError(f"{origin}: no [[sections]]")
    expectations = tuple(
        Expectations(
            _binds(e.get("who"), f"{origin}: expectations[{i}]"),
            _need(e, "heading", f"{origin}: expectations[{i}]"),
            tuple(_need(e, "items", f"{origin}: expectations[{i}]", list)),
        )
        for i, e in enumerate(data.get("expectations", []), 1)
    )
    scenarios = tuple(
        Scenario(
            int(_need(s, "number", f"{origin}: scenarios[{i}]", int)),
            _need(s, "title", f"{origin}: scenarios[{i}]"),
            _need(s, "situation", f"{origin}: scenarios[{i}]"),
            tuple(_need(s, "guidance", f"{origin}: scenarios[{i}]", list)),
        )
        for i, s in enumerate(data.get("scenarios", []), 1)
    )
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    return Protocol(
        version=str(_need(head, "version", f"{origin}: [protocol]")),
        title=_need(head, "title", f"{origin}: [protocol]"),
        source=head.get("source", ""),
        sections=tuple(sections),
        expectations=expectations,
        scenarios=scenarios,
        digest=digest,
    )


def read_text(text: str, origin: str) -> tuple[Protocol, dict[str, Any]]:
    """Parse TOML text; returns the protocol and the raw document (stored on adoption)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(f"{origin}: not valid TOML: {exc}") from exc
    return parse(data, origin), data


def load_file(path: Path) -> tuple[Protocol, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolError(f"{path}: cannot read: {exc.strerror}") from exc
    return read_text(text, str(path))


def packaged_document() -> tuple[Protocol, dict[str, Any]]:
    """The protocol shipped with kdc-core (used until a council adopts its own)."""
    text = resources.files("kdc_core.protocol").joinpath("data", PACKAGED).read_text("utf-8")
    return read_text(text, f"kdc_core/protocol/data/{PACKAGED}")


@functools.cache
def packaged() -> Protocol:
    """The packaged protocol, parsed once per process: every protocol check asks for it, and
    it is a frozen value that cannot change while kdc runs."""
    return packaged_document()[0]
