"""Newsletters in the admin: success stories (kept here), briefings, the issue archive with a
preview of each stored issue, councillors' topic choices, and the councillors whose topic menu
is overdue for review.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from flask import Response, abort, current_app, flash, request, url_for
from flask_admin import expose
from flask_admin.contrib.sqla.filters import FilterEqual
from markupsafe import Markup
from wtforms import DateField, SelectField, StringField
from wtforms.validators import InputRequired

from kdc_admin.database import KdcDatabase, admin_source
from kdc_admin.formats import council_tz, day
from kdc_admin.menus import COMMUNICATIONS
from kdc_admin.security import SecuredBaseView, SecuredModelView
from kdc_admin.views.common import clean_text, finding_words, flash_findings, through_service
from kdc_core.app import Kdc
from kdc_core.briefings.service import Briefing, edit_briefing, post_briefing
from kdc_core.db.newsletters import (
    BriefingRow,
    NewsletterIssueRow,
    SuccessStoryRow,
    TopicChoiceRow,
)
from kdc_core.db.people import CouncillorRow
from kdc_core.mail.topics import overdue_reviews, set_topic
from kdc_core.mail.values import TOPICS
from kdc_core.protocol.service import open_findings, override
from kdc_core.unit_of_work import UnitOfWork

#: The preview shows a stored issue as the mail client would: its own inline styles, images
#: from anywhere, no scripts, no forms, no framing — and sandboxed, whatever it holds.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "frame-ancestors 'self'; sandbox allow-popups"
)


class SuccessStoryView(SecuredModelView):
    """Success stories for the newsletter; no ward means every ward."""

    column_list = ("published_on", "title", "ward", "service")
    column_default_sort = ("published_on", True)
    column_searchable_list = ("title", "body")
    form_columns = ("title", "body", "published_on", "ward", "service", "image_url", "image_alt")
    form_overrides: ClassVar[dict[str, Any]] = {"published_on": DateField}
    column_labels: ClassVar[dict[str, str]] = {"image_alt": "Image description (alt text)"}


def _topic_cell(_view: Any, _context: Any, model: Any, _name: str) -> str:
    return TOPICS.get(model.topic, model.topic)


def _briefing(model: BriefingRow) -> Briefing:
    return Briefing.from_row(model, timezone=council_tz())


def _late_cell(_view: Any, _context: Any, model: BriefingRow, _name: str) -> str:
    """Whether it was posted on or after its public date (the core's rule, protocol 8.1)."""
    return "Yes: late under protocol 8.1" if _briefing(model).late else "No"


def _findings_cell(view: Any, _context: Any, model: BriefingRow, _name: str) -> Markup:
    """The briefing's open protocol findings in words, one a line (none: "None open")."""
    found = open_findings(view.kdc_db.unit_of_work(), "briefing", model.id)
    if not found:
        return Markup("None open")
    return Markup("<br>").join(finding_words(r) for r in found)


class BriefingView(SecuredModelView):
    """Ward briefings, posted and edited here or with ``kdc briefing post``.

    Posting and editing go through :func:`~kdc_core.briefings.service.post_briefing` and
    :func:`~kdc_core.briefings.service.edit_briefing`, as the command line does, so rules 8.1
    (ward councillors told before it is public) and 9.1 (every political group told of a
    significant development) run and record their findings the same way; the findings are
    flashed after the save and listed on the briefing's page. An error-level finding blocks
    the save unless the *Protocol override reason* is filled in. Sending stays with
    ``kdc briefing send`` (the outbox). Briefings are never deleted.
    """

    allow_delete = False
    column_list = ("posted_at", "public_on", "title", "wards", "significant", "late", "service")
    column_default_sort = ("posted_at", True)
    column_searchable_list = ("title",)
    column_labels: ClassVar[dict[str, str]] = {
        "posted_at": "Posted",
        "public_on": "Public from",
        "significant": "Significant (9.1)",
        "late": "Late (8.1)",
        "findings": "Protocol findings",
        "protocol_override": "Protocol override reason",
    }
    column_formatters: ClassVar[dict[str, Any]] = {"late": _late_cell, "topic": _topic_cell}
    column_formatters_detail: ClassVar[dict[str, Any]] = {
        "late": _late_cell,
        "topic": _topic_cell,
        "findings": _findings_cell,
        "body": lambda _v, _c, m, _n: Markup("<br>").join(m.body.splitlines()),
    }
    column_details_list = (
        "title",
        "body",
        "wards",
        "public_on",
        "posted_at",
        "late",
        "significant",
        "topic",
        "service",
        "findings",
    )
    column_export_list = ("posted_at", "public_on", "title", "wards", "significant", "service")
    form_columns = (
        "title",
        "body",
        "wards",
        "public_on",
        "service",
        "significant",
        "topic",
        "protocol_override",
    )
    form_overrides: ClassVar[dict[str, Any]] = {"public_on": DateField, "topic": SelectField}
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "protocol_override": StringField(
            "Protocol override reason",
            description="Only to save despite a protocol error; the reason is recorded.",
            filters=[lambda text: (text or "").strip() or None],
        )
    }
    form_widget_args: ClassVar[dict[str, Any]] = {"body": {"rows": 8}}

    def __init__(self, model: Any, db: KdcDatabase, **kwargs: Any) -> None:
        self.kdc_db = db
        self.form_args = {
            "title": {"validators": [InputRequired()]},
            "body": {"validators": [InputRequired()], "filters": [clean_text]},
            "wards": {
                "validators": [InputRequired()],
                "description": "The wards it is about: their councillors receive it.",
            },
            "public_on": {
                "validators": [InputRequired()],
                "description": "The day it becomes public. Posted on or after that day, it is "
                "late under protocol 8.1: ward councillors hear of proposals first.",
            },
            "significant": {
                "description": "A significant development: it also goes to the leader of "
                "every political group with no councillor in these wards (protocol 9.1)."
            },
            "topic": {"choices": list(TOPICS.items()), "default": "briefings"},
        }
        super().__init__(model, db, **kwargs)

    def create_model(self, form: Any) -> Any:
        saved = self._save(form, None)
        if saved is None:
            return False
        return self.kdc_db.session.get(BriefingRow, saved.id)

    def update_model(self, form: Any, model: BriefingRow) -> bool:
        saved = self._save(form, model.id)
        if saved is not None and saved.sent:
            flash(
                "It was already sent to some councillors: they are not sent the change.",
                "info",
            )
        return saved is not None

    def _save(self, form: Any, briefing_id: int | None) -> Briefing | None:
        """Post or edit through the briefings service; flash its protocol findings."""
        fields: dict[str, Any] = {
            "wards": [w.name for w in form.wards.data or ()],
            "title": form.title.data or "",
            "body": form.body.data or "",
            "public_on": form.public_on.data,
            "service": form.service.data.name if form.service.data else None,
            "significant": bool(form.significant.data),
            "topic": form.topic.data or "briefings",
        }

        def save(uow: UnitOfWork) -> Briefing:
            override(uow, form.protocol_override.data)
            if briefing_id is None:
                return post_briefing(uow, **fields)
            return edit_briefing(uow, briefing_id, **fields)

        saved = through_service(self.kdc_db, save)
        if saved is not None:
            if saved.late:
                flash(
                    f"This briefing is late under protocol 8.1: it was posted on or after "
                    f"the day it became public ({day(saved.public_on)}).",
                    "warning",
                )
            flash_findings(self.kdc_db, "briefing", saved.id)
        return saved


