"""Rules 8.1 and 9.1 over briefings, against a small :class:`Briefing` value.

The briefing data itself belongs to the briefings module. It registers these rules with
:func:`briefing_rules`, passing a loader that turns its stored briefings into
:class:`Briefing` values; the rules then check the values passed in a
:class:`~kdc_core.protocol.rules.Target` of kind ``briefing`` if there are any, else the
stored briefings the target names (all of them when ``ids`` is ``None``). No briefing tables
are read here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator

import attrs
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kdc_core.db.people import CouncillorRow
from kdc_core.protocol.rules import Entity, Finding, Rule, Severity, Target
from kdc_core.timewords import govuk_date
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


#: Reads stored briefings as values: ``load(uow, ids)``, every one when ``ids`` is ``None``.
Loader = Callable[[UnitOfWork, "frozenset[int] | None"], list[Briefing]]


def _briefings(uow: UnitOfWork, target: Target, load: Loader | None) -> list[Briefing]:
    if target.values or load is None:
        return [v for v in target.values if isinstance(v, Briefing)]
    return load(uow, target.ids)


def _due(b: Briefing, now: dt.datetime) -> bool:
    """Something to judge: it has gone out to someone, or its public date has come."""
    return bool(b.sent) or (b.public_at is not None and b.public_at <= now)


def check_ward_told_first(
    rule: Rule, uow: UnitOfWork, target: Target, load: Loader | None = None
) -> Iterator[Finding]:
    now = dt.datetime.now(dt.UTC)
    briefings = [b for b in _briefings(uow, target, load) if b.public_at and b.ward_ids]
    if not briefings:
        return
    everyone = _councillors(uow)
    for b in briefings:
        assert b.public_at is not None
        public = b.public_at <= now
        late = [
            c
            for c in everyone
            if c.ward_id in b.ward_ids
            and (public if (sent := b.sent_at(c.id)) is None else sent >= b.public_at)
        ]
        if late:
            names = ", ".join(c.name for c in late)
            yield rule.finding(
                b.id,
                b.title,
                f"{names} had not been told before the proposal became public "
                f"(on {govuk_date(b.public_at, b.public_at.tzinfo or dt.UTC)}).",
                f"Send the briefing to {names} before the public announcement, or move the "
                "announcement until they have had it.",
                [Entity("councillor", c.id, c.name) for c in late],
            )


def check_all_groups_told(
    rule: Rule, uow: UnitOfWork, target: Target, load: Loader | None = None
) -> Iterator[Finding]:
    now = dt.datetime.now(dt.UTC)
    briefings = [b for b in _briefings(uow, target, load) if b.significant and _due(b, now)]
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
                f"Send it to members of {names} too: every political group is kept informed. "
                "A significant briefing goes to each group's leader when one is on record "
                "(a group leader role, or a key post such as 'Leader of the … Group').",
                [Entity("political_group", gid, name) for gid, name in missing],
            )


def briefing_findings(uow: UnitOfWork, briefings: Iterable[Briefing]) -> list[Finding]:
    """Run 8.1 and 9.1 over these briefings (for the briefings module to call)."""
    target = Target("briefing", None, tuple(briefings))
    return [f for rule in BRIEFING_RULES for f in rule.check(uow, target)]


def briefing_rules(load: Loader | None = None) -> tuple[Rule, ...]:
    """Rules 8.1 and 9.1; with ``load`` they also read stored briefings (and so run in
    ``kdc protocol check``), without it they only check the values handed to them."""

    def rule(rule_id: str, clause: str, title: str, fn: Callable[..., Iterable[Finding]]) -> Rule:
        holder: list[Rule] = []

        def check(uow: UnitOfWork, target: Target) -> Iterable[Finding]:
            return fn(holder[0], uow, target, load)

        holder.append(
            Rule(
                rule_id,
                clause,
                Severity.WARNING,
                "briefing",
                title,
                check,
                reads_database=load is not None,
            )
        )
        return holder[0]

    return (
        rule(
            "8.1-ward-councillors-told-before-public",
            "8.1",
            "Ward councillors hear of a proposal affecting their ward before it is public",
            check_ward_told_first,
        ),
        rule(
            "9.1-all-groups-briefed",
            "9.1",
            "Briefings on significant developments reach members of every political group",
            check_all_groups_told,
        ),
    )


#: The rules over values only, for :func:`briefing_findings`.
BRIEFING_RULES = briefing_rules()
