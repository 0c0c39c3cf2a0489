"""Surgery details for demo councillors and pen portraits for demo officers.

Drawn from a random stream of their own (``{seed}:portraits``), after the rest of the
council is built, so adding them changes no name, number or post that came before.
About four councillors in five hold a surgery; about half of the officers who work in
wards, and the senior managers, have a pen portrait.
"""

from __future__ import annotations

import random

import attrs

from kdc_core.demo.records import DemoCouncil, DemoCouncillor, DemoOfficer

_WHEN = (
    "the **first Saturday** of each month, 10am to midday",
    "the **second Thursday** of each month, 6pm to 7:30pm",
    "the **last Friday** of each month, 2pm to 4pm",
    "**every other Monday**, 5:30pm to 7pm",
)
_WHERE = (
    "{ward} Library",
    "the community centre in {ward}",
    "{ward} Methodist church hall",
    "the sports centre reception, {ward}",
)
_BOOKING = (
    "No appointment needed: just drop in.",
    "Please book a time by email or phone first.",
    "Drop in, or email to arrange a phone call instead.",
)

_OFFICER_OPENINGS = (
    "{first} has worked for the council for {years} years",
    "{first} joined the council {years} years ago",
    "Before joining the council {years} years ago, {first} worked in the voluntary sector",
    "{first} came to the council from a housing association {years} years ago",
)
_OFFICER_ASKS = (
    "Councillors can ask {first} about anything in the team's work in their ward.",
    "{first} is happy to join ward walkabouts when the rota allows.",
    "{first} prefers a short email with the address and a photo, if there is one.",
    "{first} runs the team's drop-in at the ward's community hub once a month.",
)


def _surgery(rng: random.Random, ward: str) -> str:
    where = rng.choice(_WHERE).format(ward=ward)
    return f"Surgeries on {rng.choice(_WHEN)} at {where}.\n\n{rng.choice(_BOOKING)}"


def _officer_bio(rng: random.Random, officer: DemoOfficer) -> str:
    first = officer.given_name
    opening = rng.choice(_OFFICER_OPENINGS).format(first=first, years=rng.randint(2, 25))
    role = f" and now works in {officer.team}" if officer.team else ""
    ask = rng.choice(_OFFICER_ASKS).format(first=first)
    return f"{opening}{role}.\n\n{ask}"


def _with_surgery(rng: random.Random, councillor: DemoCouncillor) -> DemoCouncillor:
    if rng.random() >= 0.8:
        return councillor
    return attrs.evolve(councillor, surgery=_surgery(rng, councillor.ward))


def _with_bio(rng: random.Random, officer: DemoOfficer) -> DemoOfficer:
    senior = officer.manager is None or officer.team is None
    chance = 0.9 if senior else 0.5 if officer.wards else 0.15
    if rng.random() >= chance:
        return officer
    return attrs.evolve(officer, bio=_officer_bio(rng, officer))


def add_portraits(council: DemoCouncil, seed: str) -> DemoCouncil:
    """The same council with surgery details and officers' pen portraits filled in."""
    rng = random.Random(f"{seed}:portraits")
    return attrs.evolve(
        council,
        councillors=tuple(_with_surgery(rng, c) for c in council.councillors),
        officers=tuple(_with_bio(rng, o) for o in council.officers),
    )
