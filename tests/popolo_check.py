"""A Popolo document checked against the popolo-spec JSON schemas in ``tests/fixtures/popolo``.

The schemas (draft 3) refer to each other by their ``id`` URLs; they are loaded into a
``referencing`` registry under those ids so every ``$ref`` resolves without a network.
The schemas leave almost everything optional, so :func:`popolo_problems` also reports what
they cannot: duplicate ids and references to ids the document does not hold.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from fixture_files import FIXTURES

SCHEMAS = FIXTURES / "popolo"
#: Each list of the document and the schema its items follow.
KINDS = {
    "persons": "person",
    "organizations": "organization",
    "areas": "area",
    "posts": "post",
    "memberships": "membership",
}
_REFS = {
    "person_id": "persons",
    "organization_id": "organizations",
    "post_id": "posts",
    "area_id": "areas",
}


@functools.cache
def _validators() -> dict[str, jsonschema.Draft3Validator]:
    schemas = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry: Registry = Registry().with_resources(
        (s["id"], Resource.from_contents(s, default_specification=DRAFT3)) for s in schemas.values()
    )
    return {
        key: jsonschema.Draft3Validator(
            schemas[kind],
            registry=registry,
            format_checker=jsonschema.Draft3Validator.FORMAT_CHECKER,
        )
        for key, kind in KINDS.items()
    }


def popolo_problems(document: dict[str, Any]) -> list[str]:
    """Every schema error and every dangling or duplicate id in a Popolo document."""
    problems = []
    ids: dict[str, set[str]] = {}
    for key, validator in _validators().items():
        seen = ids.setdefault(key, set())
        for item in document.get(key, []):
            problems += [f"{item.get('id')}: {e.message}" for e in validator.iter_errors(item)]
            if item.get("id") in seen:
                problems.append(f"{item.get('id')}: duplicate id")
            seen.add(item.get("id"))
    for key in KINDS:
        for item in document.get(key, []):
            for field, target in _REFS.items():
                if field in item and item[field] not in ids[target]:
                    problems.append(f"{item['id']}: {field} {item[field]!r} is not in {target}")
            if "parent_id" in item and item["parent_id"] not in ids[key]:
                problems.append(f"{item['id']}: parent_id {item['parent_id']!r} is not in {key}")
    return problems
