"""PDF stage: HTML to a tagged PDF through WeasyPrint, fetching only allowed files."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import gc
import hashlib
import importlib
import io
import logging
import math
import mimetypes
import multiprocessing.util
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing.context import BaseContext
from pathlib import Path
from types import FrameType
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator import lifecycle
from generator.errors import HandoutError, display_path
from generator.files import (
    MAX_ASSET_BYTES,
    FileProblem,
    digest,
    inside,
    read_bytes,
    real_folder,
)
from generator.images import bounded_decoding, check_fetched
from generator.options import SOURCE_DATE_EPOCH

# WeasyPrint is imported inside the functions below: importing it costs most
# of a second, and `handouts --help` should not pay for it.

PDF_VARIANT = "pdf/ua-1"
T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

# Notices about the machine's libraries, not about the document: they say
# nothing a content author could act on, so they are not reported.
ENGINE_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


@dataclass
class Fetches:
    """What a render asked for that it was not allowed to have, or could not use."""

    blocked: list[str] = field(default_factory=list)
    #: Files inside the allowed folders that can't be used, with why (for people).
    failed: list[tuple[str, str]] = field(default_factory=list)


def make_url_fetcher(allowed: Sequence[Path], fetches: Fetches) -> Any:
    """A WeasyPrint URL fetcher that reads only files under the allowed folders.

    WeasyPrint's own fetcher will read any file:// path and any web address,
    which would let a handout embed a private file or call out to the network.
    A file is judged by where it really is, links followed; an allowed
    folder that is itself a link counts only as far as where it is named
    (`files.real_folder`), so a project folder linked to elsewhere opens
    nothing there.
    """
    load_engine()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = tuple(real_folder(folder) for folder in allowed)

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                response = super().fetch(url, headers)
                body = check_fetched(response.read(), "a data: address")
                return URLFetcherResponse(url, body=body, headers=response.headers)
            path = _allowed_file(url, roots) if scheme == "file" else None
            if path is None:
                fetches.blocked.append(url)
                raise ValueError(f"blocked by the handouts URL policy: {url}")
            try:
                body = read_asset(path)
            except FileProblem as exc:
                fetches.failed.append((url, exc.message))
                raise ValueError(f"can't use {url}: {exc.message}") from None
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(),
                body=body,
                headers={"Content-Type": content_type},
            )

    return SafeURLFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


def read_asset(path: Path) -> bytes:
    """The bytes of a file a document uses (a picture, font, stylesheet or attachment).

    The one place the PDF stage reads a file: a regular file, at most
    `files.MAX_ASSET_BYTES`, else FileProblem. Checks of what the bytes hold
    belong here too: a picture beyond the limits of `images` raises
    ImageRefused, which WeasyPrint reports as a picture it failed to load,
    with the reason (`images.explain` says it for people).
    """
    return check_fetched(read_bytes(path, MAX_ASSET_BYTES), display_path(path))


def _allowed_file(url: str, roots: Sequence[Path]) -> Path | None:
    """The real path of the local file a file:// URL names, if it lies under an allowed folder."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    try:
        # Links followed, so a link inside the project that points outside
        # it is judged by where it really leads.
        return inside(Path(url2pathname(parts.path)), roots)
    except ValueError:  # a NUL in the address
        return None


def load_engine() -> None:
    """Import WeasyPrint, without its slow search for system libraries where that is safe.

    WeasyPrint tries several names for each library it needs, and cffi answers
    every miss with ctypes.util.find_library, which runs ldconfig and gcc:
    about a quarter of a second per process. On Linux find_library only ever
    gives a soname, which dlopen finds by itself, and WeasyPrint's list holds
    the sonames; so a miss may fail at once. If that loads too little, the
    ordinary import runs instead.
    """
    if "weasyprint" in sys.modules:
        return
    with warnings.catch_warnings():
        # About the machine's libraries, not the document: see ENGINE_NOTICES.
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        if sys.platform.startswith("linux"):
            _import_without_library_search()
        importlib.import_module("weasyprint")


