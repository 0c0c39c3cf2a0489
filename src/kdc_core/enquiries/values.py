"""Frozen values for enquiries: what services, backends, hooks and the CLI pass around."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import attrs


class Status(enum.StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    EXTENDED = "extended"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        """The status in words for a person: ``In progress``."""
        return self.value.replace("_", " ").capitalize()


OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.EXTENDED}
)

#: Where each status may go next (reopening from resolved/closed is checked against the
#: category's follow-up window as well).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED}),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED}),
    Status.EXTENDED: frozenset({Status.IN_PROGRESS, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}

MAX_EXTENSIONS = 2


@attrs.frozen
class CategorySettings:
    """One enquiry category: timescales (working days), retention (days after closure, or
    after resolution when never closed), the follow-up window (days), the service an enquiry
    goes to when it names none, and whether new enquiries may use it."""

    name: str
    acknowledge_days: int = 1
    respond_days: int = 10
    retention_days: int = 730
    follow_up_days: int = 28
    service: str | None = None
    active: bool = True

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class Constituent:
    """The person the councillor is asking for: personal data, anonymised after retention."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None


@attrs.frozen
class NewEnquiry:
    """What it takes to open an enquiry. People and places are given by name (or id); an
    empty ``service`` means the category's default service."""

    councillors: tuple[str, ...]
    ward: str
    category: str
    service: str
    description: str
    received_at: dt.datetime | None = None
    constituent: Constituent = Constituent()
    advocacy: bool = False
    joint_officers: tuple[str, ...] = ()
    legacy_reference: str | None = None
    info_public: bool | None = None
    info_not_barred: bool | None = None
    info_not_confidential: bool | None = None


@attrs.frozen
class Note:
    author: str
    body: str
    created_at: dt.datetime


@attrs.frozen
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    field: str | None = None
    old: str | None = None
    new: str | None = None


@attrs.frozen
class Told:
    """Who a change's messages were queued for, who already had theirs queued, who could not
    be told (no email address), and why nothing was queued at all when that is the case."""

    queued: tuple[str, ...] = ()
    already: tuple[str, ...] = ()
    no_address: tuple[str, ...] = ()
    not_queued_because: str | None = None
    elsewhere: bool = False

    def summary(self) -> str:
        """One honest line for a person: queued is not sent."""
        if self.not_queued_because:
            lead = "No message was queued here" if self.elsewhere else "Nobody was told"
            return f"{lead}: {self.not_queued_because}."
        parts = []
        if self.queued:
            parts.append(
                f"A message is queued for {', '.join(self.queued)} (it goes when the outbox "
                "is dispatched)"
            )
        if self.already:
            parts.append(f"already queued earlier for {', '.join(self.already)}")
        if self.no_address:
            parts.append(f"no email address for {', '.join(self.no_address)}")
        if not parts:
            return "Nobody needed telling."
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    def __add__(self, other: Told) -> Told:
        reason = self.not_queued_because or other.not_queued_because
        return Told(
            tuple(dict.fromkeys(self.queued + other.queued)),
            tuple(dict.fromkeys(self.already + other.already)),
            tuple(dict.fromkeys(self.no_address + other.no_address)),
            reason,
            self.elsewhere or other.elsewhere,
        )


#: What kdc says when the enquiry is kept by an external casework system (the ``rest``
#: backend): that system owns the messages about it.
KEPT_ELSEWHERE = Told(
    not_queued_because="the enquiry is kept by the external casework system, which owns "
    "the messages about it",
    elsewhere=True,
)


@attrs.frozen
class Enquiry:
    """One enquiry as everyone outside the repository sees it.

    :ivar told: set on the value a change returns (create, status, extend, assign): the
        messages that change queued. ``None`` on a value that was only read, or that came
        from an external casework system.
    """

    reference: str
    status: Status
    councillors: tuple[str, ...]
    ward: str | None
    category: str
    service: str | None
    description: str
    received_at: dt.datetime
    acknowledge_by: dt.date
    respond_by: dt.date
    officer: str | None
    routed_by: str
    constituent: Constituent = Constituent()
    advocacy: bool = False
    joint_officers: tuple[str, ...] = ()
    extension_stage: int = 0
    extension_reason: str | None = None
    legacy_reference: str | None = None
    info_public: bool | None = None
    info_not_barred: bool | None = None
    info_not_confidential: bool | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    anonymised: bool = False
    notes: tuple[Note, ...] = ()
    audit: tuple[AuditEntry, ...] = ()
    told: Told | None = attrs.field(default=None, eq=False, repr=False)
    #: what the person making a change should know though nothing was refused (a councillor
    #: raising an enquiry outside their ward); set on the value a change returns.
    warnings: tuple[str, ...] = attrs.field(default=(), eq=False)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def unassigned(self) -> bool:
        return self.officer is None

    def overdue_on(self, today: dt.date) -> bool:
        return self.is_open and self.respond_by < today

    @property
    def may_share_information(self) -> bool | None:
        """Protocol 8.3: information for a third party only when public, not barred and not
        confidential; None while any of the three is unrecorded."""
        flags = (self.info_public, self.info_not_barred, self.info_not_confidential)
        if any(f is None for f in flags):
            return None
        return all(flags)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (dates as ISO strings)."""

        def plain(value: Any) -> Any:
            if isinstance(value, dt.datetime | dt.date):
                return value.isoformat()
            if isinstance(value, enum.Enum):
                return value.value
            return value

        return attrs.asdict(
            self,
            filter=lambda a, _v: a.name != "told",
            value_serializer=lambda _i, _a, v: plain(v),
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Enquiry:
        """The inverse of :meth:`to_json` (used by the REST backend)."""

        def when(value: str | None) -> dt.datetime | None:
            return dt.datetime.fromisoformat(value) if value else None

        return cls(
            reference=data["reference"],
            status=Status(data["status"]),
            councillors=tuple(data["councillors"]),
            ward=data.get("ward"),
            category=data["category"],
            service=data.get("service"),
            description=data["description"],
            received_at=dt.datetime.fromisoformat(data["received_at"]),
            acknowledge_by=dt.date.fromisoformat(data["acknowledge_by"]),
            respond_by=dt.date.fromisoformat(data["respond_by"]),
            officer=data.get("officer"),
            routed_by=data["routed_by"],
            constituent=Constituent(**data.get("constituent") or {}),
            advocacy=bool(data.get("advocacy")),
            joint_officers=tuple(data.get("joint_officers") or ()),
            extension_stage=int(data.get("extension_stage") or 0),
            extension_reason=data.get("extension_reason"),
            legacy_reference=data.get("legacy_reference"),
            info_public=data.get("info_public"),
            info_not_barred=data.get("info_not_barred"),
            info_not_confidential=data.get("info_not_confidential"),
            resolved_at=when(data.get("resolved_at")),
            closed_at=when(data.get("closed_at")),
            anonymised=bool(data.get("anonymised")),
            notes=tuple(
                Note(n["author"], n["body"], dt.datetime.fromisoformat(n["created_at"]))
                for n in data.get("notes") or ()
            ),
            audit=tuple(
                AuditEntry(
                    dt.datetime.fromisoformat(a["at"]),
                    a["actor"],
                    a["action"],
                    a.get("field"),
                    a.get("old"),
                    a.get("new"),
                )
                for a in data.get("audit") or ()
            ),
            warnings=tuple(data.get("warnings") or ()),
        )
