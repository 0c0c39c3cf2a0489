"""Why a walkabout could not be placed, in words a person can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kdc_core.calendar.rota.planner import RotaService


def _days(n: int) -> str:
    return f"{n} slot" if n == 1 else f"{n} slots"


def why_unplaced(
    ranked: list[int],
    clash_free: list[int],
    candidates: list[int],
    services: Sequence[RotaService],
    free: Mapping[int, Sequence[int]],
    capacity: Sequence[int],
    taken: Mapping[int, int],
) -> str:
    """Why a walkabout got no slot, naming the first obstacle a person could remove.

    :param ranked: the quarter's slots (indices), in the ward's order of preference.
    :param clash_free: those that clash with no meeting of the ward's councillors.
    :param candidates: those of ``clash_free`` where every service has an officer free.
    :param services: the participating services.
    :param free: per service id, per slot, how many of its officers are free then.
    :param capacity: per slot, how many walkabouts it can hold.
    :param taken: per slot, how many walkabouts of the plan it holds.
    """
    if not ranked:
        return "the quarter has no working-day slots"
    if not clash_free:
        return (
            f"all {_days(len(ranked))} in the quarter clash with a meeting "
            "that concerns one of the ward's councillors"
        )
    for service in services:
        if not service.officers:
            return f"{service.name} has no officers to send"
    for service in services:
        if not any(free[service.id][i] for i in clash_free):
            return (
                f"no {service.name} officer is free in any of the {_days(len(clash_free))} "
                "without a meeting clash"
            )
    if not candidates:
        names = ", ".join(s.name for s in services)
        return (
            f"in none of the {_days(len(clash_free))} without a meeting clash is an officer free "
            f"from every service at once ({names})"
        )
    short = sorted({s.name for i in candidates for s in services if free[s.id][i] <= capacity[i]})
    busy = sum(1 for i in candidates if taken.get(i, 0) >= capacity[i])
    return (
        f"all {_days(busy)} it could use are taken by other wards' walkabouts: "
        f"there are not enough free officers from {', '.join(short)} for another one"
    )
