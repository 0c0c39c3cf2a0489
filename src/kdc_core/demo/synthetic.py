"""A synthetic council of any size: ``kdc seed-demo --wards N --officers M [--seed S]``.

Where the demo council (:func:`kdc_core.demo.seed_demo`) is Kirklees, with its 23 real wards
and hand-shaped organisation, this builds a council of whatever size a benchmark or a test
needs, from generated names:

- ``wards`` wards with generated names (``Ashbrook North`` …) and made-up ONS codes;
- the demo's six political groups, eight directorates and thirty services (twelve of them
  ward-facing, the ones the walkabout rota sends officers from);
- three councillors a ward, a third of them on one of the demo's committees;
- ``officers`` officers in a management tree (Chief Executive → directors → heads of service
  → team managers → staff), about 60% of the staff in the ward-facing services; each
  ward-facing service's staff share its wards as patches, so every ward has a patch holder
  (its named contact for that service) and every such officer has at least one ward; the
  Local Integrated Partnerships patch holder is the ward's link officer;
- unless ``meetings`` is false, the demo's committee meetings for the given years.

The same ``(wards, officers, seed)`` always gives the same council. Everything but the meetings
is written with bulk Core inserts (a management level at a time for officers), so 7,000 wards
and 350,000 officers load in minutes; the change log records only the meetings.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import insert, update

from kdc_core.db.people import (
    CouncillorRoleRow,
    CouncillorRow,
    DirectorateRow,
    OfficerRow,
    OfficerWardRow,
    PoliticalGroupRow,
    ServiceRow,
    WardContactRow,
    WardRow,
)
from kdc_core.demo.councillors import AUDIT, CABINET, PLANNING, SCRUTINY, STANDARDS
from kdc_core.demo.names import POOLS, email_local
from kdc_core.demo.officers import EMAIL_DOMAIN, LEADERSHIP_TEAM, LINK_OFFICER_SERVICE
from kdc_core.demo.organisation import DIRECTORATES, ServiceSpec
from kdc_core.demo.places import GROUPS
from kdc_core.errors import KdcError
from kdc_core.people.values import RoleKind, WardSource, slugify

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork

#: The seed used when none is given.
SYNTHETIC_SEED = "kdc-synthetic"
#: Staff a team manager looks after.
TEAM_SIZE = 12
#: Share of the staff (below the heads of service) who work in ward-facing services.
WARD_FACING_SHARE = 0.6


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_COMMITTEES = (CABINET, SCRUTINY, AUDIT, STANDARDS, PLANNING)

_FIRST = _words(
    "Ash Birch Black Bram Brook Cold Crag Deep Elm Fair Fern Fox Glen Green Hare Hazel High "
    "Holly Holm Kirk Lark Lea Lin Long Low Mill Moor Oak Rook Rose Rush Sand Shaw Stone Thorn "
    "Wheat White Wild Willow Wood Yew Alder Beck Cliff Dale Ford Heath Marsh Mere Nether"
)
_SECOND = _words(
    "bank bridge brook burn by cliffe combe cote croft dale den don field ford gate hall "
    "ham hill holme hurst ing ley lington marsh mere mill moor mouth ridge royd shaw side "
    "stead stone thorpe ton wick wood worth"
)
_QUARTERS = ("", " North", " South", " East", " West", " Central")


class SyntheticRefused(KdcError):
    """The sizes asked for cannot make a council, or the database is not empty."""


@attrs.frozen
class SyntheticCounts:
    """What :func:`seed_synthetic` wrote."""

    wards: int
    councillors: int
    officers: int
    ward_links: int
    ward_contacts: int
    meetings: int

    def as_dict(self) -> dict[str, int]:
        return attrs.asdict(self)


def minimum_officers() -> int:
    """The fewest officers a synthetic council can have: the Chief Executive, the directors,
    a head for every service, and a team manager and one member of staff for every
    ward-facing service (so the rota has somebody to send)."""
    directors = sum(1 for d in DIRECTORATES if d.director_title is not None)
    services = [s for d in DIRECTORATES for s in d.services]
    return 1 + directors + len(services) + 2 * sum(1 for s in services if s.ward_facing)


def ward_names(count: int, rng: random.Random) -> list[str]:
    """``count`` different ward names, in a seed-shuffled order."""
    stems = [f"{a}{b}" for a, b in itertools.product(_FIRST, _SECOND)]
    rng.shuffle(stems)
    names = [stem + where for where in _QUARTERS for stem in stems]
    for round_ in itertools.count(2):
        if len(names) >= count:
            break
        names += [f"{stem} {round_}" for stem in stems]
    return names[:count]


def _person(rng: random.Random) -> tuple[str, str]:
    _, given, family = rng.choices(POOLS, weights=[w for w, _, _ in POOLS])[0]
    return rng.choice(given), rng.choice(family)


def _check(session: Any, wards: int, officers: int) -> None:
    from sqlalchemy import func, select

    if wards < 1:
        raise SyntheticRefused(f"a council needs at least one ward, not {wards}")
    if officers < minimum_officers():
        raise SyntheticRefused(
            f"{officers} officers is too few: a synthetic council needs at least "
            f"{minimum_officers()} (a Chief Executive, directors, a head for each service and "
            "a manager and one member of staff for each ward-facing service)"
        )
    for label, row in (("ward", WardRow), ("councillor", CouncillorRow), ("officer", OfficerRow)):
        n = session.scalar(select(func.count()).select_from(row))
        if n:
            raise SyntheticRefused(
                f"the database already holds {n} {label}{'' if n == 1 else 's'}; "
                "a synthetic council only loads into an empty database"
            )


def seed_synthetic(
    uow: UnitOfWork,
    wards: int,
    officers: int,
    seed: str = SYNTHETIC_SEED,
    meeting_years: Sequence[int] = (),
) -> SyntheticCounts:
    """Write a synthetic council of ``wards`` wards and ``officers`` officers (see the module
    docstring) into an empty database, in the caller's unit of work.

    :raises SyntheticRefused: too few wards or officers, or the database holds people already.
    """
    session = uow.session
    _check(session, wards, officers)
    rng = random.Random(f"{seed}:{wards}:{officers}")

    names = ward_names(wards, random.Random(f"{seed}:wards"))
    ward_ids = _ids(
        session,
        WardRow,
        [
            {"name": n, "slug": slugify(n), "ons_code": f"E05{i + 1:06d}"}
            for i, n in enumerate(names)
        ],
    )
    group_ids = _ids(session, PoliticalGroupRow, [attrs.asdict(g) for g in GROUPS])
    directorate_ids = _ids(
        session, DirectorateRow, [{"name": d.name, "slug": slugify(d.name)} for d in DIRECTORATES]
    )
    specs = [(d, s) for d in DIRECTORATES for s in d.services]
    service_ids = _ids(
        session,
        ServiceRow,
        [
            {
                "name": s.name,
                "slug": slugify(s.name),
                "directorate_id": directorate_ids[i],
                "ward_facing": s.ward_facing,
            }
            for i, d in enumerate(DIRECTORATES)
            for s in d.services
        ],
    )
    service_id = {s.name: service_ids[k] for k, (_, s) in enumerate(specs)}

    councillors = _councillors(session, rng, ward_ids, group_ids)
    people = _Officers(rng, names)
    people.build(officers, specs)
    officer_ids = people.insert(session, service_id)
    links = [
        {"officer_id": officer_ids[person], "ward_id": ward_ids[w], "source": source}
        for person, patch in people.patches.items()
        for w, source in patch
    ]
    if links:
        session.execute(insert(OfficerWardRow), links)
    contacts = [
        {"ward_id": ward_ids[w], "service_id": service_id[s], "officer_id": officer_ids[p]}
        for (s, w), p in sorted(people.holders.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
    if contacts:
        session.execute(insert(WardContactRow), contacts)
    link_officers = [
        {"id": ward_ids[w], "link_officer_id": officer_ids[p]}
        for (s, w), p in sorted(people.holders.items(), key=lambda kv: kv[0][1])
        if s == LINK_OFFICER_SERVICE
    ]
    if link_officers:
        session.execute(update(WardRow), link_officers)
    session.flush()

    meetings = 0
    if meeting_years:
        from kdc_core.demo.events import seed_meetings

        for year in meeting_years:
            meetings += seed_meetings(uow, year)
    return SyntheticCounts(
        wards=len(ward_ids),
        councillors=councillors,
        officers=len(officer_ids),
        ward_links=len(links),
        ward_contacts=len(contacts),
        meetings=meetings,
    )


def _ids(session: Any, row: type, values: list[dict[str, Any]]) -> list[int]:
    """Insert ``values`` and return their ids, in order."""
    result = session.execute(
        insert(row).returning(row.id, sort_by_parameter_order=True),  # type: ignore[attr-defined]
        values,
    )
    return [i for (i,) in result]


def _councillors(
    session: Any, rng: random.Random, ward_ids: list[int], group_ids: list[int]
) -> int:
    """Three councillors a ward; about a third sit on one of the demo's committees."""
    values = []
    for number, ward_id in enumerate(ward_id for ward_id in ward_ids for _ in range(3)):
        given, family = _person(rng)
        values.append(
            {
                "name": f"{given} {family}",
                "ward_id": ward_id,
                "group_id": rng.choices(group_ids, weights=(40, 25, 12, 6, 9, 8))[0],
                "email": f"cllr.{email_local(given, family)}.{number + 1}@{EMAIL_DOMAIN}",
            }
        )
    ids = _ids(session, CouncillorRow, values)
    roles = []
    for councillor_id in ids:
        if rng.random() < 1 / 3:
            committee = rng.choice(_COMMITTEES)
            roles.append(
                {
                    "councillor_id": councillor_id,
                    "kind": RoleKind.COMMITTEE.value,
                    "title": f"Member, {committee}",
                    "committee": committee,
                }
            )
    if roles:
        session.execute(insert(CouncillorRoleRow), roles)
    return len(ids)


