"""Run the handouts command as a user would, and watch everything it leaves.

Each run is its own session with its own temporary folder, so the checks
can see every process the command started (fork server, workers, resource
tracker) and every file it left there. Peak memory is the sum of the
resident memory of the session's processes, sampled as it runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Where scripts/hostile.py collects every run's figures (JSON lines).
LOG_VARIABLE = "HANDOUTS_HOSTILE_LOG"
#: The issue's bounds for every hostile case.
MAX_SECONDS = 20.0
MAX_MB = 600.0


def session_processes(session: int) -> list[int]:
    """Process ids in a session (Linux /proc), the session's leader included."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name is in brackets and may hold spaces.
        fields = stat.rpartition(")")[2].split()
        state, sid = fields[0], int(fields[3])
        if sid == session and state != "Z":
            found.append(int(entry.name))
    return found


def _tree(leader: int) -> list[int]:
    """The leader and the processes it started, and theirs (Linux /proc).

    Read while a run goes on, every 20 ms: walking down from the leader reads
    a few files where `session_processes` reads one for every process on the
    machine, which took a tenth of a core or more from the run it watched. A process
    whose parent ended is no longer under the leader; `session_processes`,
    after the run, finds it.
    """
    found, todo = [], [leader]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            for task in os.scandir(f"/proc/{pid}/task"):
                todo.extend(int(child) for child in Path(task.path, "children").read_text().split())
        except OSError:
            continue
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class Run:
    """What one run of the command did."""

    args: list[str]
    code: int | None
    out: str
    err: str
    seconds: float
    peak_mb: float
    #: Processes of the run's session still alive after the grace period.
    left_running: list[int] = field(default_factory=list)
    #: Names in the run's own temporary folder afterwards.
    temp_left: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.out + self.err

    def assert_clean(self, *, code: int | None = None) -> None:
        """No traceback, within the bounds, nothing left running or in the temporary folder."""
        assert "Traceback" not in self.text, self.text
        assert "Exception ignored" not in self.text, self.text
        assert self.seconds < MAX_SECONDS, f"{self.args} took {self.seconds:.1f}s"
        assert self.peak_mb < MAX_MB, f"{self.args} used {self.peak_mb:.0f} MB"
        assert not self.left_running, f"still running after {self.args}: {self.left_running}"
        assert not self.temp_left, f"left in TMPDIR by {self.args}: {self.temp_left}"
        if code is not None:
            assert self.code == code, self.text

    def assert_refused(self) -> None:
        """A clean failure: a message for people, a non-zero exit."""
        self.assert_clean()
        assert self.code not in (0, None), self.text
        assert self.err.strip() or self.out.strip(), "failed without a word"


def run(
    args: Sequence[str | bytes],
    cwd: Path,
    *,
    tmp: Path,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = MAX_SECONDS + 10,
    send: tuple[float, signal.Signals] | None = None,
    after_start: str | None = None,
    grace: float = 5.0,
    module: str = "generator",
    rlimits: Mapping[int, int] | None = None,
) -> Run:
    """Run `handouts ARGS` in `cwd`, with `tmp` as its TMPDIR.

    `send=(seconds, signal)` sends the signal to the main process only (as a
    kill from outside would) that long after it starts, or once a process
    whose command line holds `after_start` appears in its session.
    `rlimits` sets resource limits for the run (and the processes it starts),
    as `{resource.RLIMIT_FSIZE: bytes}` does for the largest file it may write.
    ARGS may be bytes, for arguments that are not UTF-8.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    environment = {**os.environ, "TMPDIR": str(tmp), "PYTHONDONTWRITEBYTECODE": "1"}
    environment.pop("SOURCE_DATE_EPOCH", None)
    environment.update(env or {})
    command = [os.fsencode(sys.executable), b"-m", os.fsencode(module), *map(os.fsencode, args)]
    started = time.monotonic()
    # Files, not pipes: a process the run leaves behind would hold a pipe
    # open, and reading it would wait for that process.
    out_file = tempfile.TemporaryFile()  # noqa: SIM115 (closed below, after the wait)
    err_file = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=environment,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=out_file,
        stderr=err_file,
        start_new_session=True,
        preexec_fn=_limiter(rlimits) if rlimits else None,  # noqa: PLW1509 (no threads yet)
    )
    session = process.pid
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = sum(_rss_mb(p) for p in _tree(session))
            peak[0] = max(peak[0], total)
            if send is not None and not sent and _due(send[0], after_start, session, started):
                sent.append(True)
                with contextlib.suppress(ProcessLookupError):
                    os.kill(process.pid, send[1])
            time.sleep(0.02)

    sent: list[bool] = []
    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    code: int | None
    try:
        process.communicate(stdin, timeout=timeout)
        code = process.returncode
    except subprocess.TimeoutExpired:
        code = None
    seconds = time.monotonic() - started
    done.set()
    watcher.join()
    # Whatever the run started has `grace` seconds to go after it ends.
    deadline = time.monotonic() + grace
    left = session_processes(session)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = session_processes(session)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if code is None:
        process.kill()
        process.wait()
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    out_file.close()
    err_file.close()
    if code is None:
        err += b"\n(timed out)"
    outcome = Run(
        [os.fsdecode(arg) for arg in args],
        code,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        seconds,
        peak[0],
        left,
        sorted(p.name for p in tmp.iterdir()),
    )
    _log(outcome)
    return outcome


def _log(outcome: Run) -> None:
    """Add the run's figures to scripts/hostile.py's log, when it asked for one."""
    log = os.environ.get(LOG_VARIABLE)
    if not log:
        return
    record = {
        "test": os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0],
        "seconds": round(outcome.seconds, 3),
        "peak_mb": round(outcome.peak_mb, 1),
        "left_running": len(outcome.left_running),
        "temp_left": len(outcome.temp_left),
        "traceback": "Traceback" in outcome.text,
    }
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(record) + "\n")


def _limiter(rlimits: Mapping[int, int]) -> Callable[[], None]:
    """What the child runs before the command: set each limit, soft and hard."""

    def limit() -> None:
        for which, value in rlimits.items():
            resource.setrlimit(which, (value, value))

    return limit


def _due(seconds: float, after_start: str | None, session: int, started: float) -> bool:
    if after_start is None:
        return time.monotonic() - started >= seconds
    for pid in _tree(session):
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if after_start in line:
            return time.monotonic() - started >= seconds
    return False