def _import_without_library_search() -> None:
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = _no_library
    try:
        # A failed load prints WeasyPrint's install advice; the ordinary
        # import after this prints it again if it is still true.
        with contextlib.redirect_stdout(io.StringIO()):
            importlib.import_module("weasyprint")
    except OSError:
        for name in [m for m in sys.modules if m.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search


def _no_library(name: str) -> None:
    return None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def captured_weasyprint_logs() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's warnings and errors instead of letting them print."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


@dataclass(frozen=True)
class Layout:
    """How WeasyPrint writes a PDF: form fields, tags, and whether it is a part to join."""

    forms: bool = False
    #: False for layers laid over a tagged page as artifacts.
    tagged: bool = True
    #: A part of a joined packet: see `html_to_pdf`.
    part: bool = False


#: One document for a worker: HTML, base URL, the folders it may read, layout.
LayoutCall = tuple[str, str, tuple[Path, ...], Layout]


class Workers(ProcessPoolExecutor):
    """Worker processes that load WeasyPrint as they start, while the caller goes on.

    The import takes about half a second; started before the content is
    loaded and rendered, it is done by the time there is HTML to lay out.
    (Workers forked from the fork server start with it loaded.) This module
    imports little, so a worker needs nothing more to run `lay_out_one`.
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
        with _ctrl_c_held():
            return super().submit(fn, *args, **kwargs)

    def stop(self) -> None:
        """End the workers without waiting for their work: any work left is not wanted."""
        # Without this, leaving would wait for each worker to finish importing.
        processes = list((getattr(self, "_processes", None) or {}).values())
        manager = getattr(self, "_executor_manager_thread", None)
        results = getattr(self, "_result_queue", None)
        self.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        # A worker stopped while it sends a result leaves half of it, and the
        # thread that tends the workers waits for the rest for ever. This
        # process never sends results: with its end closed, that thread finds
        # the pipe closed once the workers are gone.
        if results is not None:
            results._writer.close()
        # That thread ends soon after the workers. Left to the exit, it may
        # close its wake-up pipe as Python writes to it there: an OSError
        # traceback (a race later Pythons fix, gh-125451).
        if manager is not None:
            manager.join()


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
    deaf = [s for s in lifecycle.STOP_SIGNALS if s != getattr(signal, "SIGTERM", None)]
    previous = {signum: signal.signal(signum, signal.SIG_IGN) for signum in deaf}
    try:
        with lifecycle.server_parent(folder):
            multiprocessing.forkserver.ensure_running()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Held:
    """A signal handler that notes the signals that came, for `_ctrl_c_held`."""

    def __init__(self) -> None:
        self.came: list[tuple[int, int]] = []

    def __call__(self, signum: int, frame: Any) -> None:
        self.came.append((os.getpid(), signum))

    def came_here(self, signum: int) -> bool:
        """Whether the signal came to this process (a forked worker inherits the notes)."""
        return (os.getpid(), signum) in self.came


@contextlib.contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM, SIGHUP) back until the block is done, then let it act.

    A worker forked from this process in the block starts holding them back
    too, until it sets its own handlers (see `_start_worker`).
    """
    if threading.current_thread() is not threading.main_thread():
        # Only the main thread is interrupted.
        yield
        return
    held = _Held()
    previous = {}
    for signum in lifecycle.STOP_SIGNALS:
        handler = signal.getsignal(signum)
        if handler is not None and handler is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, held)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if held.came:
            signal.raise_signal(held.came[0][1])


_interrupt_once = lifecycle.interrupt_once


