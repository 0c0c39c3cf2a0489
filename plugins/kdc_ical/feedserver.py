"""Building feeds and remembering them, so most requests never load an event.

Per request: one short transaction resolves the token (private feeds), reads today's window
and the calendar fingerprint (one query of aggregates, see
:func:`kdc_core.calendar.feeds.calendar_fingerprint`). If the cached feed was built on the same
day from the same fingerprint, it is returned as it is — its ETag answers a conditional GET
with no rendering at all. Otherwise the feed's events are loaded through the core's rules and
joined from cached VEVENT texts; only new or changed events go through icalendar.

In-process changes (admin edits) also invalidate the cache at once, through
``kdc_changes_committed``; changes made by other processes are seen through the fingerprint.

With ``[plugins.ical] recheck_seconds`` above zero, a feed checked against the database is
served again for that long without checking: a worker then asks the database about a feed at
most once per that many seconds, however many calendars poll it. Changes and revoked
addresses from other processes reach its feeds that much later; in this process, a change or
a revocation is seen at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Sequence

import attrs

from kdc_core.app import Kdc
from kdc_core.calendar import feed_tokens
from kdc_core.calendar import feeds as rules
from kdc_core.calendar.events import event_url
from kdc_core.calendar.values import CalendarEvent
from kdc_core.errors import NotFound
from kdc_core.metrics import FEED_CACHE
from kdc_core.plugin_config import setting
from kdc_core.unit_of_work import UnitOfWork
from kdc_ical.render import LRU, EventRenderer

#: Upper bound on the bytes of finished feeds kept in memory (per web app process).
MAX_FEED_BYTES = 64 * 1024 * 1024
#: Upper bound on cached VEVENT texts (a few hundred bytes each).
MAX_EVENTS = 20_000


#: The ``[plugins.NAME]`` section this plugin reads.
SECTION = "ical"


@attrs.frozen
class FeedSettings:
    """The ``[plugins.ical]`` section of kdc.toml.

    :ivar recheck_seconds: how long a feed, once checked against the database, is served
        again without checking (0, the default: check on every request). A deployment with
        many subscribers and several workers sets 1 to 5; changes made through another
        worker, and revoked addresses, then take that long to reach this worker's feeds.
    """

    recheck_seconds: float = setting(
        0.0, expect="a number of seconds from 0 to 60", check=lambda s: 0 <= s <= 60
    )


@attrs.frozen
class RenderedFeed:
    """A finished feed: its body and what conditional GETs are checked against."""

    state: tuple[object, ...]
    etag: str
    last_modified: dt.datetime | None
    body: bytes = attrs.field(repr=False)
    events: int
    private: bool


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
        #: request key (a token's digest, or the feed's key) -> (when checked, generation and
        #: revocations then, the feed's cache key).
        self.checked: LRU[Hashable, tuple[float, tuple[int, int], Hashable]] = LRU(8192)
        self.renderer = EventRenderer(max_events)
        self.feeds: LRU[Hashable, RenderedFeed] = LRU(
            4096, max_feed_bytes, size=lambda f: len(f.body)
        )
        self.generation = 0
        self.builds = 0
        self._lock = threading.Lock()

    def _fresh(self, request_key: Hashable) -> RenderedFeed | None:
        """The feed checked for ``request_key`` within the last ``recheck_seconds``, if
        nothing in this process has changed since."""
        if self.recheck_seconds <= 0:
            return None
        seen = self.checked.get(request_key)
        if seen is None:
            return None
        when, versions, key = seen
        if versions != self._versions() or time.monotonic() - when >= self.recheck_seconds:
            return None
        feed = self.feeds.get(key)
        if feed is not None:
            FEED_CACHE.labels("hit").inc()
        return feed

    def _checked_now(self, request_key: Hashable, versions: tuple[int, int], key: Hashable) -> None:
        if self.recheck_seconds > 0:
            self.checked.put(request_key, (time.monotonic(), versions, key))

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

        fresh = self._fresh(("public",))
        if fresh is not None:
            return fresh
        versions = self._versions()
        with self.kdc.unit_of_work(source="feed", dry_run=True) as uow:
            feed = self._serve(uow, ("public",), build, private=False)
        self._checked_now(("public",), versions, ("public",))
        return feed

    def ward(self, slug: str) -> RenderedFeed | None:
        return self._subject(slug, rules.ward_subject, "ward")

    def service(self, slug: str) -> RenderedFeed | None:
        return self._subject(slug, rules.service_subject, "service")

    # -- how they are made ------------------------------------------------------------------------

    def _private(self, token: str, kind: feed_tokens.OwnerKind) -> RenderedFeed | None:
        council = self.kdc.settings.council_name
        request_key = (kind.value, feed_tokens.hash_token(token))
        fresh = self._fresh(request_key)
        if fresh is not None:
            return fresh
        versions = self._versions()
        with self.kdc.unit_of_work(source="feed", dry_run=True) as uow:
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

            feed = self._serve(
                uow, (kind.value, owner.id), build, private=True, extra_state=extra_state
            )
        self._checked_now(request_key, versions, (kind.value, owner.id))
        return feed

    def _subject(
        self,
        slug: str,
        find: Callable[[UnitOfWork, str], rules.FeedSubject],
        label: str,
    ) -> RenderedFeed | None:
        council = self.kdc.settings.council_name
        request_key = (label, "slug", slug)
        fresh = self._fresh(request_key)
        if fresh is not None:
            return fresh
        versions = self._versions()
        with self.kdc.unit_of_work(source="feed", dry_run=True) as uow:
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
            feed = self._serve(uow, key, build, private=False)
        self._checked_now(request_key, versions, key)
        return feed

    def _serve(
        self,
        uow: UnitOfWork,
        key: Hashable,
        build: Builder,
        *,
        private: bool,
        extra_state: tuple[object, ...] = (),
    ) -> RenderedFeed:
        window = rules.FeedWindow.today(uow)
        state = (window.day, rules.calendar_fingerprint(uow), self.generation, extra_state)
        cached = self.feeds.get(key)
        if cached is not None and cached.state == state:
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
        feed = RenderedFeed(state, etag, last_modified, body, len(content.events), private)
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
