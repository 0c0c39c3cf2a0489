"""The Popolo document built from frozen values: shapes, ids, seats, dates, determinism."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from fixture_files import FIXTURES
from kdc_core.people.values import (
    Councillor,
    Directorate,
    Officer,
    PoliticalGroup,
    Role,
    RoleKind,
    Service,
    TermOfOffice,
    Ward,
)
from kdc_popolo import Snapshot, build_document

SCHEMAS = FIXTURES / "popolo"
KINDS = {
    "persons": "person",
    "organizations": "organization",
    "areas": "area",
    "posts": "post",
    "memberships": "membership",
}
LONDON = ZoneInfo("Europe/London")


def popolo_problems(document: dict[str, Any]) -> list[str]:
    """Every schema error and dangling or duplicate id in a Popolo document."""
    schemas = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry: Registry = Registry().with_resources(
        (s["id"], Resource.from_contents(s, default_specification=DRAFT3)) for s in schemas.values()
    )
    problems = []
    ids: dict[str, set[str]] = {}
    for key, kind in KINDS.items():
        validator = jsonschema.Draft3Validator(
            schemas[kind],
            registry=registry,
            format_checker=jsonschema.Draft3Validator.FORMAT_CHECKER,
        )
        seen = ids.setdefault(key, set())
        for item in document.get(key, []):
            problems += [f"{item.get('id')}: {e.message}" for e in validator.iter_errors(item)]
            if item.get("id") in seen:
                problems.append(f"{item.get('id')}: duplicate id")
            seen.add(item.get("id"))
    refs = {
        "person_id": "persons",
        "organization_id": "organizations",
        "post_id": "posts",
        "area_id": "areas",
    }
    for key in KINDS:
        for item in document.get(key, []):
            for field, target in refs.items():
                if field in item and item[field] not in ids[target]:
                    problems.append(f"{item['id']}: {field} {item[field]!r} is not in {target}")
            if "parent_id" in item and item["parent_id"] not in ids[key]:
                problems.append(f"{item['id']}: parent_id {item['parent_id']!r} is not in {key}")
    return problems


ALMONDBURY = Ward(1, "Almondbury", "almondbury", "E05001384")
DALTON = Ward(2, "Dalton", "dalton")
LABOUR = PoliticalGroup(1, "Labour", "Lab")
GREEN = PoliticalGroup(2, "Green Party")
PLACE = Directorate(1, "Place", "place")
HIGHWAYS = Service(1, "Highways", "highways", PLACE, ward_facing=True)
LIBRARIES = Service(2, "Libraries", "libraries", None)


def councillor(cid: int, name: str, *terms: tuple[str, str | None], **kw: Any) -> Councillor:
    return Councillor(
        id=cid,
        name=name,
        ward=kw.pop("ward", ALMONDBURY),
        group=kw.pop("group", LABOUR),
        terms=tuple(
            TermOfOffice(dt.date.fromisoformat(s), dt.date.fromisoformat(e) if e else None)
            for s, e in terms
        ),
        **kw,
    )


def officer(oid: int, given: str, family: str, **kw: Any) -> Officer:
    return Officer(id=oid, person_id=f"P{oid:04d}", given_name=given, family_name=family, **kw)


def snapshot(**kw: Any) -> Snapshot:
    defaults: dict[str, Any] = {
        "council_name": "Kirklees Council",
        "tz": LONDON,
        "wards": (ALMONDBURY, DALTON),
        "groups": (LABOUR, GREEN),
        "directorates": (PLACE,),
        "services": (HIGHWAYS, LIBRARIES),
    }
    return Snapshot(**(defaults | kw))


def by_id(document: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in document[key]}


FULL = snapshot(
    councillors=(
        councillor(
            12,
            "Ann Lee",
            ("2022-05-05", None),
            email="ann.lee@example.gov.uk",
            phone="01484 221000",
            mobile="07700 900001",
            photo_url="https://example.gov.uk/ann.jpg",
            bio="Born in Almondbury.",
            key_posts=("Chair of Planning",),
            external_ids=(("moderngov", "1234"),),
            roles=(
                Role(RoleKind.COMMITTEE, "Chair", "Strategic Planning Committee"),
                Role(RoleKind.CABINET_PORTFOLIO, "Cabinet Member for Housing"),
                Role(RoleKind.GROUP_LEADER, "Leader of the Labour Group"),
                Role(RoleKind.OTHER, "Armed Forces Champion"),
            ),
        ),
        councillor(13, "Raj Patel", ("2023-05-04", None), ward=DALTON, group=GREEN),
    ),
    officers=(
        officer(
            5,
            "Bob",
            "Smith",
            job_title="Highways Officer",
            service=HIGHWAYS,
            email="bob.smith@example.gov.uk",
            phone="01484 221001",
        ),
        officer(6, "Cara", "Jones", job_title="Highways Officer", service=HIGHWAYS),
        officer(7, "Dev", "Khan", job_title="Librarian", service=LIBRARIES),
        officer(8, "Eve", "Ng"),
    ),
)


def test_a_full_document_matches_the_popolo_schemas_and_every_reference_resolves():
    document = build_document(FULL)
    assert popolo_problems(document) == []
    assert {key: len(document[key]) for key in KINDS} == {
        "persons": 6,
        "organizations": 8,
        "areas": 2,
        "posts": 8,
        "memberships": 11,
    }


def test_the_schema_check_catches_bad_shapes_and_dangling_ids():
    """The validator used above really rejects things (so a pass means something)."""
    bad = {
        "persons": [{"id": "person/x", "contact_details": [{"type": "email"}]}],
        "organizations": [{"id": "organization/a", "parent_id": "organization/missing"}],
        "memberships": [
            {
                "id": "m/1",
                "person_id": "person/x",
                "organization_id": "organization/a",
                "start_date": "5 May 2022",
                "area_id": "area/nowhere",
            },
            {"id": "m/1", "person_id": "person/x", "organization_id": "organization/a"},
        ],
    }
    problems = popolo_problems(bad)
    assert any("person/x" in p and "'value' is a required property" in p for p in problems)
    assert any("m/1" in p and "does not match" in p for p in problems)
    assert "m/1: duplicate id" in problems
    assert "m/1: area_id 'area/nowhere' is not in areas" in problems
    assert any("parent_id 'organization/missing'" in p for p in problems)


def test_councillors_carry_contacts_identifiers_and_biography():
    person = by_id(build_document(FULL), "persons")["person/councillor-12"]
    assert person["name"] == "Ann Lee"
    assert person["email"] == "ann.lee@example.gov.uk"
    assert person["image"] == "https://example.gov.uk/ann.jpg"
    assert person["biography"] == "Born in Almondbury."
    assert person["identifiers"] == [{"scheme": "moderngov", "identifier": "1234"}]
    assert person["contact_details"] == [
        {"type": "email", "value": "ann.lee@example.gov.uk"},
        {"type": "voice", "value": "01484 221000"},
        {"type": "cell", "value": "07700 900001"},
    ]


def test_the_organisation_tree_council_parties_directorates_services_committees():
    orgs = by_id(build_document(FULL), "organizations")
    assert orgs["organization/council"] == {
        "id": "organization/council",
        "name": "Kirklees Council",
        "classification": "council",
    }
    assert orgs["organization/party-labour"]["classification"] == "party"
    assert orgs["organization/party-labour"]["other_names"] == [
        {"name": "Lab", "note": "short name"}
    ]
    assert orgs["organization/directorate-place"]["parent_id"] == "organization/council"
    assert orgs["organization/service-highways"]["parent_id"] == "organization/directorate-place"
    assert orgs["organization/service-libraries"]["parent_id"] == "organization/council"
    committee = orgs["organization/committee-strategic-planning-committee"]
    assert (committee["classification"], committee["parent_id"]) == (
        "committee",
        "organization/council",
    )
    assert orgs["organization/cabinet"]["classification"] == "executive"


def test_wards_are_areas_with_their_ons_code_and_three_seats_each():
    document = build_document(FULL)
    areas = by_id(document, "areas")
    assert areas["area/ward-almondbury"] == {
        "id": "area/ward-almondbury",
        "name": "Almondbury",
        "classification": "ward",
        "identifier": "E05001384",
        "identifiers": [{"scheme": "ons", "identifier": "E05001384"}],
    }
    assert "identifier" not in areas["area/ward-dalton"]
    seats = [p for p in document["posts"] if p.get("area_id") == "area/ward-dalton"]
    assert [p["id"] for p in seats] == [f"post/councillor-dalton-{n}" for n in (1, 2, 3)]
    assert {(p["label"], p["organization_id"]) for p in seats} == {
        ("Councillor for Dalton", "organization/council")
    }


def test_councillor_memberships_seat_party_and_roles():
    memberships = by_id(build_document(FULL), "memberships")
    assert memberships["membership/councillor-12-council-2022-05-05"] == {
        "id": "membership/councillor-12-council-2022-05-05",
        "person_id": "person/councillor-12",
        "organization_id": "organization/council",
        "role": "Councillor",
        "label": "Councillor for Almondbury",
        "post_id": "post/councillor-almondbury-1",
        "area_id": "area/ward-almondbury",
        "start_date": "2022-05-05",
    }
    party = memberships["membership/councillor-12-party"]
    assert (party["organization_id"], party["role"]) == ("organization/party-labour", "member")
    roles = {
        (m["organization_id"], m["role"])
        for m in memberships.values()
        if m["person_id"] == "person/councillor-12" and m["role"] not in ("Councillor", "member")
    }
    assert roles == {
        ("organization/committee-strategic-planning-committee", "Chair"),
        ("organization/cabinet", "Cabinet Member for Housing"),
        ("organization/party-labour", "Leader of the Labour Group"),
    }


def test_officers_hold_their_job_title_in_their_service():
    document = build_document(FULL)
    posts = by_id(document, "posts")
    memberships = by_id(document, "memberships")
    assert posts["post/service-highways-highways-officer"] == {
        "id": "post/service-highways-highways-officer",
        "label": "Highways Officer",
        "role": "Highways Officer",
        "organization_id": "organization/service-highways",
    }
    shared = {memberships[f"membership/officer-{n}"]["post_id"] for n in (5, 6)}
    assert shared == {"post/service-highways-highways-officer"}
    no_title = memberships["membership/officer-8"]
    assert no_title["organization_id"] == "organization/council"
    assert "post_id" not in no_title
    person = by_id(document, "persons")["person/officer-5"]
    assert person["identifiers"] == [{"scheme": "directory", "identifier": "P0005"}]
    assert person["contact_details"] == [
        {"type": "email", "value": "bob.smith@example.gov.uk"},
        {"type": "voice", "value": "01484 221001"},
    ]


def test_terms_share_a_seat_only_when_they_do_not_overlap():
    document = build_document(
        snapshot(
            councillors=(
                councillor(1, "Ann", ("2018-05-03", "2022-05-05")),
                councillor(2, "Ben", ("2019-05-02", None)),
                councillor(3, "Cat", ("2021-05-06", None)),
                councillor(4, "Dan", ("2022-05-06", None)),
                councillor(5, "Eli", ("2022-05-06", None)),
            )
        )
    )
    seat = {m["person_id"]: m.get("post_id") for m in document["memberships"] if "area_id" in m}
    assert seat == {
        "person/councillor-1": "post/councillor-almondbury-1",
        "person/councillor-2": "post/councillor-almondbury-2",
        "person/councillor-3": "post/councillor-almondbury-3",
        "person/councillor-4": "post/councillor-almondbury-1",
        "person/councillor-5": None,
    }
    assert popolo_problems(document) == []


def test_archived_councillors_memberships_end_on_the_local_day_they_left():
    archived = councillor(
        9,
        "Old Hand",
        ("2014-05-22", "2018-05-03"),
        ("2018-05-03", None),
        archived_at=dt.datetime(2026, 5, 7, 23, 30, tzinfo=dt.UTC),
        roles=(Role(RoleKind.COMMITTEE, "Member", "Licensing Committee"),),
    )
    memberships = by_id(build_document(snapshot(councillors=(archived,))), "memberships")
    assert memberships["membership/councillor-9-council-2014-05-22"]["end_date"] == "2018-05-03"
    # 23:30 UTC on 7 May is 00:30 on 8 May in British Summer Time.
    assert memberships["membership/councillor-9-council-2018-05-03"]["end_date"] == "2026-05-08"
    assert memberships["membership/councillor-9-party"]["end_date"] == "2026-05-08"
    committee = memberships["membership/councillor-9-committee-licensing-committee-member"]
    assert committee["end_date"] == "2026-05-08"


def test_archived_officers_are_left_out():
    gone = officer(3, "Gone", "Away", archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    document = build_document(snapshot(officers=(gone, officer(4, "Still", "Here"))))
    assert [p["id"] for p in document["persons"]] == ["person/officer-4"]
    assert [m["id"] for m in document["memberships"]] == ["membership/officer-4"]


@pytest.mark.parametrize("key", ["councillors", "officers", "wards", "services", "groups"])
def test_the_same_data_in_any_order_gives_the_same_bytes(key):
    shuffled = attrs.evolve(FULL, **{key: tuple(reversed(getattr(FULL, key)))})
    first = json.dumps(build_document(FULL), sort_keys=True)
    assert json.dumps(build_document(shuffled), sort_keys=True) == first
