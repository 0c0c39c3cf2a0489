"""The 69 demo councillors: three a ward, their key posts, roles, terms and bios.

Labour is the largest group and runs a ten-member cabinet; every group has a leader and a
business manager; the opposition chairs scrutiny and audit. Committee memberships name only
committees in ModernGov's meeting list (Council, Cabinet, Overview and Scrutiny Management
Committee, Corporate Governance and Audit Committee, Standards Committee, Strategic Planning
Committee), so meetings can be matched to members. Six bios are left out on purpose.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from kdc_core.demo.names import BACKGROUNDS, INTERESTS, SURGERIES, NamePicker, email_local
from kdc_core.demo.places import GROUPS, SEAT_ELECTIONS, seat_plan
from kdc_core.demo.records import DemoCouncillor
from kdc_core.people.values import Role, RoleKind, TermOfOffice

FIRST_MODERNGOV_ID = 1001
MISSING_BIOS = 6

COUNCIL = "Council"
CABINET = "Cabinet"
SCRUTINY = "Overview and Scrutiny Management Committee"
AUDIT = "Corporate Governance and Audit Committee"
STANDARDS = "Standards Committee"
PLANNING = "Strategic Planning Committee"
#: Every committee a demo role names.
COMMITTEES = (COUNCIL, CABINET, SCRUTINY, AUDIT, STANDARDS, PLANNING)

#: committee → (size, chair's group, role kind)
_COMMITTEES: dict[str, tuple[int, str, RoleKind]] = {
    SCRUTINY: (9, "Liberal Democrat", RoleKind.SCRUTINY),
    AUDIT: (9, "Conservative", RoleKind.COMMITTEE),
    STANDARDS: (6, "Independent", RoleKind.COMMITTEE),
    PLANNING: (11, "Labour", RoleKind.COMMITTEE),
}

_PORTFOLIOS = (
    "Environment and Climate Change",
    "Highways and Transport",
    "Housing and Homelessness",
    "Children and Families",
    "Health and Adult Social Care",
    "Communities and Neighbourhoods",
    "Culture, Leisure and Libraries",
    "Corporate Services",
)
_DEPUTY_PORTFOLIO = "Finance and Regeneration"


class _Posts:
    """Key posts and roles as they are handed out, by seat index."""

    def __init__(self, count: int) -> None:
        self.key_posts: list[list[str]] = [[] for _ in range(count)]
        self.roles: list[list[Role]] = [[] for _ in range(count)]

    def give(self, seat: int, role: Role, key_post: str | None = None) -> None:
        self.roles[seat].append(role)
        if key_post:
            self.key_posts[seat].append(key_post)


def _proportional(size: int, seats: Counter[str]) -> dict[str, int]:
    """Committee places by group, largest remainder."""
    total = sum(seats.values())
    quotas = {g: size * n / total for g, n in seats.items()}
    places = {g: int(q) for g, q in quotas.items()}
    for g in sorted(quotas, key=lambda g: (places[g] - quotas[g], g))[
        : size - sum(places.values())
    ]:
        places[g] += 1
    return places


def _hand_out_posts(rng: random.Random, groups: list[str]) -> _Posts:
    posts = _Posts(len(groups))
    by_group: dict[str, list[int]] = {g.name: [] for g in GROUPS}
    for seat, group in enumerate(groups):
        by_group[group].append(seat)
    order = {g: rng.sample(seats, len(seats)) for g, seats in by_group.items()}

    for group, seats in order.items():
        posts.give(
            seats[0],
            Role(RoleKind.GROUP_LEADER, f"Leader of the {group} Group"),
            None if group == "Labour" else f"Leader of the {group} Group",
        )
        posts.give(
            seats[1], Role(RoleKind.GROUP_BUSINESS_MANAGER, f"Business Manager, {group} Group")
        )

    labour = order["Labour"]
    leader, deputy, cabinet = labour[0], labour[2], labour[3:11]
    posts.give(
        leader,
        Role(RoleKind.CABINET_PORTFOLIO, "Leader of the Council", CABINET),
        "Leader of the Council",
    )
    posts.give(
        deputy,
        Role(RoleKind.CABINET_PORTFOLIO, f"Deputy Leader – {_DEPUTY_PORTFOLIO}", CABINET),
        "Deputy Leader of the Council",
    )
    posts.key_posts[deputy].append(f"Cabinet Member – {_DEPUTY_PORTFOLIO}")
    for seat, portfolio in zip(cabinet, _PORTFOLIOS, strict=True):
        title = f"Cabinet Member – {portfolio}"
        posts.give(seat, Role(RoleKind.CABINET_PORTFOLIO, title, CABINET), title)

    mayor, deputy_mayor = labour[11], order["Conservative"][3]
    council_titles = {
        mayor: "Mayor (Chair of Council)",
        deputy_mayor: "Deputy Mayor (Vice-Chair of Council)",
    }
    for seat in range(len(groups)):
        title = council_titles.get(seat, "Member of Council")
        posts.give(seat, Role(RoleKind.COMMITTEE, title, COUNCIL))
    posts.key_posts[mayor].append("Mayor of Kirklees")
    posts.key_posts[deputy_mayor].append("Deputy Mayor of Kirklees")

    excluded = {leader, deputy, mayor, deputy_mayor, *cabinet}
    memberships: Counter[int] = Counter()
    seats_by_group = Counter(groups)
    for committee, (size, chair_group, kind) in _COMMITTEES.items():
        chair = next(s for s in order[chair_group][2:] if s not in excluded and not memberships[s])
        chosen = [chair]
        places = _proportional(size, seats_by_group)
        places[chair_group] = max(places[chair_group] - 1, 0)
        for group, n in sorted(places.items()):
            pool = [s for s in order[group] if s not in excluded and s != chair]
            pool.sort(key=lambda s: memberships[s])  # stable: keeps the random order within ties
            chosen += pool[:n]
        vice = next((s for s in chosen[1:] if groups[s] != chair_group), chosen[1])
        for seat in chosen:
            memberships[seat] += 1
            title = "Chair" if seat == chair else "Vice-Chair" if seat == vice else "Member"
            posts.give(
                seat,
                Role(kind, f"{title}, {committee}", committee),
                f"Chair of the {committee}" if seat == chair else None,
            )
    return posts


def _terms(rng: random.Random, seat: int, senior: bool) -> tuple[TermOfOffice, ...]:
    elections = [dt.date.fromisoformat(d) for d in SEAT_ELECTIONS[seat]]
    earlier = rng.choices((0, 1, 2, 3), weights=(45, 30, 17, 8))[0]
    if senior:
        earlier = max(earlier, 1)
    terms = [TermOfOffice(elections[0])]
    terms += [TermOfOffice(elections[j], elections[j - 1]) for j in range(1, earlier + 1)]
    return tuple(sorted(terms, key=lambda t: t.start))


def _bio(rng: random.Random, first: str, ward: str, since: dt.date) -> str:
    background = rng.choice(BACKGROUNDS).format(first=first, ward=ward)
    one, two = rng.sample(INTERESTS, 2)
    surgery = rng.choice(SURGERIES).format(first=first)
    return (
        f"{background}\n\n{first} was first elected for {ward} in {since.year}. "
        f"Interests include {one} and {two}.\n\n{surgery}"
    )


def build_councillors(rng: random.Random, names: NamePicker) -> tuple[DemoCouncillor, ...]:
    plan = seat_plan()
    posts = _hand_out_posts(rng, [group for _, _, group in plan])
    no_bio = set(rng.sample(range(len(plan)), MISSING_BIOS))
    out = []
    for index, (ward, seat, group) in enumerate(plan):
        given, family = names.pick()
        senior = any(r.kind == RoleKind.GROUP_LEADER for r in posts.roles[index])
        terms = _terms(rng, seat, senior)
        mg_id = FIRST_MODERNGOV_ID + index
        out.append(
            DemoCouncillor(
                moderngov_id=str(mg_id),
                name=f"{given} {family}",
                ward=ward,
                group=group,
                email=f"cllr.{email_local(given, family)}@example.gov.uk",
                phone=f"0113 496 {index:04d}" if rng.random() < 0.5 else None,
                mobile=f"07700 900{500 + index:03d}" if rng.random() < 0.85 else None,
                photo_url=(
                    f"https://democracy.example.gov.uk/UserData/Info{mg_id:08d}/bigpic.jpg"
                    if rng.random() < 0.88
                    else None
                ),
                bio=None if index in no_bio else _bio(rng, given, ward, terms[0].start),
                key_posts=tuple(posts.key_posts[index]),
                terms=terms,
                roles=tuple(posts.roles[index]),
            )
        )
    return tuple(out)
