"""Building feeds and remembering them, so most requests never load an event.

Everything a feed shows moves one number, the calendar version
(:mod:`kdc_core.db.calendar_version`), in the same transaction as the change. A request for a
feed this process has served today reads that number — one small query on a pooled
connection, no ORM, no session — and, if it has not moved since the feed was built, answers
from the cache: its ETag answers a conditional GET with no rendering at all.

When it has moved, the log of what moved it says whether the change reaches this feed: an
event it showed, an event that now belongs in it (:func:`kdc_core.calendar.feeds.touches`,
which loads only the changed events), its owner, its ward or service, an enquiry (for a
councillor's due dates) or a feed address. A feed no change reaches is kept, under the new
version. Otherwise the token is resolved again, the enquiry due-date hook asked, and the feed's
events loaded through the core's rules and joined from cached VEVENT texts: only new or
changed events go through icalendar (:class:`kdc_ical.render.EventRenderer`).

With ``[plugins.ical] recheck_seconds`` above zero, a feed checked against the database is
served again for that long without checking: a worker then asks the database about a feed at
most once per that many seconds, however many calendars poll it. Changes and revoked
addresses from other processes reach its feeds that much later; in this process, a change or
a revocation is seen at once (``kdc_changes_committed`` and
:func:`kdc_core.calendar.feed_tokens.revocations`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import attrs

from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar import feeds as rules
from kdc_core.calendar.concerns import Membership, load_membership
from kdc_core.calendar.events import event_url
from kdc_core.calendar.values import CalendarEvent
from kdc_core.db import calendar_version
from kdc_core.db.engine import read_only
from kdc_core.errors import NotFound
from kdc_core.metrics import FEED_CACHE
from kdc_core.unit_of_work import UnitOfWork
from kdc_ical.feed_cache import RenderedFeed, Seen, Subject, reaches
from kdc_ical.render import LRU, EventRenderer
from kdc_ical.settings import SECTION, FeedSettings

#: Upper bound on the bytes of finished feeds kept in memory (per web app process).
MAX_FEED_BYTES = 64 * 1024 * 1024
#: Upper bound on cached VEVENT texts (a few hundred bytes each).
MAX_EVENTS = 20_000


@attrs.frozen
class FeedContent:
    """What a feed is made of before rendering."""

    name: str
    description: str
    events: Sequence[CalendarEvent]


Builder = Callable[[UnitOfWork, rules.FeedWindow], FeedContent]


class FeedServer:
    """Serves every feed of one :class:`Kdc`, with its caches."""

    def __init__(
        self,
        kdc: Kdc,
        max_feed_bytes: int = MAX_FEED_BYTES,
        max_events: int = MAX_EVENTS,
        recheck_seconds: float = 0.0,
    ) -> None:
        self.kdc = kdc
        self.recheck_seconds = recheck_seconds
        #: request key (a token's digest, or the feed's key) -> what it was last answered with.
        self.checked: LRU[Hashable, Seen] = LRU(8192)
        self.renderer = EventRenderer(max_events)
        self.feeds: LRU[Hashable, RenderedFeed] = LRU(
            4096, max_feed_bytes, size=lambda f: len(f.body)
        )
        self.generation = 0
        self.builds = 0
        #: feeds found current after the calendar version moved (a change elsewhere)
        self.kept = 0
        self._lock = threading.Lock()
        self._reader: Any = None

    def _today(self) -> dt.date:
        return dt.datetime.now(dt.UTC).astimezone(self.kdc.settings.tz).date()

    def _cached(self, request_key: Hashable) -> RenderedFeed | None:
        """The feed last served for ``request_key``, if it is still right: without asking the
        database within ``recheck_seconds``, else after reading the calendar version."""
        seen = self.checked.get(request_key)
        if seen is None or seen.day != self._today():
            return None
        feed = self.feeds.get(seen.key)
        if feed is None:
            return None
        now, local = time.monotonic(), self._versions()
        if seen.local == local and now - seen.at < self.recheck_seconds:
            FEED_CACHE.labels("hit").inc()
            return feed
        current = self._still_current(seen, feed)
        if current is not None:
            self.checked.put(request_key, attrs.evolve(seen, at=now, local=local))
            FEED_CACHE.labels("hit").inc()
        return current

    def _still_current(self, seen: Seen, feed: RenderedFeed) -> RenderedFeed | None:
        if self._reader is None:
            self._reader = read_only(self.kdc.engine)
        with self._reader.connect() as conn:
            version = calendar_version.current(conn)
            if version == feed.version:
                return feed
            since = calendar_version.changes_since(conn, feed.version, version)
            if since is None:
                return None
            reached = reaches(seen.subject, feed, since[1])
            if reached is True:
                return None
            if reached:
                window = rules.FeedWindow.for_day(seen.day, self.kdc.settings.tz)
                subject = seen.subject
                if rules.touches(conn, subject.kind, subject.id, reached, window, self._members):
                    return None
        kept = attrs.evolve(feed, version=since[0])
        self.kept += 1
        self.feeds.put(seen.key, kept)
        return kept

    def _members(self) -> Membership:
        with self.kdc.unit_of_work(source="feed", dry_run=True) as uow:
            return load_membership(uow)

    def _checked_now(
        self,
        request_key: Hashable,
        local: tuple[int, int],
        feed: RenderedFeed,
        key: Hashable,
        subject: Subject,
    ) -> None:
        day = feed.state[0]
        assert isinstance(day, dt.date)
        self.checked.put(request_key, Seen(time.monotonic(), local, day, key, subject))

    def _versions(self) -> tuple[int, int]:
        return (self.generation, feed_tokens.revocations())

    def invalidate(self) -> None:
        """Forget which feeds are current (they are checked again on the next request)."""
        with self._lock:
            self.generation += 1

    # -- the feeds ------------------------------------------------------------------------------

    def councillor(self, token: str) -> RenderedFeed | None:
        return self._private(token, feed_tokens.OwnerKind.COUNCILLOR)

    def officer(self, token: str) -> RenderedFeed | None:
        return self._private(token, feed_tokens.OwnerKind.OFFICER)

    def public(self) -> RenderedFeed:
        council = self.kdc.settings.council_name

        def build(uow: UnitOfWork, window: rules.FeedWindow) -> FeedContent:
            return FeedContent(
                f"{council}: public events",
                f"Public events of {council}.",
                rules.public_feed(uow, window),
            )

        cached = self._cached(("public",))
        if cached is not None:
            return cached
        local = self._versions()
        with self.kdc.unit_of_work(source="feed", dry_run=True) as uow:
            version = calendar_version.current(uow.session)
            feed = self._serve(uow, ("public",), build, version, private=False)
        self._checked_now(("public",), local, feed, ("public",), Subject("public"))
        return feed

    def ward(self, slug: str) -> RenderedFeed | None:
        return self._subject(slug, rules.ward_subject, "ward")

    def service(self, slug: str) -> RenderedFeed | None:
        return self._subject(slug, rules.service_subject, "service")

    # -- how they are made ------------------------------------------------------------------------

    def _private(self, token: str, kind: feed_tokens.OwnerKind) -> RenderedFeed | None:
        council = self.kdc.settings.council_name
        request_key = (kind.value, feed_tokens.hash_token(token))
        cached = self._cached(request_key)
        if cached is not None:
            return cached
        local = self._versions()
        with self.kdc.unit_of_work(source="feed", dry_run=True) as uow:
            version = calendar_version.current(uow.session)
            owner = feed_tokens.resolve(uow, token, kind)
            if owner is None:
                return None

            extras: list[CalendarEvent] = []
            if kind is feed_tokens.OwnerKind.COUNCILLOR:
                window = rules.FeedWindow.today(uow)
                for answer in self.kdc.hook.kdc_councillor_feed_events(
                    councillor_id=owner.id, start=window.start, end=window.end, kdc=self.kdc
                ):
                    extras.extend(answer or ())
            extra_state = tuple((e.uid, e.sequence, e.modified_at, e.start) for e in extras)

            def build(uow: UnitOfWork, window: rules.FeedWindow) -> FeedContent:
                if kind is feed_tokens.OwnerKind.COUNCILLOR:
                    title = f"Cllr {owner.name}"
                    events = rules.councillor_feed(uow, owner.id, window)
                    events = sorted([*events, *extras], key=lambda e: (e.start, e.uid))
                else:
                    title = owner.name
                    events = rules.officer_feed(uow, owner.id, window)
                return FeedContent(
                    f"{title} ({council})",
                    f"Meetings, walkabouts, open days and briefings for {title}. "
                    "Private: do not share this address.",
                    events,
                )

            key = (kind.value, owner.id)
            feed = self._serve(uow, key, build, version, private=True, extra_state=extra_state)
        self._checked_now(request_key, local, feed, key, Subject(kind.value, owner.id))
        return feed

    def _subject(
        self,
        slug: str,
        find: Callable[[UnitOfWork, str], rules.FeedSubject],
        label: str,
    ) -> RenderedFeed | None:
        council = self.kdc.settings.council_name
        request_key = (label, "slug", slug)
        cached = self._cached(request_key)
        if cached is not None:
            return cached
        local = self._versions()
        with self.kdc.unit_of_work(source="feed", dry_run=True) as uow:
            version = calendar_version.current(uow.session)
            try:
                subject = find(uow, slug)
            except NotFound:
                return None
            name = f"{subject.name} ward" if label == "ward" else subject.name

            def build(uow: UnitOfWork, window: rules.FeedWindow) -> FeedContent:
                return FeedContent(
                    f"{name} ({council})",
                    f"Public events of {council} for {name}.",
                    rules.public_feed(uow, window, subject),
                )

            key = (label, subject.id, subject.slug)
            feed = self._serve(uow, key, build, version, private=False)
        self._checked_now(request_key, local, feed, key, Subject(label, subject.id))
        return feed

    def _serve(
        self,
        uow: UnitOfWork,
        key: Hashable,
        build: Builder,
        version: int,
        *,
        private: bool,
        extra_state: tuple[object, ...] = (),
    ) -> RenderedFeed:
        window = rules.FeedWindow.today(uow)
        state = (window.day, extra_state)
        cached = self.feeds.get(key)
        if cached is not None and cached.state == state and cached.version == version:
            FEED_CACHE.labels("hit").inc()
            return cached
        FEED_CACHE.labels("miss").inc()
        content = build(uow, window)
        text = self.renderer.calendar(
            content.name,
            content.events,
            lambda e: event_url(uow, e),
            content.description,
        )
        body = text.encode("utf-8")
        etag = hashlib.sha256(body).hexdigest()[:40]
        latest = max((e.modified_at for e in content.events if e.modified_at), default=None)
        if cached is None:
            last_modified = latest
        elif cached.etag == etag:
            last_modified = cached.last_modified
        else:
            # The content changed since we last built it (maybe only the window moved).
            last_modified = dt.datetime.now(dt.UTC)
        feed = RenderedFeed(
            state,
            etag,
            last_modified,
            body,
            len(content.events),
            private,
            version,
            frozenset(e.id for e in content.events),
        )
        self.builds += 1
        self.feeds.put(key, feed)
        return feed


_SERVERS: weakref.WeakKeyDictionary[Kdc, FeedServer] = weakref.WeakKeyDictionary()
_SERVERS_LOCK = threading.Lock()


def feed_server(kdc: Kdc) -> FeedServer:
    """The one :class:`FeedServer` of this application object."""
    with _SERVERS_LOCK:
        server = _SERVERS.get(kdc)
        if server is None:
            settings = kdc.settings.plugin_config(SECTION, into=FeedSettings)
            server = _SERVERS[kdc] = FeedServer(kdc, recheck_seconds=settings.recheck_seconds)
        return server


def existing_feed_server(kdc: Kdc) -> FeedServer | None:
    with _SERVERS_LOCK:
        return _SERVERS.get(kdc)
