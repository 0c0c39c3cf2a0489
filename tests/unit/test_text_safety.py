"""Control characters refused on the way in, formulas neutralised on the way out to CSV, and
a row's version for optimistic locking."""

from __future__ import annotations

import datetime as dt

import pytest

from kdc_core.db.people import CouncillorRow, TermOfOfficeRow
from kdc_core.db.versions import fingerprint
from kdc_core.textsafety import control_characters_in, has_control_characters, neutralise_cell


@pytest.mark.parametrize("text", ["a\x00b", "\x01", "x\x1f", "del\x7f", "\x0b", "\x0c"])
def test_nul_and_other_control_characters_are_found(text):
    assert has_control_characters(text)


@pytest.mark.parametrize("text", ["plain", "tab\there", "two\r\nlines\n", "£ – é ✓", ""])
def test_tab_new_lines_and_unicode_are_text(text):
    assert not has_control_characters(text)


def test_control_characters_are_found_anywhere_in_json_like_values_however_deep():
    deep: object = "ok"
    for _ in range(5000):
        deep = [deep]
    assert not control_characters_in({"a": deep, "n": 3, "none": None})
    assert control_characters_in({"a": [1, {"b": "x\x00"}]})
    assert control_characters_in({"key\x00": 1})


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+44 1484", "'+44 1484"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ann = Bob", "Ann = Bob"),
        ("", ""),
        (-5, -5),
        (None, None),
        (dt.date(2027, 3, 3), dt.date(2027, 3, 3)),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(value, cell):
    assert neutralise_cell(value) == cell


def test_a_related_record_is_judged_by_its_name_as_the_csv_writes_it():
    class Named:
        def __str__(self) -> str:
            return "=cmd|' /C calc'!A0"

    assert neutralise_cell(Named()) == "'=cmd|' /C calc'!A0"


def test_a_rows_fingerprint_changes_with_a_column_or_an_owned_row_and_only_then():
    row = CouncillorRow(id=1, name="Cllr Ann", email="ann@example.gov.uk")
    same = CouncillorRow(id=1, name="Cllr Ann", email="ann@example.gov.uk")
    assert fingerprint(row) == fingerprint(same)
    before = fingerprint(row)
    row.phone = "01484 000000"
    assert fingerprint(row) != before
    before = fingerprint(row)
    row.terms.append(TermOfOfficeRow(start=dt.date(2024, 5, 2)))
    assert fingerprint(row) != before