class _Officers:
    """The officers as rows, a management level at a time, with their ward patches."""

    def __init__(self, rng: random.Random, wards: list[str]) -> None:
        self.rng = rng
        self.wards = wards
        self.numbers = itertools.count(1)
        self.levels: list[list[dict[str, Any]]] = []
        #: person id → ((ward name, source), …)
        self.patches: dict[str, tuple[tuple[int, str], ...]] = {}
        #: (service, ward index) → person id of the patch holder.
        self.holders: dict[tuple[str, int], str] = {}

    def add(
        self, level: int, title: str, service: str | None, manager: str | None, team: str | None
    ) -> str:
        number = next(self.numbers)
        given, family = _person(self.rng)
        person_id = f"S{number:07d}"
        while len(self.levels) <= level:
            self.levels.append([])
        self.levels[level].append(
            {
                "person_id": person_id,
                "given_name": given,
                "family_name": family,
                "email": f"{email_local(given, family)}.{number}@{EMAIL_DOMAIN}",
                "phone": f"01632 {number:06d}",
                "job_title": title,
                "service": service,
                "manager": manager,
                "team": team,
            }
        )
        return person_id

    def build(self, total: int, specs: Sequence[tuple[Any, ServiceSpec]]) -> None:
        ceo = self.add(0, "Chief Executive", None, None, LEADERSHIP_TEAM)
        director: dict[str, str] = {}
        for d, _ in specs:
            if d.name not in director:
                director[d.name] = (
                    self.add(1, d.director_title, None, ceo, LEADERSHIP_TEAM)
                    if d.director_title is not None
                    else ceo
                )
        heads = {
            s.name: self.add(2, f"Head of {s.name}", s.name, director[d.name], None)
            for d, s in specs
        }
        rest = total - next(self.numbers) + 1
        facing = [s for _, s in specs if s.ward_facing]
        desk = [s for _, s in specs if not s.ward_facing]
        floor = 2 * len(facing)
        facing_share = max(floor, round(rest * WARD_FACING_SHARE)) if desk else rest
        for group, budget in ((facing, facing_share), (desk, rest - facing_share)):
            for spec, share in zip(group, _split(budget, len(group)), strict=True):
                self.service(spec, heads[spec.name], share)

    def service(self, spec: ServiceSpec, head: str, share: int) -> None:
        """``share`` officers below the head: team managers, then staff shared between them."""
        if share <= 0:
            return
        teams = max(1, math.ceil(share / (TEAM_SIZE + 1)))
        managers = [
            self.add(3, f"{spec.name} Team Manager", spec.name, head, f"{spec.name} – Team {t + 1}")
            for t in range(teams)
        ]
        staff = []
        for k in range(share - teams):
            team = k % teams
            title = spec.titles[0] if self.rng.random() < 0.6 else self.rng.choice(spec.titles)
            staff.append(
                self.add(4, title, spec.name, managers[team], f"{spec.name} – Team {team + 1}")
            )
        if spec.ward_facing and staff:
            self.share_wards(spec.name, staff)

    def share_wards(self, service: str, staff: list[str]) -> None:
        """Split the wards between ``staff`` as patches; some cover a second ward too."""
        n = len(self.wards)
        own: dict[str, list[int]] = {p: [] for p in staff}
        for w in range(n):
            own[staff[w % len(staff)]].append(w)
            self.holders[(service, w)] = staff[w % len(staff)]
        for k, person in enumerate(staff):
            patch = own[person] or [k % n]
            if n > 1 and self.rng.random() < 0.2:
                patch = [*patch, (patch[0] + 1) % n]
            source = WardSource.LOCAL if self.rng.random() < 0.08 else WardSource.DIRECTORY
            self.patches[person] = tuple((w, source.value) for w in sorted(set(patch)))

    def insert(self, session: Any, service_id: dict[str, int]) -> dict[str, int]:
        """Insert a level at a time (every manager has an id before their staff)."""
        ids: dict[str, int] = {}
        for level in self.levels:
            rows = [
                {
                    **{k: v for k, v in o.items() if k not in ("service", "manager")},
                    "service_id": service_id[o["service"]] if o["service"] else None,
                    "manager_id": ids[o["manager"]] if o["manager"] else None,
                }
                for o in level
            ]
            for chunk in _chunks(rows, 20_000):
                result = session.execute(
                    insert(OfficerRow).returning(OfficerRow.person_id, OfficerRow.id), chunk
                )
                ids.update({person_id: officer_id for person_id, officer_id in result})
        return ids


def _split(total: int, parts: int) -> list[int]:
    """``total`` in ``parts`` shares that differ by at most one, larger first."""
    if parts == 0:
        return []
    q, r = divmod(max(total, 0), parts)
    return [q + 1 if i < r else q for i in range(parts)]


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
