"""Read a directory CSV into :class:`DirectoryRecord` values, naming each bad line."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import itertools
import operator
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from kdc_core.directory.checks import FORBIDDEN
from kdc_core.directory.values import CharactersChecked, DirectoryRecord, SourceError
from kdc_core.plugin_config import InvalidSetting, build, setting
from kdc_directory_csv.scan import scan_bytes

FIELDS: tuple[str, ...] = (
    "person_id",
    "given_name",
    "family_name",
    "email",
    "phone",
    "job_title",
    "service",
    "directorate",
    "manager_id",
    "team",
    "wards",
    "location",
    "updated_at",
)
REQUIRED = ("person_id", "given_name", "family_name")


def _one_character(value: str) -> bool:
    return len(value) == 1


def _known_encoding(value: str) -> str | None:
    try:
        "".encode(value)
    except LookupError:
        return "is not a known encoding"
    return None


def _known_fields(columns: Mapping[str, str]) -> None:
    bad = sorted(set(columns) - set(FIELDS))
    if bad:
        raise InvalidSetting(f"is not a directory field (fields: {', '.join(FIELDS)})", bad[0])


@attrs.frozen
class CsvOptions:
    """How to read the file: encoding, delimiter and which heading holds which field.

    The ``[plugins.directory_csv]`` section, read with ``settings.plugin_config``.
    """

    encoding: str | None = setting(None, check=_known_encoding)
    delimiter: str | None = setting(None, expect="one character", check=_one_character)
    ward_separator: str | None = setting(None, expect="one character", check=_one_character)
    columns: Mapping[str, str] = setting(factory=dict, check=_known_fields)

    def heading(self, field: str) -> str:
        return self.columns.get(field, field)


def options_from_config(section: Mapping[str, Any]) -> CsvOptions:
    """A ``[plugins.directory_csv]`` table (already read) as :class:`CsvOptions`."""
    return build(CsvOptions, section, "plugins.directory_csv")


#: The longest field read (no directory field comes near it); past it the record is refused.
FIELD_LIMIT = 10_000
#: The longest physical line read, in characters; past it the file is refused.
LINE_LIMIT = 1_000_000
#: Bytes read at a time when checking the encoding.
CHUNK = 1 << 16


def sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def parse_time(value: str) -> dt.datetime:
    """ISO 8601 with an offset; a time without one is refused (it would be a guess)."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("updated_at has no UTC offset")
    return parsed


def _line_breaks(data: bytes) -> int:
    """Line breaks in ``data`` as a text reader counts them: LF, CR LF and a lone CR."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def file_encoding(file: Path, encoding: str | None) -> str:
    """The encoding to read ``file`` in, checked over the whole file a chunk at a time.

    The given encoding must decode every byte (else :class:`SourceError` naming the line);
    without one, UTF-8 (with or without BOM) if it decodes, else cp1252.
    """
    wanted = encoding or "utf-8-sig"
    decoder = codecs.getincrementaldecoder(wanted)()
    offset = 0  # bytes decoded before the current chunk
    try:
        with file.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    if encoding is None:
                        return "cp1252"
                    at = _line_at(file, offset + max(exc.start, 0))
                    raise SourceError(
                        f"{file} line {at}: not {encoding} ({exc.reason} at byte "
                        f"{exc.object[exc.start : exc.start + 1]!r})"
                    ) from None
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        if encoding is None:
            return "cp1252"
        raise SourceError(
            f"{file} line {_line_at(file, offset)}: not {encoding} (the file ends mid-character)"
        ) from None
    except OSError as exc:
        raise SourceError(f"{file}: cannot read: {exc.strerror or exc}") from None
    return wanted


def _line_at(file: Path, position: int) -> int:
    """The line (from 1) the byte at ``position`` is on, as a text reader counts lines; read
    again from the start only when a fault is to be named, so a good file is not counted."""
    line, carried_cr, left = 1, False, position
    with file.open("rb") as stream:
        while left > 0 and (chunk := stream.read(min(CHUNK, left))):
            line += _line_breaks(chunk) - (carried_cr and chunk.startswith(b"\n"))
            carried_cr = chunk.endswith(b"\r")
            left -= len(chunk)
    return line


class _LongLine(Exception):
    def __init__(self, line: int) -> None:
        self.line = line


def _bounded_lines(stream: TextIO) -> Iterator[str]:
    """The physical lines of ``stream``, each read with a bound, so one enormous line is
    refused after ``LINE_LIMIT`` characters instead of being read whole."""
    number = 0
    while line := stream.readline(LINE_LIMIT + 1):
        number += 1
        if len(line) > LINE_LIMIT:
            raise _LongLine(number)
        yield line


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """The csv module's field limit (one setting for the whole process) for one read."""
    before = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(before)


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return (
            f"a field runs past {FIELD_LIMIT:,} characters; no directory field is that long "
            "(a quote opened and never closed?)"
        )
    if "unexpected end of data" in text:
        return "a quoted field is never closed: the file ends inside it"
    if "expected after" in text:
        return (
            "text follows a closing quote (a stray quote?); a quote inside a quoted field "
            'is written twice ("")'
        )
    if "new-line character" in text:
        return "a line break inside a field that is not quoted"
    return f"not valid CSV: {text}"


