"""iCalendar in and out: importing .ics feeds and serving councillors' calendar feeds.

The hook implementations are in :mod:`kdc_ical.hooks`, which imports the heavy parts only when
a hook needs them."""

from kdc_ical.hooks import (  # noqa: F401
    kdc_admin_views,
    kdc_blueprints,
    kdc_changes_committed,
    kdc_check_config,
    kdc_register_commands,
    kdc_register_importers,
    kdc_seed_demo_activity,
)
