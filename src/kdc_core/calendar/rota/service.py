"""The rota's database side: gather a :class:`RotaProblem`, and apply a :class:`Plan` as events.

What is gathered, for the year and quarters asked for:

- wards (all of them) with their active councillors;
- the participating services: ``rota.services`` from kdc.toml, else every ward-facing service;
- each service's candidate officers: its active officers who work in at least one ward (the
  staff with a ward patch), or every active officer when none has a patch; the wards an
  officer works in are their ward links plus the wards where they are the service's named
  contact;
- each officer's busy spans: recorded unavailability, and every event that invites them,
  except cancelled events and the walkabouts being re-planned;
- what the ward's councillors must attend: every event that concerns them (council meetings
  of their committees and of full Council, and anything that invites them; see
  :mod:`kdc_core.calendar.concerns`), except cancelled events and the walkabouts being
  re-planned;
- prior loads: this year's rota walkabouts in quarters not being planned, so that planning
  one quarter keeps the year balanced;
- the officers each walkabout being re-planned sends now, to keep where nothing is lost;
- slots: one a working day (:mod:`kdc_core.calendar.rota.slots`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping

import attrs
from sqlalchemy import select

from kdc_core.calendar.bulk import upsert_external_many
from kdc_core.calendar.concerns import load_membership
from kdc_core.calendar.events import WRITE_BATCH, cancel_events
from kdc_core.calendar.rota.planner import (
    Assignment,
    Busy,
    Current,
    Meeting,
    Plan,
    RotaOfficer,
    RotaProblem,
    RotaService,
    RotaWard,
    plan_rota,
)
from kdc_core.calendar.rota.slots import quarter_bounds, quarter_slots
from kdc_core.calendar.values import CalendarEvent, EventKind, EventStatus, NewEvent
from kdc_core.db.events import EventRow, OfficerUnavailabilityRow
from kdc_core.db.people import OfficerRow, OfficerWardRow, WardContactRow
from kdc_core.errors import ConfigError, KdcError, NotFound
from kdc_core.people.values import Officer, Service
from kdc_core.unit_of_work import UnitOfWork

SOURCE = "rota"


def external_id(year: int, quarter: int, ward_slug: str) -> str:
    """``2027-Q1-almondbury``: how a walkabout is known, so re-applying updates it."""
    return f"{year}-Q{quarter}-{ward_slug}"


@attrs.frozen
class OfficerInfo:
    """What the CLI and admin show about an officer in a plan."""

    name: str
    person_id: str
    service: str


@attrs.frozen
class RotaInputs:
    """A problem and the names that go with its ids."""

    problem: RotaProblem
    timezone: str
    officers: Mapping[int, OfficerInfo]
    ward_councillors: Mapping[int, tuple[int, ...]]

    def ward(self, ward_id: int) -> RotaWard:
        return next(w for w in self.problem.wards if w.id == ward_id)

    def service(self, service_id: int) -> RotaService:
        return next(s for s in self.problem.services if s.id == service_id)


@attrs.frozen
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    cancelled: int = 0


def participating_services(uow: UnitOfWork) -> list[Service]:
    """The services named by ``rota.services``, else every ward-facing service."""
    names = uow.settings.rota.services
    services = uow.people.services()
    if not names:
        chosen = [s for s in services if s.ward_facing]
        if not chosen:
            raise KdcError(
                "no service is ward-facing, so the rota has nobody to send: "
                "list services under rota.services in kdc.toml"
            )
        return chosen
    chosen = []
    for name in names:
        try:
            row = uow.people.service_row(name)
        except NotFound:
            known = ", ".join(s.name for s in services) or "none yet"
            raise ConfigError(
                f"{uow.settings.source}: rota.services names {name!r}, which is not a service "
                f"(services: {known})",
                key="rota.services",
            ) from None
        chosen.append(next(s for s in services if s.id == row.id))
    return chosen


@attrs.frozen
class _Staff:
    id: int
    name: str
    person_id: str
    ward_ids: frozenset[int]


def _staff(uow: UnitOfWork, service_id: int) -> list[_Staff]:
    """The service's candidate officers (see the module docstring) with their ward links, in
    two plain queries: at 3,000 officers, loading them as full values took over a second."""
    active = (OfficerRow.service_id == service_id, OfficerRow.archived_at.is_(None))
    links: dict[int, set[int]] = defaultdict(set)
    for officer_id, ward_id in uow.session.execute(
        select(OfficerWardRow.officer_id, OfficerWardRow.ward_id)
        .join(OfficerRow, OfficerRow.id == OfficerWardRow.officer_id)
        .where(*active)
    ):
        links[officer_id].add(ward_id)
    rows = uow.session.execute(
        select(OfficerRow.id, OfficerRow.given_name, OfficerRow.family_name, OfficerRow.person_id)
        .where(*active)
        .order_by(OfficerRow.id)
    )
    staff = [
        _Staff(i, f"{given} {family}".strip(), person_id, frozenset(links.get(i, ())))
        for i, given, family, person_id in rows
    ]
    with_patch = [o for o in staff if o.ward_ids]
    return with_patch or staff


def gather(uow: UnitOfWork, year: int, quarters: tuple[int, ...]) -> RotaInputs:
    """Read everything :func:`kdc_core.calendar.rota.plan_rota` needs from the database."""
    settings = uow.settings
    planned = {q: quarter_bounds(year, q) for q in quarters}
    zone = settings.tz
    start = dt.datetime.combine(min(b[0] for b in planned.values()), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(
        max(b[1] for b in planned.values()) + dt.timedelta(days=1), dt.time(), tzinfo=zone
    )
    wards = uow.people.wards()
    councillors: dict[int, list[int]] = defaultdict(list)
    for c in uow.people.councillors():
        if c.ward is not None and c.ward.id is not None and c.id is not None:
            councillors[c.ward.id].append(c.id)
    replanned = {
        external_id(year, q, w.slug): (q, w.id) for q in quarters for w in wards if w.id is not None
    }
    events = []
    current = []
    for e in uow.events.query(start=start, end=end, include_cancelled=False):
        if e.source == SOURCE and e.external_id in replanned:
            quarter, ward_id = replanned[e.external_id]
            current.append(Current(ward_id, quarter, frozenset(e.officer_ids)))
        else:
            events.append(e)
    membership = load_membership(uow)
    meetings = tuple(
        Meeting(e.title, e.start, e.end, membership.councillors_concerned(e))
        for e in events
        if membership.councillors_concerned(e)
    )

    contacts: dict[int, set[int]] = defaultdict(set)
    for officer_id, ward_id in uow.session.execute(
        select(WardContactRow.officer_id, WardContactRow.ward_id)
    ):
        contacts[officer_id].add(ward_id)
    prior = _prior_loads(uow, year, quarters)
    busy_by_officer: dict[int, list[Busy]] = defaultdict(list)
    for officer_id, b_start, b_end, reason in uow.events.unavailability():
        busy_by_officer[officer_id].append(Busy(b_start, b_end, reason or "unavailable"))
    for e in events:
        for officer_id in e.officer_ids:
            busy_by_officer[officer_id].append(Busy(e.start, e.end, e.title))

    services = []
    info: dict[int, OfficerInfo] = {}
    for service in participating_services(uow):
        assert service.id is not None
        staff = []
        for o in _staff(uow, service.id):
            staff.append(
                RotaOfficer(
                    o.id,
                    o.name,
                    o.ward_ids | contacts[o.id],
                    tuple(busy_by_officer[o.id]),
                    prior[o.id],
                )
            )
            info[o.id] = OfficerInfo(o.name, o.person_id, service.name)
        services.append(RotaService(service.id, service.name, tuple(staff)))

    rota = settings.rota
    problem = RotaProblem(
        year=year,
        quarters=quarters,
        wards=tuple(
            RotaWard(w.id, w.name, w.slug, frozenset(councillors[w.id]))
            for w in wards
            if w.id is not None
        ),
        services=tuple(services),
        slots=quarter_slots(year, quarters, rota.start, rota.duration_minutes, settings.timezone),
        meetings=meetings,
        current=tuple(current),
    )
    return RotaInputs(
        problem,
        settings.timezone,
        info,
        {ward_id: tuple(sorted(ids)) for ward_id, ids in councillors.items()},
    )


def _prior_loads(uow: UnitOfWork, year: int, quarters: tuple[int, ...]) -> Counter[int]:
    """Walkabouts each officer already has this year in the quarters not being planned."""
    planned = {f"Q{q}" for q in quarters}
    counts: Counter[int] = Counter()
    if len(planned) == 4:  # the whole year is being planned: nothing else counts
        return counts
    for key, event in stored_walkabouts(uow, year).items():
        if not event.cancelled and key.split("-")[1] not in planned:
            counts.update(event.officer_ids)
    return counts


def stored_walkabouts(uow: UnitOfWork, year: int) -> dict[str, CalendarEvent]:
    """The rota's walkabouts of ``year`` in the database (cancelled too), by external id."""
    zone = uow.settings.tz
    events = uow.events.query(
        start=dt.datetime(year, 1, 1, tzinfo=zone),
        end=dt.datetime(year + 1, 1, 1, tzinfo=zone),
        kinds=[EventKind.WALKABOUT],
    )
    return {
        e.external_id: e
        for e in events
        if e.source == SOURCE and e.external_id and e.external_id.startswith(f"{year}-Q")
    }