def _preview_link(_view: Any, _context: Any, model: NewsletterIssueRow, _name: str) -> Markup:
    url = url_for("newsletter_preview.preview", id=model.id)
    return Markup('<a href="{}">Preview</a>').format(url)


class IssueArchiveView(SecuredModelView):
    """Every issue built, per ward, month and councillor, with when it was sent."""

    allow_create = False
    allow_edit = False
    allow_delete = False
    can_view_details = False
    column_list = ("month", "ward", "councillor", "subject", "built_at", "sent_at", "preview")
    column_default_sort = ("built_at", True)
    column_filters = ("month",)
    column_formatters: ClassVar[dict[str, Any]] = {"preview": _preview_link}
    column_export_list = ("month", "ward", "councillor", "subject", "built_at", "sent_at")


class PreviewView(SecuredBaseView):
    """Topic reviews, and one stored issue as the councillor received it."""

    @expose("/")
    def index(self) -> Any:
        kdc: Kdc = current_app.extensions["kdc"]
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            today = dt.datetime.now(kdc.settings.tz).date()
            overdue = overdue_reviews(uow, today)
        return self.render("kdc_newsletter/reviews.html", overdue=overdue, today=today)

    @expose("/preview")
    def preview(self) -> Any:
        """An admin page around the issue: its subject and recipient, and the issue itself in a
        sandboxed frame (the mail's own HTML has no place for the admin's landmarks)."""
        issue = self._issue()
        return self.render(
            "kdc_newsletter/preview.html",
            subject=issue["subject"],
            month=issue["month"],
            ward=issue["ward"],
            frame_url=url_for(".raw", id=issue["id"]),
        )

    @expose("/preview/raw")
    def raw(self) -> Any:
        """The stored issue's HTML as sent, under a strict, sandboxing policy."""
        response = Response(self._issue()["html"], mimetype="text/html")
        response.headers["Content-Security-Policy"] = PREVIEW_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response

    def _issue(self) -> dict[str, Any]:
        """The issue named by ``?id=``: id, subject, month, ward (its name) and html."""
        kdc: Kdc = current_app.extensions["kdc"]
        raw = request.args.get("id", "")
        if not raw.isdigit():
            abort(404)
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            row = uow.session.get(NewsletterIssueRow, int(raw))
            if row is None:
                abort(404)
            return {
                "id": row.id,
                "subject": row.subject,
                "month": row.month,
                "ward": row.ward.name,
                "html": row.html,
            }


