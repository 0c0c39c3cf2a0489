"""Parsing GetCouncillorsByWard: every quirk of the shared sample, and errors that say where."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from fixture_files import fixture_path
from kdc_core.errors import ImportFailed
from kdc_core.people.markup import render_bio
from kdc_core.people.values import CouncillorRecord, TermOfOffice
from kdc_moderngov.parse import parse_councillors, parse_date
from kdc_moderngov.values import SCHEME, ModernGovCouncillor


@pytest.fixture(scope="module")
def sample_bytes() -> bytes:
    return fixture_path("moderngov", "councillors-by-ward.xml").read_bytes()


@pytest.fixture(scope="module")
def sample(sample_bytes: bytes) -> dict[str, ModernGovCouncillor]:
    return {c.name: c for c in parse_councillors(sample_bytes, source="sample.xml")}


def document(*councillors: str, ward: str = "Dalton", count: str | None = None) -> bytes:
    """A one-ward document around ``<councillor>`` bodies; ``count`` defaults to " N"."""
    count = f" {len(councillors)}" if count is None else count
    body = "".join(f"<councillor>{c}</councillor>" for c in councillors)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<councillorsbyward><wards><ward>'
        f"<wardtitle>{ward}</wardtitle><councillors>"
        f"<councillorcount>{count}</councillorcount>{body}"
        "</councillors></ward></wards></councillorsbyward>"
    ).encode()


def one(body: str) -> ModernGovCouncillor:
    (councillor,) = parse_councillors(document(body), source="test.xml")
    return councillor


def failure(data: bytes, source: str = "test.xml") -> str:
    with pytest.raises(ImportFailed) as info:
        parse_councillors(data, source=source)
    return str(info.value)


# -- the shared sample ----------------------------------------------------------------------------


def test_sample_gives_every_councillor_in_document_order(sample_bytes):
    councillors = parse_councillors(sample_bytes, source="sample.xml")
    assert [c.id for c in councillors] == [str(n) for n in range(101, 110)]
    assert [c.ward for c in councillors] == ["Almondbury"] * 3 + ["Ashbrow"] * 3 + [
        "Batley East"
    ] * 3


def test_councillor_prefix_is_stripped_and_apostrophes_kept(sample):
    assert "Elin Sykes" in sample
    assert "Zara O'Hara" in sample
    assert not any(name.startswith("Councillor") for name in sample)


def test_email_is_taken_from_workaddress_when_homeaddress_has_none(sample):
    zara = sample["Zara O'Hara"]
    assert zara.home.email is None
    assert zara.work.email == "zara.o'hara@example.gov.uk"
    assert zara.email == "zara.o'hara@example.gov.uk"


def test_email_is_taken_from_homeaddress(sample):
    assert sample["Elin Sykes"].email == "elin.sykes@example.gov.uk"
    assert sample["Elin Sykes"].work.email is None


def test_postcode_comes_from_the_postcode_element_or_the_last_line(sample):
    orla, elin = sample["Orla Pickles"], sample["Elin Sykes"]
    assert orla.home.postcode == "HD1 2TG"
    assert elin.home.postcode == "HD1 2TG"
    assert orla.home.lines == elin.home.lines == ("Civic Centre 3", "High Street", "Huddersfield")


def test_whitespace_only_elements_mean_nothing(sample):
    elin = sample["Elin Sykes"]
    assert elin.key_posts == ()
    assert elin.work == type(elin.work)()
    assert elin.phone is None
    assert elin.mobile == "07700 900101"


def test_several_terms_of_office_with_day_first_dates(sample):
    assert sample["Aisha Whiteley"].terms == (
        TermOfOffice(dt.date(2012, 5, 3), dt.date(2016, 5, 5)),
        TermOfOffice(dt.date(2021, 5, 6), dt.date(2027, 5, 2)),
    )
    assert sample["Elin Sykes"].terms == (TermOfOffice(dt.date(2021, 5, 6), dt.date(2027, 5, 2)),)


def test_key_posts_party_and_big_photo(sample):
    aisha = sample["Aisha Whiteley"]
    assert aisha.key_posts == ("Deputy Leader",)
    assert aisha.party == "Green Party"
    assert aisha.photo_url.endswith("/Info00000104/bigpic.jpg")
    assert sample["Yusuf Ackroyd"].party == "Labour and Co-operative"


def test_record_carries_everything_the_roster_needs(sample):
    record = sample["Zara O'Hara"].record()
    assert record == CouncillorRecord(
        scheme=SCHEME,
        external_id="109",
        name="Zara O'Hara",
        ward_name="Batley East",
        group_name="Liberal Democrat",
        email="zara.o'hara@example.gov.uk",
        phone=None,
        mobile="07700 900109",
        photo_url="https://democracy.example.gov.uk/UserData/Info00000109/bigpic.jpg",
        key_posts=(),
        terms=(TermOfOffice(dt.date(2021, 5, 6), dt.date(2027, 5, 2)),),
        where=record.where,
        surgery="Please contact the Councillor.",
        # the work address has only an email, so the home address is the postal one
        address="Civic Centre 3\nHigh Street\nHuddersfield\nHD1 2TG",
    )
    assert record.where.startswith("ward Batley East, councillor #3 'Zara O'Hara' (line ")


def test_surgery_lines_become_markdown_lines_with_formatting_characters_escaped():
    councillor = one(
        "<councillorid>7</councillorid><fullusername>Ann Lee</fullusername>"
        "<surgerydetails><line1>1. First Friday, 6pm</line1><line2>*Dalton* Library</line2>"
        "<line3>   </line3></surgerydetails>"
    )
    assert councillor.surgery_text == "1\\. First Friday, 6pm\\\n\\*Dalton\\* Library"
    assert render_bio(councillor.surgery_text) == (
        "<p>1. First Friday, 6pm<br>\n*Dalton* Library</p>"
    )
    assert one("<councillorid>8</councillorid><fullusername>B</fullusername>").surgery_text is None


def test_the_postal_address_is_the_work_address_when_it_has_lines():
    councillor = one(
        "<councillorid>7</councillorid><fullusername>Ann Lee</fullusername>"
        "<workaddress><line1>Town Hall</line1><line2>Dewsbury</line2><line3>WF12 8DG</line3>"
        "</workaddress><homeaddress><line1>1 Home Lane</line1></homeaddress>"
    )
    assert councillor.address == "Town Hall\nDewsbury\nWF12 8DG"
    only_email_at_work = one(
        "<councillorid>7</councillorid><fullusername>Ann Lee</fullusername>"
        "<workaddress><email>a@example.gov.uk</email></workaddress>"
        "<homeaddress><line1>1 Home Lane</line1><postcode>hd1 1aa</postcode></homeaddress>"
    )
    assert only_email_at_work.address == "1 Home Lane\nHD1 1AA"
    assert one("<councillorid>8</councillorid><fullusername>B</fullusername>").address is None


# -- quirks the sample does not show --------------------------------------------------------------


def test_ampersand_entities_and_several_key_posts():
    c = one(
        "<councillorid>1</councillorid><fullusername>Cllr Ann Lee</fullusername>"
        "<keyposts>Cabinet Member – Culture &amp; Greener Kirklees\n"
        "  Chair – Planning &amp; Development&lt;br /&gt;Mayor</keyposts>"
    )
    assert c.name == "Ann Lee"
    assert c.key_posts == (
        "Cabinet Member – Culture & Greener Kirklees",
        "Chair – Planning & Development",
        "Mayor",
    )


def test_key_posts_as_child_elements():
    c = one(
        "<councillorid>1</councillorid><fullusername>Ann Lee</fullusername>"
        "<keyposts><keypost>Leader</keypost><keypost> Chair &amp; Whip </keypost></keyposts>"
    )
    assert c.key_posts == ("Leader", "Chair & Whip")


def test_phone_and_mobile_in_either_address_work_details_first():
    c = one(
        "<councillorid>1</councillorid><fullusername>Ann Lee</fullusername>"
        "<workaddress><phone>01484 221000</phone><email> ann.lee@kirklees.gov.uk </email>"
        "</workaddress>"
        "<homeaddress><phone>01484 000000</phone><mobile>07700 900000</mobile>"
        "<email>ann@home.example</email><line1>1 Long Lane</line1><line2>hd8 9xy</line2>"
        "</homeaddress>"
    )
    assert (c.phone, c.mobile, c.email) == (
        "01484 221000",
        "07700 900000",
        "ann.lee@kirklees.gov.uk",
    )
    assert c.home.lines == ("1 Long Lane",)
    assert c.home.postcode == "HD8 9XY"


def test_last_line_that_is_not_a_postcode_stays_a_line():
    c = one(
        "<councillorid>1</councillorid><fullusername>Ann Lee</fullusername>"
        "<homeaddress><line1>Civic Centre 3</line1><line2>Huddersfield</line2></homeaddress>"
    )
    assert c.home.lines == ("Civic Centre 3", "Huddersfield")
    assert c.home.postcode is None


def test_small_photo_when_there_is_no_big_one_and_open_ended_terms():
    c = one(
        "<councillorid>1</councillorid><fullusername>Ann Lee</fullusername>"
        "<photosmallurl>https://x.example/s.jpg</photosmallurl><photobigurl> </photobigurl>"
        "<termsofoffice><termofoffice><startdate>02/05/2024</startdate><enddate>\n</enddate>"
        "</termofoffice><termofoffice><startdate>03/05/2012 00:00:00</startdate>"
        "<enddate>05/05/2016</enddate></termofoffice></termsofoffice>"
    )
    assert c.photo_url == "https://x.example/s.jpg"
    assert c.terms == (
        TermOfOffice(dt.date(2012, 5, 3), dt.date(2016, 5, 5)),
        TermOfOffice(dt.date(2024, 5, 2), None),
    )


def test_a_namespaced_answer_is_read_by_local_names():
    data = document("<councillorid>7</councillorid><fullusername>Ann Lee</fullusername>")
    data = data.replace(b"<councillorsbyward>", b'<councillorsbyward xmlns="http://x.example/">')
    (c,) = parse_councillors(data, source="ns.xml")
    assert (c.id, c.name, c.ward) == ("7", "Ann Lee", "Dalton")


def test_parse_date_is_day_first_and_refuses_impossible_dates():
    assert parse_date("06/05/2021") == dt.date(2021, 5, 6)
    with pytest.raises(ValueError, match="not a real date"):
        parse_date("31/02/2021")
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_date("2021-05-06")


# -- errors name the file and the line or the record ----------------------------------------------


def test_truncated_file_names_the_file_and_the_line_where_it_ends(sample_bytes):
    truncated = sample_bytes[: len(sample_bytes) // 2]
    message = failure(truncated, source="cut.xml")
    expected_line = truncated.count(b"\n") + 1
    assert message.startswith(f"cut.xml, line {expected_line}: malformed XML")


def test_mismatched_tag_names_its_line(sample_bytes):
    lines = sample_bytes.decode().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if "<line2>High Street" in line)
    lines[number - 1] = lines[number - 1].replace("</line2>", "</line3>")
    message = failure("\n".join(lines).encode(), source="bad.xml")
    assert re.match(rf"bad\.xml, line {number}: malformed XML: mismatched tag", message)


def test_empty_file_is_malformed_at_line_one():
    assert failure(b"", source="empty.xml").startswith("empty.xml, line 1: malformed XML")


def test_record_without_an_id_is_named(sample_bytes):
    data = sample_bytes.replace(
        b"<councillorid>102</councillorid>", b"<councillorid> </councillorid>"
    )
    message = failure(data, source="noid.xml")
    assert "noid.xml, ward Almondbury, councillor #2 'Orla Pickles' (line " in message
    assert "has no <councillorid>" in message


def test_record_without_a_name_is_named_by_position_and_id():
    message = failure(document("<councillorid>9</councillorid>", ward="Golcar"))
    assert "ward Golcar, councillor #1 (line 2)" in message
    assert "councillor 9 has no <fullusername>" in message


def test_count_that_disagrees_with_the_entries_names_the_ward(sample_bytes):
    data = sample_bytes.replace(
        b"<councillorcount> 3</councillorcount>", b"<councillorcount> 4</councillorcount>", 1
    )
    message = failure(data, source="count.xml")
    assert message.startswith("count.xml, ward Almondbury (line 4): <councillorcount> says 4")
    assert "3 <councillor> entries" in message


def test_count_that_is_not_a_number_is_refused():
    body = "<councillorid>1</councillorid><fullusername>Ann Lee</fullusername>"
    message = failure(document(body, ward="Lindley", count="three"))
    assert "ward Lindley" in message and "'three' is not a whole number" in message


def test_bad_date_names_the_term_and_the_councillor():
    body = (
        "<councillorid>1</councillorid><fullusername>Ann Lee</fullusername><termsofoffice>"
        "<termofoffice><startdate>2021-05-06</startdate></termofoffice></termsofoffice>"
    )
    message = failure(document(body))
    assert "ward Dalton, councillor #1 'Ann Lee'" in message
    assert "term of office #1" in message and "'2021-05-06' is not a dd/mm/yyyy date" in message


def terms_body(*terms: tuple[str, str | None], name: str = "Ann Lee", id: str = "1") -> str:
    """A councillor entry with these (start, end) terms; ``None`` leaves <enddate> out."""
    entries = "".join(
        f"<termofoffice><startdate>{start}</startdate>"
        + (f"<enddate>{end}</enddate>" if end is not None else "")
        + "</termofoffice>"
        for start, end in terms
    )
    return (
        f"<councillorid>{id}</councillorid><fullusername>{name}</fullusername>"
        f"<termsofoffice>{entries}</termsofoffice>"
    )


def read_terms(*terms: tuple[str, str | None]) -> tuple[tuple[TermOfOffice, ...], tuple[str, ...]]:
    answer = parse_councillors(document(terms_body(*terms)), source="test.xml")
    return answer[0].terms, answer.warnings


@pytest.mark.parametrize("end", ["unspecified", "Unspecified", "", "   ", None])
def test_an_unspecified_empty_or_missing_end_date_is_a_current_term(end):
    terms, warnings = read_terms(("06/05/2021", end))
    assert terms == (TermOfOffice(dt.date(2021, 5, 6), None),)
    assert warnings == ()
    assert terms[0].covers(dt.date(2031, 1, 1))


def test_a_term_that_ends_before_it_starts_is_left_out_with_a_warning_naming_it():
    terms, warnings = read_terms(("06/05/2021", "01/01/2020"), ("03/05/2012", "05/05/2016"))
    assert terms == (TermOfOffice(dt.date(2012, 5, 3), dt.date(2016, 5, 5)),)
    (warning,) = warnings
    assert warning.startswith("ward Dalton, councillor #1 'Ann Lee' (line 2): term of office #1")
    assert warning.endswith("from 06/05/2021 to 01/01/2020 ends before it starts; left out")


def test_a_repeated_term_is_imported_once_with_a_warning():
    terms, warnings = read_terms(("06/05/2021", "unspecified"), ("06/05/2021", ""))
    assert terms == (TermOfOffice(dt.date(2021, 5, 6), None),)
    assert len(warnings) == 1
    assert re.search(
        r"term of office #2 \(line \d+\) from 06/05/2021 \(no end date\) repeats "
        r"term of office #1 \(line \d+\); imported once$",
        warnings[0],
    )


def test_a_term_within_another_is_left_out_whichever_comes_first():
    for order in (1, -1):
        pairs = [("03/05/2012", "unspecified"), ("02/05/2019", "04/05/2023")][::order]
        terms, warnings = read_terms(*pairs)
        assert terms == (TermOfOffice(dt.date(2012, 5, 3), None),)
        (warning,) = warnings
        assert "from 02/05/2019 to 04/05/2023 lies within term of office" in warning
        assert warning.endswith("from 03/05/2012 (no end date); left out")


def test_overlapping_terms_are_kept_as_the_source_has_them_with_a_warning():
    terms, warnings = read_terms(("03/05/2012", "05/05/2016"), ("01/01/2016", "02/05/2019"))
    assert terms == (
        TermOfOffice(dt.date(2012, 5, 3), dt.date(2016, 5, 5)),
        TermOfOffice(dt.date(2016, 1, 1), dt.date(2019, 5, 2)),
    )
    (warning,) = warnings
    assert "#2 (line" in warning
    assert "from 01/01/2016 to 02/05/2019 overlaps term of office #1" in warning
    assert warning.endswith("from 03/05/2012 to 05/05/2016; imported as the source has it")


def test_consecutive_terms_give_no_warning():
    terms, warnings = read_terms(
        ("04/05/2023", "unspecified"), ("03/05/2012", "04/05/2016"), ("05/05/2016", "03/05/2023")
    )
    assert [t.start.year for t in terms] == [2012, 2016, 2023]
    assert warnings == ()


@pytest.mark.parametrize("bad", ["abc", "12a", "-5", "1.5", "0x1F"])
def test_a_councillor_id_that_is_not_a_number_is_refused_naming_the_record(bad):
    message = failure(document(terms_body(id=bad)))
    assert message.startswith("test.xml, ward Dalton, councillor #1 'Ann Lee' (line 2): ")
    assert f"<councillorid> {bad!r} is not a ModernGov id (a whole number)" in message


def test_a_start_date_that_cannot_be_read_is_still_an_error():
    assert "'soon' is not a dd/mm/yyyy date" in failure(document(terms_body(("soon", None))))
    assert "'never' is not a dd/mm/yyyy date" in failure(
        document(terms_body(("06/05/2021", "never")))
    )


def test_a_document_that_is_not_getcouncillorsbyward_is_refused():
    message = failure(b"<html><body>Service unavailable</body></html>", source="page")
    assert message == (
        "page, line 1: expected a <councillorsbyward> document (GetCouncillorsByWard), found <html>"
    )


def test_entity_declarations_are_refused():
    data = b'<!DOCTYPE x [<!ENTITY boom "boom">]><councillorsbyward>&boom;</councillorsbyward>'
    assert "refusing XML with a DTD" in failure(data)