class WorkerPool:
    """Worker processes for laying out documents, started as work comes.

    Workers pay when there are several documents, or when this process has
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
        if documents == 1 and "weasyprint" in sys.modules:
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
        with _ctrl_c_held():
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
        with _ctrl_c_held():
            if self._opened is not None:
                self._opened.wait()
                self._opened = None
            if self.pool is not None:
                self.pool.stop()
                self.pool = None

    def __enter__(self) -> WorkerPool:
        if threading.current_thread() is threading.main_thread():
            for signum in lifecycle.STOP_SIGNALS:
                handler = signal.getsignal(signum)
                if lifecycle.interrupts(handler):
                    self._catching[signum] = signal.signal(signum, _interrupt_once)
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
        # Once Ctrl-C has come, it stays ignored (see `_interrupt_once`).
        for signum, handler in self._catching.items():
            if signal.getsignal(signum) is _interrupt_once:
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
    for signum in lifecycle.STOP_SIGNALS:
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
    if isinstance(before, _Held) and before.came_here(signal.SIGTERM):
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


def lay_out_one(call: LayoutCall) -> PdfResult:
    """Lay out one document, in a worker process or this one, within the time limit.

    Raises LayoutStopped, whose message the caller puts after the name of
    the file the document comes from. Layout writes to the temporary folder
    (WeasyPrint keeps the fonts a page uses there): a full disk or a
    file-size limit is a message for people, raised here so that it crosses
    from a worker as one.
    """
    html, base_url, allowed, layout = call
    seconds = layout_seconds()
    try:
        with _time_limit(seconds), bounded_decoding():
            return html_to_pdf(
                html,
                base_url,
                allowed,
                forms=layout.forms,
                tagged=layout.tagged,
                part=layout.part,
            )
    except _OutOfTime:
        raise LayoutStopped(
            f"laying it out took longer than {seconds:g} seconds, the limit for one "
            "document; make it shorter or split it, or allow more time with "
            f"{LAYOUT_SECONDS_VARIABLE}={max(seconds * 2, LAYOUT_SECONDS):g} (a project's "
            "own templates and styles may be the slow part)"
        ) from None
    except RecursionError:
        raise LayoutStopped(
            "its page is nested too deeply to lay out (elements inside elements, hundreds "
            "deep); a project's own templates may be making it so"
        ) from None
    except OSError as exc:
        raise HandoutError(layout_failure(exc)) from None


def layout_failure(exc: OSError) -> str:
    """What to tell people when laying out failed for want of a file it could write."""
    folder = Path(tempfile.gettempdir())
    if folder.name.startswith("handouts-worker-"):
        folder = folder.parent  # a worker's own folder: see `_start_worker`
    if folder.name.startswith(lifecycle.RUN_PREFIX):
        folder = folder.parent  # the run's own folder: see `lifecycle`
    return (
        f"could not lay out a PDF: a temporary file in {folder} could not be written "
        f"({_reason(exc)}). {_advice(exc, 'set TMPDIR to a folder on a disk with space')}; "
        "no file was written"
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _advice(exc: OSError, elsewhere: str) -> str:
    """What to do about a write that failed, by its cause."""
    if exc.errno == errno.EFBIG:
        return (
            "A limit on how large a file this program may write stopped it (see "
            "`ulimit -f`); raise the limit, or ask whoever set it"
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"The disk (or your quota) is full; free some space, or {elsewhere}"
    if exc.errno == errno.ENOTDIR:
        return "Move that out of the way, or write somewhere else"
    return f"Check that you may write there, or {elsewhere}"


#: How long one document may take to lay out, in seconds, unless the
#: environment variable sets another: a few seconds is usual, and a
#: document that takes minutes is one a limit somewhere missed.
LAYOUT_SECONDS = 60.0
LAYOUT_SECONDS_VARIABLE = "HANDOUTS_LAYOUT_SECONDS"


class LayoutStopped(HandoutError):
    """A document whose layout was given up; the message names no file (the caller does)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def layout_seconds() -> float:
    """The time limit for laying out one document."""
    raw = os.environ.get(LAYOUT_SECONDS_VARIABLE, "").strip()
    if not raw:
        return LAYOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        shown = repr(raw) if len(raw) <= 40 else repr(raw[:40] + "...")
        raise HandoutError(
            f"the environment variable {LAYOUT_SECONDS_VARIABLE} is {shown}, which is not "
            "a number of seconds; set it to the most seconds one document may take to lay "
            f"out (like 120), or unset it for the default of {LAYOUT_SECONDS:g}"
        )
    return seconds


class _OutOfTime(BaseException):
    """Raised into the layout when its time is up. A BaseException: WeasyPrint
    catches Exception around a picture or a font that fails, and would go on."""


#: Where an exception raised into the code would be lost or leave things
#: half done: a finalizer (WeasyPrint removes its font folders in __del__),
#: logging's own machinery, removing a folder.
_NOT_HERE = ("__del__", "__exit__", "_exitfunc", "rmtree", "emit", "handle", "callHandlers")


