"""Rules 8.1 and 9.1 over briefings, against a small :class:`Briefing` value.

The briefing data itself belongs to the briefings module; until it feeds these rules (by
registering a rule of its own that builds :class:`Briefing` values, or by calling
:func:`briefing_findings`), the built-in rules check the values passed in a
:class:`~kdc_core.protocol.rules.Target` of kind ``briefing`` and nothing else. No briefing
tables are read here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kdc_core.db.people import CouncillorRow
from kdc_core.protocol.rules import Entity, Finding, Rule, Severity, Target
from kdc_core.unit_of_work import UnitOfWork


@attrs.frozen
class Briefing:
    """What the rules need to know about one briefing.

    :param sent: ``(councillor_id, when it reached them)`` for each recipient.
    :param public_at: when the proposal was (or will be) announced publicly, if known.
    :param significant: a development of significance that every group must hear of (9.1).
    """

    id: int
    title: str
    ward_ids: tuple[int, ...] = ()
    sent: tuple[tuple[int, dt.datetime], ...] = ()
    public_at: dt.datetime | None = None
    significant: bool = False

    def sent_at(self, councillor_id: int) -> dt.datetime | None:
        times = [when for cid, when in self.sent if cid == councillor_id]
        return min(times) if times else None


def _councillors(uow: UnitOfWork) -> list[CouncillorRow]:
    return list(
        uow.session.scalars(
            select(CouncillorRow)
            .options(selectinload(CouncillorRow.group))
            .where(CouncillorRow.archived_at.is_(None))
            .order_by(CouncillorRow.name)
        )
    )


def _briefings(target: Target) -> list[Briefing]:
    return [v for v in target.values if isinstance(v, Briefing)]


def check_ward_told_first(rule: Rule, uow: UnitOfWork, target: Target) -> Iterator[Finding]:
    briefings = [b for b in _briefings(target) if b.public_at and b.ward_ids]
    if not briefings:
        return
    everyone = _councillors(uow)
    for b in briefings:
        assert b.public_at is not None
        late = [
            c
            for c in everyone
            if c.ward_id in b.ward_ids
            and ((sent := b.sent_at(c.id)) is None or sent >= b.public_at)
        ]
        if late:
            names = ", ".join(c.name for c in late)
            yield rule.finding(
                b.id,
                b.title,
                f"{names} had not been told before the proposal became public "
                f"({b.public_at:%Y-%m-%d %H:%M}).",
                f"Send the briefing to {names} before the public announcement, or move the "
                "announcement until they have had it.",
                [Entity("councillor", c.id, c.name) for c in late],
            )


def check_all_groups_told(rule: Rule, uow: UnitOfWork, target: Target) -> Iterator[Finding]:
    briefings = [b for b in _briefings(target) if b.significant]
    if not briefings:
        return
    everyone = _councillors(uow)
    groups = {c.group.id: c.group.name for c in everyone if c.group is not None}
    group_of = {c.id: c.group_id for c in everyone}
    for b in briefings:
        reached = {group_of.get(cid) for cid, _ in b.sent}
        missing = sorted((gid, name) for gid, name in groups.items() if gid not in reached)
        if missing:
            names = ", ".join(name for _, name in missing)
            yield rule.finding(
                b.id,
                b.title,
                f"No member of {names} received this significant briefing.",
                f"Send it to members of {names} too: every political group is kept informed.",
                [Entity("political_group", gid, name) for gid, name in missing],
            )


def briefing_findings(uow: UnitOfWork, briefings: Iterable[Briefing]) -> list[Finding]:
    """Run 8.1 and 9.1 over these briefings (for the briefings module to call)."""
    target = Target("briefing", None, tuple(briefings))
    return [f for rule in BRIEFING_RULES for f in rule.check(uow, target)]


def _rule(rule_id: str, clause: str, title: str, fn: object) -> Rule:
    holder: list[Rule] = []

    def check(uow: UnitOfWork, target: Target) -> Iterable[Finding]:
        return fn(holder[0], uow, target)  # type: ignore[operator]

    holder.append(
        Rule(rule_id, clause, Severity.WARNING, "briefing", title, check, reads_database=False)
    )
    return holder[0]


BRIEFING_RULES = (
    _rule(
        "8.1-ward-councillors-told-before-public",
        "8.1",
        "Ward councillors hear of a proposal affecting their ward before it is public",
        check_ward_told_first,
    ),
    _rule(
        "9.1-all-groups-briefed",
        "9.1",
        "Briefings on significant developments reach members of every political group",
        check_all_groups_told,
    ),
)
