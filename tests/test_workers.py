"""generator/workers.py alone: the pool starts, hands back results in order, reports a
job that raises or a worker that dies, and stops leaving no process and no folder.

The workers here are forked from the test's process (the fork server is
`test_engine.py`'s), and the jobs are small functions of this module.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import generator.workers as workers_module
from generator import lifecycle
from generator.engine import load_engine
from generator.errors import HandoutError
from generator.signals import STOP_SIGNALS
from generator.workers import WORKER_LOST, WorkerPool, outcome

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or not Path("/proc/self").exists(),
    reason="forks workers from the test's process and reads Linux's /proc",
)


#: Where two jobs wait for each other, so each runs in its own worker. Set before
#: the workers fork, which gives it to them.
_MEET: Any = None


@pytest.fixture(autouse=True)
def forked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers forked from here, however many, with WeasyPrint loaded before they fork."""
    load_engine()
    monkeypatch.setattr(workers_module, "_fork_server", lambda: None)
    monkeypatch.setattr(
        sys.modules[__name__], "_MEET", multiprocessing.get_context("fork").Barrier(2)
    )


def _meet(_: object) -> int:
    """In a worker: wait for the other worker to run this too; this worker's process id."""
    _MEET.wait(timeout=30)
    return os.getpid()


def _slow_square(n: int) -> int:
    # The first jobs take longest, so later ones finish first.
    time.sleep(0.03 * max(0, 4 - n))
    return n * n


def _pid(_: object) -> int:
    return os.getpid()


def _fail(n: int) -> int:
    raise ValueError(f"job {n} went wrong")


def _refuse(n: int) -> int:
    raise HandoutError(f"a message for people about job {n}")


def _die(_: object) -> None:
    os._exit(3)


def _alive(pid: int) -> bool:
    """Whether a process is still there (a zombie, waiting to be reaped, counts)."""
    return Path(f"/proc/{pid}").exists()


def _gone(pids: set[int], seconds: float = 10.0) -> set[int]:
    """The processes still there once they had `seconds` to end."""
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.02)
    return {p for p in pids if _alive(p)}


def _worker_folders() -> list[str]:
    """The workers' own folders in this process's run folder."""
    folder = lifecycle.run_folder()
    assert folder is not None
    return sorted(p.name for p in folder.glob("handouts-worker-*"))


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(8, 2) as workers:
        yield workers


def test_the_number_of_workers_is_the_documents_or_the_jobs_whichever_is_fewer() -> None:
    assert [WorkerPool(8, 2).count, WorkerPool(3, 8).count, WorkerPool(4, 4).count] == [2, 3, 4]
    # No --jobs: one a core.
    assert WorkerPool(100, None).count == (os.cpu_count() or 1)
    # One or two documents, and WeasyPrint already here: no worker is worth starting.
    assert [WorkerPool(1, 4).count, WorkerPool(2, 8).count] == [0, 0]


def test_without_workers_the_work_is_done_here() -> None:
    pool = WorkerPool(1, 4)
    with pool:
        assert pool.submit(_pid, 0) is None
        assert pool.map(_pid, [0, 1]) == [os.getpid(), os.getpid()]
    assert pool.pool is None


def test_results_come_back_in_the_order_asked(pool: WorkerPool) -> None:
    pids = set(pool.map(_meet, [0, 1]))
    assert len(pids) == 2
    assert os.getpid() not in pids
    assert pool.map(_slow_square, list(range(8))) == [n * n for n in range(8)]


def test_nothing_starts_before_work_is_handed_over() -> None:
    pool = WorkerPool(8, 2)
    assert pool.pool is None
    pool.stop()  # a pool never started stops at once
    assert pool.pool is None


def test_a_job_that_raises_reaches_the_caller_and_the_pool_goes_on(pool: WorkerPool) -> None:
    failing = pool.submit(_fail, 7)
    refusing = pool.submit(_refuse, 8)
    assert failing is not None and refusing is not None
    with pytest.raises(ValueError, match=r"^job 7 went wrong$"):
        outcome(failing)
    # A message for people crosses as itself, to be shown without a traceback.
    with pytest.raises(HandoutError) as error:
        outcome(refusing)
    assert error.value.format_message() == "a message for people about job 8"
    assert pool.map(_slow_square, [2, 3]) == [4, 9]


