"""Render stage, privacy: a name given at build time goes onto the page only.

A project's own templates may put `client_name` anywhere in the document. The
layout engine makes the PDF's title and subject from the `<title>` and the
description `<meta>`, and its bookmarks from the headings: a name there would
leave the page for the file's metadata, which viewers, file lists and search
indexes show. Such a document is refused before it is laid out.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

from generator.errors import Problem, ProblemsError, display_path

#: What the PDF takes off the page: the title, every `<meta>` and the headings.
_OFF_PAGE = re.compile(
    r"<title\b[^>]*>.*?</title\s*>|<meta\b[^>]*>|<h[1-6]\b[^>]*>.*?</h[1-6]\s*>",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"<(?!meta\b)[^>]*>", re.IGNORECASE)


def _folded(text: str) -> str:
    return " ".join(html.unescape(text).split()).casefold()


def off_page(document: str) -> list[str]:
    """The text of a document's title, `<meta>` tags and headings, folded."""
    return [_folded(_TAG.sub(" ", m.group(0))) for m in _OFF_PAGE.finditer(document)]


def name_off_page(document: str, name: object, nameless: Callable[[], str]) -> bool:
    """Whether the name is in the document's title, a `<meta>` or a heading because it
    was given: the same words rendered without it ("Finding hope", for a client
    named Hope) are the handout's own."""
    if not isinstance(name, str) or not name.strip():
        return False
    wanted = _folded(name)
    found = off_page(document)
    return any(wanted in text for text in found) and off_page(nameless()) != found


def refused(source: Path) -> ProblemsError:
    """The error for a name off the page. It never says the name: it would be in a log."""
    message = (
        "a template puts the client's name in the document's title, a <meta> or a "
        "heading, which the PDF copies into its metadata or bookmarks; a name goes on "
        "the page only: print it in a paragraph (as the built-in `prepared_for` line "
        "does), not in <title>, <meta> or h1-h6"
    )
    return ProblemsError([Problem(path=display_path(source), message=message)])