def _may_interrupt(frame: FrameType | None) -> bool:
    inside_engine = False
    while frame is not None:
        code = frame.f_code
        if code.co_name in _NOT_HERE or "weakref" in code.co_filename:
            return False
        inside_engine = inside_engine or f"{os.sep}weasyprint{os.sep}" in code.co_filename
        frame = frame.f_back
    return inside_engine


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the block with _OutOfTime once it has run `seconds`.

    The alarm raises only inside WeasyPrint's own code, never in a finalizer
    or a logging call, and again every twentieth of a second until the block
    has ended. Only the main thread gets signals: elsewhere the block runs
    unbounded.
    """
    if not hasattr(signal, "setitimer") or (
        threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    armed, rung = [True], [False]

    def ring(signum: int, frame: FrameType | None) -> None:
        rung[0] = True
        # Raised again at every tick: WeasyPrint catches even this around an
        # SVG picture, and would draw on.
        if armed[0] and _may_interrupt(frame):
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if rung[0]:
        # Finished after all, but its time ran out (WeasyPrint may have
        # caught the alarm around an SVG picture and drawn on without it).
        raise _OutOfTime


@dataclass(frozen=True)
class OffPage:
    """Text laid out where the page does not show it, and the content it comes from."""

    #: The `data-field` of the element it is in (see `FIELD_ATTRIBUTE`), or "".
    field: str
    #: Where it went: "page" (off the paper), "edge" (too near the paper's
    #: edge), "footer" (below the text area, over the footer), "clipped" (cut
    #: off by a box that hides what overflows it), "dropped" (on no page: a
    #: table's header or footer rows that do not fit on a page).
    where: str
    #: The first page it is on, from 1 (0: on none).
    page: int
    #: About how many of its characters are outside.
    chars: int


@dataclass(frozen=True)
class HostFont:
    """Text set in a font from this computer, not one the tool or the project bundles."""

    #: The font's family, as the computer names it; "" for characters no
    #: font has, printed as empty boxes (.notdef glyphs).
    family: str
    #: The font-family the style asked for, in order.
    asked: tuple[str, ...]
    #: The `data-field` of the element it is in, or "".
    field: str
    #: The first page it is on, from 1.
    page: int
    #: Some of the characters set in it: never from personal text.
    chars: str


@dataclass(frozen=True)
class PdfResult:
    """The bytes of one PDF, what WeasyPrint said while making it, and text it misplaced."""

    data: bytes
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    blocked: tuple[str, ...]
    #: Files in the allowed folders that could not be used, each with why.
    failed: tuple[tuple[str, str], ...] = ()
    #: Text that the layout put outside the page (see `misplaced`).
    off_page: tuple[OffPage, ...] = ()
    #: Text set in fonts from this computer (see `misplaced`).
    host_fonts: tuple[HostFont, ...] = ()


def html_to_pdf(
    html: str,
    base_url: str,
    allowed: Sequence[Path],
    *,
    forms: bool = False,
    tagged: bool = True,
    part: bool = False,
) -> PdfResult:
    """Lay out HTML as a tagged PDF/UA-1 document, in memory (with form fields if asked).

    `tagged=False` is for layers laid over a tagged page as artifacts. A
    `part` of a joined packet embeds whole fonts, which the parts then share,
    and is written uncompressed: WeasyPrint would compress every part's copy
    of the fonts again, where `merge.compact` compresses each font once.
    """
    load_engine()
    from weasyprint import HTML

    _drop_styles_at_exit()
    fetches = Fetches()
    fetcher = make_url_fetcher(allowed, fetches)
    with captured_weasyprint_logs() as records, _dated(_document_epoch(html)):
        variant = PDF_VARIANT if tagged else None
        html, parsed = _shared_style(html, base_url, allowed, fetcher, fetches, records)
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            pdf_variant=variant, pdf_forms=forms, **parsed
        )
        # The identifier is a digest of the file: the same pages, the same file.
        data = document.write_pdf(
            pdf_variant=variant,
            pdf_forms=forms,
            full_fonts=part,
            uncompressed_pdf=part,
            pdf_identifier=not part,
        )
        # After writing: the fonts a document uses are known once it is drawn.
        missing = any(_NOTDEF.match(r.getMessage()) for r in records)
        off_page, host_fonts = misplaced(document, missing)
    errors = tuple(r.getMessage() for r in records if r.levelno >= logging.ERROR)
    # Characters no font has are reported by the content they are in (see
    # `misplaced`); those left are in personal text, which build.py words.
    located = {c for found in host_fonts if not found.family for c in found.chars}
    warnings = tuple(
        message
        for r in records
        if r.levelno < logging.ERROR
        and not (message := r.getMessage()).startswith(ENGINE_NOTICES)
        and not ((notdef := _NOTDEF.match(message)) and notdef.group(1) in located)
    )
    return PdfResult(
        bytes(data),
        errors,
        warnings,
        tuple(fetches.blocked),
        tuple(fetches.failed),
        off_page,
        host_fonts,
    )


#: WeasyPrint's warning of a character no font has, drawn as an empty box.
_NOTDEF = re.compile(
    r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.)"', re.DOTALL
)

#: How far (CSS px) text may stray past its area before it counts: glyphs
#: overhang their boxes a little (italics, accents, a line's leading).
_SLACK = 2.0
#: Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo,
#: Samaritan, Mandaic, and their presentation forms).
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: How near (CSS px) the paper's edge text may come: a quarter of an inch,
#: which printers may leave blank.
_EDGE = 24.0
#: The attribute templates mark content with: its field in the content file,
#: as `blocks[3].items[1]`, or `config:footer_note` for the project config.
FIELD_ATTRIBUTE = "data-field"
#: The class of personal text (a client's name): it may use the computer's
#: fonts (see fonts.py), and its characters are never reported.
PERSONAL_CLASS = "personal"

#: left, top, right, bottom, in CSS px from the page's top left corner
Area = tuple[float, float, float, float]


@dataclass
class _Page:
    """What the walk over one page's boxes knows, and what it found."""

    number: int
    paper: Area
    #: Keys of the fonts (in `document.fonts`) that the project does not bundle.
    foreign: frozenset[Any]
    #: Whether some characters had no font: the layout warned of .notdef glyphs.
    missing: bool
    fonts: dict[Any, Any]
    off_page: dict[tuple[str, str], OffPage]
    host_fonts: dict[tuple[str, str], HostFont]
    #: The elements that have a box on some page, by id.
    shown: set[int]


