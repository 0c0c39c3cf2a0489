"""A package's public names imported when first used, not with the package.

Every ``kdc`` command imports the core's plugin modules, and with them their packages'
``__init__``; a package that re-exports a heavy module (Argon2, the rota's planner) makes
every command pay for it. Such a package names its exports here instead::

    if TYPE_CHECKING:                       # what type checkers and readers see
        from kdc_core.users.service import create_user

    __getattr__ = exports(__name__, {"create_user": "kdc_core.users.service"})
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, where: Mapping[str, str]) -> Callable[[str], Any]:
    """A module-level ``__getattr__`` for ``package``: each name in ``where`` (name → the
    module that defines it) is imported when first asked for and kept on the package."""

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
