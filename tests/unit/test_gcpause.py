"""``gcpause.paused``: no automatic collection inside, the collector as it was afterwards."""

from __future__ import annotations

import gc

import pytest

from kdc_core.gcpause import paused


def test_the_collector_is_paused_inside_and_running_again_after():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_after_an_error_and_a_nested_pause_keeps_it_paused():
    with pytest.raises(RuntimeError), paused():
        with paused():
            pass
        assert not gc.isenabled(), "the inner pause leaves the outer one in force"
        raise RuntimeError("stop")
    assert gc.isenabled()


def test_what_the_paused_work_kept_is_moved_to_the_oldest_generation_unwalked():
    gc.collect()
    with paused():
        kept = [[n] for n in range(20_000)]
        cycle: list[object] = []
        cycle.append(cycle)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    # A young collection would have walked them and left them one generation up, not two.
    assert id(kept) in oldest and id(kept[-1]) in oldest
    del cycle
    assert gc.collect() >= 1, "a cycle made inside the pause is still collected in full"


def test_objects_frozen_by_the_program_stay_frozen():
    # Checked on one object of the program's: how many objects are frozen can fall meanwhile,
    # when another thread (the test runner's) frees one of them.
    gc.collect()
    ours = [object()]
    gc.freeze()
    try:
        assert not any(o is ours for o in gc.get_objects()), "frozen objects are not listed"
        with paused():
            _ = [[n] for n in range(1_000)]
        assert gc.get_freeze_count() > 0
        assert not any(o is ours for o in gc.get_objects()), "the program's object was unfrozen"
    finally:
        gc.unfreeze()
