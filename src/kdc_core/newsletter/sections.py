"""The built-in newsletter sections, registered through ``kdc_register_newsletter_sections``.

Each reads a month straight from the rows for every ward being built at once (one or two
queries per section, however many wards), and hands back each ward's entries. The per-ward
``collect`` of each section asks the same queries for one ward.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from kdc_core.calendar.values import EventKind
from kdc_core.newsletter.values import SectionItem, WardMonth, WardsCollector, one_ward
from kdc_core.timewords import clock_time, long_date
from kdc_core.unit_of_work import UnitOfWork

ByWard = dict[int, tuple[SectionItem, ...]]


def _span(wm: WardMonth) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(wm.timezone)
    start = dt.datetime.combine(wm.month.first, dt.time(), tz)
    end = dt.datetime.combine(wm.month.next_first, dt.time(), tz)
    return start, end


def _ids(wms: Sequence[WardMonth]) -> list[int]:
    """The wards asked about; they share one month and time zone (as ``build_month`` asks)."""
    if len({(wm.month, wm.timezone) for wm in wms}) > 1:
        raise ValueError("a section collects one month, in one time zone, at a time")
    return [wm.ward_id for wm in wms]


def _by_ward(ids: Iterable[int], pairs: Iterable[tuple[int, SectionItem]]) -> ByWard:
    """Each ward's items in the order given (wards with none get an empty tuple)."""
    found: dict[int, list[SectionItem]] = defaultdict(list)
    for ward_id, item in pairs:
        found[ward_id].append(item)
    return {i: tuple(found.get(i, ())) for i in ids}


