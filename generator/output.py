"""Output: where a run's files go, and writing them all or none (atomically, only if changed)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import HandoutError
from generator.signals import ctrl_c_held, work_written

if TYPE_CHECKING:  # the layout workers import this module: it imports little
    from generator.config import Project
    from generator.options import RenderOptions


def zip_entry(name: str) -> zipfile.ZipInfo:
    """An entry of a zip of copies, dated and permitted the same every time: the same
    copies make the same zip, and no entry says when it was made."""
    entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    entry.external_attr = 0o644 << 16
    return entry


@dataclass(frozen=True)
class BuildResult:
    """The files written and the warnings worth showing."""

    written: tuple[Path, ...]
    warnings: tuple[str, ...]


#: The folder, inside the output folder, that personalised files go to.
PERSONAL_FOLDER = "personal"


def output_folder(project: Project, out: Path | None, options: RenderOptions) -> Path:
    """Where a build's files go: personalised ones apart, so no generic file is replaced.

    A generic build writes `<out>/<language>/...`; a build with a person's
    name writes `<out>/personal/<language>/...`, a folder no generic build
    writes to (a language tag starts with two or three letters).
    """
    folder = out or project.output
    return folder / PERSONAL_FOLDER if options.personal else folder


#: What to do instead when the output folder's disk is full.
ANOTHER_OUT = "use --out for a folder on another disk"
#: What to do about something in the way of a file to write.
MOVE_OR_OUT = "Move it out of the way, or use --out for another folder"


def write_atomically(
    files: Sequence[tuple[Path, bytes]],
    *,
    instead: str = ANOTHER_OUT,
    in_the_way: str = MOVE_OR_OUT,
) -> None:
    """Write every file or none: all go to temporary names first, then are renamed.

    Every target is checked first: a run that would write one path twice, or
    over a folder or a special file, changes nothing. A write that fails (a
    full disk, a file-size limit) leaves nothing behind, not even the folders
    made for it; `instead` says what else to do, in its message, and `in_the_way`
    what to do about a folder or file where one is to be written (a command
    without --out says so without it).

    Ctrl-C, SIGTERM and SIGHUP wait until the files are written and in
    place (or all discarded): stopped between two renames, a run would
    leave some files new and some old, and temporary files behind.
    """
    with ctrl_c_held():
        _write_atomically(files, instead, in_the_way)
        work_written()


def _write_atomically(files: Sequence[tuple[Path, bytes]], instead: str, in_the_way: str) -> None:
    check_targets([target for target, _ in files], in_the_way)
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
            raise HandoutError(placing_failure(target, exc, done)) from None
        done.append(target)


def placing_failure(target: Path, exc: OSError, done: Sequence[Path]) -> str:
    """The message for a file that could not be renamed into place, and what already was."""
    written = ", ".join(str(p) for p in done) or "none"
    return (
        f"could not put {target} in place: {exc.strerror or exc}. "
        f"Already replaced: {written}; the others were left as they were"
    )


def check_targets(targets: Sequence[Path], in_the_way: str = MOVE_OR_OUT) -> None:
    """Refuse a run that would write a path twice, or over a folder or a special file."""
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
                f"nothing was written. {in_the_way}"
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
                f"written. {in_the_way}"
            )


def write_failure(path: Path, exc: OSError, instead: str = ANOTHER_OUT) -> str:
    """The message for a file that could not be written, with what to do about it."""
    return f"could not write to {path}: {reason(exc)}. {advice(exc, instead)}; no file was changed"


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


def reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def advice(exc: OSError, elsewhere: str) -> str:
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


def write_changed(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write the files whose contents differ from what is there (all or none)."""
    changed = []
    for path, data in files:
        try:
            # is_file first: reading a named pipe or a device would never end;
            # the size next: a file of another size (a huge one, say) is not read.
            if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
                continue
        except OSError:
            pass
        changed.append((path, data))
    write_atomically(changed)