def misplaced(
    document: Any, missing: bool = False
) -> tuple[tuple[OffPage, ...], tuple[HostFont, ...]]:
    """Text a laid-out document shows nowhere, or sets in a font the project does not bundle.

    Walks every page's boxes: each piece of text must lie on the paper, clear
    of its edge, inside any box that hides what overflows it and, in the
    page's flow, above the bottom of its text area (the footer's place). A
    font counts as bundled when its file is one that an @font-face rule
    loaded, which the URL fetcher allows only from the tool's and the
    project's own folders; text in any other font is reported, except
    personal text. With `missing` (WeasyPrint warned of characters no font
    has), those are found too. Each field is reported once for each kind, at
    its first page.
    """
    from weasyprint.formatting_structure import boxes

    off_page: dict[tuple[str, str], OffPage] = {}
    host_fonts: dict[tuple[str, str], HostFont] = {}
    shown: set[int] = set()
    foreign = _host_font_keys(document)
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        text_area: Area = (left, top, left + page_box.width, top + page_box.height)
        paper: Area = (0.0, 0.0, page_box.margin_width(), page_box.margin_height())
        walk = _Page(number, paper, foreign, missing, document.fonts, off_page, host_fonts, shown)
        for child in page_box.children:
            # Margin boxes (the footer) hold no flow that could run into them.
            area = None if isinstance(child, boxes.MarginBox) else text_area
            _walk(walk, child, area, None, "", False)
    html = getattr(document, "_html", None)
    if html is not None:
        _dropped(html.etree_element, "", shown, off_page)
    return tuple(off_page.values()), tuple(host_fonts.values())


