"""Rules about directory records that hold for every source, checked before anything is planned.

Each reader names its own structural faults (a broken quote, a duplicated heading, a page that
is not JSON); what is wrong with the records themselves is checked here, once:

- text: no NUL, no other control character (C0, DEL, C1) and no lone surrogate in any field —
  every directory field is one line of text, so tab, CR and LF are refused too (a tab is
  meaningful only as the delimiter of a tab-separated file, where it never reaches a field);
  and no field longer than the column that stores it;
- person ids: compared without regard to case or surrounding spaces, so ``P000006`` and
  ``p000006`` in one source are the same person given twice, and refused;
- managers: no loop (``P1 → P2 → P1``, or someone managing themselves).

Each problem names the record (its ``origin``: file and line, page and position, or DN) and
the field, and the whole source is refused; nothing reaches the database.
"""

from __future__ import annotations

import itertools
import operator
import re
import unicodedata
from collections.abc import Mapping, Sequence

import attrs

from kdc_core.db.people import OfficerRow, ServiceRow
from kdc_core.directory.values import CharactersChecked, DirectoryRecord, SourceError
from kdc_core.people.loops import reporting_loops

#: Fields that are text, in the record's order (``wards`` is checked apart).
TEXT_FIELDS: tuple[str, ...] = tuple(
    a.name for a in attrs.fields(DirectoryRecord) if a.name not in ("wards", "updated_at", "origin")
)

#: What no directory field may hold: C0 controls (tab, CR and LF included), DEL, C1 controls
#: and lone surrogates (which no database can store).
FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

#: Fields stored as links to other rows, not in an officer column of their own.
_LINKS = ("manager_id", "service", "directorate")

#: How many people of a loop a message lists before it shortens the loop.
LOOP_SHOWN = 12


def _length(column: object) -> int:
    length = getattr(getattr(column, "type", None), "length", None)
    if not isinstance(length, int):  # pragma: no cover - every synced column has a length
        raise TypeError(f"{column} has no length")
    return length


def field_limits() -> dict[str, int]:
    """The longest text each field may hold: the length of the column that stores it."""
    officer = OfficerRow.__table__.c
    limits = {f: _length(officer[f]) for f in TEXT_FIELDS if f not in _LINKS}
    limits["manager_id"] = limits["person_id"]
    limits["service"] = limits["directorate"] = _length(ServiceRow.__table__.c.name)
    return limits


def _describe(char: str) -> str:
    name = unicodedata.name(char, "")
    if not name:
        name = {
            "\x00": "NUL",
            "\t": "tab",
            "\n": "line feed",
            "\r": "carriage return",
            "\x1b": "escape",
            "\x7f": "delete",
        }.get(char, "control character")
        if "\ud800" <= char <= "\udfff":
            name = "lone surrogate"
    return f"U+{ord(char):04X} {name}"


def _where(record: DirectoryRecord) -> str:
    return record.origin or record.person_id or "a record"


def _column(records: Sequence[DirectoryRecord], field: str) -> list[str]:
    """One field's non-empty values, in record order (worked out in C, no Python step per
    record)."""
    return list(filter(None, map(operator.attrgetter(field), records)))


def _fits(records: Sequence[DirectoryRecord], limits: Mapping[str, int]) -> bool:
    """Whether every field of every record fits its column: each field's longest value
    compared with the limit."""
    return all(
        max(map(len, _column(records, field)), default=0) <= limits[field] for field in TEXT_FIELDS
    )


def _measured_fits(longest: Mapping[str, int], limits: Mapping[str, int]) -> bool:
    """Whether the longest value the source measured for each field fits its column; a field
    it did not measure settles nothing (``False``)."""
    return all(f in longest and longest[f] <= limits[f] for f in TEXT_FIELDS)


def _all_clean(records: Sequence[DirectoryRecord], limits: Mapping[str, int]) -> bool:
    """Whether no field of any record breaks a rule: each field's longest value compared with
    the limit and all the text searched at once (the usual case, and quick on 50,000); only
    when it fails are records looked at one by one."""
    texts: list[str] = []
    for field in TEXT_FIELDS:
        values = _column(records, field)
        if values and max(map(len, values)) > limits[field]:
            return False
        texts += values
    texts += itertools.chain.from_iterable(map(operator.attrgetter("wards"), records))
    text = " ".join(texts)
    # Printable text (the usual case) holds none of the forbidden characters; the search
    # settles the rest (e.g. a no-break space is not printable but allowed).
    return text.isprintable() or FORBIDDEN.search(text) is None


