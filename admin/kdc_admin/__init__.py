"""The kdc web app: Flask-Admin for data upkeep plus routes plugins contribute.

Build it with :func:`create_app`; serve it with ``kdc serve``. The names below load on first
use, so that the ``kdc`` command line, which registers :mod:`kdc_admin.plugin` for ``kdc
serve`` and ``kdc demo``, does not pay for Flask-Admin on every run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kdc_admin.app import create_app
    from kdc_admin.database import KdcDatabase
    from kdc_admin.security import SecuredBaseView, SecuredModelView

_LAZY = {
    "create_app": "kdc_admin.app",
    "KdcDatabase": "kdc_admin.database",
    "SecuredBaseView": "kdc_admin.security",
    "SecuredModelView": "kdc_admin.security",
}

__all__ = ["KdcDatabase", "SecuredBaseView", "SecuredModelView", "create_app"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kdc_admin' has no attribute {name!r}")
