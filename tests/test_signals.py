"""Stop signals held back around steps that must not be cut short: acted on after
them, or, once a run's work is all written, let go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import Project
from generator.signals import (
    _stop_requested,
    command_scope,
    ctrl_c_held,
    interrupted,
    work_written,
)


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
    try:
        with command_scope():
            with ctrl_c_held():
                os.kill(os.getpid(), signal.SIGTERM)
                work_written()
                done.append("put in place")
            os.kill(os.getpid(), signal.SIGTERM)
            # The handler runs between two bytecodes, soon after the signal.
            for _ in range(10_000):
                pass
            done.append("recorded and reported")
    except KeyboardInterrupt:
        done.append("stopped")
    assert done == ["put in place", "recorded and reported"]
    # The command over: a stop acts as before.
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGTERM)
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
    cli: Any, project: Project, monkeypatch: pytest.MonkeyPatch
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


def _as_module(tmp_path: Path, code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `code` as `python -m` runs the command (its exit, its signals), in `cwd`."""
    stub = tmp_path / "stub" / "stub_command"
    stub.mkdir(parents=True)
    # Ctrl-C acts as it does from a terminal, even where the tests were started
    # with it ignored (in the background of a script, as `nohup` does).
    terminal = "import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n"
    (stub / "__main__.py").write_text(
        terminal + code + "from generator.__main__ import run\nrun()\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "stub_command"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(stub.parent), "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_ctrl_c_that_lands_in_exec_is_still_aborted_with_status_1(tmp_path: Path) -> None:
    # Ctrl-C inside exec() of a string (as a dataclass is made) marks the run as
    # stopped by Ctrl-C, handled or not; run as `python -m`, Python would then
    # end it by SIGINT after "Aborted!". The command ends with status 1.
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        "@main.command('stop')\n"
        "def stop():\n"
        "    exec('import os, signal, time\\nos.kill(os.getpid(), signal.SIGINT)\\ntime.sleep(5)')\n"
        "sys.argv = ['handouts', 'stop']\n"
    )
    result = _as_module(tmp_path, code, tmp_path)
    assert (result.returncode, result.stderr.strip()) == (1, "Aborted!")


def test_ctrl_c_waits_until_pikepdf_has_loaded(mini_packet: Project, tmp_path: Path) -> None:
    # pikepdf's core aborts the process when Ctrl-C reaches it as it loads (seen
    # as status -6, "Critical nanobind error", under load): the packet command
    # loads it with Ctrl-C held, so Ctrl-C sent at that moment acts once it is
    # loaded, and the command stops as Ctrl-C always does.
    code = (
        "import atexit, os, signal, sys\n"
        "class AsItLoads:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pikepdf._core':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "        return None\n"
        "sys.meta_path.insert(0, AsItLoads())\n"
        "atexit.register(lambda: print('loaded', 'pikepdf._core' in sys.modules))\n"
        "sys.argv = ['handouts', 'packet', 'mini', '--jobs', '1']\n"
    )
    result = _as_module(tmp_path, code, mini_packet.root)
    assert (result.returncode, result.stderr.strip()) == (1, "Aborted!")
    assert result.stdout.strip() == "loaded True"
    assert mini_packet.output_files() == {}


def test_a_stop_while_the_files_are_written_is_let_go_once_they_are_in_place(
    cli: Any, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Held back while the files are put in place, a stop would then have said
    # "Aborted!" over files that are written. The command ends as it would have.
    import generator.output as output

    real = output._write_atomically

    def interrupted_while_writing(*args: Any, **kwargs: Any) -> None:
        os.kill(os.getpid(), signal.SIGINT)
        real(*args, **kwargs)

    monkeypatch.setattr(output, "_write_atomically", interrupted_while_writing)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = cli("build", "daily-check-in", "--format", "html")
        after = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.exit_code == 0, result.output
    assert "Aborted" not in result.output
    assert list(project.output_files()) == ["en/daily-check-in.html"]
    # The command over, the signals are as they were before it.
    assert after is signal.default_int_handler


def test_a_write_outside_a_command_leaves_the_signals_alone(
    tmp_path: Path, stops_like_ctrl_c: object
) -> None:
    # Code that writes without running a command (a test, another tool) keeps
    # its handlers, and a stop held back later still acts.
    from generator.output import write_atomically

    before = signal.getsignal(signal.SIGTERM)
    write_atomically([(tmp_path / "a.txt", b"a")])
    assert (tmp_path / "a.txt").read_bytes() == b"a"
    assert signal.getsignal(signal.SIGTERM) is before
    with pytest.raises(KeyboardInterrupt), ctrl_c_held():
        os.kill(os.getpid(), signal.SIGTERM)


def test_the_signals_are_ignored_before_their_defaults_come_back(tmp_path: Path) -> None:
    # Once the command is over, a stop could only interrupt Python's exit; and if
    # SIGTERM's default came back first, a SIGTERM in between would end the
    # process by that signal. Stops are ignored before the defaults return.
    code = (
        "import contextlib, signal, sys\n"
        "import generator.signals as signals\n"
        "real = signals.stopped_as_ctrl_c\n"
        "@contextlib.contextmanager\n"
        "def watched():\n"
        "    with real():\n"
        "        try:\n"
        "            yield\n"
        "        finally:\n"
        "            handler = signal.getsignal(signal.SIGTERM)\n"
        "            print('at the end:', getattr(handler, 'name', None) or handler.__name__)\n"
        "signals.stopped_as_ctrl_c = watched\n"
        "sys.argv = ['handouts', '--version']\n"
    )
    result = _as_module(tmp_path, code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "at the end: SIG_IGN"
