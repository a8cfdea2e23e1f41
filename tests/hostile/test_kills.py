"""Hostile cases, class 4: a killed or stopped build leaves no process, folder or traceback.

Each case starts a cold build (one, two or several handouts, one to four
jobs, packets, participants' copies, `check --pdf`) and sends it SIGKILL,
SIGTERM, SIGINT or SIGHUP at a moment of its life: loading the content, the
fork server or resource tracker starting, workers importing WeasyPrint,
laying out, writing or joining a packet. Whenever the signal lands, within a
short grace no process of the run is left, nothing printed a traceback, and
the temporary folder is empty. SIGTERM and SIGHUP stop a build exactly as
Ctrl-C does. Only SIGKILL, which nothing can catch, may leave the run's own
folder, when it lands before any worker or fork server exists to remove it:
the next run removes it, and never a folder of a run still going.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import MAX_MB, MAX_SECONDS, Run, run, session_processes

from conftest import MINIMAL
from generator import lifecycle, signals

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="watches processes through Linux's /proc"
)
# Signals sent at chosen moments: these cases run one after another (see
# pyproject.toml), never racing another timing case for a core.
pytestmark = [pytestmark, pytest.mark.xdist_group("timing")]

KILL, TERM, INT, HUP = signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP
#: Time the run's processes get to end after the main one has.
GRACE = 3.0

#: Starts the command as a terminal does: Ctrl-C, SIGTERM and SIGHUP not
#: ignored (a test run in the background, or under nohup, would pass that on).
AS_TERMINAL = """\
import runpy, signal
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.signal(signal.SIGTERM, signal.SIG_DFL)
signal.signal(signal.SIGHUP, signal.SIG_DFL)
runpy.run_module("generator", run_name="__main__", alter_sys=True)
"""

PACKET = """\
title: A day of practice
audience: client
language: en
sections:
  - title: Noticing
    handouts: [ha, hb, hc]
