"""The harness itself: it sees what a run leaves behind, so its passes mean something."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from harness import run


def test_a_clean_run_is_seen_as_clean(tmp_path: Path) -> None:
    outcome = run(["--version"], tmp_path, tmp=tmp_path / "tmp")
    outcome.assert_clean(code=0)
    assert outcome.peak_mb >= 0


def test_a_process_left_behind_is_seen(tmp_path: Path) -> None:
    # A stand-in for the command that leaves a child running and a folder behind.
    script = tmp_path / "standin"
    script.mkdir()
    (script / "__main__.py").write_text(
        "import os, subprocess, sys, tempfile\n"
        "tempfile.mkdtemp(prefix='left-')\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
    )
    outcome = run(
        [],
        tmp_path,
        tmp=tmp_path / "tmp",
        env={"PYTHONPATH": str(tmp_path)},
        module="standin",
        grace=0.5,
    )
    assert outcome.left_running
    assert outcome.temp_left and outcome.temp_left[0].startswith("left-")
    # The harness kills what a run leaves, so one case cannot spoil the next.
    deadline = time.monotonic() + 5
    while not all(_gone(pid) for pid in outcome.left_running) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in outcome.left_running)


def _gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except OSError:
        return True


def test_a_traceback_fails_the_check(tmp_path: Path) -> None:
    script = tmp_path / "standin"
    script.mkdir()
    (script / "__main__.py").write_text("raise SystemExit(int('x'))\n")
    outcome = run(
        [], tmp_path, tmp=tmp_path / "tmp", env={"PYTHONPATH": str(tmp_path)}, module="standin"
    )
    assert "Traceback" in outcome.err
    assert outcome.code == 1
    assert sys.executable and os.sep
