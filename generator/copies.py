"""Packet stage, copies: each copy is its cover in front of the pages every copy shares.

The pages after the cover are joined and numbered once (see `assemble`);
each copy then only adds its own cover in front, and its certificate after,
in the workers. Copies are finished a few at a time and handed back in
order, so a run of thousands holds only a few: given a file to write to, a
worker writes the copy there and hands back nothing.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import functools
import gc
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from generator import lifecycle
from generator.errors import HandoutError
from generator.merge import Bookmark, prepend, put_at_end, put_in_front, set_outline, to_bytes
from generator.output import write_failure
from generator.workers import WorkerPool, outcome

#: Copies handed to the workers and not yet collected: enough to keep them busy.
IN_FLIGHT = 16


@dataclass(frozen=True)
class CopyJob:
    """One copy for a worker to finish: its cover, the pages every copy shares, the bookmarks."""

    cover: bytes
    #: The pages every copy shares, or the file they are kept in for the workers.
    shared: bytes | str
    bookmarks: list[Bookmark]
    #: The copy's certificate, after the shared pages.
    last: bytes | None = None
    #: The file to write the copy to (a new one); None: hand the copy back.
    into: str | None = None


def finish(job: CopyJob) -> bytes | None:
    """One copy: its cover in front of the shared pages, its certificate after, the bookmarks."""
    if isinstance(job.shared, str) and undoable(job.cover, *filter(None, [job.last])):
        data = _finish_in_open(job.shared, job)
    else:
        joined = prepend(job.cover, _shared(job.shared), job.last)
        set_outline(joined, job.bookmarks)
        data = to_bytes(joined)
    if job.into is None:
        return data
    with open(job.into, "xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    return None


#: A worker's open shared pages: (their file, the document, copies made with it).
_OPEN: list[tuple[str, pikepdf.Pdf, int]] = []
#: Copies made with the shared pages open before they are opened again: each
#: leaves its cover's objects behind in memory until then.
REOPEN_AFTER = 16


def _finish_in_open(path: str, job: CopyJob) -> bytes:
    """A copy made with the shared pages this worker keeps open (see `added`)."""
    if _OPEN and _OPEN[0][0] == path and _OPEN[0][2] < REOPEN_AFTER:
        _, base, uses = _OPEN[0]
    else:
        for _, spent, _ in _OPEN:
            spent.close()
        base, uses = pikepdf.open(io.BytesIO(_read_shared(path))), 0
    _OPEN[:] = []  # kept again only once the copy is made: after an error it is spoilt
    with added(base, job.cover, job.last) as joined:
        set_outline(joined, job.bookmarks)
        data = to_bytes(joined)
    _OPEN.append((path, base, uses + 1))
    return data


def undoable(*parts: bytes) -> bool:
    """Whether `added` can take these pages out again: they bring no form fields."""
    for data in parts:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if "/AcroForm" in pdf.Root:
                return False
    return True


@contextlib.contextmanager
def added(base: pikepdf.Pdf, cover: bytes, last: bytes | None) -> Iterator[pikepdf.Pdf]:
    """`base` with a cover in front and a last page after, for the block; then the
    pages, their structure and their keys are taken out again (not after an error:
    then `base` is spoilt). What is written in the block is what `prepend` gives,
    byte for byte (tested): opening a joined document is quick, but adding to it
    makes qpdf read every object, so a worker keeps one open for many copies.
    """
    tree = base.Root.StructTreeRoot
    document, nums = tree.K[0], tree.ParentTree.Nums
    kids, count, next_key = list(document.K), len(nums), tree.get("/ParentTreeNextKey")
    names = base.Root.get("/Names")
    dests = names.get("/Dests") if names is not None else None
    put_in_front(base, cover)
    if last is not None:
        put_at_end(base, last)
    yield base
    del base.pages[0]
    if last is not None:
        del base.pages[-1]
    document.K = pikepdf.Array(kids)
    del nums[count:]
    _restore(tree, "/ParentTreeNextKey", next_key)
    # A certificate's own link target (`id="back-certificate"`) was added to the names.
    _restore(base.Root, "/Names", names)
    if names is not None:
        _restore(names, "/Dests", dests)


def _restore(dictionary: Any, key: str, value: Any) -> None:
    """Put a key back as it was: its value, or not there."""
    if value is None:
        if key in dictionary:
            del dictionary[key]
    else:
        dictionary[key] = value


def _shared(shared: bytes | str) -> bytes:
    return shared if isinstance(shared, bytes) else _read_shared(shared)


@functools.lru_cache(maxsize=1)
def _read_shared(path: str) -> bytes:
    """The shared pages, read once by each worker rather than sent with every copy."""
    with open(path, "rb") as stream:
        return stream.read()


def give_back_memory() -> None:
    """Hand memory freed by a large document back to the system.

    glibc keeps freed memory for the process to reuse, so a process that
    joined a whole packet once stays that large; a run of many copies is
    measured by what all its processes hold together at their peak.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def keep_shared(data: bytes) -> bytes | str:
    """The shared pages as the workers get them: a file in the run's folder, when
    there is one (they hold no one's name); else the bytes, sent with each copy."""
    folder = lifecycle.run_folder()
    if folder is None:
        return data
    path = folder / f"shared-{os.urandom(6).hex()}.pdf"
    try:
        path.write_bytes(data)
    except OSError:
        return data
    return str(path)


def let_go(shared: bytes | str) -> None:
    """Remove the shared pages' file, and close them where this process has them open."""
    if isinstance(shared, bytes):
        return
    for path, base, _ in _OPEN:
        if path == shared:
            base.close()
            _OPEN.clear()
    with contextlib.suppress(OSError):
        os.unlink(shared)


def finished(
    laid_out: Iterable[tuple[Sequence[bytes], Sequence[bytes]]],
    shared: bytes | str,
    bookmarks: list[Bookmark],
    workers: WorkerPool | None,
    into: Sequence[Path] | None = None,
) -> Iterator[bytes | None]:
    """Each copy in order, from each batch of (covers, certificates) as it is laid out;
    written to its file in `into` (then None), or handed back."""
    waiting: collections.deque[tuple[Future[bytes | None] | None, CopyJob]] = collections.deque()
    count = 0
    for covers, certificates in laid_out:
        lasts: Sequence[bytes | None] = certificates or [None] * len(covers)
        for cover, last in zip(covers, lasts, strict=True):
            target = str(into[count]) if into is not None else None
            job = CopyJob(cover, shared, bookmarks, last, target)
            count += 1
            waiting.append((workers.submit(finish, job) if workers else None, job))
            while len(waiting) > IN_FLIGHT:
                yield _collect(*waiting.popleft())
    while waiting:
        yield _collect(*waiting.popleft())


def _collect(future: Future[bytes | None] | None, job: CopyJob) -> bytes | None:
    """A finished copy; a copy that could not be written is said as such."""
    try:
        return outcome(future) if future is not None else finish(job)
    except OSError as exc:
        folder = Path(job.into).parent.parent if job.into else Path()
        raise HandoutError(write_failure(folder, exc)) from None
