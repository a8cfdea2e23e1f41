"""Layout workers: processes (forked from a fork server where it can) that run the PDF stage."""

from __future__ import annotations

import functools
import multiprocessing.util
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from generator import lifecycle
from generator.engine import load_engine
from generator.errors import HandoutError
from generator.signals import STOP_SIGNALS, Held, ctrl_c_held, interrupt_once, interrupts

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


class Workers(ProcessPoolExecutor):
    """Worker processes that load WeasyPrint as they start, while the caller goes on.

    The import takes about half a second; started before the content is
    loaded and rendered, it is done by the time there is HTML to lay out.
    (Workers forked from the fork server start with it loaded.) This module
    and `engine` import little, so a worker needs nothing more to run `pdf.lay_out_one`.
    """

    def __init__(self, count: int, context: BaseContext | None = None):
        # Everything the workers keep goes in the run's folder.
        folder = lifecycle.run_folder()
        super().__init__(
            max_workers=count,
            mp_context=context,
            initializer=_start_worker,
            initargs=(str(folder) if folder is not None else None,),
        )
        # The first process starts with the first task.
        self.submit(int)

    def submit(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """Hand work over, which may fork a worker; a stop waits until the pool knows it."""
        # A worker forked but not yet counted would be left out by `stop`:
        # it would go on starting as this process ends and removes the queues
        # the worker was given, and print a traceback.
        with ctrl_c_held():
            return super().submit(fn, *args, **kwargs)

    def stop(self) -> None:
        """End the workers without waiting for their work: any work left is not wanted."""
        # Without this, leaving would wait for each worker to finish importing.
        # The dict itself, not a copy: a worker the pool starts as it shuts down
        # is added to it, and must be stopped too.
        workers = getattr(self, "_processes", None) or {}
        manager = getattr(self, "_executor_manager_thread", None)
        results = getattr(self, "_result_queue", None)
        self.shutdown(wait=False, cancel_futures=True)
        _terminate(workers)
        # A worker stopped while it sends a result leaves half of it, and the
        # thread that tends the workers waits for the rest for ever. This
        # process never sends results: with its end closed, that thread finds
        # the pipe closed once the workers are gone.
        if results is not None:
            results._writer.close()
        # That thread ends soon after the workers. Left to the exit, it may
        # close its wake-up pipe as Python writes to it there: an OSError
        # traceback (a race later Pythons fix, gh-125451).
        # A worker started after the first round, or one left waiting on a queue's
        # lock that a stopped worker held, keeps that thread waiting for it for
        # ever (a test run hung so, once): stop it again until it ends.
        while manager is not None and manager.is_alive():
            manager.join(timeout=0.5)
            _terminate(workers)


def _terminate(workers: dict[int, Any]) -> None:
    """Stop each worker still running."""
    for process in list(workers.values()):
        if process.is_alive():
            process.terminate()


def _fork_server() -> BaseContext | None:
    """Where forking from a server that has imported WeasyPrint is possible, its context.

    Every worker forked from the server starts with WeasyPrint loaded, so only
    the server pays for importing it, however many workers there are. Modules
    a fork server preloads are set for the whole process; this program starts
    no other fork server.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    # "__main__" spares each worker importing the `handouts` script itself.
    context.set_forkserver_preload(["__main__", "generator.preload"])
    return context


def _start_fork_server() -> None:
    """Start the fork server (it goes on loading alone), deaf to Ctrl-C and hang-ups.

    Ctrl-C, and a closed terminal's SIGHUP, reach every process of the
    terminal's job. This process stops and so stops the server and its
    workers; interrupted itself, the server would print a traceback while it
    is still importing, and the resource tracker started with it would die
    and be started again, with a warning. A signal ignored when a program
    starts stays ignored, and the server's workers keep that.
    """
    import multiprocessing.forkserver

    # The server's socket goes in the run's folder.
    folder = lifecycle.run_folder()
    if folder is not None:
        lifecycle.share_multiprocessing_folder(folder)
    if threading.current_thread() is not threading.main_thread():
        with lifecycle.server_parent(folder):
            multiprocessing.forkserver.ensure_running()
        return
    deaf = [s for s in STOP_SIGNALS if s != getattr(signal, "SIGTERM", None)]
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in deaf}
    try:
        with lifecycle.server_parent(folder):
            multiprocessing.forkserver.ensure_running()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


#: With WeasyPrint already loaded here, this many documents or fewer are laid
#: out in this process: a worker's first layout takes about twice as long as
#: one here (it copies on write what it inherits, and starts with cold
#: caches), so for two documents workers cost more than they save.
IN_PROCESS = 2


class WorkerPool:
    """Worker processes for laying out documents, started as work comes.

    Workers pay when there are more than `IN_PROCESS` documents, or when this process has
    not imported WeasyPrint yet: a worker imports it while this process goes
    on loading and rendering the content. `start()` begins at once:

    - one worker is forked from this process and imports WeasyPrint itself;
    - several are forked, as work comes, from a fork server that imports
      WeasyPrint once for all of them. Starting the server waits for that
      import, so a thread waits, and this process only waits when it first
      has work to hand over.

    Used as a context manager, which stops the workers at the end rather than
    waiting for them, and until then lets Ctrl-C interrupt once.
    """

    def __init__(self, documents: int, jobs: int | None):
        self.count = min(documents, max(1, jobs or os.cpu_count() or 1))
        if documents <= IN_PROCESS and "weasyprint" in sys.modules:
            self.count = 0
        self.pool: Workers | None = None
        # Set once the thread that starts the workers is done. An event, not
        # Thread.join: before Python 3.13 a join that Ctrl-C interrupts marks
        # the thread as ended while it goes on, so `stop` would not wait for
        # the workers it starts, and they would be left running.
        self._opened: threading.Event | None = None
        self._failure: BaseException | None = None
        #: The stop signals caught while the pool is open, and their handlers before.
        self._catching: dict[signal.Signals, Any] = {}

    def start(self) -> None:
        """Begin starting the workers, if workers are worth it."""
        if self.pool is not None or self._opened is not None or self.count == 0:
            return
        server = _fork_server() if self.count > 1 else None
        # Ctrl-C waits until the workers are begun, so that `stop` knows them.
        with ctrl_c_held():
            if server is None:
                # Forking from here is quick: nothing to wait for.
                methods = multiprocessing.get_all_start_methods()
                fork = multiprocessing.get_context("fork") if "fork" in methods else None
                self.pool = Workers(self.count, fork)
                return
            try:
                _start_fork_server()
            except OSError as exc:  # reported when work is handed over
                self._failure = exc
                return
            self._failure = None
            self._opened = threading.Event()
            threading.Thread(target=self._open, args=(server, self._opened), daemon=True).start()

    def _open(self, server: BaseContext, opened: threading.Event) -> None:
        try:
            self.pool = Workers(self.count, server)
        except BaseException as exc:  # handed to the thread that submits work
            self._failure = exc
        finally:
            opened.set()

    def _started(self) -> Workers | None:
        self.start()
        if self._opened is not None:
            self._opened.wait()
        if self._failure is not None:
            raise HandoutError(
                f"could not start the processes that lay out PDFs: {self._failure}. "
                "No file was written; run the command again"
            ) from None
        return self.pool

    def submit(self, function: Callable[[T], R], argument: T) -> Future[R] | None:
        """Give the work to the next free worker; None: do it in this process."""
        pool = self._started()
        if pool is None:
            return None
        try:
            return pool.submit(function, argument)
        except BrokenProcessPool:
            raise HandoutError(WORKER_LOST) from None

    def map(self, function: Callable[[T], R], arguments: Sequence[T]) -> list[R]:
        """The results of `function` on each argument, in order, spread over the workers."""
        futures: list[Future[R] | None] = [self.submit(function, a) for a in arguments]
        return [
            outcome(f) if f is not None else function(a)
            for f, a in zip(futures, arguments, strict=True)
        ]

    def stop(self) -> None:
        """Stop the workers without waiting for work left; `submit` starts them again.

        Called once every result wanted has come back: what is left is a
        worker still importing WeasyPrint, or work given up (after an error,
        or a guess at the contents' length that was wrong).
        """
        # Ctrl-C waits until the workers are stopped: cut short, a stop would
        # leave some running.
        with ctrl_c_held():
            if self._opened is not None:
                self._opened.wait()
                self._opened = None
            if self.pool is not None:
                self.pool.stop()
                self.pool = None

    def __enter__(self) -> WorkerPool:
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                handler = signal.getsignal(signum)
                if interrupts(handler):
                    self._catching[signum] = signal.signal(signum, interrupt_once)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
        # Once Ctrl-C has come, it stays ignored (see `interrupt_once`).
        for signum, handler in self._catching.items():
            if signal.getsignal(signum) is interrupt_once:
                signal.signal(signum, handler)
        self._catching = {}


WORKER_LOST = (
    "a process laying out PDFs stopped before it finished (the machine may be short "
    "of memory). No file was written; run the command again, and if this keeps "
    "happening, use --jobs 1 so that fewer processes run at once"
)


def outcome(future: Future[R]) -> R:
    """A worker's result; a worker that died is reported to the user, not as a traceback."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise HandoutError(WORKER_LOST) from None


def _start_worker(run: str | None = None) -> None:
    """Set a worker up: its own temporary folder in the run's, then WeasyPrint.

    WeasyPrint copies web fonts into temporary folders and removes them only
    when it is done with them; a worker may be stopped first. So everything
    it writes goes into one folder of the worker's own, removed however the
    worker ends. The worker ends when the process that started it ends, even
    if that one is killed.
    """
    # Ctrl-C, and a closed terminal's SIGHUP, reach every process of the
    # terminal's job; the process that started the workers stops them.
    for signum in STOP_SIGNALS:
        if signum != signal.SIGTERM:
            signal.signal(signum, signal.SIG_IGN)
    # Stopped while the folder is being made, a worker would leave it (or the
    # file tempfile writes to try the folder) behind: a stop waits till then.
    blocking = hasattr(signal, "pthread_sigmask")  # not on Windows
    if blocking:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        before = signal.signal(signal.SIGTERM, _stop_worker)
        tempfile.tempdir = _worker_folder(run)
        multiprocessing.util.Finalize(
            None, shutil.rmtree, args=(tempfile.tempdir, True), exitpriority=5
        )
    finally:
        if blocking:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    if isinstance(before, Held) and before.came_here(signal.SIGTERM):
        # Stopped while it was being forked, holding signals as its parent did.
        _stop_worker(signal.SIGTERM, None)
    lifecycle.end_with_parent(functools.partial(_abandon, run))
    load_engine()


def _worker_folder(run: str | None) -> str:
    if run is not None:
        try:
            return tempfile.mkdtemp(prefix="handouts-worker-", dir=run)
        except OSError:
            parent = multiprocessing.parent_process()
            if parent is not None and not parent.is_alive():
                # The run is over, and its folder went with it: nothing to do.
                os._exit(0)
    return tempfile.mkdtemp(prefix="handouts-worker-")


def _stop_worker(signum: int, frame: Any) -> None:
    _remove_worker_folder()
    os._exit(0)


def _remove_worker_folder() -> None:
    if tempfile.tempdir and Path(tempfile.tempdir).name.startswith("handouts-worker-"):
        shutil.rmtree(tempfile.tempdir, ignore_errors=True)


def _abandon(run: str | None) -> None:
    """The process that started the workers is gone: remove what it left, if no one uses it."""
    _remove_worker_folder()
    if run is not None:
        lifecycle.remove_if_unlocked(Path(run), wait=2.0)
