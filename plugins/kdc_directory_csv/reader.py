"""Read a directory CSV into :class:`DirectoryRecord` values, naming each bad line."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from kdc_core.directory.values import DirectoryRecord, SourceError
from kdc_core.plugin_config import InvalidSetting, build, setting

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


def decode(data: bytes, encoding: str | None) -> str:
    if encoding:
        return data.decode(encoding)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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


def read_csv(path: str | Path, options: CsvOptions | None = None) -> list[DirectoryRecord]:
    """Every record in the file, or :class:`SourceError` listing each bad line and why."""
    options = options or CsvOptions()
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SourceError(f"{file}: cannot read: {exc.strerror or exc}") from None
    try:
        text = decode(raw, options.encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(f"{file}: not {options.encoding}: {exc}") from None
    delimiter = options.delimiter or sniff_delimiter(text)
    separator = options.ward_separator or ("|" if delimiter == ";" else ";")
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise SourceError(f"{file}: the file is empty")
    position = {h.strip(): i for i, h in enumerate(header)}
    index: dict[str, int] = {}
    for field in FIELDS:
        heading = options.heading(field)
        if heading in position:
            index[field] = position[heading]
        elif field in REQUIRED:
            raise SourceError(
                f"{file} line 1: no {heading!r} column (columns: {', '.join(header)})"
            )
    width = len(header)
    records: list[DirectoryRecord] = []
    problems: list[str] = []
    name = file.name
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            problems.append(f"{name} line {line}: {len(row)} fields, the header has {width}")
            continue
        values = {f: row[i].strip() or None for f, i in index.items()}
        missing = [f for f in REQUIRED if not values.get(f)]
        if missing:
            problems.append(f"{name} line {line}: no {', '.join(missing)}")
            continue
        stamp = values.get("updated_at")
        try:
            updated = parse_time(stamp) if stamp else None
        except ValueError:
            problems.append(
                f"{name} line {line}: updated_at {stamp!r} is not an ISO 8601 time with an offset"
            )
            continue
        wards = values.get("wards")
        records.append(
            DirectoryRecord(
                person_id=values["person_id"] or "",
                given_name=values["given_name"] or "",
                family_name=values["family_name"] or "",
                email=values.get("email"),
                phone=values.get("phone"),
                job_title=values.get("job_title"),
                service=values.get("service"),
                directorate=values.get("directorate"),
                manager_id=values.get("manager_id"),
                team=values.get("team"),
                wards=tuple(w.strip() for w in wards.split(separator) if w.strip())
                if wards
                else (),
                location=values.get("location"),
                updated_at=updated,
                origin=f"{name} line {line}",
            )
        )
    if problems:
        raise SourceError(f"{file}: {len(problems)} bad row(s); nothing was changed:", problems)
    return records
