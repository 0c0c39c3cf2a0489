"""Frozen values at the directory boundary: what a source reads and what a sync decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from kdc_core.errors import KdcError

if TYPE_CHECKING:
    from kdc_core.config import Settings

#: Officer columns a directory sync owns (besides the service and manager links).
SYNCED_FIELDS: tuple[str, ...] = (
    "given_name",
    "family_name",
    "email",
    "phone",
    "job_title",
    "team",
    "location",
    "updated_at",
)


@attrs.frozen
class DirectoryRecord:
    """One person as the staff directory knows them.

    :ivar person_id: the directory's stable key for the person.
    :ivar manager_id: the ``person_id`` of their manager (``None`` at the top).
    :ivar wards: names (or slugs) of the wards they work in.
    :ivar origin: where the record came from (``"officers.csv line 12"``), for messages.
    """

    person_id: str
    given_name: str
    family_name: str
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    service: str | None = None
    directorate: str | None = None
    manager_id: str | None = None
    team: str | None = None
    wards: tuple[str, ...] = ()
    location: str | None = None
    updated_at: dt.datetime | None = None
    origin: str = attrs.field(default="", eq=False)

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class CharactersChecked(list[DirectoryRecord]):
    """Records whose source has already looked at every character it read and found none of
    those no directory field may hold (see :mod:`kdc_core.directory.checks`).

    A reader that scans its input once as it decodes it (the CSV source searches the file's
    bytes) returns its records in this list, and the sync then checks only that each field
    fits its column instead of searching every field's text again.

    :ivar longest: optionally, the length of the longest value the source read for each text
        field (``TEXT_FIELDS`` of :mod:`kdc_core.directory.checks`), measured as it read
        them; the sync then compares these with the columns and looks at no record (unless
        one is too long, when each record is looked at to name it).
    """

    def __init__(
        self, records: Iterable[DirectoryRecord] = (), longest: Mapping[str, int] | None = None
    ) -> None:
        super().__init__(records)
        self.longest = longest


@attrs.frozen
class WardPush:
    """The wards kdc holds for one officer (directory and local), for ``--push-wards``."""

    person_id: str
    wards: tuple[str, ...]


@attrs.frozen
class DirectorySource:
    """A named directory source: ``kdc directory sync NAME [ARGS]``.

    :ivar read: ``read(args, settings) -> iterable of DirectoryRecord``; ``args`` are the
        command line's words after the source name. Raise :class:`SourceError` naming the
        line or record at fault.
    :ivar push_wards: optional ``push_wards(args, settings, pushes) -> int``: write each
        officer's wards back to the directory; returns how many were written.
    """

    name: str
    help: str
    read: Callable[[Sequence[str], Settings], Iterable[DirectoryRecord]]
    push_wards: Callable[[Sequence[str], Settings, Sequence[WardPush]], int] | None = None


class SourceError(KdcError):
    """A directory source could not be read; ``problems`` names each line or record."""

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        shown = list(problems[:20])
        more = len(problems) - len(shown)
        text = message + "".join(f"\n  {p}" for p in shown)
        if more > 0:
            text += f"\n  … and {more} more"
        super().__init__(text)
        self.problems = tuple(problems)


class SyncRefused(KdcError):
    """The mass-deletion guard stopped a sync; nothing was written."""


@attrs.frozen
class OfficerDiff:
    """One officer the sync adds, updates, archives or reactivates."""

    person_id: str
    name: str
    fields: tuple[str, ...] = ()
    before: Any = None
    after: Any = None


@attrs.frozen
class SyncPlan:
    """What a sync would do (a dry run prints this; a real run applies it)."""

    source: str
    records: int
    active_before: int
    added: tuple[OfficerDiff, ...] = ()
    updated: tuple[OfficerDiff, ...] = ()
    archived: tuple[OfficerDiff, ...] = ()
    reactivated: tuple[OfficerDiff, ...] = ()
    unchanged: int = 0
    new_services: tuple[str, ...] = ()
    new_directorates: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.updated) + len(self.archived) + len(self.reactivated)

    def counts(self) -> dict[str, int]:
        return {
            "records": self.records,
            "added": len(self.added),
            "updated": len(self.updated),
            "archived": len(self.archived),
            "reactivated": len(self.reactivated),
            "unchanged": self.unchanged,
            "problems": len(self.problems),
        }


@attrs.frozen
class SyncRun:
    """One recorded run of ``kdc directory sync`` (dry runs, refusals and failures too)."""

    id: int | None
    source: str
    arguments: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    actor: str
    records: int = 0
    added: int = 0
    updated: int = 0
    archived: int = 0
    reactivated: int = 0
    unchanged: int = 0
    problems: int = 0
    message: str = ""