def plan(uow: UnitOfWork, year: int, quarters: tuple[int, ...]) -> tuple[RotaInputs, Plan]:
    """Gather the inputs and plan them."""
    inputs = gather(uow, year, quarters)
    return inputs, plan_rota(inputs.problem)


def walkabout_event(inputs: RotaInputs, year: int, a: Assignment) -> NewEvent:
    """The event for one placed walkabout of ``year``'s plan."""
    ward = inputs.ward(a.ward_id)
    lines = [f"Quarterly ward walkabout, {year} Q{a.quarter}.", "Officers:"]
    for choice in a.officers:
        lines.append(
            f"- {inputs.service(choice.service_id).name}: {inputs.officers[choice.officer_id].name}"
        )
    return NewEvent(
        kind=EventKind.WALKABOUT,
        title=f"{ward.name} ward walkabout",
        start=a.slot.start,
        end=a.slot.end,
        timezone=inputs.timezone,
        description="\n".join(lines),
        ward_ids=(ward.id,),
        councillor_ids=inputs.ward_councillors.get(ward.id, ()),
        officer_ids=tuple(sorted(c.officer_id for c in a.officers)),
        status=EventStatus.CONFIRMED,
        source=SOURCE,
        external_id=external_id(year, a.quarter, ward.slug),
    )


