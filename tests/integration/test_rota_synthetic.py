"""``kdc seed-demo --wards N --officers M`` then ``kdc rota plan --year 2027 --apply``: the
rota on a council bigger than Kirklees keeps every rule the demo's does (checked from the
rows by :func:`rota_checks.check_rota`). CI runs 30 wards; ``benchmarks/rota.py`` and a run
by hand cover 100."""

from __future__ import annotations

import json

from rota_checks import check_rota

WARDS, OFFICERS = 30, 900
PLAN = ("rota", "plan", "--year", "2027")


def test_a_synthetic_council_gets_every_walkabout_with_the_demos_guarantees(kdc_app, kdc_run):
    seeded = kdc_run("seed-demo", "--wards", str(WARDS), "--officers", str(OFFICERS))
    assert seeded.exit_code == 0, seeded.output

    first = kdc_run(*PLAN, "--apply")
    assert first.exit_code == 0, first.output
    total = 4 * WARDS
    assert f"Placed {total} of {total} walkabouts." in first.output
    assert f"Applied: {total} created, 0 updated, 0 unchanged, 0 cancelled." in first.output
    walks = check_rota(kdc_app, total)
    sequences = {w.uid: w.sequence for w in walks}

    again = kdc_run(*PLAN, "--apply", "--json")
    assert again.exit_code == 0, again.output
    document = json.loads(again.stdout)
    assert document["applied"] == {
        "created": 0,
        "updated": 0,
        "unchanged": total,
        "cancelled": 0,
    }
    assert len(document["services"]) == 12
    assert all(load["spread"] <= 1 for load in document["loads"])
    assert {w.uid: w.sequence for w in check_rota(kdc_app, total)} == sequences
