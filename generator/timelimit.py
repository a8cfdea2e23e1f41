"""PDF stage, the time limit: laying out one document stops once it has taken too long."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

from generator.errors import HandoutError

#: How long one document may take to lay out, in seconds, unless the
#: environment variable sets another: a few seconds is usual, and a
#: document that takes minutes is one a limit somewhere missed.
LAYOUT_SECONDS = 60.0
LAYOUT_SECONDS_VARIABLE = "HANDOUTS_LAYOUT_SECONDS"
#: A day: more is no limit, and the system's alarm can't count that far.
_MOST_SECONDS = 86400.0


def layout_seconds() -> float:
    """The time limit for laying out one document."""
    raw = os.environ.get(LAYOUT_SECONDS_VARIABLE, "").strip()
    if not raw:
        return LAYOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 < seconds <= _MOST_SECONDS):
        shown = repr(raw) if len(raw) <= 40 else repr(raw[:40] + "...")
        raise HandoutError(
            f"the environment variable {LAYOUT_SECONDS_VARIABLE} is {shown}, which is not "
            "a number of seconds up to a day (86400); set it to the most seconds one "
            f"document may take to lay out (like 120), or unset it for the default of "
            f"{LAYOUT_SECONDS:g}"
        )
    return seconds


class OutOfTime(BaseException):
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
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the block with OutOfTime once it has run `seconds`.

    The alarm raises only inside WeasyPrint's own code, never in a finalizer
    or a logging call, and again every twentieth of a second until the block
    has ended. Only the main thread gets signals: in another (the preview
    server lays out in worker threads) a watcher raises it into the thread.
    """
    if not hasattr(signal, "setitimer") or (
        threading.current_thread() is not threading.main_thread()
    ):
        with raised_after(seconds, OutOfTime, again=0.05, where=_may_interrupt) as rung:
            yield
        if rung[0]:
            raise OutOfTime
        return
    armed, rung = [True], [False]

    def ring(signum: int, frame: FrameType | None) -> None:
        rung[0] = True
        # Raised again at every tick: WeasyPrint catches even this around an
        # SVG picture, and would draw on.
        if armed[0] and _may_interrupt(frame):
            raise OutOfTime

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
        raise OutOfTime


@contextlib.contextmanager
def raised_after(
    seconds: float,
    exception: type[BaseException],
    *,
    again: float | None = None,
    where: Callable[[FrameType | None], bool] | None = None,
) -> Iterator[list[bool]]:
    """Raise `exception` into this thread once the block has run `seconds`, for a thread
    no signal reaches: a watcher raises it, where `where` allows (given the thread's
    frame), and again every `again` seconds if given, until the block ends; then takes
    back one not yet delivered. Yields a flag that is set once the time is up."""
    target = threading.get_ident()
    done, lock, rung = threading.Event(), threading.Lock(), [False]

    def watch() -> None:
        if done.wait(seconds):
            return
        while True:
            with lock:
                if done.is_set():
                    return
                rung[0] = True
                if where is None or where(sys._current_frames().get(target)):
                    raise_into(target, exception)
            if again is None or done.wait(again):
                return

    watcher = threading.Thread(target=watch, name="time limit", daemon=True)
    watcher.start()
    try:
        yield rung
    finally:
        done.set()
        with lock:
            if rung[0]:
                raise_into(target, None)
        watcher.join()


def raise_into(thread: int, exception: type[BaseException] | None) -> None:
    """Have `thread` raise `exception` at its next step (None: take a pending one back)."""
    import ctypes  # only once a limit has rung

    raised = ctypes.py_object(exception) if exception is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), raised)
