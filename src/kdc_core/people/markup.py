"""Pen portraits: a small, safe subset of Markdown turned into HTML.

Bios are stored as the text people typed. They are rendered with markdown-it-py with raw
HTML switched off (so ``<script>`` comes out as text), then cleaned with nh3 to a short list
of tags and attributes as a second line of defence. Links keep only http, https and mailto
addresses and get ``rel="noopener noreferrer nofollow"``.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

#: What a pen portrait may use.
ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "heading", "lheading", "fence", "code", "hr", "html_block"])
    return md


def render_bio(text: str | None) -> str:
    """Safe HTML for a bio (empty for ``None`` or blank)."""
    if not text or not text.strip():
        return ""
    html = _markdown().render(text)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def bio_text(text: str | None, limit: int = 160) -> str:
    """Plain text for a list cell: the first ``limit`` characters, Markdown left as typed."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
