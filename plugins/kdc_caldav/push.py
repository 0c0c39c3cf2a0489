"""Pushing councillors' events to CalDAV calendars, writing only what changed.

For each councillor: read what the feed rules say they should see (the same window as the
feeds: 90 days back to 18 months ahead), read the calendar's current objects (one REPORT),
and compare. Each object kdc writes carries ``X-KDC-PUSH-HASH``, a digest of the event text
it was written from, so:

- an event missing from the server is created (``PUT`` with ``If-None-Match: *``);
- an event whose text changed is replaced (``PUT`` with ``If-Match``), with kdc's own
  SEQUENCE (the text is PUT as it is, so no library bumps SEQUENCE behind our back);
- an object kdc wrote whose event is cancelled, deleted, or no longer concerns the
  councillor is removed (``DELETE``); objects kdc did not write are left alone, and so are
  kdc's objects for past events that have left the window;
- everything else is untouched: a run with nothing new sends no writes at all.

The server is the record of what was pushed, so a calendar emptied by hand is refilled on
the next run. Writes are independent HTTP requests, not a transaction: after a failure,
run the push again and it finishes the job.
"""

from __future__ import annotations

import hashlib
import logging
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import attrs

from kdc_caldav.config import CaldavConfig
from kdc_core.app import Kdc
from kdc_core.calendar import feeds as rules
from kdc_core.calendar.concerns import events_for_councillor, load_membership
from kdc_core.calendar.events import event_url
from kdc_core.errors import KdcError
from kdc_core.people.values import Councillor
from kdc_ical.render import EventRenderer, calendar_header, timezones_for

log = logging.getLogger(__name__)

HASH_PROPERTY = "X-KDC-PUSH-HASH"
WRITE_METHODS = frozenset({"PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH", "POST"})


class PushFailed(KdcError):
    """The CalDAV server refused or could not be reached; names the calendar."""


@attrs.frozen
class Resource:
    """One event as the text to PUT, with the digest that marks it as kdc's."""

    uid: str
    digest: str
    text: str = attrs.field(repr=False)


@attrs.frozen
class CalendarPlan:
    """What one councillor's calendar should hold."""

    councillor_id: int
    name: str
    calendar_url: str
    wanted: tuple[Resource, ...]
    live_uids: frozenset[str]


@attrs.frozen
class PushOutcome:
    """What a push did (or, in a dry run, would do) to one calendar."""

    name: str
    calendar_url: str
    created: int
    updated: int
    deleted: int
    unchanged: int
    calendar_created: bool
    writes: int
    dry_run: bool


def _resource(renderer: EventRenderer, event: Any, url: str) -> Resource:
    vevent = renderer.vevent(event, url)
    digest = hashlib.sha256(vevent.encode("utf-8")).hexdigest()[:32]
    marked = vevent.removesuffix("END:VEVENT\r\n") + f"{HASH_PROPERTY}:{digest}\r\nEND:VEVENT\r\n"
    text = calendar_header(None) + timezones_for([event]) + marked + "END:VCALENDAR\r\n"
    return Resource(event.uid, digest, text)


def plan(kdc: Kdc, config: CaldavConfig, councillor: str | None = None) -> list[CalendarPlan]:
    """Read, in one read-only transaction, what every (or one) councillor's calendar should hold.

    :raises NotFound: ``councillor`` names nobody, or the config maps a name nobody has.
    """
    renderer = EventRenderer()
    with kdc.unit_of_work(source="caldav", dry_run=True) as uow:
        people: Sequence[Councillor] = (
            [uow.people.find_councillor(councillor)] if councillor else uow.people.councillors()
        )
        for mapped in config.calendars:
            uow.people.find_councillor(mapped)
        window = rules.FeedWindow.today(uow)
        membership = load_membership(uow)
        plans = []
        for person in people:
            assert person.id is not None
            every = events_for_councillor(uow, person.id, membership=membership)
            live = [e for e in every if not e.cancelled]
            wanted = tuple(
                _resource(renderer, e, event_url(uow, e))
                for e in live
                if e.overlaps(window.start, window.end)
            )
            plans.append(
                CalendarPlan(
                    person.id,
                    person.name,
                    config.calendar_url(person.id, person.name),
                    wanted,
                    frozenset(e.uid for e in live),
                )
            )
    return plans


def _unfolded_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\n ", "").replace("\n\t", "").split("\n")


def server_marks(text: str) -> tuple[str | None, str | None]:
    """``(UID, X-KDC-PUSH-HASH)`` of a stored object; the hash is ``None`` if kdc did not
    write it."""
    uid = digest = None
    for line in _unfolded_lines(text):
        name, _, value = line.partition(":")
        name = name.split(";")[0].upper()
        if name == "UID" and uid is None:
            uid = value.strip()
        elif name == HASH_PROPERTY:
            digest = value.strip()
    return uid, digest


