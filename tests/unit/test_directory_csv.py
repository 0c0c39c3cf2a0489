"""The csv directory source: sniffed encodings and delimiters, mapped columns, bad lines named."""

from __future__ import annotations

import datetime as dt

import pytest

from fixture_files import fixture_path
from kdc_core.directory.checks import check_text
from kdc_core.directory.values import CharactersChecked, SourceError
from kdc_core.errors import ConfigError
from kdc_directory_csv.reader import LINE_LIMIT, CsvOptions, options_from_config, read_csv
from kdc_directory_csv.scan import scan_bytes


def test_the_shared_fixture_reads_every_officer_with_wards_and_offsets():
    records = read_csv(fixture_path("directory", "officers.csv"))
    assert len(records) == 200
    first = records[0]
    assert (first.person_id, first.given_name, first.manager_id) == ("P000001", "Sanjay", None)
    assert first.updated_at == dt.datetime(2026, 10, 1, 8, tzinfo=dt.UTC)
    assert records[3].wards == ("Almondbury", "Heckmondwike")
    assert records[2].origin == "officers.csv line 4"


def test_semicolon_delimited_cp1252_export_is_sniffed(tmp_path):
    path = tmp_path / "export.csv"
    text = (
        "person_id;given_name;family_name;wards;updated_at\r\n"
        "X1;Zoë;Brontë;Almondbury|Dalton;2026-01-02T10:00:00Z\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    (record,) = read_csv(path)
    assert (record.given_name, record.family_name) == ("Zoë", "Brontë")
    assert record.wards == ("Almondbury", "Dalton")
    assert record.updated_at == dt.datetime(2026, 1, 2, 10, tzinfo=dt.UTC)


def test_utf8_with_bom_and_tabs_is_sniffed(tmp_path):
    path = tmp_path / "tabs.csv"
    path.write_bytes("\ufeffperson_id\tgiven_name\tfamily_name\nT1\tÅsa\tÖberg\n".encode())
    (record,) = read_csv(path)
    assert (record.person_id, record.given_name) == ("T1", "Åsa")


def test_a_column_mapping_reads_another_exports_headings(tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text("Employee No,First,Surname,Post\nE7,Ann,Lee,Planner\n", encoding="utf-8")
    options = options_from_config(
        {
            "columns": {
                "person_id": "Employee No",
                "given_name": "First",
                "family_name": "Surname",
                "job_title": "Post",
            }
        }
    )
    (record,) = read_csv(path, options)
    assert (record.person_id, record.name, record.job_title) == ("E7", "Ann Lee", "Planner")


def test_every_bad_line_is_named_with_its_reason(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "person_id,given_name,family_name,updated_at\n"
        "A1,Ann,Lee,2026-01-01T00:00:00+00:00\n"
        ",Bob,Kay,\n"
        "A3,Cat,Day,2026-01-01 09:00\n"
        "A4,Dan\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        read_csv(path)
    assert caught.value.problems == (
        "bad.csv line 3: no person_id",
        "bad.csv line 4: updated_at '2026-01-01 09:00' is not an ISO 8601 time with an offset",
        "bad.csv line 5: 2 fields, the header has 4",
    )


def test_blank_rows_of_any_width_are_skipped_and_line_numbers_still_count_them(tmp_path):
    path = tmp_path / "blanks.csv"
    path.write_text(
        "person_id,given_name,family_name\nA1,Ann,Lee\n\n,,\n , ,  \n,,,,\nA2,Bob,Kay\n, ,Day\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        read_csv(path)
    assert caught.value.problems == ("blanks.csv line 8: no person_id, given_name",)
    path.write_text(path.read_text().replace(", ,Day", "A3,Cat,Day"), encoding="utf-8")
    records = read_csv(path)
    assert [(r.person_id, r.origin) for r in records] == [
        ("A1", "blanks.csv line 2"),
        ("A2", "blanks.csv line 7"),
        ("A3", "blanks.csv line 8"),
    ]


def test_a_missing_required_column_is_named(tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("person_id,given_name\nA1,Ann\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line 1: no 'family_name' column"):
        read_csv(path)


def test_config_errors_name_the_key():
    with pytest.raises(ConfigError) as caught:
        options_from_config({"columns": {"shoe_size": "Shoe"}})
    assert caught.value.key == "plugins.directory_csv.columns.shoe_size"
    with pytest.raises(ConfigError, match="one character"):
        options_from_config({"delimiter": ";;"})
    with pytest.raises(ConfigError, match="not a known encoding"):
        options_from_config({"encoding": "klingon-8"})
    assert options_from_config({"encoding": "cp1252"}) == CsvOptions(encoding="cp1252")


def test_a_stray_quote_is_named_by_the_line_where_its_record_starts(tmp_path):
    path = tmp_path / "stray.csv"
    lines = ["person_id,given_name,family_name", 'A1,"Ann,Lee'] + [
        f"A{n},Name{n},Family{n}" for n in range(2, 400)
    ]
    path.write_text("\n".join(lines) + "\n" + "x" * 20_000 + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_csv(path)
    assert caught.value.problems == (
        "stray.csv line 2: a field runs past 10,000 characters; no directory field is that "
        "long (a quote opened and never closed?)",
    )
    assert "_csv.Error" not in str(caught.value)


def test_rows_before_a_broken_quote_are_reported_with_it(tmp_path):
    path = tmp_path / "both.csv"
    path.write_text(
        'person_id,given_name,family_name\nA1,Ann\nA2,"Bob"by,Kay\nA3,Cat,Day\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        read_csv(path)
    assert caught.value.problems == (
        "both.csv line 2: 2 fields, the header has 3",
        "both.csv line 3: text follows a closing quote (a stray quote?); a quote inside a "
        'quoted field is written twice ("")',
    )


def test_a_record_over_several_lines_is_named_by_its_first_line(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text(
        'person_id,given_name,family_name\nA1,Ann,Lee\nA2,"Bob\n\nRobert",Kay,extra\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        read_csv(path)
    assert caught.value.problems == ("multi.csv line 3: 4 fields, the header has 3",)


def test_a_file_of_one_giant_field_is_refused_without_reading_it_whole(tmp_path):
    import tracemalloc

    path = tmp_path / "giant.csv"
    with path.open("wb") as out:
        out.write(b'person_id,given_name,family_name\nA1,"')
        for _ in range(40):
            out.write(b"y" * 1_000_000)  # 40 MB in one quoted field, no line break
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match=r"giant.csv line 2: the line runs past"):
            read_csv(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16_000_000


def test_duplicate_headings_are_refused_naming_heading_and_columns(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text(
        "person_id,given_name,family_name,Email,team,given_name, email \nA1,Ann,Lee,a,b,c,d\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        read_csv(path)
    assert str(caught.value).startswith(f"{path} line 1: duplicate column headings")
    assert caught.value.problems == (
        "the heading 'given_name' is given twice: column 2 (B) 'given_name', "
        "column 6 (F) 'given_name'",
        "the heading 'Email' is given twice: column 4 (D) 'Email', column 7 (G) ' email '",
    )


def test_headings_match_without_case_or_spaces_and_empty_ones_are_ignored(tmp_path):
    path = tmp_path / "loose.csv"
    path.write_text(
        " Person_ID ,Given_Name,FAMILY_NAME,Email,,\nA1,Ann,Lee,ann@example.gov.uk,,\n",
        encoding="utf-8",
    )
    (record,) = read_csv(path)
    assert (record.person_id, record.name, record.email) == ("A1", "Ann Lee", "ann@example.gov.uk")


def test_a_wrong_encoding_is_named_by_line(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "person_id,given_name,family_name\nA1,Ann,Lee\nA2,Zoë,Brontë\n".encode("cp1252")
    )
    with pytest.raises(SourceError, match=r"latin.csv line 3: not utf-8 \(invalid"):
        read_csv(path, CsvOptions(encoding="utf-8"))
    (_, second) = read_csv(path)  # sniffed: not UTF-8, so cp1252
    assert second.given_name == "Zoë"


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_a_wrong_byte_far_into_a_file_is_named_by_its_line(tmp_path, ending):
    """Lines are counted (LF, CR LF or lone CR, a pair split across the reads too) only to
    name the fault, so the line must still come out right well past the first read."""
    from kdc_directory_csv.reader import CHUNK

    rows = [f"A{n},Ann,Lee{'x' * (n % 50)}" for n in range(2, 4_000)]
    for pad in range(60):  # a CR LF pair straddles the end of the first read
        text = ending.join(["person_id,given_name,family_name", f"A1,Ann,{'L' * pad}", *rows])
        good = (text + ending).encode("utf-8")
        if ending != "\r\n" or good[CHUNK - 1 : CHUNK + 1] == b"\r\n":
            break
    assert len(good) > 2 * CHUNK
    assert ending != "\r\n" or good[CHUNK - 1 : CHUNK + 1] == b"\r\n"
    path = tmp_path / "late.csv"
    path.write_bytes(good + "A4000,Zoë,Lee".encode("cp1252") + ending.encode())
    with pytest.raises(SourceError, match=r"late.csv line 4001: not utf-8 \(invalid"):
        read_csv(path, CsvOptions(encoding="utf-8"))
    path.write_bytes(good + b"A4000,Zo\xc3")  # the file ends inside a character
    with pytest.raises(SourceError, match=r"late.csv line 4001: not utf-8 \(the file ends"):
        read_csv(path, CsvOptions(encoding="utf-8"))


def test_reading_leaves_the_csv_field_limit_as_it_was(tmp_path):
    import csv

    path = tmp_path / "ok.csv"
    path.write_text("person_id,given_name,family_name\nA1,Ann,Lee\n", encoding="utf-8")
    before = csv.field_size_limit()
    read_csv(path)
    assert csv.field_size_limit() == before


HEADER = "person_id,given_name,family_name,job_title\n"


def test_a_file_with_no_control_character_is_read_as_checked(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(HEADER + 'P1,Zoë,"Ní, Bhriain",Officer\r\nP2,Åsa,Öberg,\n', encoding="utf-8")
    records = read_csv(path)
    assert isinstance(records, CharactersChecked)
    assert [r.family_name for r in records] == ["Ní, Bhriain", "Öberg"]


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        ("P1,Ann,Lee,Senior\tOfficer\n", "utf-8"),  # a tab inside a field
        ('P1,Ann,"Lee\nSmith",Officer\n', "utf-8"),  # a quoted field over two lines
        ("P1,Ann,Lee,Offi\x85cer\n", "utf-8"),  # a C1 control (NEL)
        ("P1,Ann,Lee\x1b,Officer\n", "cp1252"),  # escape
        ("P1,Ann,Lee\x7f,Officer\n", "utf-8"),  # delete
    ],
)
def test_a_file_that_may_hold_a_control_character_leaves_the_search_to_the_sync(
    tmp_path, body, encoding
):
    path = tmp_path / "odd.csv"
    path.write_bytes((HEADER + body).encode(encoding))
    records = read_csv(path)
    assert len(records) == 1
    assert not isinstance(records, CharactersChecked)
    with pytest.raises(SourceError, match="holds U\\+00"):
        check_text(records)


def test_a_c1_control_split_across_two_reads_of_the_file_is_seen(tmp_path):
    path = tmp_path / "split.csv"
    # 0xC2 the last byte of the first mebibyte, 0x85 the first of the next.
    rows = b"P1,Ann,Lee,Officer\n" * ((1 << 20) // 19)
    before = HEADER.encode() + rows[: (1 << 20) - len(HEADER) - len(b"P2,Bo,Ng,") - 1]
    data = before + b"P2,Bo,Ng," + b"\xc2\x85" + b"\n"
    assert data.index(b"\xc2") == (1 << 20) - 1
    path.write_bytes(data)
    assert scan_bytes(path, "utf-8", LINE_LIMIT).plain is False
    assert scan_bytes(path, "utf-8", LINE_LIMIT).short is True
    path.write_bytes(data.replace(b"\xc2\x85", b"\xc2\xa3"))  # a pound sign: allowed
    assert scan_bytes(path, "utf-8", LINE_LIMIT).plain is True


def test_checked_characters_still_have_their_lengths_checked(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + f"P1,Ann,Lee,{'x' * 201}\n", encoding="utf-8")
    records = read_csv(path)
    assert isinstance(records, CharactersChecked)
    with pytest.raises(SourceError, match="job_title is 201 characters long; at most 200 fit"):
        check_text(CharactersChecked(records))  # the lengths not measured: the records read


def test_the_reader_measures_each_fields_longest_value_as_the_records_hold_it(tmp_path):
    path = tmp_path / "measured.csv"
    path.write_text(
        "person_id,given_name,family_name,job_title,team,wards\n"
        "P1,  Zoë  ,Lee,Senior Officer,,Almondbury\n"
        ",,,,,\n"  # a blank row: skipped, and measures nothing
        "P22,Bo,Ní Bhriain,,Team A,Almondbury;Batley East\n",
        encoding="utf-8",
    )
    records = read_csv(path)
    assert isinstance(records, CharactersChecked)
    assert records.longest is not None
    for field, longest in records.longest.items():
        assert longest == max(len(getattr(r, field) or "") for r in records), field
    assert records.longest["given_name"] == 3  # "Zoë", surrounding spaces dropped
    assert set(records.longest) == {
        "person_id", "given_name", "family_name", "email", "phone", "job_title", "service",
        "directorate", "manager_id", "team", "location",
    }  # fmt: skip


def test_a_field_too_long_is_named_from_the_measured_lengths_too(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + f"P1,Ann,Lee,Officer\nP2,Bo,Ng,{'x' * 201}\n", encoding="utf-8")
    records = read_csv(path)
    assert isinstance(records, CharactersChecked)
    assert records.longest is not None and records.longest["job_title"] == 201
    with pytest.raises(SourceError) as refused:
        check_text(records)
    assert refused.value.problems == (
        "long.csv line 3: job_title is 201 characters long; at most 200 fit",
    )
