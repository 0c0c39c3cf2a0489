"""Parsing ModernGov's GetCommittees, GetCommittee and GetCommitteesByUser answers."""

from __future__ import annotations

import pytest

from fixture_files import fixture_path
from kdc_core.errors import ImportFailed
from kdc_core.people.committees import CommitteeRecord, SeatRecord, SeatScope
from kdc_moderngov.committees import parse_committees, parse_members


def _read(name: str) -> bytes:
    return fixture_path("moderngov", name).read_bytes()


def test_the_sample_committee_list_reads_flags_categories_and_purposes():
    committees = parse_committees(_read("committees.xml"), source="c.xml")
    assert [c.external_id for c in committees] == ["1", "139", "152", "87", "12"]
    assert committees[3] == CommitteeRecord(
        external_id="87", title="Licensing Panel (2019)", category="Regulatory", expired=True
    )
    assert committees[4].deleted and committees[4].category is None
    assert committees[1].purpose == "Decides major planning applications & the council's own."


def test_a_wrapped_list_with_numeric_flags_and_no_count_reads_too():
    data = b"""<getcommittees><committees>
      <committee><committeeid> 7 </committeeid><committeetitle>Cabinet</committeetitle>
        <committeedeleted>0</committeedeleted><committeeexpired>1</committeeexpired>
        <committeedescription>Executive decisions</committeedescription></committee>
    </committees></getcommittees>"""
    (cabinet,) = parse_committees(data, source="c.xml")
    assert cabinet == CommitteeRecord(
        external_id="7", title="Cabinet", purpose="Executive decisions", expired=True
    )


def test_the_same_committee_twice_names_both_lines():
    data = b"""<committees>
      <committee><committeeid>7</committeeid><committeetitle>Cabinet</committeetitle></committee>
      <committee><committeeid>7</committeeid><committeetitle>Cabinet</committeetitle></committee>
    </committees>"""
    with pytest.raises(ImportFailed, match=r"committee 7 \(line 3\): committee id 7 appears twice"):
        parse_committees(data, source="c.xml")


def test_malformed_xml_names_the_file_and_line():
    with pytest.raises(ImportFailed, match=r"^c\.xml, line 2: malformed XML"):
        parse_committees(b"<committees>\n<committee></committees>", source="c.xml")


def test_a_committees_member_list_gives_roles_and_speaks_for_that_committee():
    listed = parse_members(_read("committee-139-members.xml"), source="m.xml")
    assert listed.scope == SeatScope(committees=frozenset({"139"}))
    assert [(s.councillor_id, s.role, s.name) for s in listed.seats] == [
        ("101", "Chair", "Elin Sykes"),
        ("104", "Vice-Chair", "Aisha Whiteley"),
        ("107", "Member", "Yusuf Ackroyd"),
        ("109", "Substitute", "Zara O'Hara"),
        ("990", "Member", "Noor Haigh"),
    ]
    assert listed.seats[0].where == "m.xml, committee 139, member #1 'Elin Sykes' (line 7)"


def test_member_lists_with_other_element_names_and_no_role_read_as_members():
    data = b"""<getcommittee><committee><committeeid>5</committeeid><members>
      <member><memberid>44</memberid><membername>Cllr Jo Bloggs</membername>
        <roledescription>Chairman</roledescription></member>
      <member><memberid>45</memberid></member>
    </members></committee></getcommittee>"""
    listed = parse_members(data, source="m.xml")
    assert [(s.councillor_id, s.role, s.name) for s in listed.seats] == [
        ("44", "Chairman", "Jo Bloggs"),
        ("45", "Member", None),
    ]


def test_a_councillors_committees_speak_for_that_councillor():
    listed = parse_members(_read("committees-by-user-105.xml"), source="u.xml")
    assert listed.scope == SeatScope(councillors=frozenset({"105"}))
    assert listed.seats == (
        SeatRecord(
            "152", "105", "Chair", "Sanjay Dyson", "u.xml, councillor 105, committee #1 (line 6)"
        ),
        SeatRecord(
            "87", "105", "Member", "Sanjay Dyson", "u.xml, councillor 105, committee #2 (line 11)"
        ),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<committeesbyuser><committees/></committeesbyuser>", "has no <councillorid>"),
        (
            b"<committeesbyuser><councillorid>abc</councillorid></committeesbyuser>",
            "<councillorid> 'abc' is not a numeric councillor id",
        ),
        (b"<getcommittee/>", "<getcommittee> has no <committee> element"),
        (b"<getmeetings/>", "expected a committee's members"),
    ],
)
def test_member_lists_without_the_ids_they_need_are_refused(data, message):
    with pytest.raises(ImportFailed, match=r"^m\.xml") as info:
        parse_members(data, source="m.xml")
    assert message in str(info.value)