def test_a_worker_that_dies_is_a_message_for_people(pool: WorkerPool) -> None:
    pids = set(pool.map(_meet, [0, 1]))
    dying = pool.submit(_die, 0)
    assert dying is not None
    with pytest.raises(HandoutError) as error:
        outcome(dying)
    assert error.value.format_message() == WORKER_LOST
    assert WORKER_LOST == (
        "a process laying out PDFs stopped before it finished (the machine may be short "
        "of memory). No file was written; run the command again, and if this keeps "
        "happening, use --jobs 1 so that fewer processes run at once"
    )
    # The pool is broken: more work is the same message, not a traceback.
    with pytest.raises(HandoutError) as again:
        pool.submit(_pid, 0)
    assert again.value.format_message() == WORKER_LOST
    pool.stop()
    assert _gone(pids) == set()


def test_a_stop_leaves_no_process_and_no_folder(pool: WorkerPool) -> None:
    # (A worker that died left its folder to the run's, removed when this process ends.)
    before = _worker_folders()
    pids = set(pool.map(_meet, [0, 1]))
    assert len(_worker_folders()) == len(before) + 2
    pool.stop()
    assert pool.pool is None
    assert _gone(pids) == set()
    assert _worker_folders() == before


def test_a_stop_does_not_wait_for_the_work_left(pool: WorkerPool) -> None:
    pids = set(pool.map(_meet, [0, 1]))
    waiting = [pool.submit(time.sleep, 60) for _ in range(4)]
    time.sleep(0.2)  # two of them begun
    started = time.monotonic()
    pool.stop()
    assert time.monotonic() - started < 10
    assert all(f is not None and f.done() for f in waiting)
    # The workers in the middle of a job were stopped, not left to finish it.
    assert _gone(pids, seconds=10) == set()


def test_after_a_stop_work_starts_new_workers(pool: WorkerPool) -> None:
    before = set(pool.map(_meet, [0, 1]))
    pool.stop()
    after = set(pool.map(_meet, [0, 1]))
    assert len(after) == 2
    assert before & after == set()
    pool.stop()
    assert _gone(before | after) == set()


@pytest.fixture
def stop_signals() -> Iterator[None]:
    """Ctrl-C interrupts, as in a terminal; every stop signal's handler is put back after."""
    before = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)


@pytest.mark.skipif(sys.platform == "win32", reason="raises signals")
def test_ctrl_c_interrupts_once_while_the_pool_is_open(stop_signals: None) -> None:
    with WorkerPool(1, 1):
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        # The program is on its way out: another Ctrl-C would only cut its stop short.
        signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN


@pytest.mark.skipif(sys.platform == "win32", reason="raises signals")
def test_the_ctrl_c_handler_before_comes_back_after(stop_signals: None) -> None:
    with WorkerPool(1, 1):
        assert signal.getsignal(signal.SIGINT) != signal.default_int_handler
    assert signal.getsignal(signal.SIGINT) == signal.default_int_handler


def test_a_build_stops_the_workers_it_was_given_when_the_cache_has_every_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `handouts build` starts a worker before it knows whether anything is to be
    # laid out; the build stops it unused when the cache has it all, and uses it
    # when it has not.
    import generator.build as build_module
    from generator.config import find_project
    from generator.request import BuildRequest

    root = tmp_path / "clinic"
    (root / "content" / "handouts" / "en").mkdir(parents=True)
    monkeypatch.chdir(root)
    project = find_project(root)
    request = BuildRequest(ids=("daily-check-in",), jobs=1)
    with WorkerPool(3, 1) as given:  # three: more than this process would lay out itself
        given.start()
        assert given.pool is not None
        submitted: list[object] = []
        real_submit = given.submit

        def counted(function: Any, argument: Any) -> Any:
            submitted.append(argument)
            return real_submit(function, argument)

        monkeypatch.setattr(given, "submit", counted)
        first = build_module.build(project, request, given)
        assert len(submitted) == 1  # laid out by the worker given
        given.start()
        again = build_module.build(project, request, given)
        assert len(submitted) == 1
        assert given.pool is None  # stopped unused
    assert first.written == again.written
    assert first.written[0].read_bytes().startswith(b"%PDF-")
