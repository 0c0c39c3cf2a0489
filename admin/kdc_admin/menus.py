"""The admin's menus: five, so the navigation bar fits one row on a 1280-pixel screen.

Each view names its menu (its Flask-Admin ``category``) with one of these constants. Views
that still name an older menu — "People", "Places", "Organisation", "Enquiries",
"Newsletter", "Settings", as a plugin written before these menus may — are moved into the
menu that took it over by :func:`place`, which the app factory applies to every view; a
view with no menu at all stays a top-level link unless :data:`TOP_LEVEL` gives it one.
"""

from __future__ import annotations

from typing import Any

PEOPLE = "People & places"
CALENDAR = "Calendar"
CASEWORK = "Casework"
COMMUNICATIONS = "Communications"
OPERATIONS = "Operations"
MENUS = (PEOPLE, CALENDAR, CASEWORK, COMMUNICATIONS, OPERATIONS)

#: Older menu names and the menu that took each over.
MOVED = {
    "People": PEOPLE,
    "Places": PEOPLE,
    "Organisation": PEOPLE,
    "Enquiries": CASEWORK,
    "Protocol": CASEWORK,
    "Newsletter": COMMUNICATIONS,
    "Settings": OPERATIONS,
}
#: Views without a menu that belong in one (by endpoint).
TOP_LEVEL = {"protocol": CASEWORK, "orgchart": PEOPLE}


def place(view: Any) -> Any:
    """Put ``view`` in its menu (before it is added to the admin); returns the view."""
    category = view.category or TOP_LEVEL.get(view.endpoint)
    view.category = MOVED.get(category, category) if category else None
    return view