def _walk(
    page: _Page, box: Any, area: Area | None, clip: Area | None, field_name: str, personal: bool
) -> None:
    """Check a box's text and its children's, with what they inherit from its parents."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        if box.style["visibility"] == "visible" and box.text.strip():
            _check_place(page, box, area, clip, field_name)
            if (page.foreign or page.missing) and not personal:
                _check_fonts(page, box, field_name)
        return
    element = box.element
    if element is not None:
        page.shown.add(id(element))
        field_name = element.get(FIELD_ATTRIBUTE) or field_name
        personal = personal or PERSONAL_CLASS in (element.get("class") or "").split()
    if box.style["overflow"] != "visible" and not isinstance(box, boxes.MarginBox):
        x, y = box.padding_box_x(), box.padding_box_y()
        box_area = (x, y, x + box.padding_width(), y + box.padding_height())
        clip = box_area if clip is None else _intersection(clip, box_area)
    for child in box.all_children():
        _walk(page, child, area, clip, field_name, personal)


def _dropped(element: Any, field_name: str, shown: set[int], found: dict[Any, OffPage]) -> None:
    """Note table headers and footers with text that are on no page.

    WeasyPrint repeats them on every page a table is on, and leaves them out
    where they do not fit: one taller than a page is on none.
    """
    field_name = element.get(FIELD_ATTRIBUTE) or field_name
    if element.tag in ("thead", "tfoot") and id(element) not in shown:
        chars = sum(1 for c in "".join(element.itertext()) if not c.isspace())
        if chars:
            found.setdefault((field_name, "dropped"), OffPage(field_name, "dropped", 0, chars))
        return
    for child in element:
        if isinstance(child.tag, str):
            _dropped(child, field_name, shown, found)


def _intersection(a: Area, b: Area) -> Area:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _check_place(
    page: _Page, box: Any, area: Area | None, clip: Area | None, field_name: str
) -> None:
    """Note a text box the page does not show whole, with about how much of it is lost.

    Text off the paper, too near its edge (where printers leave it blank), cut
    off by its box, or (in the page's flow, `area` its text area) below the
    text area, over the footer. Text that strays a little into the side or
    top margin is still printed and read, and is let be.
    """
    width = box.width
    if _RIGHT_TO_LEFT.search(box.text):
        width = max(width, _drawn_width(box))
    left, right = box.position_x, box.position_x + width
    top, bottom = box.position_y, box.position_y + box.height
    paper = page.paper
    printed = (paper[0] + _EDGE, paper[1] + _EDGE, paper[2] - _EDGE, paper[3] - _EDGE)
    where, seen = "", paper
    if _outside(left, top, right, bottom, paper):
        where = "page"
    elif area is not None and bottom > area[3] + _SLACK:
        where, seen = "footer", area
    elif _outside(left, top, right, bottom, printed):
        where, seen = "edge", printed
    elif clip is not None and _outside(left, top, right, bottom, clip):
        where, seen = "clipped", clip
    if not where:
        return
    chars = len(box.text.strip())
    if width > 0 and (left < seen[0] or right > seen[2]):
        inside = max(0.0, min(right, seen[2]) - max(left, seen[0]))
        chars = round(chars * (1 - inside / width))
    chars = max(chars, 1)
    key = (field_name, where)
    known = page.off_page.get(key)
    if known is None:
        page.off_page[key] = OffPage(field_name, where, page.number, chars)
    else:
        page.off_page[key] = replace(known, chars=known.chars + chars)


def _drawn_width(box: Any) -> float:
    """How wide a text box is drawn: its text shaped alone, as WeasyPrint draws it.

    Right-to-left text broken inside a word is shaped again on its own, and its
    letters take other (often wider) forms than the line breaking measured.
    """
    from weasyprint.text.line_break import line_size

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        return float(line_size(line, box.style)[0])
    finally:
        layout.deactivate()


def _outside(left: float, top: float, right: float, bottom: float, area: Area) -> bool:
    return (
        left < area[0] - _SLACK
        or top < area[1] - _SLACK
        or right > area[2] + _SLACK
        or bottom > area[3] + _SLACK
    )


def _check_fonts(page: _Page, box: Any, field_name: str) -> None:
    """Note the characters of a text box set in fonts from this computer, or in none."""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.fonts import get_pango_font_key

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        encoded = layout.text.encode()
        run = line.runs
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            item = glyph_item.item
            text = encoded[item.offset : item.offset + item.length].decode(errors="replace")
            if page.missing:
                glyphs = glyph_item.glyphs
                unknown = pango.PANGO_GLYPH_UNKNOWN_FLAG
                missing = "".join(
                    chr(glyph - unknown)
                    for glyph in (glyphs.glyphs[i].glyph for i in range(glyphs.num_glyphs))
                    if glyph & unknown and glyph != pango.PANGO_GLYPH_EMPTY
                )
                if missing:
                    _note_font(page, "", box, field_name, missing)
            key = get_pango_font_key(item.analysis.font)[0]
            if key in page.foreign:
                _note_font(page, page.fonts[key].family, box, field_name, text)
    finally:
        layout.deactivate()


def _note_font(page: _Page, family: str, box: Any, field_name: str, text: str) -> None:
    """Note a field's text set in a font from this computer ("": in no font)."""
    key = (field_name, family)
    known = page.host_fonts.get(key)
    if known is None:
        asked = tuple(str(name) for name in box.style["font_family"])
        known = HostFont(family, asked, field_name, page.number, "")
    if len(known.chars) < 40:
        more = "".join(c for c in dict.fromkeys(text) if not c.isspace() and c not in known.chars)
        known = replace(known, chars=(known.chars + more)[:40])
    page.host_fonts[key] = known


#: Sizes and digests of the font files @font-face rules loaded, by path
#: (WeasyPrint writes each once).
_FACE_DIGESTS: dict[Path, tuple[int, str]] = {}


def _host_font_keys(document: Any) -> frozenset[Any]:
    """The fonts a drawn document uses whose files no @font-face rule of it loaded.

    WeasyPrint copies each font an @font-face rule loads (through the URL
    fetcher, so only from allowed folders) into its font configuration's
    folder; a font whose bytes are none of those came from the computer.
    """
    from weasyprint.text.ffi import harfbuzz
    from weasyprint.text.fonts import get_hb_object_data

    if not document.fonts:
        return frozenset()
    folder = getattr(document.font_config, "_folder", None)
    loaded: set[tuple[int, str]] = set()
    if folder is not None and Path(folder).is_dir():
        if len(_FACE_DIGESTS) > 256:
            _FACE_DIGESTS.clear()
        for path in Path(folder).iterdir():
            known = _FACE_DIGESTS.get(path)
            if known is None:
                known = _FACE_DIGESTS[path] = (path.stat().st_size, digest(path).hex())
            loaded.add(known)
    sizes = {size for size, _ in loaded}
    foreign = []
    for key, font in document.fonts.items():
        # The size first: a computer's font may be large, and is seldom the same size.
        blob = harfbuzz.hb_face_reference_blob(font.hb_face)
        size = harfbuzz.hb_blob_get_length(blob)
        harfbuzz.hb_blob_destroy(blob)
        if size in sizes:
            data = get_hb_object_data(font.hb_face) or b""
            if (size, hashlib.sha256(data).hexdigest()) in loaded:
                continue
        foreign.append(key)
    return frozenset(foreign)


_MODIFIED = re.compile(r'<meta name="dcterms\.modified" content="([^"<>]*)">')


def _document_epoch(html: str) -> int:
    """The document's own date (its head's dcterms.modified) in seconds since 1970.

    A document without one (a project's own base template, say) gets 1970:
    any fixed time keeps the same input giving the same bytes.
    """
    match = _MODIFIED.search(html.partition("</head>")[0])
    if match is None:
        return 0
    text = match.group(1).replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0, int(when.timestamp()))


