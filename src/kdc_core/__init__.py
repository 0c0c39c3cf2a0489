"""kdc-core: councillors at the heart of the council.

The public API: the hook marker for plugins, the application object and the domain values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "0.1.0"

#: Mark a function as a kdc hook implementation: ``@kdc_core.hookimpl``.
hookimpl = pluggy.HookimplMarker("kdc")

if TYPE_CHECKING:
    from kdc_core.app import Kdc
    from kdc_core.changes import Action, Change, ChangeSet
    from kdc_core.config import Settings, load_settings
    from kdc_core.errors import ConfigError, ImportFailed, KdcError, NotFound, PluginError
    from kdc_core.interchange import Exporter, Importer
    from kdc_core.people.values import (
        Councillor,
        CouncillorRecord,
        Directorate,
        Officer,
        OfficerWard,
        PoliticalGroup,
        Role,
        RoleKind,
        Service,
        TermOfOffice,
        Ward,
        WardContact,
        WardSource,
        WardSummary,
    )

#: Where each name of the public API lives. They are imported when first used, not with the
#: package: a plugin's ``from kdc_core import hookimpl`` and ``kdc --version`` stay cheap
#: (the application object alone brings in SQLAlchemy and every table).
_LAZY = {
    "Kdc": "kdc_core.app",
    **dict.fromkeys(("Action", "Change", "ChangeSet"), "kdc_core.changes"),
    **dict.fromkeys(("Settings", "load_settings"), "kdc_core.config"),
    **dict.fromkeys(
        ("ConfigError", "ImportFailed", "KdcError", "NotFound", "PluginError"), "kdc_core.errors"
    ),
    **dict.fromkeys(("Exporter", "Importer"), "kdc_core.interchange"),
    **dict.fromkeys(
        (
            "Councillor",
            "CouncillorRecord",
            "Directorate",
            "Officer",
            "OfficerWard",
            "PoliticalGroup",
            "Role",
            "RoleKind",
            "Service",
            "TermOfOffice",
            "Ward",
            "WardContact",
            "WardSource",
            "WardSummary",
        ),
        "kdc_core.people.values",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kdc_core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Action",
    "Change",
    "ChangeSet",
    "ConfigError",
    "Councillor",
    "CouncillorRecord",
    "Directorate",
    "Exporter",
    "ImportFailed",
    "Importer",
    "Kdc",
    "KdcError",
    "NotFound",
    "Officer",
    "OfficerWard",
    "PluginError",
    "PoliticalGroup",
    "Role",
    "RoleKind",
    "Service",
    "Settings",
    "TermOfOffice",
    "Ward",
    "WardContact",
    "WardSource",
    "WardSummary",
    "__version__",
    "hookimpl",
    "load_settings",
]
