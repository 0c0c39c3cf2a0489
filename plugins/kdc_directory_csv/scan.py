"""One pass over a CSV file's bytes before it is read as CSV: are its lines short enough to
read without a bound on each, and does it hold no control character at all (so that no field
read from it needs searching for one)?"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import attrs

#: Encodings in which a line feed is the byte 0x0A and never part of another character.
_ASCII_LINE_FEEDS = frozenset({"utf-8", "utf-8-sig", "cp1252", "iso8859-1", "iso8859-15", "ascii"})

#: Bytes that are never a control character of their own in an encoding named here, by
#: encoding: below 0x80 the C0 controls (tab included; line feed and carriage return are
#: allowed, as line breaks) and DEL are their own bytes; ASCII has nothing above 0x7F; cp1252
#: has no C1 controls (0x80–0x9F are letters and signs); UTF-8 refuses surrogates and writes
#: the C1 controls as 0xC2 0x80–0x9F, looked for apart (:data:`_C1_UTF8`).
_PLAIN_LOW = bytes(b for b in range(0x80) if (b >= 0x20 and b != 0x7F) or b in b"\n\r")
_PLAIN_BYTES = {
    "ascii": _PLAIN_LOW,
    "cp1252": _PLAIN_LOW + bytes(range(0x80, 0x100)),
    "utf-8": _PLAIN_LOW + bytes(range(0x80, 0x100)),
    "utf-8-sig": _PLAIN_LOW + bytes(range(0x80, 0x100)),
}
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")


@attrs.frozen
class Scan:
    """What one pass over the file's bytes tells before it is read as CSV.

    :ivar short: every line (split at line feeds) is at most ``line_limit`` bytes, which
        bounds its characters too.
    :ivar plain: no byte of the file is a control character other than line breaks (no tab
        either) — so no field read from it holds one unless a field spans lines.
    """

    short: bool
    plain: bool


def scan_bytes(file: Path, encoding: str, line_limit: int) -> Scan:
    """Read ``file``'s bytes once for :class:`Scan`; both ``False`` for encodings this
    cannot tell for."""
    name = codecs.lookup(encoding).name
    if name not in _ASCII_LINE_FEEDS:
        return Scan(short=False, plain=False)
    plain_bytes = _PLAIN_BYTES.get(name)
    short, plain = True, plain_bytes is not None
    carried, last = 0, b""
    with file.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            if short:
                parts = chunk.split(b"\n")
                if carried + len(parts[0]) > line_limit or (
                    len(parts) > 1 and max(map(len, parts[1:])) > line_limit
                ):
                    short = False
                carried = (carried if len(parts) == 1 else 0) + len(parts[-1])
            if plain and plain_bytes is not None:
                # Deleting every plain byte leaves nothing (one C call over the chunk); the
                # last byte before the chunk is searched with it for a C1 control split
                # across chunks.
                plain = not chunk.translate(None, plain_bytes) and not (
                    name.startswith("utf-8")
                    and b"\xc2" in last + chunk
                    and _C1_UTF8.search(last + chunk)
                )
            last = chunk[-1:]
            if not short and not plain:
                break
    return Scan(short=short, plain=plain)