"""

#: Every command and its arguments; the project is made by `clinic`.
COMMANDS = {
    "build-one": ("build", "ha", "--jobs", "1"),
    "build-two": ("build", "ha", "hb", "--jobs", "2"),
    "build-four": ("build", "ha", "hb", "hc", "hd", "--jobs", "4"),
    "build-all": ("build", "--jobs", "2"),
    "build-default-jobs": ("build", "hb", "hc", "he"),
    "build-named": ("build", "ha", "hb", "--client-name", "Zoë Quinn", "--jobs", "2"),
    "build-named-one": ("build", "hc", "--client-name", "Bo Li", "--jobs", "1"),
    "packet": ("packet", "day", "--jobs", "2"),
    "packet-one-job": ("packet", "day", "--jobs", "1"),
    "packet-people": ("packet", "day", "--participants", "people.csv", "--jobs", "2"),
    "packet-trainer": ("packet", "day", "--edition", "trainer", "--jobs", "4"),
    "check-pdf": ("check", "--pdf", "ha", "hb"),
}

#: When the signal is sent: seconds after the start, once a process whose
#: command line holds the text (if any) is running.
MOMENTS = {
    "loading": (0.4, None),
    "server-starts": (0.0, "forkserver"),
    "tracker-starts": (0.0, "resource_tracker"),
    "server-importing": (0.6, "forkserver"),
    "workers-importing": (1.0, None),
    "mid-layout": (1.6, None),
    "late": (2.3, None),
    "later": (3.0, None),
}


@dataclass(frozen=True)
class Case:
    command: str
    signal: signal.Signals
    moment: str

    def __str__(self) -> str:
        return f"{self.command}-{self.signal.name}-{self.moment}"


def _cases(signum: signal.Signals, plan: dict[str, tuple[str, ...]]) -> list[Case]:
    return [
        Case(command, signum, moment) for command, moments in plan.items() for moment in moments
    ]


CASES = [
    *_cases(
        KILL,
        {
            "build-one": ("loading", "workers-importing", "mid-layout", "late"),
            "build-two": ("server-starts", "tracker-starts", "server-importing", "late"),
            "build-four": ("server-importing", "workers-importing", "later"),
            "build-all": ("mid-layout", "later"),
            "build-default-jobs": ("mid-layout",),
            "build-named": ("server-starts", "mid-layout"),
            "build-named-one": ("workers-importing",),
            "packet": ("server-importing", "late", "later"),
            "packet-one-job": ("mid-layout", "later"),
            "packet-people": ("mid-layout", "late", "later"),
            "packet-trainer": ("later",),
            "check-pdf": ("loading", "mid-layout", "late"),
        },
    ),
    *_cases(
        TERM,
        {
            "build-one": ("workers-importing", "late"),
            "build-two": ("server-starts", "server-importing", "mid-layout"),
            "build-four": ("workers-importing", "late"),
            "build-named": ("late",),
            "packet": ("mid-layout", "later"),
            "packet-people": ("late",),
            "check-pdf": ("mid-layout",),
        },
    ),
    *_cases(
        INT,
        {
            "build-one": ("mid-layout",),
            "build-two": ("tracker-starts", "late"),
            "build-all": ("workers-importing",),
            "packet-people": ("later",),
            "check-pdf": ("late",),
        },
    ),
    *_cases(
        HUP,
        {
            "build-one": ("loading",),
            "build-two": ("server-importing",),
            "build-four": ("mid-layout",),
            "packet": ("late",),
            "packet-one-job": ("workers-importing",),
            "check-pdf": ("loading",),
        },
    ),
]

#: The cases of the default run: one of each kind, the rest are slow.
FAST = {
    Case("build-two", KILL, "server-importing"),
    Case("build-one", KILL, "mid-layout"),
    Case("packet-people", KILL, "late"),
    Case("check-pdf", KILL, "mid-layout"),
    Case("build-two", TERM, "mid-layout"),
    Case("build-four", HUP, "mid-layout"),
}


@pytest.fixture
def clinic(tmp_path: Path) -> Path:
    """A project of six small handouts, a packet of three, and a participants list."""
    root = tmp_path / "clinic"
    handouts = root / "content" / "handouts" / "en"
    handouts.mkdir(parents=True)
    for letter in "abcdef":
        text = MINIMAL.replace("Noticing your breath", f"Noticing, part {letter}")
        (handouts / f"h{letter}.yaml").write_text(
            text.replace("for a moment.", f"for a moment ({letter})."), encoding="utf-8"
        )
    packets = root / "content" / "packets"
    packets.mkdir()
    (packets / "day.yaml").write_text(PACKET, encoding="utf-8")
    (root / "people.csv").write_text("name\nAnn Smith\nBo Li\nZoë Quinn\n", encoding="utf-8")
    shim = tmp_path / "shim" / "as_terminal"
    shim.mkdir(parents=True)
    (shim / "__main__.py").write_text(AS_TERMINAL, encoding="utf-8")
    return root


def _env(clinic: Path) -> dict[str, str]:
    paths = [str(clinic.parent / "shim"), os.environ.get("PYTHONPATH", "")]
    return {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def _run(clinic: Path, tmp: Path, args: tuple[str, ...], **options: object) -> Run:
    return run(
        args, clinic, tmp=tmp, env=_env(clinic), module="as_terminal", grace=GRACE, **options
    )


def _outputs(clinic: Path) -> list[Path]:
    return sorted(p for p in (clinic / "output").rglob("*") if p.is_file())


def _assert_whole_pdfs(files: list[Path]) -> None:
    for path in files:
        if path.suffix == ".pdf":
            data = path.read_bytes()
            assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:], path


def _linked(tmp: Path, runs: list[str]) -> list[str]:
    """The multiprocessing folders the run folders link to."""
    linked = (tmp / name / "multiprocessing" for name in runs)
    return [os.readlink(link).rpartition("/")[2] for link in linked if link.is_symlink()]


def _assert_stopped(outcome: Run, signum: signal.Signals, clinic: Path, tmp: Path) -> None:
    """What every stopped run must show, wherever the signal landed."""
    where = (
        f"{outcome.args} after {signum.name}: {outcome.code}, {outcome.temp_left}\n{outcome.text}"
    )
    for word in ("Traceback", "Exception ignored", "Error", "Warning", "leaked"):
        assert word not in outcome.text, where
    assert outcome.seconds < MAX_SECONDS, where
    assert outcome.peak_mb < MAX_MB, where
    assert not outcome.left_running, where
    _assert_whole_pdfs(_outputs(clinic))
    if signum == KILL:
        assert outcome.code in (-KILL, 0), where
        # Only the run's own folder (and multiprocessing's, which it links to),
        # when nothing of the run was left to remove it.
        runs = [n for n in outcome.temp_left if n.startswith(lifecycle.RUN_PREFIX)]
        assert len(runs) == len(outcome.temp_left) - len(_linked(tmp, runs)) <= 1, where
        return
    assert outcome.temp_left == [], where
    if outcome.code == 0:
        # Done before the signal came.
        assert outcome.err == "", where
        return
    # Exactly as Ctrl-C: the same message and exit code, nothing written.
    assert (outcome.code, outcome.err.strip()) == (1, "Aborted!"), where
    assert not [p for p in _outputs(clinic) if p.suffix == ".pdf"], where


def _assert_next_run_cleans(clinic: Path, tmp: Path) -> None:
    after = _run(clinic, tmp, ("list",))
    after.assert_clean(code=0)


@pytest.mark.parametrize(
    "case",
    [c if c in FAST else pytest.param(c, marks=pytest.mark.slow) for c in CASES],
    ids=str,
)
def test_a_signal_at_any_moment_leaves_nothing(clinic: Path, tmp_path: Path, case: Case) -> None:
    seconds, after_start = MOMENTS[case.moment]
    tmp = tmp_path / "tmp"
    outcome = _run(
        clinic, tmp, COMMANDS[case.command], send=(seconds, case.signal), after_start=after_start
    )
    _assert_stopped(outcome, case.signal, clinic, tmp)
    if outcome.temp_left:
        _assert_next_run_cleans(clinic, tmp)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 50
    assert len({str(c) for c in CASES}) == len(CASES)
    assert {c.signal for c in CASES} == {KILL, TERM, INT, HUP}


# --- The next run cleans up, and only what is not in use ---------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@contextlib.contextmanager
def _holding_lock(folder: Path) -> object:
    """A process (not this one) holding a run folder's lock, as a live run does."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
            str(folder),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def _run_folder(base: Path, pid: int, fill: bool = True) -> Path:
    folder = base / f"{lifecycle.RUN_PREFIX}{pid}-abcd_123"
    (folder / "handouts-worker-x1y2z3").mkdir(parents=True)
    if fill:
        (folder / "handouts-worker-x1y2z3" / "font.ttf").write_bytes(b"\0" * 100)
    return folder


