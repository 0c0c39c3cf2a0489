"""Change notifications: what was added, updated or archived, handed to plugins after commit."""

from __future__ import annotations

import enum
from collections.abc import Iterator

import attrs


class Action(enum.StrEnum):
    ADDED = "added"
    UPDATED = "updated"
    ARCHIVED = "archived"
    REACTIVATED = "reactivated"
    DELETED = "deleted"


@attrs.frozen
class Change:
    """One change to one entity.

    :ivar entity: ``"ward"``, ``"political_group"``, ``"councillor"``, ``"directorate"``,
        ``"service"``, ``"officer"``, ``"ward_contact"``, ``"event"``, ``"enquiry"``,
        ``"briefing"``, ``"success_story"``, ``"complaint"``, ``"protocol_version"`` or
        ``"committee"`` (a change of its seats is its ``members`` field).
    :ivar key: the entity's database id.
    :ivar label: a human name for messages (``"Cllr Elin Sykes"``). Never personal data: an
        enquiry is labelled by its reference (``"KE-2027-000001"``), a complaint by its id.
    :ivar fields: the names of the fields that changed (for updates), never their values; a
        changed child row or link counts as its parent's field (``"notes"``, ``"wards"`` …).
    :ivar source: who made it: ``"admin:user@example"``, ``"cli"``, ``"import:moderngov"`` …
    """

    entity: str
    action: Action
    key: int | None
    label: str
    fields: tuple[str, ...] = ()
    source: str = "code"


@attrs.frozen
class ChangeSet:
    """The changes one unit of work made, in the order they were made.

    :ivar warnings: what an importer's ``apply`` noticed but did not refuse (a record it had
        to leave out once it could see the database); ``kdc import`` reports them with the
        ``load`` step's warnings.
    """

    changes: tuple[Change, ...] = ()
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.changes)

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def count(self, entity: str | None = None, action: Action | None = None) -> int:
        return sum(
            1
            for c in self.changes
            if (entity is None or c.entity == entity) and (action is None or c.action == action)
        )

    def summary(self) -> dict[str, dict[str, int]]:
        """``{"councillor": {"added": 3, "archived": 1}, ...}``"""
        out: dict[str, dict[str, int]] = {}
        for c in self.changes:
            out.setdefault(c.entity, {}).setdefault(c.action.value, 0)
            out[c.entity][c.action.value] += 1
        return out
