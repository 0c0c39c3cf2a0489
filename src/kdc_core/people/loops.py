"""Loops in manager links, found in one pass: a module of its own, with nothing to import,
because the directory's checks (loaded by every command that can sync) need it too."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

#: An officer's key in manager links: a row id, or a directory's person id.
Key = TypeVar("Key", int, str)


def reporting_loops(managers: Mapping[Key, Key | None]) -> list[tuple[Key, ...]]:
    """The loops in manager links (``officer id → manager id``): each loop once, as the ids
    in the order the links run, starting from its lowest id. Bad directory data can make
    A report to B and B to A; walks elsewhere stop at such a loop, and this names it (and
    a directory sync refuses it). Walks each chain once with an explicit path, no
    recursion, so it is linear in the number of officers however deep the chains are."""
    loops: list[tuple[Key, ...]] = []
    walked: dict[Key, int] = {}  # officer -> the number of the walk that reached them first
    for number, start in enumerate(managers):
        if start in walked:  # already walked as part of an earlier chain
            continue
        boss = managers[start]
        if boss is None or boss not in managers or boss in walked:
            # The usual case: no manager, or one whose chain is walked already (it ends, or
            # its loop is found): no loop runs through this officer.
            walked[start] = number
            continue
        path: list[Key] = []
        current: Key | None = start
        while current is not None and current in managers and current not in walked:
            walked[current] = number
            path.append(current)
            current = managers[current]
        if current is not None and walked.get(current) == number:  # back on this walk: a loop
            loop = path[path.index(current) :]
            low = loop.index(min(loop))
            loops.append(tuple(loop[low:] + loop[:low]))
    return sorted(loops)
