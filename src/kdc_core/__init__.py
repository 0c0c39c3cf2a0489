"""kdc-core: councillors at the heart of the council.

The public API: the hook marker for plugins, the application object and the domain values.
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

#: Mark a function as a kdc hook implementation: ``@kdc_core.hookimpl``.
hookimpl = pluggy.HookimplMarker("kdc")

from kdc_core.app import Kdc  # noqa: E402
from kdc_core.changes import Action, Change, ChangeSet  # noqa: E402
from kdc_core.config import Settings, load_settings  # noqa: E402
from kdc_core.errors import ConfigError, ImportFailed, KdcError, NotFound, PluginError  # noqa: E402
from kdc_core.interchange import Exporter, Importer  # noqa: E402
from kdc_core.people.values import (  # noqa: E402
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