class TopicChoiceView(SecuredModelView):
    """Councillors' choices from the menu of opportunities (no choice means they receive it).

    Saved through :func:`kdc_core.mail.topics.set_topic`, as the councillor's own page does,
    so the topic is checked and the change is dated. A choice is changed, never deleted:
    turning a topic back on is a choice too.
    """

    allow_delete = False
    column_list = ("councillor", "topic", "opted_in", "sms", "changed_at")
    column_labels: ClassVar[dict[str, str]] = {
        "opted_in": "Receives it",
        "sms": "Also by text message",
        "changed_at": "Chosen",
    }
    column_formatters: ClassVar[dict[str, Any]] = {"topic": _topic_cell}
    column_formatters_detail: ClassVar[dict[str, Any]] = {"topic": _topic_cell}
    column_sortable_list: ClassVar[list[Any]] = [
        ("councillor", "councillor.name"),
        "topic",
        "changed_at",
    ]
    column_default_sort = ("changed_at", True)
    column_searchable_list = ("councillor.name",)
    column_details_list = ("councillor", "topic", "opted_in", "sms", "changed_at")
    column_export_list = ("councillor", "topic", "opted_in", "sms", "changed_at")
    form_columns = ("councillor", "topic", "opted_in", "sms")
    form_overrides: ClassVar[dict[str, Any]] = {"topic": SelectField}

    def __init__(self, db: KdcDatabase, **kwargs: Any) -> None:
        self.kdc_db = db
        self.column_filters = [
            FilterEqual(TopicChoiceRow.topic, "Topic", options=list(TOPICS.items())),
            "opted_in",
            "sms",
        ]
        self.form_args = {
            "councillor": {
                "validators": [InputRequired()],
                "query_factory": lambda: (
                    db.session.query(CouncillorRow)
                    .filter(CouncillorRow.archived_at.is_(None))
                    .order_by(CouncillorRow.name)
                ),
            },
            "topic": {"choices": list(TOPICS.items()), "validators": [InputRequired()]},
            "opted_in": {"label": "Receives it", "default": True},
            "sms": {"label": "Also by text message (when they have a mobile number)"},
        }
        super().__init__(TopicChoiceRow, db, **kwargs)

    def edit_form(self, obj: Any = None) -> Any:
        """Who and which topic are what the record is: only the choice changes."""
        form = super().edit_form(obj)
        del form.councillor, form.topic
        return form

    def create_model(self, form: Any) -> Any:
        councillor: CouncillorRow = form.councillor.data
        if not self._save(councillor.id, form.topic.data, form):
            return False
        return self.kdc_db.session.get(TopicChoiceRow, (councillor.id, form.topic.data))

    def update_model(self, form: Any, model: TopicChoiceRow) -> bool:
        return self._save(model.councillor_id, model.topic, form)

    def _save(self, councillor_id: int, topic: str, form: Any) -> bool:
        def save(uow: UnitOfWork) -> bool:
            set_topic(uow, councillor_id, topic, bool(form.opted_in.data), bool(form.sms.data))
            return True

        return bool(through_service(self.kdc_db, save))


def newsletter_admin_views(kdc: Kdc) -> list[Any]:
    db = KdcDatabase.for_kdc(kdc)
    cat = COMMUNICATIONS
    return [
        SuccessStoryView(
            SuccessStoryRow, db, name="Success stories", category=cat, endpoint="success_story"
        ),
        BriefingView(BriefingRow, db, name="Briefings", category=cat, endpoint="briefing"),
        TopicChoiceView(db, name="Topic choices", category=cat, endpoint="topic_choice"),
        IssueArchiveView(
            NewsletterIssueRow, db, name="Issue archive", category=cat, endpoint="newsletter_issue"
        ),
        PreviewView(
            name="Topic reviews", category=cat, endpoint="newsletter_preview", url="newsletter"
        ),
    ]
