"""Reading the files a project is made of: only regular files, inside the project, bounded.

A project folder is shared (zip, sync, git), so a link in it may lead
anywhere and a name may be a pipe or a device. Every file read for a build
goes through here: it is judged by its real path, must be a regular file,
and is read only up to a limit, checked before reading.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

#: What the built-in and project folders may hold, by name.
PROJECT_FOLDERS = ("content", "assets", "templates")

#: The largest file a handout may show or carry: a picture, a font, an
#: attachment. A full-page photo at print resolution is a few MB, and a font
#: for one script at most about 16 MB (Noto Sans CJK); anything larger is
#: almost surely not meant for a handout, and every process laying it out
#: would hold all of it in memory.
MAX_ASSET_BYTES = 20 * 1024 * 1024

#: The largest content, config or participants file read (YAML, CSV).
MAX_FILE_BYTES = 2 * 1024 * 1024


class FileProblem(Exception):
    """Why a file can't be read; the message is for people and names no path."""

    def __init__(self, message: str, *, size: int | None = None):
        super().__init__(message)
        self.message = message
        #: The file's size, when that (over the limit) is the problem.
        self.size = size


def own_folders(root: Path) -> tuple[Path, ...]:
    """A project's content, assets and templates folders, where they really are.

    Only the project's root is followed through links: a folder that is
    itself a link to somewhere else does not make that place the project's.
    """
    real = root.resolve()
    return tuple(real / name for name in PROJECT_FOLDERS)


def real_folder(folder: Path) -> Path:
    """Where a folder really is, the folders above it followed but not the folder itself.

    As in `own_folders`: a folder that is a link to somewhere else does not
    make that place one to read from.
    """
    return folder.parent.resolve() / folder.name


def inside(path: Path, folders: Iterable[Path]) -> Path | None:
    """The file's real path, if it lies in one of the folders (links followed)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError, ValueError):  # a loop of links; a NUL in the name
        return None
    return real if any(real.is_relative_to(folder) for folder in folders) else None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


def _open(path: Path) -> int:
    # Non-blocking: opening a pipe would otherwise wait for a writer for ever.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        return os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise FileProblem("file not found; check the name and folder") from None
    except IsADirectoryError:
        raise FileProblem("this is a folder, not a file") from None
    except OSError as exc:
        # A socket can't be opened at all: say what it is rather than the error.
        with contextlib.suppress(OSError):
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                raise FileProblem(f"this is {_kind(mode)}") from None
        raise FileProblem(f"can't be read ({exc.strerror or exc}); check its permissions") from None


#: What `not_a_file` says of a name where there is nothing.
NOT_FOUND = "no such file"


def not_a_file(path: Path) -> str | None:
    """Why a name typed on the command line is not a file to read (None: it is one)."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError, ValueError):  # ValueError: a NUL in it
        return NOT_FOUND
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return "the name is too long to be a file's (a file name holds 255 bytes)"
        return f"can't be read ({exc.strerror or exc})"
    return None if stat.S_ISREG(mode) else f"this is {_kind(mode)}"


def not_a_folder(path: Path) -> str | None:
    """Why a folder to write into can't be one: it, or a folder above it, is something else."""
    where = path
    while True:
        try:
            mode = os.stat(where).st_mode
        except (FileNotFoundError, NotADirectoryError):
            if where == where.parent:
                return None
            where = where.parent  # made when written; what is above it must be a folder
            continue
        except OSError:
            return None  # said when it is written
        if stat.S_ISDIR(mode):
            return None
        kind = "a file" if stat.S_ISREG(mode) else _kind(mode).removesuffix(", not a file")
        return f"{'this' if where == path else str(where)} is {kind}, not a folder"


def read_bytes(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refused before reading if it is larger than `limit`."""
    handle = _open(path)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"this is {_kind(info.st_mode)}")
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        os.set_blocking(handle, True)
        chunks, total = [], 0
        # One more byte than allowed: a file that grows while read is refused too.
        while total <= limit and (chunk := os.read(handle, min(1 << 20, limit + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileProblem(f"the file is larger than {_size(limit)}, the limit", size=total)
        return b"".join(chunks)
    except OSError as exc:
        raise FileProblem(f"can't be read ({exc.strerror or exc})") from None
    finally:
        os.close(handle)


def digest(path: Path, limit: int | None = None) -> bytes:
    """A SHA-256 of a regular file's bytes, read in pieces (never whole into memory)."""
    handle = _open(path)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"this is {_kind(info.st_mode)}")
        if limit is not None and info.st_size > limit:
            raise _too_large(info.st_size, limit)
        os.set_blocking(handle, True)
        hasher = hashlib.sha256()
        while chunk := os.read(handle, 1 << 20):
            hasher.update(chunk)
        return hasher.digest()
    except OSError as exc:
        raise FileProblem(f"can't be read ({exc.strerror or exc})") from None
    finally:
        os.close(handle)


def write_problem(path: Path, root: Path, folder: str) -> str | None:
    """Why a file about to be written would land outside the project's `folder`, or None.

    Links are followed as a write would follow them (the target itself
    included, even a link to nothing), so a linked folder can't carry a
    new file out of the project.
    """
    real = Path(os.path.realpath(path))
    home = root.resolve() / folder
    if real.is_relative_to(home):
        return None
    link = link_out(path)
    where = f"{link} is a link" if link is not None else "it is reached through a link"
    return (
        f"{path} would be written outside the project's {folder}/ folder ({where} to "
        f"{real.parent}); replace the link with a real folder, then run this again"
    )


def check_file(path: Path, limit: int) -> None:
    """Raise FileProblem unless the path is a regular file within `limit`; nothing is read."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileProblem("file not found; check the name and folder") from None
    except (OSError, ValueError) as exc:
        raise FileProblem(f"can't be read ({getattr(exc, 'strerror', None) or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"this is {_kind(info.st_mode)}")
    if info.st_size > limit:
        raise _too_large(info.st_size, limit)


def link_out(path: Path) -> Path | None:
    """The link that takes a path elsewhere: the path itself, or the nearest folder above it.

    For messages: a path that leads outside the allowed folders names the
    link to replace. None when no link is on the way.
    """
    for step in (path, *path.parents):
        try:
            if step.is_symlink():
                return step
        except OSError:
            return None
    return None


def _too_large(size: int, limit: int) -> FileProblem:
    return FileProblem(f"the file is {_size(size)}; the limit is {_size(limit)}", size=size)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count // 1024} KB"
    return f"{count} bytes"


def outside_message(path: Path) -> str:
    """Why a path that leads outside the allowed folders is refused, naming the link to fix."""
    from generator.errors import display_path

    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return (
                "is a link that leads round in a loop, to no file; replace it with the file itself"
            )
    except ValueError:  # a NUL in the name: not a link at all
        pass
    link = link_out(path)
    if link is None:
        return (
            "is outside the project's content, assets and templates folders; "
            "move it into one of them"
        )
    if link == path:
        return (
            "is a link to a file outside the project; copy the file into the project "
            "instead of linking to it"
        )
    return (
        f"is in {display_path(link)}, a link to a folder outside the project; copy the "
        "folder into the project instead of linking to it"
    )
