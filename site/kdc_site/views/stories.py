"""Success stories: what councillors and officers achieved together, ward by ward."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from kdc_core.app import Kdc
from kdc_core.newsletter.stories import published_stories
from kdc_core.people.search import clean_text
from kdc_site.navigation import NavItem

NAV = [
    NavItem(
        "site.stories",
        "Success stories",
        "What councillors and officers have achieved together in the wards.",
    )
]


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/stories/")
    def stories() -> Any:
        ward_slug = clean_text(request.args.get("ward"))
        page_text = clean_text(request.args.get("page"), 6)
        with kdc.unit_of_work(source="web:site", dry_run=True) as uow:
            wards = uow.people.wards()
            ward = next((w for w in wards if w.slug == ward_slug), None)
            found = published_stories(
                uow,
                ward_id=ward.id if ward else None,
                page=int(page_text) if page_text.isdigit() else 1,
            )
        return render_template(
            "site/stories.html",
            wards=wards,
            ward=ward,
            found=found,
            page_args={"ward": ward.slug} if ward else {},
        )
