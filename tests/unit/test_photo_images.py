"""Councillors' photos are recognised by their first bytes, never by what a server claims."""

from __future__ import annotations

import pytest

from kdc_core.people.images import NotAnImage, sniff
from photo_samples import gif, jpeg, png_image, webp_lossless, webp_lossy, webp_vp8x


@pytest.mark.parametrize(
    ("data", "kind", "content_type", "size"),
    [
        (jpeg(16, 24), "jpeg", "image/jpeg", (16, 24)),
        (png_image(3, 4), "png", "image/png", (3, 4)),
        (gif(5, 7), "gif", "image/gif", (5, 7)),
        (webp_vp8x(300, 400), "webp", "image/webp", (300, 400)),
        (webp_lossless(33, 17), "webp", "image/webp", (33, 17)),
        (webp_lossy(64, 48), "webp", "image/webp", (64, 48)),
    ],
    ids=["jpeg", "png", "gif", "webp-extended", "webp-lossless", "webp-lossy"],
)
def test_each_accepted_format_is_recognised_with_its_size(data, kind, content_type, size):
    info = sniff(data)
    assert (info.kind, info.content_type, (info.width, info.height)) == (kind, content_type, size)


@pytest.mark.parametrize(
    "data",
    [
        b"<!doctype html><html><body>Not found</body></html>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        b"",
        b"BM\x00\x00",  # a BMP: an image, but not one of the four formats
        jpeg()[:20],  # a JPEG cut off before its frame header
        png_image()[:20],  # a PNG cut off inside its header
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 13,  # zero by zero
        gif(20_000, 10),  # wider than any portrait
    ],
    ids=["html", "svg-xml", "svg", "empty", "bmp", "short-jpeg", "short-png", "zero", "huge"],
)
def test_anything_else_is_refused(data):
    with pytest.raises(NotAnImage):
        sniff(data)
