"""Running the rules: which rules are in force, recording findings, blocking on errors.

Findings are stored (``protocol_findings``) with the protocol version they were judged
under. Checking a subject again resolves the findings that no longer hold. Error-level
findings block the change (:class:`ProtocolBlocked`) unless it is overridden with a reason,
which is recorded on the finding with who gave it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import attrs
from sqlalchemy import select

from kdc_core.db.protocol import ProtocolFindingRow, ProtocolVersionRow
from kdc_core.errors import KdcError
from kdc_core.protocol.document import Protocol, packaged, parse
from kdc_core.protocol.rules import Entity, Finding, RuleRegistry, Severity, Target
from kdc_core.unit_of_work import UnitOfWork

_OVERRIDE = "kdc_protocol_override"
_APP = "kdc_app"


@attrs.frozen
class Recorded:
    """A stored finding: the finding, its row id, version, and any override."""

    id: int
    finding: Finding
    protocol_version: str
    found_at: dt.datetime
    override_reason: str | None = None
    overridden_by: str | None = None

    @property
    def blocking(self) -> bool:
        return self.finding.severity is Severity.ERROR and not self.override_reason


class ProtocolBlocked(KdcError):
    """An error-level finding stops the change; override it with a reason to go ahead."""

    def __init__(self, findings: list[Recorded]) -> None:
        lines = [
            f"{r.finding.clause} {r.finding.subject_label}: {r.finding.problem} "
            f"Fix: {r.finding.fix}"
            for r in findings
        ]
        super().__init__(
            "the member–officer protocol blocks this change:\n  "
            + "\n  ".join(lines)
            + "\nOverride with a reason (recorded) if it must go ahead."
        )
        self.findings = findings


def uow_rules(uow: UnitOfWork) -> RuleRegistry:
    """The rules every plugin registered, as collected at startup (``kdc.rules``)."""
    kdc = uow.session.info.get(_APP)
    if kdc is None:
        raise KdcError(
            "this unit of work has no application object, so no protocol rules: "
            "open it with Kdc.unit_of_work()"
        )
    rules: RuleRegistry = kdc.rules
    return rules


def override(uow: UnitOfWork, reason: str | None) -> None:
    """Let error-level findings in this unit of work through, recording ``reason``."""
    if reason is not None and not reason.strip():
        raise KdcError("an override needs a reason")
    uow.session.info[_OVERRIDE] = reason.strip() if reason else None


@contextlib.contextmanager
def overriding(uow: UnitOfWork, reason: str | None) -> Iterator[None]:
    """Let error-level findings through for the length of the block only, recording
    ``reason``; then the unit of work's own override (if any) applies again.
    ``None`` changes nothing."""
    if reason is None:
        yield
        return
    previous = uow.session.info.get(_OVERRIDE)
    override(uow, reason)
    try:
        yield
    finally:
        uow.session.info[_OVERRIDE] = previous


def current_protocol(uow: UnitOfWork) -> Protocol:
    """The latest version the council adopted, or the packaged one if none was."""
    row = uow.session.scalar(
        select(ProtocolVersionRow).order_by(ProtocolVersionRow.id.desc()).limit(1)
    )
    return packaged() if row is None else parse(row.document, f"protocol version {row.version}")


def run(uow: UnitOfWork, target: Target, rules: RuleRegistry | None = None) -> list[Finding]:
    registry = rules if rules is not None else uow_rules(uow)
    return [f for rule in registry.for_subject(target.kind) for f in rule.check(uow, target)]


def _entities(f: Finding) -> list[dict[str, Any]]:
    return [attrs.asdict(e) for e in f.entities]


def _recorded(row: ProtocolFindingRow) -> Recorded:
    return Recorded(
        row.id,
        Finding(
            row.rule_id,
            row.clause,
            Severity(row.severity),
            row.subject_kind,
            row.subject_id,
            row.subject_label,
            row.problem,
            row.fix,
            tuple(Entity(**e) for e in row.entities or ()),
            row.key,
        ),
        row.protocol_version,
        row.found_at,
        row.override_reason,
        row.overridden_by,
    )


def record(
    uow: UnitOfWork, target: Target, findings: Iterable[Finding], rule_ids: Iterable[str]
) -> list[Recorded]:
    """Store these findings for the subjects in ``target``; resolve the ones that went away."""
    version = current_protocol(uow).version
    now = dt.datetime.now(dt.UTC)
    query = select(ProtocolFindingRow).where(
        ProtocolFindingRow.subject_kind == target.kind,
        ProtocolFindingRow.rule_id.in_(list(rule_ids)),
        ProtocolFindingRow.resolved_at.is_(None),
    )
    if target.ids is not None:
        query = query.where(ProtocolFindingRow.subject_id.in_(list(target.ids)))
    elif target.values:
        query = query.where(
            ProtocolFindingRow.subject_id.in_([getattr(v, "id", -1) for v in target.values])
        )
    open_rows = {(r.rule_id, r.subject_id, r.key): r for r in uow.session.scalars(query)}
    reason = uow.session.info.get(_OVERRIDE)
    out = []
    for f in findings:
        row = open_rows.pop((f.rule_id, f.subject_id, f.key), None)
        if row is None:
            stale = uow.session.scalar(
                select(ProtocolFindingRow).where(
                    ProtocolFindingRow.rule_id == f.rule_id,
                    ProtocolFindingRow.subject_kind == f.subject_kind,
                    ProtocolFindingRow.subject_id == f.subject_id,
                    ProtocolFindingRow.key == f.key,
                )
            )
            if stale is not None:  # it was resolved and has come back
                uow.session.delete(stale)
                uow.session.flush()
            row = ProtocolFindingRow(found_at=now, protocol_version=version)
            uow.session.add(row)
        for name in ("rule_id", "clause", "subject_kind", "subject_id", "key"):
            setattr(row, name, getattr(f, name))
        row.severity, row.subject_label = f.severity.value, f.subject_label[:300]
        row.problem, row.fix, row.entities = f.problem, f.fix, _entities(f)
        if f.severity is Severity.ERROR and reason and not row.override_reason:
            row.override_reason, row.overridden_by, row.overridden_at = reason, uow.source, now
        out.append(row)
    for row in open_rows.values():
        row.resolved_at = now
    uow.session.flush()
    return [_recorded(r) for r in out]


def enforce(
    uow: UnitOfWork, kind: str, ids: Iterable[int] = (), values: tuple[Any, ...] = ()
) -> list[Recorded]:
    """Check and record these subjects; raise :class:`ProtocolBlocked` on an un-overridden
    error. Services call this before their unit of work commits."""
    target = Target(kind, frozenset(ids) if not values else None, values)
    registry = uow_rules(uow)
    recorded = record(
        uow, target, run(uow, target, registry), [r.id for r in registry.for_subject(kind)]
    )
    blocking = [r for r in recorded if r.blocking]
    if blocking:
        raise ProtocolBlocked(blocking)
    return recorded


def check_all(uow: UnitOfWork) -> list[Recorded]:
    """Run every rule over everything stored, record the results, return the open findings."""
    registry = uow_rules(uow)
    out: list[Recorded] = []
    for kind in registry.subjects():
        target = Target(kind)
        rules = [r for r in registry.for_subject(kind) if r.reads_database]
        if rules:
            found = [f for rule in rules for f in rule.check(uow, target)]
            out += record(uow, target, found, [r.id for r in rules])
    return out


def open_findings(
    uow: UnitOfWork, kind: str | None = None, subject_id: int | None = None
) -> list[Recorded]:
    query = select(ProtocolFindingRow).where(ProtocolFindingRow.resolved_at.is_(None))
    if kind is not None:
        query = query.where(ProtocolFindingRow.subject_kind == kind)
    if subject_id is not None:
        query = query.where(ProtocolFindingRow.subject_id == subject_id)
    return [_recorded(r) for r in uow.session.scalars(query.order_by(ProtocolFindingRow.id))]
