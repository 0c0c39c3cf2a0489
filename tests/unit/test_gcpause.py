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
