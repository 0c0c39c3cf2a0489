"""iCalendar in and out: importing .ics feeds and serving councillors' calendar feeds."""

from kdc_ical.importer import kdc_register_importers  # noqa: F401
