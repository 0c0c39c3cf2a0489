"""The Popolo document built from frozen values: shapes, ids, seats, dates, determinism."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from kdc_core.people.values import (
    Councillor,
    Directorate,
    Officer,
    OfficerWard,
    PoliticalGroup,
    Role,
    RoleKind,
    Service,
    TermOfOffice,
    Ward,
    WardContact,
    WardSource,
)
from kdc_popolo import Snapshot, build_document
from popolo_check import KINDS, popolo_problems

LONDON = ZoneInfo("Europe/London")


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
        BOB := officer(
            5,
            "Bob",
            "Smith",
            job_title="Highways Officer",
            service=HIGHWAYS,
            team="North Kirklees",
            email="bob.smith@example.gov.uk",
            phone="01484 221001",
            location="Flint Street depot",
            manager_id=8,
            bio="Grew up in Dalton.",
            wards=(
                OfficerWard(ALMONDBURY, WardSource.DIRECTORY),
                OfficerWard(ALMONDBURY, WardSource.LOCAL),
            ),
        ),
        CARA := officer(
            6,
            "Cara",
            "Jones",
            job_title="Highways Officer",
            service=HIGHWAYS,
            team="North Kirklees",
            wards=(OfficerWard(DALTON, WardSource.LOCAL),),
        ),
        officer(7, "Dev", "Khan", job_title="Librarian", service=LIBRARIES),
        EVE := officer(8, "Eve", "Ng"),
    ),
    ward_contacts=(
        WardContact(ALMONDBURY, HIGHWAYS, BOB),
        WardContact(DALTON, HIGHWAYS, CARA),
        WardContact(DALTON, LIBRARIES, BOB),
    ),
    link_officers=((ALMONDBURY, EVE), (DALTON, EVE)),
)


def test_a_full_document_matches_the_popolo_schemas_and_every_reference_resolves():
    document = build_document(FULL)
    assert popolo_problems(document) == []
    assert {key: len(document[key]) for key in KINDS} == {
        "persons": 6,
        "organizations": 9,
        "areas": 2,
        "posts": 4,
        "memberships": 20,
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


def test_wards_are_areas_with_their_ons_code_and_a_seat_per_councillor_at_once():
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
    assert [p["id"] for p in seats] == ["post/councillor-dalton-1"]  # one councillor
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


def test_officers_carry_only_what_the_public_site_shows():
    """Email, phone, office and manager are for signed-in users only, so not open data."""
    person = by_id(build_document(FULL), "persons")["person/officer-5"]
    assert person == {
        "id": "person/officer-5",
        "name": "Bob Smith",
        "given_name": "Bob",
        "family_name": "Smith",
        "sort_name": "Smith, Bob",
        "biography": "Grew up in Dalton.",
        "identifiers": [{"scheme": "directory", "identifier": "P0005"}],
    }
    text = json.dumps(build_document(FULL))
    for private in ("bob.smith@example.gov.uk", "01484 221001", "Flint Street depot"):
        assert private not in text


def test_teams_are_organizations_within_their_service():
    document = build_document(FULL)
    team = by_id(document, "organizations")["organization/team-highways-north-kirklees"]
    assert team == {
        "id": "organization/team-highways-north-kirklees",
        "name": "North Kirklees",
        "classification": "team",
        "parent_id": "organization/service-highways",
    }
    members = {
        m["person_id"]
        for m in document["memberships"]
        if m["organization_id"] == "organization/team-highways-north-kirklees"
    }
    assert members == {"person/officer-5", "person/officer-6"}


def test_ward_assignments_named_contacts_and_link_officers_have_the_ward_as_area():
    memberships = by_id(build_document(FULL), "memberships")
    in_wards = {
        (m["person_id"], m["organization_id"], m["role"], m["area_id"])
        for m in memberships.values()
        if m["person_id"].startswith("person/officer-") and "area_id" in m
    }
    assert in_wards == {
        # Bob's Almondbury link from the directory and by hand is one membership.
        (
            "person/officer-5",
            "organization/service-highways",
            "Ward officer",
            "area/ward-almondbury",
        ),
        ("person/officer-6", "organization/service-highways", "Ward officer", "area/ward-dalton"),
        (
            "person/officer-5",
            "organization/service-highways",
            "Named contact for Highways",
            "area/ward-almondbury",
        ),
        (
            "person/officer-6",
            "organization/service-highways",
            "Named contact for Highways",
            "area/ward-dalton",
        ),
        # A named contact for a service other than their own is a membership of that service.
        (
            "person/officer-5",
            "organization/service-libraries",
            "Named contact for Libraries",
            "area/ward-dalton",
        ),
        ("person/officer-8", "organization/council", "Link officer", "area/ward-almondbury"),
        ("person/officer-8", "organization/council", "Link officer", "area/ward-dalton"),
    }
    contact = memberships["membership/officer-5-contact-libraries-dalton"]
    assert contact["label"] == "Named contact for Libraries in Dalton"
    assert memberships["membership/officer-8-link-dalton"]["label"] == "Link officer for Dalton"
    assert memberships["membership/officer-6-ward-dalton"]["label"] == "Works in Dalton"


def test_an_archived_contact_or_link_officer_is_left_out_with_them():
    gone = attrs.evolve(EVE, archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    document = build_document(
        attrs.evolve(
            FULL,
            officers=(BOB, gone),
            ward_contacts=(WardContact(DALTON, HIGHWAYS, gone), *FULL.ward_contacts[:1]),
            link_officers=((DALTON, gone),),
        )
    )
    assert popolo_problems(document) == []
    people = {m["person_id"] for m in document["memberships"] if "area_id" in m}
    assert "person/officer-8" not in people
    assert "membership/officer-5-contact-highways-almondbury" in by_id(document, "memberships")


def test_terms_share_a_seat_only_when_they_do_not_overlap_and_a_ward_has_as_many_as_it_needs():
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
        "person/councillor-5": "post/councillor-almondbury-4",  # four at once from May 2022
    }
    seats = [p["id"] for p in document["posts"] if p.get("area_id") == "area/ward-almondbury"]
    assert seats == [f"post/councillor-almondbury-{n}" for n in (1, 2, 3, 4)]
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


@pytest.mark.parametrize(
    "key", ["councillors", "officers", "wards", "services", "groups", "ward_contacts"]
)
def test_the_same_data_in_any_order_gives_the_same_bytes(key):
    shuffled = attrs.evolve(FULL, **{key: tuple(reversed(getattr(FULL, key)))})
    first = json.dumps(build_document(FULL), sort_keys=True)
    assert json.dumps(build_document(shuffled), sort_keys=True) == first
