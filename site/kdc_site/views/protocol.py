"""The member–officer protocol: the one-page guide, every clause by number, the scenarios."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from kdc_core.app import Kdc
from kdc_core.protocol.guide import AUDIENCES, expectations_for, guide_items
from kdc_core.protocol.service import current_protocol
from kdc_site.navigation import NavItem

NAV = [
    NavItem(
        "site.protocol",
        "The protocol",
        "How councillors and officers work together: a one-page guide, every clause of the "
        "member–officer protocol and worked scenarios.",
    )
]


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/protocol/")
    def protocol() -> Any:
        audience = request.args.get("for", "councillor")
        if audience not in AUDIENCES:
            audience = "councillor"
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            document = current_protocol(uow)
        return render_template(
            "site/protocol_guide.html",
            protocol=document,
            audience=audience,
            audiences=AUDIENCES,
            expectations=expectations_for(document, audience),
            sections=guide_items(document, audience),
        )

    @bp.get("/protocol/clauses/")
    def protocol_clauses() -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            document = current_protocol(uow)
        return render_template("site/protocol_clauses.html", protocol=document)

    @bp.get("/protocol/scenarios/")
    def protocol_scenarios() -> Any:
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            document = current_protocol(uow)
        return render_template("site/protocol_scenarios.html", protocol=document)
