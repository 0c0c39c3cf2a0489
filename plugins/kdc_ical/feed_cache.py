"""What the feed server keeps about each feed it has served: the finished feed, whose it is
and when it was last checked, and whether a logged change reaches it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Sequence

import attrs

from kdc_core.db.calendar_version import Note


@attrs.frozen
class RenderedFeed:
    """A finished feed: its body and what conditional GETs are checked against.

    :ivar state: the day it was built for and the enquiry due dates it holds.
    :ivar version: the calendar version it was built (or last found current) at.
    :ivar event_ids: the events it shows.
    """

    state: tuple[object, ...]
    etag: str
    last_modified: dt.datetime | None
    body: bytes = attrs.field(repr=False)
    events: int
    private: bool
    version: int = 0
    event_ids: frozenset[int] = attrs.field(default=frozenset(), repr=False)


@attrs.frozen
class Subject:
    """Whose feed: ``kind`` is councillor, officer, public, ward or service."""

    kind: str
    id: int | None = None


@attrs.frozen
class Seen:
    """What a request key was last answered with, and when."""

    at: float
    local: tuple[int, int]
    day: dt.date
    key: Hashable
    subject: Subject


def reaches(subject: Subject, feed: RenderedFeed, notes: Sequence[Note]) -> bool | set[int]:
    """Whether changes reach a feed: ``True`` (rebuild it), or the ids of changed events it
    did not show, which reach it only if they now belong in it (an empty set: nothing does)."""
    events: set[int] = set()
    for kind, ref in notes:
        if kind == "event":
            if ref is None or ref in feed.event_ids:
                return True
            events.add(ref)
        elif kind == "all":
            return True
        elif kind == "token":
            if feed.private:
                return True
        elif kind == "enquiry":
            if subject.kind == "councillor":
                return True
        elif kind == subject.kind and (
            kind in ("ward", "service") or ref is None or ref == subject.id
        ):
            # Any ward or service change may move a slug; an officer's or a councillor's
            # change reaches their own feed (a councillor's roles decide their meetings).
            return True
    return events
