"""Protocol 11.2 complaints (bullying, harassment or hectoring of an officer by a councillor)
in the admin: a list, a page per complaint with its stages, and forms to log one, refer it to
the next stage and close it.

Only admins see any of it. Who has a complaint against them — or who made one — is not for
viewers or liaison staff: every URL here answers 403 to them (GET and POST alike), and the
menu shows the entry only to admins (Flask-Admin leaves out views a user may not open).

Complaints change only through :mod:`kdc_core.protocol.complaints` — the functions
``kdc protocol complaint-open`` and ``complaint-escalate`` use — so the 11.2 order of stages
(group → Monitoring Officer → formal standards route, a skip only with a reason) is checked
in one place; a refusal is shown as a message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from kdc_admin.database import admin_source
from kdc_admin.menus import CASEWORK
from kdc_admin.security import ADMINS, SecuredBaseView
from kdc_admin.views.enquiry_forms import form_errors, no_nul, strip_text
from kdc_core.app import Kdc
from kdc_core.errors import KdcError
from kdc_core.protocol import complaints as log
from kdc_core.protocol.complaints import Complaint, Stage
from kdc_core.timewords import govuk_date
from kdc_core.unit_of_work import UnitOfWork

STAGES = [(s.value, s.label[0].upper() + s.label[1:]) for s in Stage]


class OpenForm(FlaskForm):
    """``kdc protocol complaint-open``."""

    councillor = SelectField(
        "Councillor complained about",
        validators=[InputRequired("Choose the councillor the complaint is about.")],
    )
    officer = SelectField("Officer affected (optional)", validators=[Optional()])
    summary = TextAreaField(
        "What happened",
        filters=[strip_text],
        validators=[DataRequired("Say what the complaint is about."), Length(max=5000), no_nul],
    )
    received = DateField(
        "Received on", validators=[Optional()], description="Leave empty for today."
    )
    stage = SelectField("First stage", choices=STAGES, default=Stage.GROUP.value)
    skip_reason = TextAreaField(
        "Why earlier stages are skipped",
        filters=[strip_text],
        validators=[Optional(), Length(max=2000), no_nul],
        description="Needed only when the first stage is not the group stage (11.2).",
    )


class EscalateForm(FlaskForm):
    """``kdc protocol complaint-escalate``."""

    stage = SelectField("Refer to", choices=STAGES)
    result = TextAreaField(
        "Why the current stage did not resolve it",
        filters=[strip_text],
        validators=[DataRequired("Say why the current stage did not resolve it."), no_nul],
    )
    on = DateField("On", validators=[Optional()], description="Leave empty for today.")
    skip_reason = TextAreaField(
        "Why a stage is skipped",
        filters=[strip_text],
        validators=[Optional(), Length(max=2000), no_nul],
        description="Needed only when the referral jumps a stage (11.2).",
    )


class CloseForm(FlaskForm):
    outcome = TextAreaField(
        "Outcome",
        filters=[strip_text],
        validators=[DataRequired("Give the outcome."), Length(max=5000), no_nul],
    )
    on = DateField("Closed on", validators=[Optional()], description="Leave empty for today.")


def _kdc() -> Kdc:
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def _today(kdc: Kdc) -> dt.date:
    return dt.datetime.now(kdc.settings.tz).date()


def _officer_names(uow: UnitOfWork, found: list[Complaint]) -> dict[int, str]:
    ids = {c.officer_id for c in found if c.officer_id is not None}
    if not ids:
        return {}
    return {
        o.id: o.name
        for o in uow.people.officers(ids=ids, include_archived=True)
        if o.id is not None
    }


def _complaint_id() -> int:
    raw = request.args.get("id", "")
    if not raw.isdigit():
        abort(404)
    return int(raw)


class ComplaintsView(SecuredBaseView):
    """Admins only: the 11.2 complaints log, a page per complaint, and its forms."""

    read_roles = ADMINS
    write_roles = ADMINS

    def _render(self, template: str, **kwargs: Any) -> Any:
        tz = _kdc().settings.tz
        return self.render(template, day=lambda d: govuk_date(d, tz) if d else "", **kwargs)

    @expose("/")
    def index(self) -> Any:
        with _kdc().unit_of_work(source=admin_source(), dry_run=True) as uow:
            found = log.complaints(uow)
            officers = _officer_names(uow, found)
        found.sort(key=lambda c: (c.closed_on is not None, -c.id))
        return self._render("kdc/complaints.html", complaints=found, officers=officers)

    @expose("/new", methods=("GET", "POST"))
    def new(self) -> Any:
        kdc = _kdc()
        form = OpenForm()
        with kdc.unit_of_work(source=admin_source(), dry_run=True) as uow:
            form.councillor.choices = [
                ("", "Choose …"),
                *((str(c.id), c.name) for c in uow.people.councillors()),
            ]
            form.officer.choices = [
                ("", "Nobody named"),
                *((str(o.id), o.name) for o in uow.people.officers()),
            ]
        if form.validate_on_submit():
            try:
                with kdc.unit_of_work(source=admin_source()) as uow:
                    made = log.open_complaint(
                        uow,
                        int(form.councillor.data or 0),
                        form.summary.data or "",
                        form.received.data or _today(kdc),
                        int(form.officer.data) if form.officer.data else None,
                        Stage(form.stage.data),
                        form.skip_reason.data or None,
                    )
            except KdcError as exc:
                flash(f"The complaint was not logged: {exc}", "error")
            else:
                due = govuk_date(made.stages[-1].due_on, kdc.settings.tz)
                flash(
                    f"Complaint {made.id} about {made.councillor} logged. Next step: "
                    f"{made.next_step}, by {due}.",
                    "success",
                )
                return redirect(url_for(".details", id=made.id))
        return self._render("kdc/complaint_new.html", form=form)

    @expose("/details")
    def details(self) -> Any:
        complaint_id = _complaint_id()
        with _kdc().unit_of_work(source=admin_source(), dry_run=True) as uow:
            found = log.complaints(uow, [complaint_id])
            if not found:
                abort(404)
            officers = _officer_names(uow, found)
        complaint = found[0]
        escalate = EscalateForm() if complaint.current else None
        if escalate is not None and complaint.current is not None:
            now = log.ORDER.index(complaint.current.stage)
            escalate.stage.choices = STAGES[now + 1 :]
            if not escalate.stage.choices:
                escalate = None
        return self._render(
            "kdc/complaint.html",
            complaint=complaint,
            officer=officers.get(complaint.officer_id or 0),
            escalate_form=escalate,
            close_form=CloseForm() if complaint.current else None,
        )

    def _change(self, form: FlaskForm, change: Any, refused: str) -> Any:
        complaint_id = _complaint_id()
        kdc = _kdc()
        if not form.validate():
            flash(f"{refused}: {form_errors(form)}", "error")
        else:
            try:
                with kdc.unit_of_work(source=admin_source()) as uow:
                    flash(change(uow, complaint_id, _today(kdc)), "success")
            except KdcError as exc:
                flash(f"{refused}: {exc}", "error")
        return redirect(url_for(".details", id=complaint_id))

    @expose("/escalate", methods=("POST",))
    def escalate(self) -> Any:
        form = EscalateForm()

        def refer(uow: UnitOfWork, complaint_id: int, today: dt.date) -> str:
            stage = Stage(form.stage.data)
            c = log.escalate(
                uow,
                complaint_id,
                stage,
                form.on.data or today,
                form.result.data or "",
                form.skip_reason.data or None,
            )
            return f"Complaint {c.id} is now with the {stage.label}. Next step: {c.next_step}."

        return self._change(form, refer, "The complaint was not referred")

    @expose("/close", methods=("POST",))
    def close(self) -> Any:
        form = CloseForm()

        def close(uow: UnitOfWork, complaint_id: int, today: dt.date) -> str:
            on = form.on.data or today
            c = log.close_complaint(uow, complaint_id, on, form.outcome.data or "")
            return f"Complaint {c.id} is closed."

        return self._change(form, close, "The complaint was not closed")


def complaint_views() -> list[Any]:
    return [
        ComplaintsView(
            name="Complaints (11.2)", category=CASEWORK, endpoint="complaints", url="complaints"
        )
    ]
