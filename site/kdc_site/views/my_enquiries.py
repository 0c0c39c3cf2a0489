"""``/my/enquiries/``: a councillor's own enquiries, a note on one, and a new one.

Only the enquiries the signed-in councillor raised or joined are listed or shown; any other
reference answers 404, as an unknown one does. Notes and new enquiries go through the core's
enquiry services (:mod:`kdc_core.enquiries.service`), with the councillor's email as the
actor, so they are audited, routed and announced exactly as from the admin or the command
line. When another casework system keeps the enquiries, these pages say so and change nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from kdc_core.app import Kdc
from kdc_core.enquiries import councillors as casework
from kdc_core.enquiries import service
from kdc_core.enquiries.backends import kept_here
from kdc_core.enquiries.values import CategorySettings, Constituent, NewEnquiry
from kdc_core.errors import KdcError, NotFound
from kdc_core.mail.addresses import AddressError, optional_address
from kdc_core.people.values import Councillor
from kdc_site.access import councillor_only, visitor

NOTE_LIMIT = 2000
DESCRIPTION_LIMIT = 5000
KEPT_ELSEWHERE = (
    "Your enquiries are kept in the council's casework system, not here. Contact the "
    "Councillor Support & Liaison Team to add a note or raise an enquiry."
)


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _no_nul(_form: Any, field: Any) -> None:
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError("Remove the control character from this text.")


def _one_address(_form: Any, field: Any) -> None:
    try:
        optional_address(field.data)
    except AddressError:
        raise ValidationError(
            "Enter an email address in the correct format, like name@example.com."
        ) from None


class ChoiceField(SelectField):
    """A select whose answer must be one of its (non-empty) choices, with a message a
    person can act on."""

    def __init__(self, label: str, message: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.message = message

    def pre_validate(self, form: Any) -> None:
        if self.data not in {value for value, *_ in self.choices or () if value}:
            raise ValidationError(self.message)


class NoteForm(Form):
    body = TextAreaField(
        "Add a note",
        filters=[_strip],
        validators=[
            DataRequired("Enter your note."),
            Length(max=NOTE_LIMIT, message=f"Your note must be {NOTE_LIMIT} characters or fewer."),
            _no_nul,
        ],
    )


class NewEnquiryForm(Form):
    category = ChoiceField("What kind of enquiry is it?", "Choose the kind of enquiry.")
    service = ChoiceField("Which service should deal with it?", "Choose a service.")
    ward = ChoiceField("Ward", "Choose a ward.")
    description = TextAreaField(
        "Describe the enquiry",
        filters=[_strip],
        validators=[
            DataRequired("Describe the enquiry."),
            Length(
                max=DESCRIPTION_LIMIT,
                message=f"The description must be {DESCRIPTION_LIMIT} characters or fewer.",
            ),
            _no_nul,
        ],
    )
    constituent_name = StringField(
        "Name (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=200, message="The name must be 200 characters or fewer."),
            _no_nul,
        ],
    )
    constituent_email = StringField(
        "Email address (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=254, message="The email address must be 254 characters or fewer."),
            _one_address,
        ],
    )
    constituent_phone = StringField(
        "Phone number (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=40, message="The phone number must be 40 characters or fewer."),
            _no_nul,
        ],
    )
    constituent_address = TextAreaField(
        "Address (optional)",
        filters=[_strip],
        validators=[
            Optional(),
            Length(max=500, message="The address must be 500 characters or fewer."),
            _no_nul,
        ],
    )


def sentence(exc: Exception) -> str:
    """A core error's message as a sentence for a person."""
    text = str(exc).strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def timescale(category: CategorySettings) -> str:
    """``acknowledged within 1 working day, answered within 10 working days``."""

    def days(n: int) -> str:
        return f"{n} working day{'' if n == 1 else 's'}"

    return (
        f"acknowledged within {days(category.acknowledge_days)}, "
        f"answered within {days(category.respond_days)}"
    )


def errors_of(form: Form) -> list[dict[str, str]]:
    """The form's errors as GOV.UK error summary items, in the form's order."""
    return [
        {"text": messages[0], "href": f"#{name}"}
        for name, messages in form.errors.items()
        if messages
    ]


