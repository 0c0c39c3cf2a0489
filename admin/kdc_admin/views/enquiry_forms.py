"""The admin's enquiry forms: log an enquiry, and on a case add a note, change the status or
extend. Plain Flask-WTF forms (CSRF included); :mod:`kdc_admin.views.enquiries` turns what they
hold into calls to the enquiry services."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    Field,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from kdc_admin.views.common import OneAddress
from kdc_core.enquiries.values import OPEN_STATUSES, TRANSITIONS, Status

STATUS_LABELS = {
    s: s.label
    for s in (
        Status.RECEIVED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.CLOSED,
    )
}


def no_nul(_form: Any, field: Field) -> None:
    """PostgreSQL cannot store a NUL character in text; say so instead of failing later."""
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError("Remove the control character (NUL) from this text.")


def strip_text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class LogEnquiryForm(FlaskForm):
    """``kdc enquiries create``, with the constituent's contact details as well as the name."""

    councillor = SelectField(
        "Councillor raising it",
        validators=[InputRequired("Choose the councillor raising the enquiry.")],
    )
    joint_councillors = SelectMultipleField("Joint councillors", validators=[Optional()])
    ward = SelectField("Ward", validators=[InputRequired("Choose the ward.")])
    service = SelectField(
        "Service",
        validators=[Optional()],
        description="Leave as it is for the category's default service.",
    )
    category = StringField(
        "Category",
        filters=[strip_text],
        validators=[DataRequired("Give a category."), Length(max=120), no_nul],
        description="Sets the timescales. It must be one of the categories in use "
        "(Enquiries → Categories); a near miss is refused with the closest names.",
    )
    description = TextAreaField(
        "Description",
        filters=[strip_text],
        validators=[DataRequired("Say what the enquiry is about."), no_nul],
    )
    received_at = DateTimeLocalField(
        "Received",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description="Council time. Leave empty for now.",
    )
    constituent_name = StringField(
        "Constituent's name", filters=[strip_text], validators=[Optional(), Length(max=200), no_nul]
    )
    constituent_email = StringField(
        "Constituent's email",
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=254),
            OneAddress(),
            no_nul,
        ],
    )
    constituent_phone = StringField(
        "Constituent's phone", filters=[strip_text], validators=[Optional(), Length(max=40), no_nul]
    )
    constituent_address = TextAreaField(
        "Constituent's address", filters=[strip_text], validators=[Optional(), no_nul]
    )
    advocacy = BooleanField("The Councillor Support & Liaison Team is handling it (advocacy)")


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Note", filters=[strip_text], validators=[DataRequired("Write the note."), no_nul]
    )


class StatusForm(FlaskForm):
    """``kdc enquiries update``: the service decides which moves are allowed."""

    status = SelectField(
        "New status",
        choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
        validators=[InputRequired("Choose the new status.")],
    )
    note = TextAreaField("Note (optional)", filters=[strip_text], validators=[Optional(), no_nul])


class ExtendForm(FlaskForm):
    """``kdc enquiries extend``: a reason, and a new date or the category's timescale again."""

    reason = TextAreaField(
        "Reason", filters=[strip_text], validators=[DataRequired("Give the reason."), no_nul]
    )
    due = DateField(
        "New response date",
        validators=[Optional()],
        description="Leave empty for the category's response time again.",
    )


class AssignForm(FlaskForm):
    """``kdc enquiries assign``: the named officer (active officers, by name) and why."""

    officer = SelectField(
        "Named officer", validators=[InputRequired("Choose the officer to take the enquiry.")]
    )
    reason = TextAreaField(
        "Reason (optional)",
        filters=[strip_text],
        validators=[Optional(), Length(max=2000), no_nul],
        description="Kept as a note on the case and told to the officers and councillors.",
    )


def form_errors(form: FlaskForm) -> str:
    return "; ".join(
        f"{form[name].label.text}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    )


def next_statuses(current: Status) -> list[tuple[str, str]]:
    """The statuses ``current`` may move to, as select choices (a reopening says so)."""
    finished = current in (Status.RESOLVED, Status.CLOSED)
    return [
        (s.value, f"Reopen ({label.lower()})" if finished and s in OPEN_STATUSES else label)
        for s, label in STATUS_LABELS.items()
        if s in TRANSITIONS[current]
    ]
