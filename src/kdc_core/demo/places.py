"""Wards, areas and the political make-up of the demo council.

The 23 ward names are Kirklees's real wards. Everything about the people is fictional;
the seat plan is a plausible mix (Labour the largest group without a majority), not a record
of any election. ONS ward codes are left empty: no source reliable enough was at hand.
"""

from __future__ import annotations

from kdc_core.demo.records import DemoGroup

#: Ward name → area (the old district-committee areas, used to place officers' teams).
WARD_AREAS: dict[str, str] = {
    "Almondbury": "Huddersfield",
    "Ashbrow": "Huddersfield",
    "Batley East": "Batley and Spen",
    "Batley West": "Batley and Spen",
    "Birstall and Birkenshaw": "Batley and Spen",
    "Cleckheaton": "Batley and Spen",
    "Colne Valley": "Colne Valley",
    "Crosland Moor and Netherton": "Huddersfield",
    "Dalton": "Huddersfield",
    "Denby Dale": "Kirklees Rural",
    "Dewsbury East": "Dewsbury and Mirfield",
    "Dewsbury South": "Dewsbury and Mirfield",
    "Dewsbury West": "Dewsbury and Mirfield",
    "Golcar": "Colne Valley",
    "Greenhead": "Huddersfield",
    "Heckmondwike": "Batley and Spen",
    "Holme Valley North": "Kirklees Rural",
    "Holme Valley South": "Kirklees Rural",
    "Kirkburton": "Kirklees Rural",
    "Lindley": "Colne Valley",
    "Liversedge and Gomersal": "Batley and Spen",
    "Mirfield": "Dewsbury and Mirfield",
    "Newsome": "Huddersfield",
}

WARD_NAMES: tuple[str, ...] = tuple(sorted(WARD_AREAS))

#: Ward-facing teams split the borough in two.
REGIONS: dict[str, tuple[str, ...]] = {
    "North Kirklees": ("Batley and Spen", "Dewsbury and Mirfield"),
    "South Kirklees": ("Huddersfield", "Colne Valley", "Kirklees Rural"),
}


def region_wards(region: str) -> tuple[str, ...]:
    """The wards of a region, in name order."""
    areas = REGIONS[region]
    return tuple(name for name in WARD_NAMES if WARD_AREAS[name] in areas)


GROUPS: tuple[DemoGroup, ...] = (
    DemoGroup("Labour", "Lab"),
    DemoGroup("Conservative", "Con"),
    DemoGroup("Liberal Democrat", "LD"),
    DemoGroup("Green Party", "Green"),
    DemoGroup("Kirklees Community Independents", "KCI"),
    DemoGroup("Independent", "Ind"),
)

_BY_SHORT = {g.short_name: g.name for g in GROUPS}

#: Three seats a ward, by group short name. 28 Lab, 17 Con, 8 LD, 4 Green, 6 KCI, 6 Ind.
_SEATS: dict[str, tuple[str, str, str]] = {
    "Almondbury": ("Con", "Con", "Lab"),
    "Ashbrow": ("Lab", "Lab", "Lab"),
    "Batley East": ("Lab", "KCI", "KCI"),
    "Batley West": ("Lab", "Lab", "KCI"),
    "Birstall and Birkenshaw": ("Con", "Con", "Ind"),
    "Cleckheaton": ("LD", "LD", "LD"),
    "Colne Valley": ("LD", "Con", "Lab"),
    "Crosland Moor and Netherton": ("Lab", "Lab", "Lab"),
    "Dalton": ("Lab", "Lab", "Lab"),
    "Denby Dale": ("Con", "Con", "Lab"),
    "Dewsbury East": ("Lab", "KCI", "Lab"),
    "Dewsbury South": ("Lab", "KCI", "KCI"),
    "Dewsbury West": ("Lab", "Lab", "Lab"),
    "Golcar": ("LD", "LD", "Lab"),
    "Greenhead": ("Lab", "Lab", "Lab"),
    "Heckmondwike": ("Ind", "Ind", "Lab"),
    "Holme Valley North": ("Ind", "Con", "Green"),
    "Holme Valley South": ("Con", "Con", "Green"),
    "Kirkburton": ("Con", "Con", "Ind"),
    "Lindley": ("LD", "LD", "Con"),
    "Liversedge and Gomersal": ("Con", "Con", "Lab"),
    "Mirfield": ("Con", "Con", "Ind"),
    "Newsome": ("Green", "Green", "Lab"),
}


def seat_plan() -> tuple[tuple[str, int, str], ...]:
    """``(ward, seat 0–2, group name)`` for all 69 seats, wards in name order."""
    return tuple(
        (ward, seat, _BY_SHORT[short])
        for ward in WARD_NAMES
        for seat, short in enumerate(_SEATS[ward])
    )


#: Ward → the date each of its three seats was last contested, then earlier elections for
#: the same seat (elections by thirds; 2020's were held in 2021).
SEAT_ELECTIONS: tuple[tuple[str, ...], ...] = (
    ("2024-05-02", "2021-05-06", "2016-05-05", "2012-05-03"),
    ("2023-05-04", "2019-05-02", "2015-05-07", "2011-05-05"),
    ("2022-05-05", "2018-05-03", "2014-05-22", "2010-05-06"),
)

#: The one ward the demo leaves without a link officer, for the data-health views.
WARD_WITHOUT_LINK_OFFICER = "Holme Valley North"

#: (ward, ward-facing service) pairs the demo leaves without a named contact, on purpose.
CONTACT_GAPS: frozenset[tuple[str, str]] = frozenset(
    {
        ("Batley West", "Libraries"),
        ("Colne Valley", "Highways"),
        ("Denby Dale", "Community Safety"),
        ("Dewsbury South", "Environmental Health"),
        ("Golcar", "Early Support"),
        ("Heckmondwike", "Planning"),
        ("Lindley", "Adult Social Care"),
        ("Newsome", "Waste and Recycling"),
    }
)

#: Where officers sit, by region; office-based services use the first.
LOCATIONS: dict[str, tuple[str, ...]] = {
    "North Kirklees": ("Dewsbury Town Hall", "Batley Town Hall", "Cleckheaton Town Hall"),
    "South Kirklees": (
        "Civic Centre 1, Huddersfield",
        "Civic Centre 3, Huddersfield",
        "Holmfirth Civic Hall",
    ),
    "depot": ("Huddersfield Depot", "Dewsbury Depot"),
    "office": (
        "Civic Centre 1, Huddersfield",
        "Civic Centre 3, Huddersfield",
        "Huddersfield Town Hall",
    ),
}
