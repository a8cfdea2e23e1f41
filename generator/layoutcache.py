"""Layouts kept in the build cache, with how their pages break, so that a build and
`check --pdf` lay each document out once between them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from generator.cache import BuildCache
from generator.pagequality import PageNote
from generator.pdf import Layout


def document_key(cache: BuildCache, html: str, layout: Layout) -> str:
    """The cache key of a document laid out this way: a build's and a check's are the same."""
    return cache.key("document", html, asdict(layout))


def cached_layout(
    cache: BuildCache, key: str, layout: Layout
) -> tuple[bytes, tuple[PageNote, ...]] | None:
    """A kept layout: its PDF, and how its pages break where the layout looked (`quality`).

    A kept layout had no errors and no warnings (see `_keepable`). One whose
    notes are not kept, or do not read, is a miss.
    """
    data = cache.get(key)
    if data is None or not layout.quality:
        return None if data is None else (data, ())
    notes = _read_notes(cache.get_notes(key))
    return None if notes is None else (data, notes)


def keep_layout(
    cache: BuildCache, key: str, data: bytes, layout: Layout | None, notes: Sequence[PageNote]
) -> None:
    """Keep a layout, with how its pages break when it was looked at (notes first: a PDF
    kept without them is a miss)."""
    if layout is not None and layout.quality:
        cache.put_notes(key, json.dumps([asdict(note) for note in notes]).encode())
    cache.put(key, data)


def _read_notes(raw: bytes | None) -> tuple[PageNote, ...] | None:
    """Notes as `keep_layout` wrote them; None for anything else."""
    if raw is None:
        return None
    try:
        return tuple(PageNote(**fields) for fields in json.loads(raw))
    except (ValueError, TypeError):
        return None