def test_a_killed_runs_folder_is_removed_with_its_multiprocessing_folder(tmp_path: Path) -> None:
    dead = _run_folder(tmp_path, _dead_pid())
    sockets = tmp_path / "pymp-0a1b2c3d"
    sockets.mkdir()
    (sockets / "listener-abc").write_text("")
    (dead / "multiprocessing").symlink_to(sockets)
    lifecycle.remove_abandoned(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kind",
    [
        "live-pid",
        "locked",
        "not-a-run-name",
        "worker-folder",
        "pymp-not-linked",
        "a-file",
        "a-link",
        "link-to-outside-pymp",
    ],
)
def test_the_cleanup_never_touches_what_may_be_in_use_or_not_ours(
    tmp_path: Path, kind: str
) -> None:
    base = tmp_path / "tmp"
    base.mkdir()
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "keep").mkdir(parents=True)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with contextlib.ExitStack() as stack:
            if kind == "live-pid":
                # Unlocked, but its process lives: a run that has not taken its lock yet.
                _run_folder(base, sleeper.pid)
            elif kind == "locked":
                # Its pid is gone, but a process holds its lock (a run in another
                # pid namespace, or a worker of a run still ending).
                stack.enter_context(_holding_lock(_run_folder(base, _dead_pid())))
            elif kind == "not-a-run-name":
                (base / f"{lifecycle.RUN_PREFIX}x{_dead_pid()}-abc").mkdir()
                (base / "handouts-runner-1-abcdefgh").mkdir()
            elif kind == "worker-folder":
                (base / "handouts-worker-abcdefgh").mkdir()
            elif kind == "pymp-not-linked":
                (base / "pymp-0a1b2c3d").mkdir()
            elif kind == "a-file":
                (base / f"{lifecycle.RUN_PREFIX}{_dead_pid()}-abcdefgh").write_text("mine")
            elif kind == "a-link":
                (base / f"{lifecycle.RUN_PREFIX}{_dead_pid()}-abcdefgh").symlink_to(elsewhere)
            elif kind == "link-to-outside-pymp":
                # A run folder linking to a folder that is not a multiprocessing
                # folder beside it: the run folder goes, the other stays.
                outside = elsewhere / "pymp-0a1b2c3d"
                outside.mkdir()
                dead = _run_folder(base, _dead_pid())
                (dead / "multiprocessing").symlink_to(outside)
            before = sorted(p.name for p in base.iterdir())
            lifecycle.remove_abandoned(base)
            after = sorted(p.name for p in base.iterdir())
    finally:
        sleeper.kill()
        sleeper.wait()
    if kind == "link-to-outside-pymp":
        assert after == []
        assert (elsewhere / "pymp-0a1b2c3d").is_dir()
    else:
        assert after == before != []
    assert (elsewhere / "keep").is_dir()


