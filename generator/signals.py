"""Stop signals: SIGTERM and SIGHUP stop a command as Ctrl-C does, and Ctrl-C waits where it must.

A command stops cleanly however it is asked to: Ctrl-C, `kill` (SIGTERM),
a closed terminal (SIGHUP). Where stopping half-way would leave things half
done (files being put in place, workers being started or stopped), the stop
is held back until the step is over (`ctrl_c_held`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Signals that ask a command to stop, as Ctrl-C does.
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _stop_requested(signum: int, frame: Any) -> None:
    """SIGTERM or SIGHUP: stop as Ctrl-C does."""
    raise KeyboardInterrupt


def interrupt_once(signum: int, frame: Any) -> None:
    """Ctrl-C (or SIGTERM, SIGHUP) while there are workers: interrupt, and ignore any after.

    This process is then on its way out. Another Ctrl-C (pressed again, or
    sent twice, as `timeout` does) would only interrupt the stopping of the
    workers, leaving some behind, or the exit after it: a traceback either way.
    """
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise KeyboardInterrupt


def interrupts(handler: Any) -> bool:
    """Whether a signal handler stops the command as Ctrl-C does."""
    return handler in (signal.default_int_handler, _stop_requested, interrupt_once)


def _interrupt_again(previous: Any, unraisable: Any) -> None:
    """Ctrl-C that came while a finaliser ran: deliver it again, with no traceback.

    Python runs finalisers (weak reference callbacks, `__del__`) between any
    two steps of the program, and an exception cannot leave one: Ctrl-C that
    comes then is lost, and printed as "Exception ignored". It is sent again
    a moment later, once the finaliser is done.
    """
    if not (
        isinstance(unraisable.exc_value, KeyboardInterrupt)
        and threading.current_thread() is threading.main_thread()
    ):
        previous(unraisable)
        return
    before = signal.getsignal(signal.SIGINT)

    def deliver(signum: int, frame: Any) -> None:
        # What was there before it was lost, which may be to ignore any more.
        signal.signal(signal.SIGINT, before)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, deliver)
    import _thread

    later = threading.Timer(0.01, _thread.interrupt_main, args=(signal.SIGINT,))
    later.daemon = True
    later.start()


@contextlib.contextmanager
def stopped_as_ctrl_c() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the command in the block as Ctrl-C does.

    Same clean stop, same message, same exit code. A signal that was ignored
    when the program started (SIGHUP under nohup) stays ignored.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[signal.Signals, Any] = {}
    for signum in STOP_SIGNALS:
        if signum != signal.SIGINT and signal.getsignal(signum) is signal.SIG_DFL:
            previous[signum] = signal.signal(signum, _stop_requested)
    hook = sys.unraisablehook
    if not isinstance(hook, functools.partial) or hook.func is not _interrupt_again:
        sys.unraisablehook = functools.partial(_interrupt_again, hook)
    try:
        yield
    finally:
        sys.unraisablehook = hook
        for signum, handler in previous.items():
            # Once a stop has come, the signals stay ignored (see `interrupt_once`).
            if signal.getsignal(signum) is _stop_requested:
                signal.signal(signum, handler)


def interrupted(exc: BaseException) -> bool:
    """Whether an exception is Ctrl-C (or a stop signal), maybe wrapped by Python.

    Python 3.11 wraps anything raised while a class is made, Ctrl-C included,
    in a RuntimeError ("Error calling __set_name__"). pydantic-core builds a
    model's validator in Rust and keeps only the text of what was raised
    meanwhile: Ctrl-C there is a SchemaError whose last line is the interrupt.
    """
    if isinstance(exc, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt):
        return True
    if type(exc).__name__ != "SchemaError" or not type(exc).__module__.startswith("pydantic_core"):
        return False
    last = str(exc).strip().splitlines()[-1:]
    return bool(last) and last[0].strip().partition(":")[0] == "KeyboardInterrupt"


def _let_go(signum: int, frame: Any) -> None:
    """A stop signal once the command's files are in place: nothing is left to stop."""


@dataclass
class _Command:
    """The command this process is running, as `work_written` needs to know it."""

    #: A command is running (`command_scope`): outside one, nothing is let go.
    running: bool = False
    #: Its files are in place (`work_written`).
    written: bool = False
    #: The process ends with it (`handouts`, `python -m generator`), rather than
    #: running several in turn, as the tests do in theirs.
    ends_process: bool = False


_COMMAND = _Command()


def one_command_process() -> None:
    """This process ends with its command: what `work_written` lets go stays let go
    to the exit, through Click's last steps and Python's own."""
    _COMMAND.ends_process = True


def work_written() -> None:
    """The command's files are in place: a stop that comes from now on is let go.

    Said by the last write of a command (its files renamed into place), in the
    block that holds stops back: one held there, and any that comes as the
    workers stop and the paths are printed, would otherwise end the command
    with "Aborted!" over files that are written.
    """
    if threading.current_thread() is not threading.main_thread() or not _COMMAND.running:
        return
    _COMMAND.written = True
    for signum in STOP_SIGNALS:
        if interrupts(signal.getsignal(signum)):
            signal.signal(signum, _let_go)


@contextlib.contextmanager
def command_scope() -> Iterator[None]:
    """One command: its stop signals as they were before it, once it is over (unless
    the process ends with it: see `one_command_process`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    _COMMAND.running, _COMMAND.written = True, False
    try:
        yield
    finally:
        if not _COMMAND.ends_process:
            _COMMAND.running = _COMMAND.written = False
            for signum, handler in before.items():
                if handler is not None:
                    signal.signal(signum, handler)


class Held:
    """A signal handler that notes the signals that came, for `ctrl_c_held`."""

    def __init__(self) -> None:
        self.came: list[tuple[int, int]] = []

    def __call__(self, signum: int, frame: Any) -> None:
        self.came.append((os.getpid(), signum))

    def came_here(self, signum: int) -> bool:
        """Whether the signal came to this process (a forked worker inherits the notes)."""
        return (os.getpid(), signum) in self.came


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C (and SIGTERM, SIGHUP) back until the block is done, then let it act.

    Once the command's files are in place (`work_written`), it is let go instead.
    A worker forked from this process in the block starts holding them back
    too, until it sets its own handlers (see `workers._start_worker`).
    """
    if threading.current_thread() is not threading.main_thread():
        # Only the main thread is interrupted.
        yield
        return
    held = Held()
    previous = {}
    for signum in STOP_SIGNALS:
        handler = signal.getsignal(signum)
        if handler is not None and handler is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, held)
    try:
        yield
    finally:
        written = _COMMAND.written
        for signum, handler in previous.items():
            signal.signal(signum, _let_go if written and interrupts(handler) else handler)
        if held.came and not written:
            signal.raise_signal(held.came[0][1])