def _me() -> Councillor:
    who = visitor()
    assert who is not None and who.councillor is not None and who.councillor.id is not None
    return who.councillor


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/my/enquiries/")
    @councillor_only
    def my_enquiries() -> Any:
        me = _me()
        with kdc.unit_of_work(source="web:my-enquiries", dry_run=True) as uow:
            cases = casework.for_councillor(uow, me.id)  # type: ignore[arg-type]
        return render_template(
            "site/my_enquiries.html",
            cases=cases,
            kept_here=kept_here(kdc),
            kept_elsewhere=KEPT_ELSEWHERE,
        )

    def _case_page(reference: str, form: NoteForm, status: int = 200) -> Any:
        me = _me()
        with kdc.unit_of_work(source="web:my-enquiries", dry_run=True) as uow:
            try:
                case = casework.case_for_councillor(uow, me.id, reference)  # type: ignore[arg-type]
            except NotFound:
                abort(404)
        page = render_template(
            "site/my_enquiry.html",
            case=case,
            form=form,
            errors=errors_of(form),
            kept_here=kept_here(kdc),
            kept_elsewhere=KEPT_ELSEWHERE,
            note_limit=NOTE_LIMIT,
        )
        return page, status

    @bp.get("/my/enquiries/<reference>")
    @councillor_only
    def my_enquiry(reference: str) -> Any:
        return _case_page(reference, NoteForm())

    @bp.post("/my/enquiries/<reference>/notes")
    @councillor_only
    def my_enquiry_note(reference: str) -> Any:
        me = _me()
        if not kept_here(kdc):
            abort(404)
        form = NoteForm(request.form)
        if not form.validate():
            return _case_page(reference, form, 400)
        who = visitor()
        assert who is not None
        try:
            with kdc.unit_of_work(source=f"web:{who.email}") as uow:
                case = casework.case_for_councillor(uow, me.id, reference)  # type: ignore[arg-type]
                service.add_note(uow, case.enquiry.reference, form.body.data or "", who.email)
        except NotFound:
            abort(404)
        except KdcError as exc:
            form.body.errors = [sentence(exc)]
            return _case_page(reference, form, 400)
        flash("Your note has been added.", "success")
        return redirect(url_for("site.my_enquiry", reference=case.enquiry.reference))

    def _choices(form: NewEnquiryForm, me: Councillor) -> None:
        with kdc.unit_of_work(source="web:my-enquiries", dry_run=True) as uow:
            categories = casework.known_categories(uow) or [CategorySettings("General")]
            services = uow.people.services()
            wards = uow.people.wards()
        form.category.choices = [("", "Choose one")] + [
            (c.name, f"{c.name} ({timescale(c)})") for c in categories
        ]
        form.service.choices = [("", "Choose one")] + [(s.slug, s.name) for s in services]
        form.ward.choices = [(w.slug, w.name) for w in wards]
        if form.ward.data is None and me.ward is not None:
            form.ward.data = me.ward.slug

    @bp.route("/my/enquiries/new", methods=["GET", "POST"])
    @councillor_only
    def my_new_enquiry() -> Any:
        me = _me()
        if not kept_here(kdc):
            return render_template(
                "site/my_new_enquiry.html", form=None, errors=[], kept_elsewhere=KEPT_ELSEWHERE
            )
        form = NewEnquiryForm(request.form if request.method == "POST" else None)
        _choices(form, me)
        if request.method == "GET" or not form.validate():
            status = 400 if request.method == "POST" else 200
            page = render_template(
                "site/my_new_enquiry.html",
                form=form,
                errors=errors_of(form),
                description_limit=DESCRIPTION_LIMIT,
            )
            return page, status
        who = visitor()
        assert who is not None
        new = NewEnquiry(
            councillors=(me.name,),
            ward=form.ward.data or "",
            category=form.category.data or "",
            service=form.service.data or "",
            description=form.description.data or "",
            constituent=Constituent(
                form.constituent_name.data or None,
                form.constituent_email.data or None,
                form.constituent_phone.data or None,
                form.constituent_address.data or None,
            ),
        )
        try:
            with kdc.unit_of_work(source=f"web:{who.email}") as uow:
                created = service.create(uow, new, who.email)
        except KdcError as exc:
            page = render_template(
                "site/my_new_enquiry.html",
                form=form,
                errors=[{"text": sentence(exc), "href": "#description"}],
                description_limit=DESCRIPTION_LIMIT,
            )
            return page, 400
        who_has_it = (
            f"It is with {created.officer}."
            if created.officer
            else (
                "It has no named officer yet: the Councillor Support & Liaison Team will name one."
            )
        )
        flash(
            f"Your enquiry has been raised. Its reference is {created.reference}. {who_has_it}",
            "success",
        )
        for warning in created.warnings:
            flash(f"Please check: {warning}.", "warning")
        return redirect(url_for("site.my_enquiry", reference=created.reference))
