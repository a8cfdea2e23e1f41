"""Serve: which files the pages are made from, and news of each change to them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from generator.config import Project

#: A comment now and then keeps the connection open through idle minutes.
HEARTBEAT_MS = 15_000
#: How long the watcher's thread waits for a change before it looks up: a page that
#: has gone frees its place within this, not within a heartbeat.
_WAKE_MS = 1_000
#: At most this many pages follow changes at once: each holds a thread and one of
#: the system's file watchers (Linux gives each user 128, shared with every program).
MAX_FOLLOWERS = 8
_following = [0]
#: Set when the server is asked to stop: each page's stream then ends by itself,
#: within a wake of the watcher, so the server stops without cutting it off.
_stopping = [False]


def stop_following() -> None:
    """End every stream of changes (Ctrl-C, SIGTERM)."""
    _stopping[0] = True


def room_to_follow() -> bool:
    """Whether another page may follow changes."""
    return _following[0] < MAX_FOLLOWERS


def watched(project: Project) -> list[Path]:
    """The content, templates and assets folders of every root, and the config."""
    folders = [
        root / name
        for root in project.roots
        for name in ("content", "templates", "assets")
        if (root / name).is_dir()
    ]
    config = [project.config_path] if project.config_path is not None else []
    return [*folders, *config]


async def changes(paths: Sequence[Path]) -> AsyncIterator[str]:
    """Server-sent events: `changed` within a second of a save to any of the paths."""
    from watchfiles import awatch

    _following[0] += 1
    try:
        yield ": watching\n\n"
        # A short debounce: an editor's save is one change, seen in well under a second.
        quiet = 0
        async for found in awatch(
            *paths, debounce=200, step=50, rust_timeout=_WAKE_MS, yield_on_timeout=True
        ):
            if _stopping[0]:
                return
            if found:
                quiet = 0
                yield "event: changed\ndata: changed\n\n"
                continue
            quiet += _WAKE_MS
            if quiet >= HEARTBEAT_MS:
                quiet = 0
                yield ": still here\n\n"
    except (OSError, RuntimeError):
        # No watcher to be had (too many open): the page just stops following.
        return
    finally:
        _following[0] -= 1