def _printable(text: str, limit: int = 60) -> str:
    """``text`` safe to print to a terminal: control characters escaped, long text cut."""
    shown = FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _spreadsheet_column(index: int) -> str:
    """``0 -> "A"``, ``26 -> "AA"``: the column's letters as a spreadsheet shows them."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def heading_key(heading: str) -> str:
    """How headings are compared: surrounding spaces (and a stray BOM) dropped, case folded."""
    return heading.strip().lstrip("\ufeff").strip().casefold()


def header_positions(file: Path, header: Sequence[str]) -> dict[str, int]:
    """Each heading's column, by :func:`heading_key`; two columns with the same heading (in
    any mix of case and spaces) are refused, since one would silently win over the other.
    Empty headings (the trailing commas of a spreadsheet export) are never read."""
    columns: dict[str, list[int]] = {}
    for i, heading in enumerate(header):
        key = heading_key(heading)
        if key:
            columns.setdefault(key, []).append(i)
    problems = [
        f"the heading {header[where[0]].strip()!r} is given "
        f"{'twice' if len(where) == 2 else f'{len(where)} times'}: "
        + ", ".join(f"column {i + 1} ({_spreadsheet_column(i)}) {header[i]!r}" for i in where)
        for where in columns.values()
        if len(where) > 1
    ]
    if problems:
        raise SourceError(
            f"{file} line 1: duplicate column headings; nothing was changed:", problems
        )
    return {key: where[0] for key, where in columns.items()}


def read_csv(path: str | Path, options: CsvOptions | None = None) -> list[DirectoryRecord]:
    """Every record in the file, or :class:`SourceError` listing each bad line and why.

    The file is read a line at a time with bounded lines and fields, so a stray quote or a
    file of one enormous field is refused naming the line where the record starts, without
    reading it whole. A structural fault (a broken quote, an oversized field) stops the read
    there; faults in single records are all collected first.
    """
    options = options or CsvOptions()
    file = Path(path)
    encoding = file_encoding(file, options.encoding)
    errors = "replace" if encoding == "cp1252" and not options.encoding else "strict"
    with (
        _field_limit(FIELD_LIMIT),
        file.open(encoding=encoding, errors=errors, newline="") as stream,
    ):
        # The bound costs a Python step per line; a file whose lines are all short enough
        # in bytes (so in characters too) is read straight from the stream instead.
        scan = scan_bytes(file, encoding, LINE_LIMIT)
        lines = stream if scan.short else _bounded_lines(stream)
        try:
            records, one_line_each, longest = _read_rows(file, lines, options)
        except _LongLine as exc:
            raise SourceError(
                f"{file} line {exc.line}: the line runs past {LINE_LIMIT:,} characters; "
                "no directory record is that long (a quote opened and never closed, or not "
                "a CSV file?)"
            ) from None
    # A file with no control character in it gives fields with none, unless a quoted field
    # ran over a line break (a record read from more than one line): then every field is
    # searched by the sync as usual.
    if scan.plain and one_line_each:
        return CharactersChecked(records, longest)
    return records


def _ward_names(cell: str, separator: str, known: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The ward names in a wards cell, noted in ``known`` (most cells repeat a few values)."""
    names = known[cell] = tuple(w.strip() for w in cell.split(separator) if w.strip())
    return names


