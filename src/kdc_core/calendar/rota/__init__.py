"""The quarterly ward walkabout rota.

- :mod:`~kdc_core.calendar.rota.planner`: the pure planner (problem and plan values,
  :func:`plan_rota`), re-exported here;
- :mod:`~kdc_core.calendar.rota.solve`: the exact matching and flow steps behind it, and
  :mod:`~kdc_core.calendar.rota.flow`, the min-cost flow they use;
- :mod:`~kdc_core.calendar.rota.slots`: quarters, working days, bank holidays, slots;
- :mod:`~kdc_core.calendar.rota.reasons`: why a walkabout could not be placed;
- :mod:`~kdc_core.calendar.rota.service`: reading the inputs, applying a plan (use cases);
- :mod:`~kdc_core.calendar.rota.grid`: the wards × quarters grid the admin shows;
- :mod:`~kdc_core.calendar.rota.cli` and :mod:`~kdc_core.calendar.rota.plugin`: ``kdc rota``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kdc_core.lazy import exports

if TYPE_CHECKING:
    from kdc_core.calendar.rota.planner import (
        Assignment,
        Busy,
        Current,
        Meeting,
        OfficerChoice,
        Plan,
        RotaOfficer,
        RotaProblem,
        RotaService,
        RotaWard,
        ServiceLoad,
        Slot,
        Unplaced,
        plan_rota,
        rota_position,
        slot_preferences,
    )

__all__ = [
    "Assignment",
    "Busy",
    "Current",
    "Meeting",
    "OfficerChoice",
    "Plan",
    "RotaOfficer",
    "RotaProblem",
    "RotaService",
    "RotaWard",
    "ServiceLoad",
    "Slot",
    "Unplaced",
    "plan_rota",
    "rota_position",
    "slot_preferences",
]

# Imported when first used: every command loads the rota's plugin, and so this package.
__getattr__ = exports(__name__, dict.fromkeys(__all__, "kdc_core.calendar.rota.planner"))