def make_client(config: CaldavConfig) -> Any:
    """A caldav client that counts the requests it sends, by method."""
    try:
        from caldav.davclient import DAVClient
    except ImportError:
        raise KdcError(
            "CalDAV push needs the caldav package: pip install 'kdc-core[caldav]'"
        ) from None

    class CountingClient(DAVClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.requests: Counter[str] = Counter()

        def request(self, url: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
            self.requests[method.upper()] += 1
            return super().request(url, method, *args, **kwargs)

        @property
        def writes(self) -> int:
            return sum(n for m, n in self.requests.items() if m in WRITE_METHODS)

    return CountingClient(
        url=config.url,
        username=config.username,
        password=config.password,
        auth_type="basic",
        timeout=config.timeout,
        ssl_verify_cert=config.verify_tls,
    )


def _calendar(client: Any, plan: CalendarPlan, dry_run: bool) -> tuple[Any | None, bool]:
    """The calendar collection, created if missing (unless dry run: then ``None``)."""
    from caldav.collection import Calendar, CalendarSet
    from caldav.lib.error import NotFoundError

    calendar = Calendar(client, url=plan.calendar_url)
    try:
        calendar.get_display_name()
        return calendar, False
    except NotFoundError:
        if dry_run:
            return None, True
    parent, _, cal_id = plan.calendar_url.rstrip("/").rpartition("/")
    made = CalendarSet(client, url=parent + "/").make_calendar(
        name=f"Cllr {plan.name}", cal_id=cal_id
    )
    return made, True


def push_calendar(client: Any, plan: CalendarPlan, dry_run: bool = False) -> PushOutcome:
    """Bring one calendar in line with its plan; see the module docstring for the rules.

    :raises PushFailed: naming the calendar, when the server refuses or cannot be reached.
    """
    before = client.writes
    try:
        calendar, created_calendar = _calendar(client, plan, dry_run)
        existing = calendar.search(event=True) if calendar is not None else []
        on_server: dict[str, tuple[Any, str | None]] = {}
        for obj in existing:
            uid, digest = server_marks(obj.data or "")
            if uid:
                on_server[uid] = (obj, digest)
        creates = [r for r in plan.wanted if r.uid not in on_server]
        updates = [
            (r, on_server[r.uid][0])
            for r in plan.wanted
            if r.uid in on_server and on_server[r.uid][1] != r.digest
        ]
        deletes = [
            obj for uid, (obj, digest) in on_server.items() if digest and uid not in plan.live_uids
        ]
        if not dry_run:
            headers = {"Content-Type": "text/calendar; charset=utf-8"}
            for r in creates:
                url = f"{plan.calendar_url}{quote(r.uid, safe='@-._~')}.ics"
                _check(client.put(url, r.text, {**headers, "If-None-Match": "*"}), url)
            for r, obj in updates:
                _check(client.put(str(obj.url), r.text, {**headers, **_if_match(obj)}), obj.url)
            for obj in deletes:
                _check(client.delete(str(obj.url), _if_match(obj)), obj.url)
    except PushFailed:
        raise
    except Exception as exc:
        raise PushFailed(f"Cllr {plan.name}: {plan.calendar_url}: {exc}") from exc
    wanted = len(plan.wanted)
    return PushOutcome(
        plan.name,
        plan.calendar_url,
        created=len(creates),
        updated=len(updates),
        deleted=len(deletes),
        unchanged=wanted - len(creates) - len(updates),
        calendar_created=created_calendar,
        writes=client.writes - before,
        dry_run=dry_run,
    )


def _if_match(obj: Any) -> dict[str, str]:
    etag = (getattr(obj, "props", None) or {}).get("{DAV:}getetag")
    return {"If-Match": etag} if etag else {}


def _check(response: Any, url: Any) -> None:
    if not 200 <= int(response.status) < 300:
        raise PushFailed(f"{url}: the server answered {response.status} {response.reason}")


def push(
    kdc: Kdc,
    config: CaldavConfig,
    councillor: str | None = None,
    dry_run: bool = False,
    progress: Callable[[PushOutcome], None] | None = None,
) -> list[PushOutcome]:
    """Plan from the database, then push every councillor's calendar in turn."""
    plans = plan(kdc, config, councillor)
    client = make_client(config)
    server = urllib.parse.urlsplit(config.url).netloc.rpartition("@")[2]
    fields: dict[str, Any] = {"server": server, "calendars": len(plans), "dry_run": dry_run}
    log.info("calendar push to %s started: %d calendars", server, len(plans), extra=fields)
    clock = time.perf_counter()
    outcomes: list[PushOutcome] = []
    for item in plans:
        try:
            outcome = push_calendar(client, item, dry_run)
        except PushFailed:
            seconds = time.perf_counter() - clock
            log.warning(
                "calendar push to %s failed at councillor %d after %d of %d calendars",
                server,
                item.councillor_id,
                len(outcomes),
                len(plans),
                extra=fields
                | {
                    "outcome": "failed",
                    "councillor_id": item.councillor_id,
                    "duration_s": round(seconds, 3),
                },
            )
            raise
        log.debug(
            "calendar of councillor %d pushed: %d created, %d updated, %d removed",
            item.councillor_id,
            outcome.created,
            outcome.updated,
            outcome.deleted,
            extra={"councillor_id": item.councillor_id, "writes": outcome.writes},
        )
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    seconds = time.perf_counter() - clock
    counts = {
        key: sum(getattr(o, key) for o in outcomes)
        for key in ("created", "updated", "deleted", "unchanged", "writes")
    }
    log.info(
        "calendar push to %s %s in %.2f s: %d calendars, %d created, %d updated, %d removed, "
        "%d write requests",
        server,
        "checked (dry run)" if dry_run else "done",
        seconds,
        len(outcomes),
        counts["created"],
        counts["updated"],
        counts["deleted"],
        counts["writes"],
        extra=fields | {"outcome": "ok", "duration_s": round(seconds, 3), "counts": counts},
    )
    return outcomes
