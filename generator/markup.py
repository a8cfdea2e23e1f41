"""Content text's inline markup: bold, italics and safe links, read one way everywhere."""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from markupsafe import Markup


@functools.cache
def markdown() -> MarkdownIt:
    """The one Markdown reader for content text: emphasis and safe links, no HTML."""
    # "zero" turns every rule off; we switch on only emphasis and links, and raw
    # HTML stays off, so anything else in content prints as the literal text.
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


def _safe_link(url: str) -> bool:
    return url.lower().startswith(("https://", "mailto:"))


def inline(text: str) -> Markup:
    """Content text as inline HTML: bold, italic and safe links, nothing else."""
    rendered = markdown().renderInline(str(text)).rstrip("\n")
    # Line breaks inside a YAML paragraph are soft: they read as spaces.
    return Markup(rendered.replace("\n", " "))


def markup_depth(text: str) -> int:
    """How deeply bold, italics and links nest in content text, as `inline` reads it."""
    depth = deepest = 0
    for block in markdown().parseInline(text):
        for token in block.children or ():
            depth += token.nesting
            deepest = max(deepest, depth)
    return deepest
