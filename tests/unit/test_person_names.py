"""Splitting a name held as one string into family, given, additional, prefix and suffix."""

from __future__ import annotations

import pytest

from kdc_core.people.names import NameParts, split_name


@pytest.mark.parametrize(
    ("full", "expected"),
    [
        ("Ann Lee", NameParts("Lee", "Ann")),
        ("  Ann   Lee ", NameParts("Lee", "Ann")),
        ("Cher", NameParts("Cher")),
        ("", NameParts("")),
        ("Mary Jane Lee", NameParts("Lee", "Mary", "Jane")),
        ("Zara O'Hara", NameParts("O'Hara", "Zara")),
        ("Sian Harris-Jones", NameParts("Harris-Jones", "Sian")),
        ("Anne-Marie van der Berg", NameParts("van der Berg", "Anne-Marie")),
        ("José María de la Cruz", NameParts("de la Cruz", "José", "María")),
        ("Dr Ann Lee", NameParts("Lee", "Ann", prefix="Dr")),
        ("Cllr. Dr. Ann Lee", NameParts("Lee", "Ann", prefix="Cllr. Dr.")),
        ("Ann Lee MBE", NameParts("Lee", "Ann", suffix="MBE")),
        ("Ann Lee, OBE JP", NameParts("Lee", "Ann", suffix="OBE JP")),
        ("Sir", NameParts("Sir")),
        ("Mohammed bin Salman Khan", NameParts("bin Salman Khan", "Mohammed")),
        ("Vincent Van Gogh", NameParts("Gogh", "Vincent", "Van")),
    ],
)
def test_names_split_into_their_parts(full, expected):
    assert split_name(full) == expected