def test_a_run_removes_what_a_killed_run_left_and_nothing_else(
    clinic: Path, tmp_path: Path
) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    _run_folder(tmp, _dead_pid())
    (tmp / "someone-elses").mkdir()
    with _holding_lock(_run_folder(tmp, _dead_pid())):
        outcome = _run(clinic, tmp, ("list",))
        assert outcome.code == 0, outcome.text
        left = sorted(p.name for p in tmp.iterdir())
    # The locked one stays, whatever its pid says; the unlocked dead one is gone.
    assert len(left) == 2 and "someone-elses" in left, left


@pytest.mark.slow
def test_a_concurrent_build_is_not_disturbed(clinic: Path, tmp_path: Path) -> None:
    """A killed run, and the run after it that cleans up, beside a build in the same TMPDIR."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    other = tmp_path / "other"
    shutil.copytree(clinic / "content", other / "content")
    results: list[Run] = []
    six = ("build", "ha", "hb", "hc", "hd", "he", "hf", "--jobs", "2")
    going = threading.Thread(target=lambda: results.append(_run(clinic, tmp, six)), daemon=True)
    going.start()
    deadline = time.monotonic() + MAX_SECONDS
    while not _runs(tmp) and time.monotonic() < deadline:
        time.sleep(0.02)
    first = _runs(tmp)
    assert len(first) == 1
    # Held still meanwhile, so that it is surely running (and its folder in use).
    builder = int(first[0].removeprefix(lifecycle.RUN_PREFIX).partition("-")[0])
    os.kill(builder, signal.SIGSTOP)
    try:
        # A run killed while it lays out in its own process may leave its
        # folder; one killed earlier surely did.
        killed = _run(other, tmp, ("check", "--pdf", "ha"), send=(1.2, KILL))
        assert killed.code in (-KILL, 0) and not killed.left_running, killed.text
        _run_folder(tmp, _dead_pid())
        cleaner = _run(other, tmp, ("list",))
        assert cleaner.code == 0 and not cleaner.left_running, cleaner.text
        assert _runs(tmp) == first
    finally:
        os.kill(builder, signal.SIGCONT)
    going.join(timeout=2 * MAX_SECONDS)
    (built,) = results
    built.assert_clean(code=0)
    assert len(_outputs(clinic)) == 6
    _assert_whole_pdfs(_outputs(clinic))


def _runs(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.iterdir() if p.name.startswith(lifecycle.RUN_PREFIX))


# --- Signals in the process itself -------------------------------------------


def test_sigterm_and_sighup_are_ctrl_c_and_an_ignored_one_stays_ignored() -> None:
    previous = {s: signal.getsignal(s) for s in (TERM, HUP)}
    signal.signal(TERM, signal.SIG_DFL)
    signal.signal(HUP, signal.SIG_IGN)  # as under nohup
    try:
        with signals.stopped_as_ctrl_c():
            assert signals.interrupts(signal.getsignal(TERM))
            assert signal.getsignal(HUP) is signal.SIG_IGN
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(TERM)
                time.sleep(1)
        assert signal.getsignal(TERM) is signal.SIG_DFL
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Thing:
    pass


def test_ctrl_c_lost_in_a_finaliser_is_delivered_again(capsys: pytest.CaptureFixture[str]) -> None:
    """Python cannot raise out of a finaliser: Ctrl-C there would be lost, with a traceback."""
    previous = signal.getsignal(INT)
    signal.signal(INT, signal.default_int_handler)
    try:
        with signals.stopped_as_ctrl_c():
            thing = _Thing()

            def interrupted_finaliser(_: object) -> None:
                raise KeyboardInterrupt

            reference = weakref.ref(thing, interrupted_finaliser)
            with pytest.raises(KeyboardInterrupt):
                del thing
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline:
                    time.sleep(0.01)
            assert reference() is None
        assert signal.getsignal(INT) is signal.default_int_handler
    finally:
        signal.signal(INT, previous)
    captured = capsys.readouterr()
    assert "Exception ignored" not in captured.err and "Traceback" not in captured.err


def test_ctrl_c_wrapped_by_python_is_still_ctrl_c() -> None:
    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__") from exc
    except RuntimeError as wrapped:
        assert signals.interrupted(wrapped)
    assert not signals.interrupted(RuntimeError("something else"))


# --- Repeated: rare races at exit and at start-up ----------------------------

BROKEN = "title: [unclosed\n"
OUTSIDE_IMAGE = MINIMAL + "  - type: image\n    src: ../../../../outside.png\n    alt: Outside.\n"


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["content-error", "blocked-image"])
def test_a_failing_build_ends_quietly_every_time(
    clinic: Path, tmp_path: Path, failure: str
) -> None:
    """About one run in forty once printed `OSError: [Errno 9]` at exit after the error."""
    handouts = clinic / "content" / "handouts" / "en"
    if failure == "content-error":
        (handouts / "hf.yaml").write_text(BROKEN, encoding="utf-8")
    else:
        (tmp_path / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        (handouts / "hf.yaml").write_text(OUTSIDE_IMAGE, encoding="utf-8")
    for number in range(40):
        jobs = ("1", "2", "4")[number % 3]
        outcome = _run(clinic, tmp_path / f"tmp{number}", ("build", "--jobs", jobs))
        outcome.assert_refused()
        assert "hf.yaml" in outcome.err, outcome.text
        for word in ("Errno", "Error in", "Exception", "Warning"):
            assert word not in outcome.text, outcome.text
        assert not (clinic / "output").exists()


def _group_run(
    clinic: Path, tmp: Path, args: tuple[str, ...], signum: signal.Signals, delay: float
) -> tuple[int, str, list[int], list[str]]:
    """Run the command and send a signal to its whole process group, as a terminal does."""
    tmp.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmp), **_env(clinic)}
    command = subprocess.Popen(
        [sys.executable, "-m", "as_terminal", *args],
        cwd=clinic,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(command.pid, signum)
        _, err = command.communicate(timeout=MAX_SECONDS + 10)
    finally:
        if command.poll() is None:
            os.killpg(command.pid, KILL)
            command.wait()
    deadline = time.monotonic() + GRACE
    while session_processes(command.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = session_processes(command.pid)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, KILL)
    return command.returncode, err, left, sorted(p.name for p in tmp.iterdir())


@pytest.mark.slow
def test_ctrl_c_during_start_up_stops_quietly_every_time(clinic: Path, tmp_path: Path) -> None:
    """Ctrl-C (to the whole job) while Python loads, the fork server starts, workers import."""
    for number in range(24):
        shutil.rmtree(clinic / "output", ignore_errors=True)
        delay = 0.2 + 0.05 * number
        args = COMMANDS[("build-two", "build-one", "build-four", "packet")[number % 4]]
        code, err, left, temp = _group_run(clinic, tmp_path / f"tmp{number}", args, INT, delay)
        where = f"{args}, Ctrl-C after {delay:.2f} s: {code}\n{err}"
        assert not left and temp == [], where
        assert "Traceback" not in err and "Exception" not in err, where
        assert (code, err.strip()) in ((1, "Aborted!"), (0, "")), where
        if code == 1:
            assert not [p for p in _outputs(clinic) if p.suffix == ".pdf"], where


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "delay"), [(TERM, 0.5), (TERM, 1.4), (HUP, 0.9), (HUP, 2.0)], ids=str
)
def test_a_stop_signal_to_the_whole_group_is_ctrl_c(
    clinic: Path, tmp_path: Path, signum: signal.Signals, delay: float
) -> None:
    """As `kill -TERM -PGID`, a service manager, or a closed terminal (SIGHUP) sends it."""
    code, err, left, temp = _group_run(
        clinic, tmp_path / "tmp", COMMANDS["build-four"], signum, delay
    )
    where = f"{signum.name} after {delay} s: {code}\n{err}"
    assert not left and temp == [], where
    assert (code, err.strip()) in ((1, "Aborted!"), (0, "")), where
