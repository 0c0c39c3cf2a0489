"""The admin's views, one module per area."""

from __future__ import annotations

from typing import Any

from kdc_admin.views.changelog import changelog_views
from kdc_admin.views.complaints import complaint_views
from kdc_admin.views.directory import directory_admin_views
from kdc_admin.views.enquiries import enquiry_admin_views
from kdc_admin.views.enquiry_categories import enquiry_category_views
from kdc_admin.views.events import event_views
from kdc_admin.views.jobs import jobs_admin_views
from kdc_admin.views.newsletter import newsletter_admin_views
from kdc_admin.views.organisation import organisation_views
from kdc_admin.views.outbox import outbox_admin_views
from kdc_admin.views.pages import page_views
from kdc_admin.views.people import people_views
from kdc_admin.views.protocol import protocol_views
from kdc_admin.views.rota import rota_admin_views
from kdc_admin.views.users import user_views
from kdc_core.app import Kdc


def core_views(kdc: Kdc, db: Any) -> list[Any]:
    """Every view the core ships, in menu order (the dashboard is the index view).

    Plugins add theirs after these through the ``kdc_admin_views`` hook.
    """
    return [
        *people_views(db),
        *organisation_views(db),
        *event_views(db),
        *protocol_views(),
        *complaint_views(),
        *page_views(),
        *user_views(db),
        *directory_admin_views(kdc),
        *newsletter_admin_views(kdc),
        *enquiry_admin_views(kdc),
        *enquiry_category_views(db),
        *rota_admin_views(kdc),
        *outbox_admin_views(kdc),
        *jobs_admin_views(kdc),
        *changelog_views(),
    ]
