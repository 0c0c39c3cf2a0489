"""iCalendar in and out: importing .ics feeds and serving councillors' calendar feeds."""

from kdc_ical.feeds import kdc_blueprints, kdc_changes_committed, kdc_register_commands  # noqa: F401
from kdc_ical.importer import kdc_register_importers  # noqa: F401
