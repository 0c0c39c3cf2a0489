"""The site's plugin: registers its blueprint with the web app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kdc_core import hookimpl
from kdc_core.app import Kdc


@hookimpl
def kdc_blueprints(kdc: Kdc) -> Iterable[Any]:
    from kdc_site.blueprint import make_blueprint

    return [make_blueprint(kdc)]