def text_problems(records: Sequence[DirectoryRecord]) -> list[str]:
    """Each field that holds a forbidden character or is longer than its column.

    Records in :class:`~kdc_core.directory.values.CharactersChecked` come from a source that
    has already searched all the text it read for forbidden characters and found none: only
    the lengths are looked at then, unless one is too long; and when the source measured
    each field's longest value (``longest``), those are compared with the columns instead of
    the records' values.
    """
    limits = field_limits()
    checked = isinstance(records, CharactersChecked)
    longest = records.longest if isinstance(records, CharactersChecked) else None
    if longest is not None and _measured_fits(longest, limits):
        return []
    clean = _fits if checked else _all_clean
    if clean(records, limits):
        return []
    problems: list[str] = []
    for record in records:
        for field in TEXT_FIELDS:
            value = getattr(record, field)
            if not value:
                continue
            bad = FORBIDDEN.search(value)
            if bad is not None:
                problems.append(
                    f"{_where(record)}: {field} holds {_describe(bad.group())} at character "
                    f"{bad.start() + 1}; a directory field is one line of printable text"
                )
            elif len(value) > limits[field]:
                problems.append(
                    f"{_where(record)}: {field} is {len(value):,} characters long; "
                    f"at most {limits[field]} fit"
                )
        for ward in record.wards:
            bad = FORBIDDEN.search(ward)
            if bad is not None:
                problems.append(
                    f"{_where(record)}: wards holds {_describe(bad.group())} in "
                    f"{FORBIDDEN.sub('?', ward[:40])!r}"
                )
    return problems


def check_text(records: Sequence[DirectoryRecord]) -> None:
    """Refuse the source if any field holds a control character or does not fit its column
    (see :func:`text_problems` for what a source that checked its characters is spared)."""
    problems = text_problems(records)
    if problems:
        raise SourceError(
            f"{len(problems)} field(s) cannot be stored as they are; nothing was changed:",
            problems,
        )


def id_key(person_id: str) -> str:
    """The form person ids are compared in: surrounding spaces dropped, case folded."""
    return person_id.strip().casefold()


def _index_clean(records: Sequence[DirectoryRecord]) -> dict[str, DirectoryRecord] | None:
    """:func:`index_records` for the usual source, worked out in C: every id and manager id
    already without surrounding spaces, no empty one, and no id given twice. ``None``
    otherwise, and the records are then looked at one by one."""
    pids = list(map(operator.attrgetter("person_id"), records))
    managers = [m for m in map(operator.attrgetter("manager_id"), records) if m is not None]
    if (
        not all(pids)
        or not all(managers)
        or list(map(str.strip, pids)) != pids
        or list(map(str.strip, managers)) != managers
    ):
        return None
    seen = dict(zip(map(str.casefold, pids), records, strict=True))
    return seen if len(seen) == len(records) else None


def index_records(records: Sequence[DirectoryRecord]) -> dict[str, DirectoryRecord]:
    """The records by :func:`id_key`, ids and manager ids stripped of surrounding spaces.

    :raises SourceError: an empty id, or an id given twice (in any mix of case), naming
        both records.
    """
    quick = _index_clean(records)
    if quick is not None:
        return quick
    seen: dict[str, DirectoryRecord] = {}
    problems = []
    for r in records:
        pid = r.person_id.strip()
        manager = r.manager_id.strip() if r.manager_id else None
        if pid != r.person_id or manager != r.manager_id:
            r = attrs.evolve(r, person_id=pid, manager_id=manager or None)
        if not pid:
            problems.append(f"{_where(r)}: no person id")
            continue
        key = pid.casefold()  # id_key(pid), pid being stripped already
        first = seen.get(key)
        if first is None:
            seen[key] = r
        elif first.person_id == pid:
            problems.append(
                f"{_where(r)}: person id {pid} already given at "
                f"{first.origin or 'an earlier record'}"
            )
        else:
            problems.append(
                f"{_where(r)}: person id {pid} differs only in case from {first.person_id} "
                f"at {first.origin or 'an earlier record'}; ids are compared without case"
            )
    if problems:
        raise SourceError("the directory gives some person ids twice:", problems)
    return seen


def show_loop(loop: Sequence[str]) -> str:
    """``P1 → P2 → P3 → P1``, shortened in the middle for a long loop."""
    if len(loop) <= LOOP_SHOWN:
        shown = list(loop)
    else:
        shown = [*loop[: LOOP_SHOWN - 2], f"… {len(loop) - LOOP_SHOWN + 1} more …", loop[-1]]
    return " → ".join([*shown, loop[0]])


def check_manager_loops(
    managers: Mapping[str, str | None], records: Mapping[str, DirectoryRecord]
) -> None:
    """Refuse the source if the manager links go round in a loop, naming each loop."""
    problems = []
    for loop in reporting_loops(managers):
        where = [records[p].origin for p in loop[:LOOP_SHOWN] if p in records]
        origins = f" ({', '.join(w for w in where if w)})" if any(where) else ""
        if len(loop) == 1:
            problems.append(f"{loop[0]} is their own manager{origins}")
        else:
            problems.append(f"manager loop of {len(loop)}: {show_loop(loop)}{origins}")
    if problems:
        raise SourceError(
            f"the directory's manager links go round in {len(problems)} loop(s); "
            "nothing was changed:",
            problems,
        )
