"""Render stage, privacy: a name given at build time goes onto the page only.

A project's own templates may put `client_name` anywhere in the document. The
layout engine takes text off the page into the PDF's data from many places:
the `<title>` and `<meta>` tags (the file's title and subject), headings
(bookmarks), attributes (an `id` becomes a named destination, an `href` a
link's address, `alt` the text a screen reader speaks, a form field's `name`
and `value` its field), and the text of form fields. A name in any of them
would leave the page for what viewers, file lists and search indexes show.

So a document rendered with a name is rendered again with a stand-in of the
same shape, and the two are compared: the name may change the text of the
page, and the class of an element, and nothing else. Whatever a template does
to the name (`|urlencode`, `|replace(" ", "")`), where it went shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from generator.errors import Problem, ProblemsError, display_path

#: A document as tags, comments and the text between them.
_TOKENS = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+", re.DOTALL)
#: Elements whose text leaves the page: the PDF's title, its bookmarks, form
#: fields' values, and what is never printed.
_OFF_PAGE_TEXT = frozenset(
    {"title", "h1", "h2", "h3", "h4", "h5", "h6", "textarea", "option", "select", "button"}
    | {"script", "style", "template", "head"}
)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def stand_in(name: str) -> str:
    """A name of the same shape that shares no letter with it at any place: "x" for
    each character but white space ("y" where the name has an x)."""
    return "".join(c if c.isspace() else ("y" if c in "xX" else "x") for c in name)


def name_off_page(document: str, name: object, rendered_with: Callable[[str], str]) -> bool:
    """Whether the name (in any form a template made of it) is somewhere other than the
    text of the page: `rendered_with(stand_in)` renders the same with the stand-in."""
    if not isinstance(name, str) or not name.strip():
        return False
    other = rendered_with(stand_in(name))
    ours, theirs = _TOKENS.findall(document), _TOKENS.findall(other)
    if len(ours) != len(theirs):
        return True  # the template does something with the name that can't be followed
    inside: dict[str, int] = {}
    for token, same in zip(ours, theirs, strict=True):
        if token.startswith("<"):
            if token != same and _CLASS.sub("", token) != _CLASS.sub("", same):
                return True  # in an attribute: an id, an address, alt text, a field
            _follow(token, inside)
        elif token != same and any(inside.get(tag) for tag in _OFF_PAGE_TEXT):
            return True
    return False


def _follow(tag: str, inside: dict[str, int]) -> None:
    """Count the elements a tag opens or closes, of those whose text leaves the page."""
    found = _TAG_NAME.match(tag)
    if found is None or tag.startswith("<!"):
        return
    closing, element = found.group(1), found.group(2).lower()
    if element in _OFF_PAGE_TEXT:
        inside[element] = max(0, inside.get(element, 0) + (-1 if closing else 1))


def refused(source: Path) -> ProblemsError:
    """The error for a name off the page. It never says the name: it would be in a log."""
    message = (
        "a template puts the client's name somewhere the PDF takes off the page (the "
        "title, a <meta>, a heading, an attribute such as an id, a link's address or alt "
        "text, or a form field), into its metadata, bookmarks or fields; a name goes on "
        "the page only: print it in a paragraph, as the built-in `prepared_for` line does"
    )
    return ProblemsError([Problem(path=display_path(source), message=message)])