@contextlib.contextmanager
def _dated(epoch: int) -> Iterator[None]:
    """Have fontTools stamp the fonts it writes with the document's date, not now.

    fontTools, which WeasyPrint subsets fonts with, writes the time into every
    font it saves, unless SOURCE_DATE_EPOCH is set; the user's value has been
    checked, and folded into the document's date, by then.
    """
    previous = os.environ.get(SOURCE_DATE_EPOCH)
    os.environ[SOURCE_DATE_EPOCH] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[SOURCE_DATE_EPOCH]
        else:
            os.environ[SOURCE_DATE_EPOCH] = previous


# The page style every handout shares, parsed once per process: parsing it
# (and loading its fonts) is about a fifth of laying out a two-page handout.
_HEAD_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_STYLES: dict[tuple[str, str, tuple[Path, ...]], dict[str, Any]] = {}
_MAX_STYLES = 8
_CLEANUP_FOR: list[int] = []


def _drop_styles_at_exit() -> None:
    """Have this process keep its documents' fonts in the run's folder, and drop them at the end.

    WeasyPrint copies a document's web fonts into a temporary folder, removed
    when the document's font configuration is collected: which may never
    happen in a worker, as workers end without a last collection, nor once
    Python is shutting down. Workers end through multiprocessing's exit
    function, which runs its finalizers but not atexit, and a forked worker
    starts with none: so each process registers its own.
    """
    lifecycle.temporary_files_in_run()
    if os.getpid() not in _CLEANUP_FOR:
        _CLEANUP_FOR.append(os.getpid())
        multiprocessing.util.Finalize(None, _drop_styles, exitpriority=10)


def _drop_styles() -> None:
    _STYLES.clear()
    gc.collect()


def _shared_style(
    html: str,
    base_url: str,
    allowed: Sequence[Path],
    fetcher: Any,
    fetches: Fetches,
    records: list[logging.LogRecord],
) -> tuple[str, dict[str, Any]]:
    """The HTML without its head's <style>, and render arguments that apply it parsed.

    The style moves from the author's to the user's origin: the same rules in
    the same order, below any other style a project's templates add. A style
    that warns or asks for a blocked file is left in place, so every document
    reports it.
    """
    head = html.partition("</head>")[0]
    match = _HEAD_STYLE.search(head)
    # Only our templates write markup into the head (every value there is
    # escaped); a <style> inside a comment is not one to apply.
    if match is None or "<!--" in head[: match.start()]:
        return html, {}
    key = (match.group(1), base_url, tuple(allowed))
    parsed = _STYLES.get(key)
    if parsed is None:
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        seen, blocked, failed = len(records), len(fetches.blocked), len(fetches.failed)
        font_config, counter_style = FontConfiguration(), CounterStyle()
        sheet = CSS(
            string=match.group(1),
            base_url=base_url,
            url_fetcher=fetcher,
            font_config=font_config,
            counter_style=counter_style,
        )
        if len(records) > seen or len(fetches.blocked) > blocked or len(fetches.failed) > failed:
            # WeasyPrint parses it again below and says all this itself.
            del records[seen:], fetches.blocked[blocked:], fetches.failed[failed:]
            return html, {}
        parsed = {
            "stylesheets": [sheet],
            "font_config": font_config,
            "counter_style": counter_style,
        }
        if len(_STYLES) >= _MAX_STYLES:
            del _STYLES[next(iter(_STYLES))]
        _STYLES[key] = parsed
    return html[: match.start()] + html[match.end() :], parsed


