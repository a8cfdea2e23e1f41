"""Stop signals held back around steps that must not be cut short: acted on after
them, or, once a run's work is all written, let go."""

from __future__ import annotations

import os
import signal

import pytest

from generator.signals import _stop_requested, ctrl_c_held


@pytest.fixture
def stops_like_ctrl_c() -> object:
    previous = signal.signal(signal.SIGTERM, _stop_requested)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_a_stop_held_back_acts_once_the_block_is_done(stops_like_ctrl_c: object) -> None:
    done = []
    with pytest.raises(KeyboardInterrupt), ctrl_c_held():
        os.kill(os.getpid(), signal.SIGTERM)
        done.append("the held step finished")
    assert done == ["the held step finished"]


def test_a_stop_after_the_work_is_written_is_let_go(stops_like_ctrl_c: object) -> None:
    done = []
    with ctrl_c_held(then_act=False):
        os.kill(os.getpid(), signal.SIGTERM)
        done.append("recorded and reported")
    assert done == ["recorded and reported"]
    # Held no more: a stop now acts as before.
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGTERM)
        # The handler runs between two bytecodes, soon after the signal.
        for _ in range(10_000):
            pass
