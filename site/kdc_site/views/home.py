"""The start page: where a councillor, an officer or a resident goes from here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from kdc_core.app import Kdc


def register(bp: Blueprint, kdc: Kdc) -> None:
    @bp.get("/")
    def home() -> Any:
        return render_template("site/home.html")
