"""Portraits for the demo councillors: plain head-and-shoulders silhouettes, drawn here.

The demo councillors' ``photo_url`` addresses point at a ModernGov host that does not exist,
so :func:`seed_photos` draws each of them a small PNG (no text, a coloured background) and
puts it in the photo store as a photo kept by hand for that address: the
``councillor_photos`` job then leaves it alone rather than trying the host. The PNG is
written with ``zlib`` and ``struct`` alone, one row at a time from a few spans of colour, so
all 60-odd portraits take a few milliseconds.
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import TYPE_CHECKING

from sqlalchemy import select

from kdc_core.db.people import CouncillorRow
from kdc_core.people.photos import LOCAL, PhotoStore

if TYPE_CHECKING:
    from kdc_core.app import Kdc

WIDTH, HEIGHT = 240, 300

#: Background and figure colours (RGB), light figures on dark grounds and the reverse.
_PALETTE = (
    ((0x1D, 0x70, 0xB8), (0xD2, 0xE2, 0xF1)),
    ((0x00, 0x70, 0x3C), (0xCC, 0xE2, 0xD8)),
    ((0x4C, 0x2C, 0x92), (0xDB, 0xD5, 0xE9)),
    ((0xD4, 0x35, 0x1C), (0xF6, 0xD7, 0xD2)),
    ((0x50, 0x5A, 0x5F), (0xE5, 0xE6, 0xE7)),
    ((0xF3, 0xF2, 0xF1), (0x50, 0x5A, 0x5F)),
    ((0xFF, 0xDD, 0x00), (0x0B, 0x0C, 0x0C)),
    ((0x28, 0xA1, 0x97), (0x0B, 0x0C, 0x0C)),
)


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG from ``rows`` (each ``3 * width`` bytes, no filter byte)."""
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )


def _span(centre: float, half: float) -> tuple[int, int]:
    return max(0, round(centre - half)), min(WIDTH, round(centre + half))


def portrait(variant: int) -> bytes:
    """A head-and-shoulders silhouette PNG; ``variant`` picks the colours and the build."""
    ground, figure = (bytes(c) for c in _PALETTE[variant % len(_PALETTE)])
    head_r = 48 + (variant // len(_PALETTE)) % 4 * 3
    head_y, cx = 120.0, WIDTH / 2
    body_top, body_rx = 186.0, 100 + variant % 3 * 8
    rows = []
    for y in range(HEIGHT):
        spans = []
        if abs(y - head_y) < head_r:
            spans.append(_span(cx, math.sqrt(head_r**2 - (y - head_y) ** 2)))
        if y >= body_top:
            # The top half of an ellipse: the shoulders, running off the bottom edge.
            depth = min(1.0, (y - body_top) / 70)
            spans.append(_span(cx, body_rx * math.sqrt(1 - (1 - depth) ** 2)))
        if head_y + head_r - 4 <= y < body_top + 20:
            spans.append(_span(cx, head_r * 0.45))  # the neck
        left, right = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else (0, 0)
        rows.append(ground * left + figure * (right - left) + ground * (WIDTH - right))
    return png(WIDTH, HEIGHT, rows)


def seed_photos(kdc: Kdc) -> int:
    """Put a drawn portrait in the photo store for every demo councillor with a
    ``photo_url``; returns how many images were written (0 when all were there already)."""
    with kdc.unit_of_work(source="demo", dry_run=True) as uow:
        rows = uow.session.execute(
            select(CouncillorRow.id, CouncillorRow.photo_url).where(
                CouncillorRow.photo_url.is_not(None)
            )
        ).all()
    store = PhotoStore.of(kdc.settings)
    drawn: dict[int, bytes] = {}
    written = 0
    for councillor_id, url in rows:
        variant = councillor_id % 32
        if variant not in drawn:
            drawn[variant] = portrait(variant)
        written += store.put(
            councillor_id, drawn[variant], source=(url or "").strip(), origin=LOCAL
        )
    return written
