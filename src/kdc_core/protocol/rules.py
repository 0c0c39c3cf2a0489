"""Rules that check real actions against the protocol, and the findings they return.

A rule is registered through the ``kdc_register_protocol_rules`` hook by whichever module
owns the data it reads. Its ``check`` gets a :class:`Target` — what to look at — and returns
:class:`Finding` values: what is wrong, how to put it right, and who or what is involved.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import attrs

from kdc_core.errors import PluginError
from kdc_core.registry import Registry

if TYPE_CHECKING:
    from kdc_core.unit_of_work import UnitOfWork


class Severity(enum.StrEnum):
    """``error`` blocks a change unless it is overridden with a recorded reason."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return ("info", "warning", "error").index(self.value)


@attrs.frozen
class Entity:
    """Someone or something a finding is about, e.g. ``("councillor", 12, "Cllr A Smith")``."""

    kind: str
    id: int | None
    label: str


@attrs.frozen
class Finding:
    """One breach (or one thing to record) found by one rule on one subject.

    ``key`` tells apart several findings of a rule on the same subject (say, one per missing
    councillor); it is empty when there can only be one.
    """

    rule_id: str
    clause: str
    severity: Severity
    subject_kind: str
    subject_id: int
    subject_label: str
    problem: str
    fix: str
    entities: tuple[Entity, ...] = ()
    key: str = ""


@attrs.frozen
class Target:
    """What a check looks at: ``kind`` of subject, and either the ``ids`` to check (``None``
    for all of them in the database) or, for subjects the core does not store, ``values``."""

    kind: str
    ids: frozenset[int] | None = None
    values: tuple[Any, ...] = ()


Check = Callable[["UnitOfWork", Target], Iterable[Finding]]


@attrs.frozen
class Rule:
    """``id`` is unique; ``clause`` is the protocol clause it enforces (e.g. ``"7.4"``);
    ``subject`` is the kind of thing it checks (``event``, ``complaint``, ``briefing`` …)."""

    id: str
    clause: str
    severity: Severity
    subject: str
    title: str
    check: Check = attrs.field(eq=False, repr=False)
    #: False for rules that only check the values handed to them (not stored data); the
    #: whole-database check skips those.
    reads_database: bool = True

    def finding(
        self,
        subject_id: int,
        subject_label: str,
        problem: str,
        fix: str,
        entities: Iterable[Entity] = (),
        key: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule (its clause and, unless given, its severity)."""
        return Finding(
            self.id,
            self.clause,
            severity or self.severity,
            self.subject,
            subject_id,
            subject_label,
            problem,
            fix,
            tuple(entities),
            key,
        )


class RuleRegistry(Registry[Rule]):
    """The rules in force, by id, in registration order (``kdc.rules``)."""

    def __init__(self) -> None:
        super().__init__("protocol rule", key="id")

    def register(self, item: Rule, plugin: str | None = None) -> None:
        if not isinstance(item, Rule):
            raise PluginError(
                f"{plugin or 'a plugin'} registered {item!r}; "
                "expected a kdc_core.protocol.rules.Rule"
            )
        super().register(item, plugin)

    def for_subject(self, kind: str) -> list[Rule]:
        return [r for r in self if r.subject == kind]

    def subjects(self) -> list[str]:
        return sorted({r.subject for r in self})
