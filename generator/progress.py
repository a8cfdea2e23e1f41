"""Progress for people: each stage's time with -v, bars on a terminal, only errors with -q.

Messages here name stages, counts and handout ids, never a client's name:
a personal build's progress says how many copies, not whose.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Callable, Iterator

import click

LOGGER = logging.getLogger("handouts")
#: Work expected to take longer than about two seconds shows a bar.
BAR_FROM = 4


class _Settings:
    quiet = False


def configure(verbose: int, quiet: bool) -> None:
    """Set how much the command says: -v stages and timings, -vv more, -q only errors."""
    _Settings.quiet = quiet
    LOGGER.handlers.clear()
    LOGGER.propagate = False
    if verbose and not quiet:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("handouts: %(message)s"))
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    else:
        LOGGER.setLevel(logging.WARNING)


def is_quiet() -> bool:
    """Whether only errors are printed (-q)."""
    return _Settings.quiet


@contextlib.contextmanager
def stage(what: str) -> Iterator[None]:
    """Time one stage of the work, logged with -v when it is done."""
    start = time.perf_counter()
    yield
    LOGGER.info("%s: %.2f s", what, time.perf_counter() - start)


@contextlib.contextmanager
def bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar for `total` steps on a terminal; elsewhere (a log, a pipe) nothing.

    Yields the function to call with the number of steps just done.
    """
    stream = sys.stderr
    if _Settings.quiet or total < BAR_FROM or not stream.isatty():
        yield lambda steps: None
        return
    with click.progressbar(length=total, label=label, file=stream) as shown:
        yield shown.update