def apply_plan(uow: UnitOfWork, inputs: RotaInputs, plan: Plan) -> ApplyResult:
    """Write the plan as walkabout events (upserted by ``external_id``); cancel the event of a
    walkabout that can no longer be placed. The caller's unit of work is the transaction.

    Events are written together (:func:`~kdc_core.calendar.bulk.upsert_external_many`), so a
    plan of hundreds of walkabouts costs a few statements, not a few per walkabout."""
    news = [walkabout_event(inputs, plan.year, a) for a in plan.assignments]
    keys = [external_id(plan.year, u.quarter, inputs.ward(u.ward_id).slug) for u in plan.unplaced]
    wanted = [n.external_id for n in news if n.external_id is not None] + keys
    stored: dict[str, tuple[int, str]] = {}
    for at in range(0, len(wanted), WRITE_BATCH):
        rows = uow.session.execute(
            select(EventRow.external_id, EventRow.id, EventRow.status).where(
                EventRow.source == SOURCE, EventRow.external_id.in_(wanted[at : at + WRITE_BATCH])
            )
        )
        stored.update({key: (event_id, status) for key, event_id, status in rows if key})
    created = updated = unchanged = 0
    for new, (_, changed) in zip(news, upsert_external_many(uow, news), strict=True):
        if new.external_id not in stored:
            created += 1
        elif changed:
            updated += 1
        else:
            unchanged += 1
    cancel = [
        stored[key][0]
        for key in keys
        if key in stored and stored[key][1] != EventStatus.CANCELLED.value
    ]
    cancel_events(uow, cancel)
    return ApplyResult(created, updated, unchanged, len(cancel))


def record_unavailability(
    uow: UnitOfWork, person_id: str, start: dt.datetime, end: dt.datetime, reason: str | None
) -> Officer:
    """Record that an officer cannot be booked between ``start`` and ``end``."""
    officer = uow.people.officer_by_person_id(person_id)
    assert officer.id is not None
    save_unavailability(uow, officer.id, start, end, reason)
    return officer


def save_unavailability(
    uow: UnitOfWork,
    officer_id: int,
    start: dt.datetime,
    end: dt.datetime,
    reason: str | None,
    unavailability_id: int | None = None,
) -> int:
    """Record (or, given ``unavailability_id``, change) a span when an officer cannot be sent
    on walkabouts; the planner leaves them out of any slot it overlaps. Returns its id.

    :raises KdcError: the span does not end after it starts.
    :raises NotFound: no such officer, or no such span to change.
    """
    if end <= start:
        raise KdcError("the unavailability ends before (or when) it starts: give a later end")
    if uow.session.get(OfficerRow, officer_id) is None:
        raise NotFound(f"no officer with id {officer_id}")
    reason = (reason or "").strip() or None
    if unavailability_id is None:
        row = OfficerUnavailabilityRow(officer_id=officer_id, start=start, end=end, reason=reason)
        uow.session.add(row)
    else:
        found = uow.session.get(OfficerUnavailabilityRow, unavailability_id)
        if found is None:
            raise NotFound(f"no unavailability with id {unavailability_id}")
        row = found
        row.officer_id, row.start, row.end, row.reason = officer_id, start, end, reason
    uow.session.flush()
    return row.id
