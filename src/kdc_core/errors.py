"""Exceptions the core raises; each carries enough to tell a person what to fix."""

from __future__ import annotations


class KdcError(Exception):
    """Base class: the CLI prints the message and exits non-zero."""

    exit_code = 1


class ConfigError(KdcError):
    """A setting or plugin config section cannot be used. ``key`` names it."""

    exit_code = 2

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class PluginError(KdcError):
    """A plugin failed to load or implements a hook that does not exist."""

    exit_code = 2


class NotFound(KdcError):
    """A named thing (ward, councillor, officer …) does not exist."""


class DuplicateName(KdcError):
    """Something was registered twice under the same name."""


class ImportFailed(KdcError):
    """An import could not be applied; ``record`` names the file, line or record at fault.

    Nothing is written when this is raised: the import runs in one transaction.
    """

    def __init__(self, message: str, *, source: str | None = None, record: str | None = None):
        where = ", ".join(part for part in (source, record) if part)
        super().__init__(f"{where}: {message}" if where else message)
        self.source = source
        self.record = record
