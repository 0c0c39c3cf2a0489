"""Recognise a photo by its first bytes: JPEG, PNG, GIF or WebP, and its size in pixels.

Only these four raster formats are accepted for councillors' photos. A file is judged by its
magic bytes, never by the name or the ``Content-Type`` a server sent, so an HTML page or an
SVG (which can carry script) served as ``image/jpeg`` is refused. The width and height come
from the format's header, so a page can give an ``<img>`` its size before the image loads.
"""

from __future__ import annotations

import struct

import attrs

#: Larger sides than this are refused: no portrait needs them, and they hint at a bad file.
MAX_SIDE = 10_000


class NotAnImage(ValueError):
    """The bytes are not a JPEG, PNG, GIF or WebP image whose size can be read."""


@attrs.frozen
class ImageInfo:
    """What :func:`sniff` found.

    :ivar kind: ``jpeg``, ``png``, ``gif`` or ``webp``.
    :ivar extension: the file name extension to store it under (``jpg`` for JPEG).
    """

    kind: str
    content_type: str
    extension: str
    width: int
    height: int


_TYPES = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
}

#: JPEG start-of-frame markers (those that carry the image's size).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
#: JPEG markers with no length after them.
_STANDALONE = {0x01, *range(0xD0, 0xD9)}


def _png(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise NotAnImage("a PNG without its header chunk")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _gif(data: bytes) -> tuple[int, int]:
    if len(data) < 10:
        raise NotAnImage("a GIF cut short")
    width, height = struct.unpack("<HH", data[6:10])
    return int(width), int(height)


def _jpeg(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise NotAnImage("a JPEG whose markers are out of step")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        if marker == 0xD9:  # end of image before any frame
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF:
            if i + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        if length < 2:
            raise NotAnImage("a JPEG with a segment of impossible length")
        i += 2 + length
    raise NotAnImage("a JPEG without a frame header")


def _webp(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width) & 0x3FFF, int(height) & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise NotAnImage("a WebP whose size cannot be read")


def kind_of(data: bytes) -> str | None:
    """``jpeg``, ``png``, ``gif`` or ``webp`` from the magic bytes, else ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def sniff(data: bytes) -> ImageInfo:
    """The format and size of an image.

    :raises NotAnImage: the bytes are not one of the four formats, or their header is
        damaged, or a side is zero or larger than :data:`MAX_SIDE`.
    """
    kind = kind_of(data)
    if kind is None:
        raise NotAnImage("not a JPEG, PNG, GIF or WebP image")
    reader = {"jpeg": _jpeg, "png": _png, "gif": _gif, "webp": _webp}[kind]
    width, height = reader(data)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise NotAnImage(f"an image of {width}×{height} pixels")
    content_type, extension = _TYPES[kind]
    return ImageInfo(kind, content_type, extension, width, height)


#: The content type to serve a stored file with, by its extension.
CONTENT_TYPES = {extension: content_type for content_type, extension in _TYPES.values()}