#: What to do instead when the output folder's disk is full.
ANOTHER_OUT = "use --out for a folder on another disk"


def write_atomically(files: Sequence[tuple[Path, bytes]], *, instead: str = ANOTHER_OUT) -> None:
    """Write every file or none: all go to temporary names first, then are renamed.

    Every target is checked first: a run that would write one path twice, or
    over a folder or a special file, changes nothing. A write that fails (a
    full disk, a file-size limit) leaves nothing behind, not even the folders
    made for it; `instead` says what else to do, in its message.

    Ctrl-C, SIGTERM and SIGHUP wait until the files are written and in
    place (or all discarded): stopped between two renames, a run would
    leave some files new and some old, and temporary files behind.
    """
    with _ctrl_c_held():
        _write_atomically(files, instead)


def _write_atomically(files: Sequence[tuple[Path, bytes]], instead: str) -> None:
    _check_targets([target for target, _ in files])
    staged: list[tuple[Path, Path]] = []
    made: list[Path] = []
    target = Path()
    try:
        for target, data in files:
            make_folders(target.parent, made)
            handle, temp_name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp"
            )
            temp = Path(temp_name)
            staged.append((temp, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            # mkstemp makes files private; a handout is meant to be shared.
            temp.chmod(0o644)
    except OSError as exc:
        _discard(staged)
        remove_folders(made)
        raise HandoutError(write_failure(target, exc, instead)) from None
    done: list[Path] = []
    for temp, target in staged:
        try:
            os.replace(temp, target)
        except OSError as exc:
            _discard(staged)
            written = ", ".join(str(p) for p in done) or "none"
            raise HandoutError(
                f"could not put {target} in place: {exc.strerror or exc}. "
                f"Already replaced: {written}; the others were left as they were"
            ) from None
        done.append(target)


def _check_targets(targets: Sequence[Path]) -> None:
    seen: set[str] = set()
    for target in targets:
        where = os.path.realpath(target)
        if where in seen:
            raise HandoutError(
                f"{target} would be written twice in this run, one file over the other; "
                "nothing was written. Build the two apart, or give them different names"
            )
        seen.add(where)
        try:
            # Through a link: a link to a regular file (or to nothing) is replaced
            # by the new file; one to a folder or a device is in the way.
            mode = target.stat().st_mode
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            blocker = next(p for p in reversed(target.parents) if p.exists() and not p.is_dir())
            raise HandoutError(
                f"{blocker} is a file, where this run needs a folder to write {target}; "
                "nothing was written. Move it out of the way, or use --out for another folder"
            ) from None
        except OSError as exc:
            raise HandoutError(
                f"{target} can't be checked ({exc.strerror or exc}); nothing was written"
            ) from None
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            if target.is_symlink():
                kind = "a link to " + ("a folder" if stat.S_ISDIR(mode) else "a device or pipe")
            raise HandoutError(
                f"{target} is {kind}, where this run would write a file; nothing was "
                "written. Move it out of the way, or use --out for another folder"
            )


def write_failure(path: Path, exc: OSError, instead: str = ANOTHER_OUT) -> str:
    """The message for a file that could not be written, with what to do about it."""
    return (
        f"could not write to {path}: {_reason(exc)}. {_advice(exc, instead)}; no file was changed"
    )


def remove_folders(made: Sequence[Path]) -> None:
    """Remove the folders a failed run made (innermost first), if they are empty."""
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()


def make_folders(folder: Path, made: list[Path]) -> None:
    """Make a folder and those above it, noting each one made (outermost first)."""
    missing: list[Path] = []
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            if not each.is_dir():
                raise NotADirectoryError(
                    errno.ENOTDIR, f"{each} is there, and it is not a folder", str(each)
                ) from None
            continue
        made.append(each)


def _discard(staged: Sequence[tuple[Path, Path]]) -> None:
    for temp, _ in staged:
        with contextlib.suppress(OSError):
            temp.unlink()
