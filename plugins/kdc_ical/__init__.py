"""iCalendar in and out: importing .ics feeds and serving councillors' calendar feeds."""

from kdc_ical.feeds import (  # noqa: F401
    kdc_admin_views,
    kdc_blueprints,
    kdc_changes_committed,
    kdc_register_commands,
    kdc_seed_demo_activity,
)
from kdc_ical.importer import kdc_register_importers  # noqa: F401
