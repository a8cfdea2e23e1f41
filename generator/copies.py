"""Packet stage, copies: each copy is its cover in front of the pages every copy shares.

The pages after the cover are joined and numbered once (see `assemble`);
each copy then only adds its own cover in front, and its certificate after,
in the workers. Copies are finished a few at a time and handed back in
order, so a run of thousands holds only a few: given a file to write to, a
worker writes the copy there and hands back nothing.
"""

from __future__ import annotations

import collections
import functools
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from generator import lifecycle
from generator.errors import HandoutError
from generator.merge import Bookmark, prepend, set_outline, to_bytes
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


def _shared(shared: bytes | str) -> bytes:
    return shared if isinstance(shared, bytes) else _read_shared(shared)


@functools.lru_cache(maxsize=1)
def _read_shared(path: str) -> bytes:
    """The shared pages, read once by each worker rather than sent with every copy."""
    with open(path, "rb") as stream:
        return stream.read()


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
