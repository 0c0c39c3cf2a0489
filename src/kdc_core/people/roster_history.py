"""What the roster sync keeps over time: key posts as dated roles, and political groups.

A source such as ModernGov says what is true today, not since when. So the dates here are the
sync's own: a key post becomes a role starting on the day a sync first sees it and ending on
the day a sync no longer does; a change of group closes the earlier membership on the day the
sync sees the change and opens the new one. Nothing is written while nothing changes, so
syncing the same records again writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from kdc_core.db.people import (
    CouncillorRoleRow,
    CouncillorRow,
    GroupMembershipRow,
    PoliticalGroupRow,
)
from kdc_core.people.values import LEADS_A_GROUP, RoleKind

_KINDS: tuple[tuple[re.Pattern[str], RoleKind], ...] = (
    (re.compile(r"\bbusiness manager\b", re.I), RoleKind.GROUP_BUSINESS_MANAGER),
    (LEADS_A_GROUP, RoleKind.GROUP_LEADER),
    (re.compile(r"\bscrutiny\b", re.I), RoleKind.SCRUTINY),
    (
        re.compile(r"\b(cabinet member|portfolio holder|executive member|aelod cabinet)\b", re.I),
        RoleKind.CABINET_PORTFOLIO,
    ),
)


def key_post_source(scheme: str) -> str:
    """The ``source`` of the roles a sync under ``scheme`` keeps from key posts."""
    return f"{scheme}:key-post"


def kind_of(post: str) -> RoleKind:
    """The role kind a key post reads as (``other`` when it says nothing recognisable)."""
    return next((kind for pattern, kind in _KINDS if pattern.search(post)), RoleKind.OTHER)


def sync_key_post_roles(
    row: CouncillorRow, posts: Sequence[str], *, source: str, today: dt.date
) -> None:
    """Make the current roles kept from ``source`` match ``posts``: a post not held yet
    starts today; a held role no longer listed ends today (and stays, as history). A post
    that is already a current role entered by hand is left to that role."""
    wanted = {" ".join(p.split()).casefold(): " ".join(p.split()) for p in posts if p.strip()}
    current = [r for r in row.roles if r.end is None]
    by_hand = {r.title.casefold() for r in current if r.source is None}
    held = {r.title.casefold(): r for r in current if r.source == source}
    for key, role in held.items():
        if key not in wanted:
            role.end = today
    for key, title in wanted.items():
        if key not in held and key not in by_hand:
            row.roles.append(
                CouncillorRoleRow(
                    kind=kind_of(title).value, title=title, start=today, source=source
                )
            )


def sync_group(
    row: CouncillorRow, group: PoliticalGroupRow | None, *, today: dt.date, new: bool
) -> None:
    """Keep the group history of ``row`` before its group becomes ``group``.

    A new councillor's first membership starts today. On a change, the earlier membership
    ends today (written then, with no known start, if there was no history yet) and the new
    one starts today. Call it before setting ``row.group``.
    """
    if new:
        if group is not None:
            row.group_history.append(GroupMembershipRow(group=group, start=today))
        return
    if (group.id if group is not None else None) == row.group_id and (
        group is None or group.id is not None
    ):
        return
    open_ones = [m for m in row.group_history if m.end is None]
    if not open_ones and row.group is not None:
        row.group_history.append(GroupMembershipRow(group=row.group, start=None, end=today))
    for membership in open_ones:
        membership.end = today
    if group is not None:
        row.group_history.append(GroupMembershipRow(group=group, start=today))