def events_by_ward(uow: UnitOfWork, wms: Sequence[WardMonth]) -> ByWard:
    """Events in each ward from the start of the month to the end of the next one: the issue
    goes out at the start of its month, so it looks about six weeks ahead."""
    from kdc_core.newsletter import section_queries as q  # the tables, when first asked

    if not wms:
        return {}
    ids = _ids(wms)
    start, _ = _span(wms[0])
    tz = ZoneInfo(wms[0].timezone)
    after = wms[0].month.next_first
    end = dt.datetime.combine(
        dt.date(after.year + after.month // 12, after.month % 12 + 1, 1), dt.time(), tz
    )
    rows = uow.session.execute(q.EVENTS, {"ward_ids": ids, "start": start, "end": end})
    return _by_ward(
        ids,
        (
            (
                ward_id,
                SectionItem(
                    heading=title,
                    text=location or "",
                    meta=f"{EventKind(kind).label}, {clock_time(when, tz)}",
                ),
            )
            for ward_id, kind, title, when, location in rows
        ),
    )


def staff_by_ward(uow: UnitOfWork, wms: Sequence[WardMonth]) -> ByWard:
    """Officers working in each ward who joined or left during the month."""
    from kdc_core.newsletter import section_queries as q  # the tables, when first asked

    if not wms:
        return {}
    ids = _ids(wms)
    start, end = _span(wms[0])
    rows = uow.session.execute(q.STAFF, {"ward_ids": ids, "start": start, "end": end})
    items = []
    for ward_id, given, family, job, service, archived in rows:
        left = archived is not None and start <= archived < end
        what = "Left" if left else "Joined"
        role = ", ".join(p for p in (job, service) if p)
        items.append((ward_id, SectionItem(heading=f"{given} {family}", text=role, meta=what)))
    return _by_ward(ids, items)


def contacts_by_ward(uow: UnitOfWork, wms: Sequence[WardMonth]) -> ByWard:
    """Each ward's link officer first, then its named contact per service."""
    from kdc_core.newsletter import section_queries as q  # the tables, when first asked

    if not wms:
        return {}
    ids = _ids(wms)
    links = {
        ward_id: _contact("Ward link officer", given, family, mail, phone)
        for ward_id, given, family, mail, phone in uow.session.execute(
            q.LINK_OFFICER, {"ward_ids": ids}
        )
    }
    rows = uow.session.execute(q.CONTACTS, {"ward_ids": ids}).all()
    named = _by_ward(
        ids,
        (
            (ward_id, _contact(s, given, family, mail, phone))
            for ward_id, s, given, family, mail, phone in rows
        ),
    )
    return {i: ((links[i],) if i in links else ()) + named[i] for i in ids}


def _contact(
    role: str, given: str, family: str, email: str | None, phone: str | None
) -> SectionItem:
    reach = " · ".join(p for p in (email, phone) if p)
    return SectionItem(
        heading=f"{given} {family}",
        meta=role,
        text=reach,
        url=f"mailto:{email}" if email else None,
    )


def briefings_by_ward(uow: UnitOfWork, wms: Sequence[WardMonth]) -> ByWard:
    """Briefings made public during the month, in each ward they concern."""
    from kdc_core.newsletter import section_queries as q  # the tables, when first asked

    if not wms:
        return {}
    ids = _ids(wms)
    month = wms[0].month
    rows = uow.session.execute(
        q.BRIEFINGS, {"ward_ids": ids, "first": month.first, "after": month.next_first}
    )
    return _by_ward(
        ids,
        (
            (
                ward_id,
                SectionItem(
                    heading=title,
                    text=body,
                    meta=f"Public from {long_date(public_on, dt.UTC)}",
                    topic=topic if topic != "briefings" else None,
                ),
            )
            for ward_id, title, body, public_on, topic in rows
        ),
    )


def stories_by_ward(uow: UnitOfWork, wms: Sequence[WardMonth]) -> ByWard:
    """Stories published during the month: a ward's own, and those with no ward in every
    ward's issue."""
    from kdc_core.newsletter import section_queries as q  # the tables, when first asked

    if not wms:
        return {}
    ids = _ids(wms)
    month = wms[0].month
    rows = uow.session.execute(
        q.STORIES, {"ward_ids": ids, "first": month.first, "after": month.next_first}
    )
    pairs: list[tuple[int, SectionItem]] = []
    for ward_id, t, b, u, a, s in rows:
        item = SectionItem(heading=t, text=b, meta=s, image_url=u, image_alt=a or "")
        pairs.extend((i, item) for i in (ids if ward_id is None else (ward_id,)))
    return _by_ward(ids, pairs)


def spotlight_by_ward(uow: UnitOfWork, wms: Sequence[WardMonth]) -> ByWard:
    """One ward-facing service a month, in turn, with how many of its officers work in
    each ward."""
    from kdc_core.newsletter import section_queries as q  # the tables, when first asked

    if not wms:
        return {}
    ids = _ids(wms)
    services = uow.session.execute(q.WARD_FACING).all()
    if not services:
        return {i: () for i in ids}
    month = wms[0].month
    sid, name, directorate = services[(month.year * 12 + month.month) % len(services)]
    counts: dict[int, int] = {
        ward_id: count
        for ward_id, count in uow.session.execute(q.IN_WARD, {"service_id": sid, "ward_ids": ids})
    }
    out: ByWard = {}
    for wm in wms:
        count = counts.get(wm.ward_id, 0)
        people = "officer works" if count == 1 else "officers work"
        out[wm.ward_id] = (
            SectionItem(
                heading=name,
                meta=directorate,
                text=f"{count} of its {people} in {wm.ward_name}.",
            ),
        )
    return out


ward_events = one_ward(events_by_ward)
staff_changes = one_ward(staff_by_ward)
contacts = one_ward(contacts_by_ward)
briefings = one_ward(briefings_by_ward)
success_stories = one_ward(stories_by_ward)
service_spotlight = one_ward(spotlight_by_ward)

#: (name, title, topic, collect for every ward at once), in the order the issue shows them.
BUILT_IN: tuple[tuple[str, str, str, WardsCollector], ...] = (
    ("ward_events", "Coming up in the ward", "ward_events", events_by_ward),
    ("briefings", "Briefings this month", "briefings", briefings_by_ward),
    ("staff_changes", "Officers who joined or left", "staff_changes", staff_by_ward),
    ("contacts", "Your named contacts", "contacts", contacts_by_ward),
    ("success_stories", "Success stories", "success_stories", stories_by_ward),
    ("service_spotlight", "Service spotlight", "service_spotlight", spotlight_by_ward),
)
