"""PDF stage, processes: a run's workers and temporary files end with it, however it ends.

A run keeps everything temporary in one folder of its own in the system's
temporary folder, `handouts-run-<pid>-<random>`: its workers' folders (the
fonts WeasyPrint copies), the fonts this process copies when it lays out a
document itself, and a link to multiprocessing's folder (the fork server's
socket). The run holds a lock on the folder while it lives, and removes the
folder when it ends. Killed, it cannot: its last worker or its fork server
does, once the lock is free; failing that, the next run does.

The workers and the fork server end when this process ends, even when it is
killed: a worker watches a pipe that closes when this process is gone, and
on Linux the kernel signals the fork server then (a worker's own parent is
the fork server, which is why the workers watch the pipe).

SIGTERM and SIGHUP stop a command as Ctrl-C does (`signals.stopped_as_ctrl_c`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from generator.signals import stopped_as_ctrl_c

try:
    import fcntl
except ImportError:  # Windows: runs do not clean up after each other there
    fcntl = None  # type: ignore[assignment]

RUN_PREFIX = "handouts-run-"
_RUN_NAME = re.compile(re.escape(RUN_PREFIX) + r"(\d+)-[A-Za-z0-9_]+")
#: In a run's folder: a link to multiprocessing's folder (see `share_multiprocessing_folder`).
_MULTIPROCESSING = "multiprocessing"
_MULTIPROCESSING_NAME = re.compile(r"pymp-[0-9a-f]{8}")


#: Set for the fork server to this process's id, when this process's main
#: thread starts it: see `end_with_main_process`.
SERVER_PARENT = "HANDOUTS_FORK_SERVER_PARENT"

PR_SET_PDEATHSIG = 1


class _Run:
    def __init__(self, folder: Path, lock: int | None):
        self.pid = os.getpid()
        self.folder = folder
        self.lock = lock


class _This:
    """This process's run, once it has one."""

    run: _Run | None = None
    guard = threading.Lock()
    #: The process running a command (see `command`), if one is.
    command: int | None = None


def run_folder() -> Path | None:
    """This process's run folder, made on first use and removed when the process ends.

    Making it first removes the folders that killed runs left. None if no
    folder can be made: then the temporary files go where they always would.
    """
    with _This.guard:
        if _This.run is not None and _This.run.pid == os.getpid():
            return _This.run.folder
        base = Path(tempfile.gettempdir())
        remove_abandoned(base)
        try:
            folder = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", dir=base))
        except OSError:
            return None
        run = _This.run = _Run(folder, _lock(folder))
        # multiprocessing's exit function runs this after it has waited for
        # every worker, and after the other clean-ups that use the folder.
        import multiprocessing.util

        multiprocessing.util.Finalize(None, _remove_run, args=(run,), exitpriority=-200)
        return folder


def _lock(folder: Path) -> int | None:
    """Hold a lock on the folder for as long as this process lives."""
    if fcntl is None:
        return None
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return None
    return handle


def _remove_run(run: _Run) -> None:
    if run.pid != os.getpid():
        return
    _remove_run_folder(run.folder)
    if run.lock is not None:
        with contextlib.suppress(OSError):
            os.close(run.lock)
    if _This.run is run:
        _This.run = None


def _forget_run_in_child() -> None:
    # A process forked from this one (a worker) must not hold the run's lock:
    # the lock says this process is alive.
    run = _This.run
    if run is not None and run.lock is not None:
        with contextlib.suppress(OSError):
            os.close(run.lock)
    _This.run = None
    _This.guard = threading.Lock()  # another thread may have held it


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_run_in_child)


def remove_abandoned(base: Path) -> None:
    """Remove the run folders in `base` that runs which have ended left behind.

    Only our own folders (by name and owner) whose run's process is gone and
    whose lock nobody holds: never a live run's folder, whatever its pid.
    """
    if fcntl is None:
        return
    try:
        entries = list(os.scandir(base))
    except OSError:
        return
    for entry in entries:
        match = _RUN_NAME.fullmatch(entry.name)
        if match is None or int(match.group(1)) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if not entry.is_dir(follow_symlinks=False):
                continue
            if not _ours(entry.stat(follow_symlinks=False)):
                continue
            if alive(int(match.group(1))):
                continue
            remove_if_unlocked(Path(entry.path))


def remove_if_unlocked(folder: Path, wait: float = 0.0) -> bool:
    """Remove a run folder once no process holds its lock (waiting up to `wait` s); whether it did.

    A process killed with several threads lets go of its files when its last
    thread ends, a moment after its main thread: whoever learns of its end
    from the main thread waits that moment.
    """
    if fcntl is None:
        return False
    try:
        handle = os.open(folder, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.02)
        _remove_run_folder(folder)
        return True
    finally:
        os.close(handle)


