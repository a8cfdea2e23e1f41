"""Reading the files a project is made of: only regular files, inside the project, bounded.

A project folder is shared (zip, sync, git), so a link in it may lead
anywhere and a name may be a pipe or a device. Every file read for a build
goes through here: it is judged by its real path, must be a regular file,
and is read only up to a limit, checked before reading.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

#: What the built-in and project folders may hold, by name.
PROJECT_FOLDERS = ("content", "assets", "templates")


class FileProblem(Exception):
    """Why a file can't be read; the message is for people and names no path."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def own_folders(root: Path) -> tuple[Path, ...]:
    """A project's content, assets and templates folders, where they really are.

    Only the project's root is followed through links: a folder that is
    itself a link to somewhere else does not make that place the project's.
    """
    real = root.resolve()
    return tuple(real / name for name in PROJECT_FOLDERS)


def inside(path: Path, folders: Iterable[Path]) -> Path | None:
    """The file's real path, if it lies in one of the folders (links followed)."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a loop of links
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
        raise FileProblem(f"can't be read ({exc.strerror or exc}); check its permissions") from None


def read_bytes(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refused before reading if it is larger than `limit`."""
    handle = _open(path)
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(f"this is {_kind(info.st_mode)}")
        if info.st_size > limit:
            raise FileProblem(f"the file is {_size(info.st_size)}; the limit is {_size(limit)}")
        os.set_blocking(handle, True)
        chunks, total = [], 0
        # One more byte than allowed: a file that grows while read is refused too.
        while total <= limit and (chunk := os.read(handle, min(1 << 20, limit + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileProblem(f"the file is larger than {_size(limit)}, the limit")
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
            raise FileProblem(f"the file is {_size(info.st_size)}; the limit is {_size(limit)}")
        os.set_blocking(handle, True)
        hasher = hashlib.sha256()
        while chunk := os.read(handle, 1 << 20):
            hasher.update(chunk)
        return hasher.digest()
    except OSError as exc:
        raise FileProblem(f"can't be read ({exc.strerror or exc})") from None
    finally:
        os.close(handle)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count // 1024} KB"
    return f"{count} bytes"
