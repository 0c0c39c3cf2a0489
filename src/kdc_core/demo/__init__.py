"""A fictional Kirklees Council to try kdc-core with: ``kdc seed-demo``.

The 23 real Kirklees wards; 69 fictional councillors (three a ward) in six groups with key
posts, roles, terms of office and bios; about 400 fictional officers in eight directorates
and thirty services, with a management tree, teams, ward patches, named ward contacts and
ward link officers. Built from a fixed seed, so every build is identical.

Some gaps are deliberate, for the data-health views to find: a few officers lack an email,
phone or location; six councillors have no bio; the (ward, service) pairs in
:data:`~kdc_core.demo.places.CONTACT_GAPS` have no named contact; and
:data:`~kdc_core.demo.places.WARD_WITHOUT_LINK_OFFICER` has no link officer.
"""

from __future__ import annotations

from kdc_core.demo.build import DEMO_SEED, build_demo, describe
from kdc_core.demo.places import CONTACT_GAPS, WARD_NAMES, WARD_WITHOUT_LINK_OFFICER
from kdc_core.demo.records import DemoCouncil
from kdc_core.demo.seed import DEMO_SCHEME, DemoRefused, seed_demo

__all__ = [
    "CONTACT_GAPS",
    "DEMO_SCHEME",
    "DEMO_SEED",
    "WARD_NAMES",
    "WARD_WITHOUT_LINK_OFFICER",
    "DemoCouncil",
    "DemoRefused",
    "build_demo",
    "describe",
    "seed_demo",
]
