"""The member–officer protocol in the admin: open findings, the guide and the scenarios.

Everyone who may read the admin sees these pages; editors may re-run the whole-database
check (a POST with the CSRF token), which records findings as ``kdc protocol check`` does.
The 11.2 complaints are admins' only (:mod:`kdc_admin.views.complaints`), and so are the
findings about them: the list of open findings leaves those out for everyone else, since a
finding names the councillor a complaint is about.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, request, url_for
from flask_admin import expose

from kdc_admin.database import admin_source
from kdc_admin.security import ADMINS, SecuredBaseView, current_role
from kdc_core.app import Kdc
from kdc_core.enquiries.caseview import actor_names
from kdc_core.errors import KdcError
from kdc_core.protocol.complaints import COMPLAINT_RULE
from kdc_core.protocol.guide import AUDIENCES, guide_items
from kdc_core.protocol.rules import Severity
from kdc_core.protocol.service import Recorded, check_all, current_protocol, open_findings


def _kdc() -> Kdc:
    kdc: Kdc = current_app.extensions["kdc"]
    return kdc


def _visible(found: list[Recorded]) -> list[Recorded]:
    """The findings the signed-in user may see: those about 11.2 complaints are admins' only."""
    if current_role() in ADMINS:
        return found
    return [r for r in found if r.finding.subject_kind != COMPLAINT_RULE.subject]


class ProtocolView(SecuredBaseView):
    """Open findings first (errors, then warnings, then records), then the reference pages."""

    @expose("/")
    def index(self) -> Any:
        with _kdc().unit_of_work(source=admin_source(), dry_run=True) as uow:
            found = _visible(open_findings(uow))
            version = current_protocol(uow).version
            who = actor_names(uow, [r.overridden_by for r in found if r.overridden_by])
        found.sort(key=lambda r: (-r.finding.severity.rank, r.finding.clause, r.id))
        counts = {s.value: sum(r.finding.severity is s for r in found) for s in Severity}
        return self.render(
            "kdc/protocol.html",
            findings=found,
            counts=counts,
            version=version,
            can_check=self.can_write(),
            who=who,
            severity={"error": "Error", "warning": "Warning", "info": "Record"},
        )

    @expose("/check", methods=("POST",))
    def check(self) -> Any:
        try:
            with _kdc().unit_of_work(source=admin_source()) as uow:
                found = check_all(uow)
        except KdcError as exc:
            flash(f"The protocol check failed: {exc}", "error")
        else:
            found = _visible(found)
            flash(f"Protocol check done: {len(found)} open finding(s).", "success")
        return redirect(url_for(".index"))

    @expose("/guide")
    def guide(self) -> Any:
        audience = request.args.get("audience", "councillor")
        if audience not in AUDIENCES:
            audience = "councillor"
        with _kdc().unit_of_work(source=admin_source(), dry_run=True) as uow:
            protocol = current_protocol(uow)
        return self.render(
            "kdc/protocol_guide.html",
            protocol=protocol,
            audience=audience,
            audiences=AUDIENCES,
            sections=guide_items(protocol, audience),
        )

    @expose("/scenarios")
    def scenarios(self) -> Any:
        with _kdc().unit_of_work(source=admin_source(), dry_run=True) as uow:
            protocol = current_protocol(uow)
        return self.render("kdc/protocol_scenarios.html", protocol=protocol)


def protocol_views() -> list[Any]:
    return [ProtocolView(name="Protocol", endpoint="protocol", url="protocol")]