def _remove_run_folder(folder: Path) -> None:
    """Remove a run's folder, and multiprocessing's folder that it links to."""
    with contextlib.suppress(OSError):
        linked = Path(os.readlink(folder / _MULTIPROCESSING))
        # Made by the run (it is in the run's own folder); checked all the same.
        if linked.parent == folder.parent and _MULTIPROCESSING_NAME.fullmatch(linked.name):
            info = linked.lstat()
            if stat.S_ISDIR(info.st_mode) and _ours(info):
                shutil.rmtree(linked, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)


def _ours(info: os.stat_result) -> bool:
    return not hasattr(os, "getuid") or info.st_uid == os.getuid()


def alive(pid: int) -> bool:
    """Whether a process with this id is running (someone else's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


def share_multiprocessing_folder(run: Path) -> None:
    """Have multiprocessing keep its temporary files (the fork server's socket) where the run's go.

    Only if it has made none yet; it makes its own with the first socket. The
    folder is beside the run's, with multiprocessing's usual name, as a
    socket's path may be only about 100 bytes long; the run's folder links
    to it, and it goes with the run's folder.
    """
    from multiprocessing import process

    config = process.current_process()._config  # type: ignore[attr-defined]
    if config.get("tempdir") is not None:
        return
    link = run / _MULTIPROCESSING
    for _ in range(100):
        folder = run.parent / f"pymp-{secrets.token_hex(4)}"
        try:
            # The link first: a run killed in between leaves nothing unlinked.
            with contextlib.suppress(FileNotFoundError):
                link.unlink()
            link.symlink_to(folder)
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        except OSError:
            return
        config["tempdir"] = str(folder)
        return


# --- Ending with the main process -------------------------------------------


def end_with_parent(cleanup: Callable[[], None]) -> None:
    """In a worker: clean up and end as soon as the process that started it ends.

    The worker holds the read end of a pipe whose write end only the process
    that started it has: the pipe reads as closed once that process is gone,
    however it ended.
    """
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        cleanup()
        os._exit(0)

    threading.Thread(target=watch, name="handouts-parent-watch", daemon=True).start()


def end_with_main_process() -> None:
    """In the fork server: end when the main process ends, removing the run's folder (Linux).

    The kernel sends SIGTERM when the main process ends, if its main thread
    started the server: the kernel acts when the *thread* that started a
    process ends. Elsewhere the server still ends by itself once the main
    process and its workers are gone.
    """
    given = os.environ.pop(SERVER_PARENT, None)
    if given is None or not sys.platform.startswith("linux"):
        return
    parent, _, run = given.partition(" ")
    ended = functools.partial(_main_process_ended, run, os.getpid(), int(parent))
    previous = signal.signal(signal.SIGTERM, ended)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl")
    except (OSError, AttributeError):
        signal.signal(signal.SIGTERM, previous)
        return
    if str(os.getppid()) != parent:
        # The main process ended before the kernel was asked.
        ended()


def _main_process_ended(run: str, server: int, parent: int, *_: Any) -> None:
    # A worker forked from the server keeps this handler until it sets its
    # own: stopped before that, it has nothing to remove. A SIGTERM while the
    # main process lives is not its end: that process removes its folder.
    if run and os.getpid() == server and _ending(parent):
        remove_if_unlocked(Path(run), wait=2.0)
    os._exit(0)


def _ending(parent: int) -> bool:
    """Whether the main process has ended, or its main thread has (it is ending)."""
    if os.getppid() != parent:
        return True
    try:
        state = Path(f"/proc/{parent}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    # Its other threads still end when the kernel signals the end of the main one.
    return state in ("Z", "X")


@contextlib.contextmanager
def server_parent(folder: Path | None) -> Iterator[None]:
    """Tell a fork server started in the block which process it ends with, and its folder.

    The resource tracker started with the server says nothing about the
    semaphores of a killed run: it removes them, and there is nothing to do.
    """
    quiet = "ignore:resource_tracker:UserWarning"
    sys.warnoptions.append(quiet)
    main = threading.current_thread() is threading.main_thread()
    if main:
        os.environ[SERVER_PARENT] = f"{os.getpid()} {folder or ''}"
    try:
        yield
    finally:
        if main:
            os.environ.pop(SERVER_PARENT, None)
        with contextlib.suppress(ValueError):
            sys.warnoptions.remove(quiet)


@contextlib.contextmanager
def command() -> Iterator[None]:
    """For one command: stop signals as Ctrl-C; temporary files in the run folder.

    The folders that killed runs left are removed now. The run's own is made
    when something is first to go in it (`temporary_files_in_run`, workers).
    """
    with stopped_as_ctrl_c():
        previous = tempfile.tempdir
        with contextlib.suppress(OSError):
            remove_abandoned(Path(tempfile.gettempdir()))
        _This.command = os.getpid()
        try:
            yield
        finally:
            _This.command = None
            tempfile.tempdir = previous


def temporary_files_in_run() -> None:
    """Have this process's temporary files (WeasyPrint's font copies) go in the run's folder.

    Only in the process running a command, for the rest of the command: a
    worker has a folder of its own in it.
    """
    if _This.command != os.getpid():
        return
    folder = run_folder()
    if folder is not None:
        tempfile.tempdir = str(folder)