def _read_rows(
    file: Path, lines: Iterator[str] | TextIO, options: CsvOptions
) -> tuple[list[DirectoryRecord], bool, dict[str, int]]:
    """The records, whether each row (the header too) was read from one line, and the length
    of each text field's longest value (the lengths are noted with one C call per row, while
    the row's values are at hand; measuring the records afterwards cost several times more)."""
    sample = list(itertools.islice(lines, 20))
    delimiter = options.delimiter or sniff_delimiter("".join(sample)[:CHUNK])
    separator = options.ward_separator or ("|" if delimiter == ";" else ";")
    reader = csv.reader(itertools.chain(sample, lines), delimiter=delimiter, strict=True)
    name = file.name
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise SourceError(f"{file} line 1: {_csv_problem(exc)}") from None
    if header is None:
        raise SourceError(f"{file}: the file is empty")
    position = header_positions(file, header)
    index: dict[str, int] = {}
    for field in FIELDS:
        heading = options.heading(field)
        if heading_key(heading) in position:
            index[field] = position[heading_key(heading)]
        elif field in REQUIRED:
            shown = ", ".join(_printable(h) for h in header[:40])
            raise SourceError(f"{file} line 1: no {heading!r} column (columns: {shown})")
    width = len(header)
    records: list[DirectoryRecord] = []
    problems: list[str] = []
    # Every field's cell picked in one C call per row, in FIELDS order; a field the file has
    # no column for reads the empty cell added past the end of each row.
    pick = operator.itemgetter(*(index.get(f, width) for f in FIELDS))
    times: dict[str, dt.datetime] = {}
    ward_lists: dict[str, tuple[str, ...]] = {}  # a wards cell as read -> its ward names
    lengths: list[int] = []  # each row's fields' lengths, one row after another
    rows = 1  # the header's
    while True:
        line = reader.line_num + 1  # the physical line the next record starts on
        try:
            row = next(reader, None)
        except csv.Error as exc:
            problems.append(f"{name} line {line}: {_csv_problem(exc)}")
            break
        if row is None:
            break
        rows += 1
        # A blank row (no text in any cell) is skipped; it is looked for only in rows that
        # would otherwise be refused, which a row with a person id and a name is not.
        if len(row) != width:
            if "".join(row).strip():
                problems.append(f"{name} line {line}: {len(row)} fields, the header has {width}")
            continue
        row.append("")
        cells = tuple(map(str.strip, pick(row)))
        lengths += map(len, cells)
        (pid, given, family, email, phone, title, service, directorate, manager, team, wards,
         location, stamp) = cells  # fmt: skip
        if not (pid and given and family):
            if "".join(row).strip():
                missing = [f for f, v in zip(REQUIRED, (pid, given, family), strict=True) if not v]
                problems.append(f"{name} line {line}: no {', '.join(missing)}")
            continue
        updated = None
        if stamp:
            updated = times.get(stamp)
            if updated is None:
                try:
                    updated = times[stamp] = parse_time(stamp)
                except ValueError:
                    problems.append(
                        f"{name} line {line}: updated_at {stamp!r} is not an ISO 8601 time "
                        "with an offset"
                    )
                    continue
        records.append(
            DirectoryRecord(  # by position, in the class's order (quicker than by name)
                pid,
                given,
                family,
                email or None,
                phone or None,
                title or None,
                service or None,
                directorate or None,
                manager or None,
                team or None,
                (ward_lists.get(wards) or _ward_names(wards, separator, ward_lists))
                if wards
                else (),
                location or None,
                updated,
                f"{name} line {line}",
            )
        )
    if problems:
        raise SourceError(f"{file}: {len(problems)} bad row(s); nothing was changed:", problems)
    per_row = len(FIELDS)
    longest = {
        f: max(lengths[i::per_row], default=0)
        for i, f in enumerate(FIELDS)
        if f not in ("wards", "updated_at")
    }
    return records, reader.line_num == rows, longest
