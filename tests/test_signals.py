"""Stop signals held back around steps that must not be cut short: acted on after
them, or, once a run's work is all written, let go."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from generator.signals import _stop_requested, ctrl_c_held, interrupted


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


#: What pydantic-core raised when Ctrl-C came while it built a model's validator
#: in Rust (seen with a timer that interrupts `BLOCKS._rebuild()`), shortened:
#: only the text of the interrupt is kept, not the exception.
SCHEMA_BUILD_INTERRUPTED = (
    "Error building `definitions` serializer:\n"
    "  SchemaError: Error building `function-after` serializer:\n"
    "  SchemaError: Field `type`:\n"
    "  SchemaError: Error building `literal` serializer:\n"
    "  KeyboardInterrupt: "
)


def test_ctrl_c_while_pydantic_builds_a_validator_is_ctrl_c() -> None:
    from pydantic_core import SchemaError

    assert interrupted(SchemaError(SCHEMA_BUILD_INTERRUPTED))
    # A schema that is wrong, or that names the interrupt elsewhere, is not Ctrl-C.
    assert not interrupted(SchemaError("Error building `literal` validator:\n  bad value"))
    assert not interrupted(SchemaError("KeyboardInterrupt: \n  SchemaError: Field `type`"))
    assert not interrupted(ValueError(SCHEMA_BUILD_INTERRUPTED))
    assert not interrupted(SchemaError(""))


def test_the_command_stops_quietly_when_it_comes_wrapped(
    cli: Any, project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic_core import SchemaError

    import generator.cli

    def stopped(*_: object) -> None:
        raise SchemaError(SCHEMA_BUILD_INTERRUPTED)

    monkeypatch.setattr(generator.cli, "_project", stopped)
    result = cli("build", "breath")
    assert result.exit_code == 1
    assert result.output.strip() == "Aborted!"
    assert project.output_files() == {}
