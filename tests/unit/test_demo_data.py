"""The demo council as built in memory: deterministic, complete, and gappy only on purpose."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from fixture_files import fixture_path
from kdc_core.demo import (
    CONTACT_GAPS,
    WARD_WITHOUT_LINK_OFFICER,
    DemoCouncil,
    build_demo,
)
from kdc_core.people.values import RoleKind, WardSource

KIRKLEES_WARDS = [
    "Almondbury",
    "Ashbrow",
    "Batley East",
    "Batley West",
    "Birstall and Birkenshaw",
    "Cleckheaton",
    "Colne Valley",
    "Crosland Moor and Netherton",
    "Dalton",
    "Denby Dale",
    "Dewsbury East",
    "Dewsbury South",
    "Dewsbury West",
    "Golcar",
    "Greenhead",
    "Heckmondwike",
    "Holme Valley North",
    "Holme Valley South",
    "Kirkburton",
    "Lindley",
    "Liversedge and Gomersal",
    "Mirfield",
    "Newsome",
]


@pytest.fixture(scope="module")
def demo() -> DemoCouncil:
    return build_demo()


def test_two_builds_are_identical(demo):
    assert build_demo() == demo


def test_another_seed_gives_other_people_in_the_same_wards(demo):
    other = build_demo("another seed")
    assert [w.name for w in other.wards] == [w.name for w in demo.wards]
    assert [c.name for c in other.councillors] != [c.name for c in demo.councillors]


def test_the_wards_are_the_23_kirklees_wards(demo):
    assert [w.name for w in demo.wards] == KIRKLEES_WARDS


def test_three_councillors_in_every_ward(demo):
    assert len(demo.councillors) == 69
    assert Counter(c.ward for c in demo.councillors) == {w: 3 for w in KIRKLEES_WARDS}


def test_names_ids_and_emails_are_unique(demo):
    people = [c.name for c in demo.councillors] + [o.name for o in demo.officers]
    assert len(set(people)) == len(people)
    ids = [c.moderngov_id for c in demo.councillors]
    assert ids == [str(n) for n in range(1001, 1070)]
    emails = [c.email for c in demo.councillors] + [o.email for o in demo.officers if o.email]
    assert len(set(emails)) == len(emails)


def test_no_group_has_a_majority_and_each_has_a_leader_and_business_manager(demo):
    seats = Counter(c.group for c in demo.councillors)
    assert set(seats) == {g.name for g in demo.groups}
    assert max(seats.values()) < 35
    for group in seats:
        kinds = Counter(r.kind for c in demo.councillors if c.group == group for r in c.roles)
        assert kinds[RoleKind.GROUP_LEADER] == 1, group
        assert kinds[RoleKind.GROUP_BUSINESS_MANAGER] == 1, group


def test_the_largest_group_holds_the_leadership_and_a_ten_member_cabinet(demo):
    largest = Counter(c.group for c in demo.councillors).most_common(1)[0][0]
    posts = Counter(p for c in demo.councillors for p in c.key_posts)
    assert posts["Leader of the Council"] == 1
    assert posts["Deputy Leader of the Council"] == 1
    assert posts["Mayor of Kirklees"] == 1
    cabinet = [c for c in demo.councillors if any(r.committee == "Cabinet" for r in c.roles)]
    assert len(cabinet) == 10
    assert {c.group for c in cabinet} == {largest}
    assert sum(p.startswith("Cabinet Member – ") for p in posts) == 9


def test_cabinet_members_sit_on_no_scrutiny_or_audit_committee(demo):
    for c in demo.councillors:
        committees = {r.committee for r in c.roles}
        if "Cabinet" in committees:
            assert not committees & {
                "Overview and Scrutiny Management Committee",
                "Corporate Governance and Audit Committee",
            }, c.name


def test_every_committee_named_is_in_the_moderngov_meetings_fixture(demo):
    tree = ET.parse(fixture_path("moderngov", "meetings-2027.xml"))
    titles = {e.text.strip() for e in tree.iter("committeetitle") if e.text}
    named = {r.committee for c in demo.councillors for r in c.roles if r.committee}
    assert named <= titles
    assert "Council" in named and "Strategic Planning Committee" in named


def test_every_committee_has_one_chair_and_everyone_sits_on_council(demo):
    chairs = Counter(
        r.committee for c in demo.councillors for r in c.roles if r.title.startswith("Chair,")
    )
    assert set(chairs.values()) == {1}
    assert all(any(r.committee == "Council" for r in c.roles) for c in demo.councillors)


def test_some_councillors_have_several_terms_and_a_few_have_no_bio(demo):
    assert sum(len(c.terms) > 1 for c in demo.councillors) >= 10
    for c in demo.councillors:
        assert c.terms[-1].end is None, c.name
        assert all(a.end == b.start for a, b in zip(c.terms, c.terms[1:], strict=False))
    assert sum(c.bio is None for c in demo.councillors) == 6
    assert any(c.photo_url is None for c in demo.councillors)


def test_about_400_officers_in_8_directorates_and_30_services(demo):
    assert 380 <= len(demo.officers) <= 420
    assert len(demo.directorates) == 8
    assert len(demo.services) == 30
    assert len({o.person_id for o in demo.officers}) == len(demo.officers)
    assert all(o.person_id.startswith("D") and len(o.person_id) == 7 for o in demo.officers)
    used = {o.service for o in demo.officers if o.service}
    assert used == {s.name for s in demo.services}


def test_directory_csv_services_and_directorates_exist_in_the_demo(demo):
    with fixture_path("directory", "officers.csv").open(newline="", encoding="utf-8") as f:
        pairs = {(row["directorate"], row["service"]) for row in csv.DictReader(f)}
    demo_pairs = {(s.directorate, s.name) for s in demo.services}
    assert pairs <= demo_pairs


def test_managers_exist_one_root_and_no_cycles(demo):
    by_id = {o.person_id: o for o in demo.officers}
    roots = [o for o in demo.officers if o.manager is None]
    assert [r.job_title for r in roots] == ["Chief Executive"]
    depths = Counter()
    for officer in demo.officers:
        seen = {officer.person_id}
        node = officer
        while node.manager is not None:
            assert node.manager in by_id, f"{node.person_id}: unknown manager {node.manager}"
            node = by_id[node.manager]
            assert node.person_id not in seen, f"cycle through {node.person_id}"
            seen.add(node.person_id)
        depths[len(seen)] += 1
    assert max(depths) == 5  # chief executive → director → head → team manager → staff


def test_only_ward_facing_services_have_ward_patches_covering_every_ward(demo):
    ward_facing = {s.name for s in demo.services if s.ward_facing}
    assert 8 <= len(ward_facing) <= 15
    for officer in demo.officers:
        if officer.wards:
            assert officer.service in ward_facing, officer.person_id
    covered = {(o.service, w) for o in demo.officers for w, _ in o.wards}
    assert {(s, w) for s in ward_facing for w in KIRKLEES_WARDS} <= covered
    sources = Counter(s for o in demo.officers for _, s in o.wards)
    assert sources[WardSource.DIRECTORY] > 5 * sources[WardSource.LOCAL] > 0


def test_contacts_work_in_their_ward_and_only_the_documented_gaps_are_missing(demo):
    by_id = {o.person_id: o for o in demo.officers}
    ward_facing = {s.name for s in demo.services if s.ward_facing}
    pairs = set()
    for contact in demo.contacts:
        officer = by_id[contact.officer]
        assert officer.service == contact.service
        assert contact.ward in {w for w, _ in officer.wards}
        pairs.add((contact.ward, contact.service))
    assert len(pairs) == len(demo.contacts)
    every = {(w, s) for w in KIRKLEES_WARDS for s in ward_facing}
    assert every - pairs == CONTACT_GAPS


def test_every_ward_but_one_has_a_link_officer_working_there(demo):
    by_id = {o.person_id: o for o in demo.officers}
    missing = [w.name for w in demo.wards if w.link_officer is None]
    assert missing == [WARD_WITHOUT_LINK_OFFICER]
    for ward in demo.wards:
        if ward.link_officer:
            assert ward.name in {w for w, _ in by_id[ward.link_officer].wards}


def test_officer_records_are_dated_across_2025_and_2026_some_stale(demo):
    dates = [o.updated_at for o in demo.officers]
    assert all(d.tzinfo is not None for d in dates)
    assert min(dates).year == 2025 and max(dates).year == 2026
    six_months_before = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    stale = sum(d < six_months_before for d in dates)
    assert 0.1 * len(dates) < stale < 0.6 * len(dates)


def test_a_few_officers_lack_contact_details_on_purpose(demo):
    no_email = sum(o.email is None for o in demo.officers)
    no_phone = sum(o.phone is None for o in demo.officers)
    assert 0 < no_email < 0.1 * len(demo.officers)
    assert 0 < no_phone < 0.1 * len(demo.officers)
