"""Assemble the whole demo council from its parts, deterministically."""

from __future__ import annotations

import random

from kdc_core.demo.councillors import build_councillors
from kdc_core.demo.names import NamePicker
from kdc_core.demo.officers import build_officers, link_officers, ward_contacts
from kdc_core.demo.organisation import DIRECTORATES
from kdc_core.demo.places import GROUPS, WARD_AREAS, WARD_NAMES
from kdc_core.demo.portraits import add_portraits
from kdc_core.demo.records import DemoCouncil, DemoService, DemoWard

#: The seed every demo build uses; change it and every name and number changes.
DEMO_SEED = "kirklees-demo-2026"


def build_demo(seed: str = DEMO_SEED) -> DemoCouncil:
    """The demo council as plain records. Same seed, same council: no clock, no database."""
    rng = random.Random(seed)
    names = NamePicker(rng)
    councillors = build_councillors(random.Random(f"{seed}:councillors"), names)
    staffing = build_officers(random.Random(f"{seed}:officers"), names)
    links = link_officers(staffing)
    wards = tuple(
        DemoWard(name=name, area=WARD_AREAS[name], link_officer=links.get(name))
        for name in WARD_NAMES
    )
    services = tuple(
        DemoService(spec.name, directorate.name, spec.ward_facing)
        for directorate in DIRECTORATES
        for spec in directorate.services
    )
    council = DemoCouncil(
        wards=wards,
        groups=GROUPS,
        directorates=tuple(d.name for d in DIRECTORATES),
        services=services,
        councillors=councillors,
        officers=staffing.officers,
        contacts=ward_contacts(staffing),
    )
    return add_portraits(council, seed)


def describe(council: DemoCouncil) -> str:
    """One line of counts, for messages."""
    return ", ".join(f"{n} {label.replace('_', ' ')}" for label, n in council.counts().items())
