"""Content text's markup, read one way everywhere.

Every text may hold bold, italics and safe links. A *rich* text (a box's
body, a table cell, a list item) may also hold paragraphs, split by a blank
line, and bulleted or numbered lists, nested two deep: the small block
subset of Markdown a person pastes from a document. Anything else that
looks like markup (a `#` heading, a `>` quote, an HTML tag or entity, a
table drawn with `|`) prints as typed, and `literal` says so, with what to
write instead.
"""

from __future__ import annotations

import functools
import html
import re
import tomllib
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.common.entities import entities
from markdown_it.token import Token
from markupsafe import Markup


@functools.cache
def markdown() -> MarkdownIt:
    """The one Markdown reader for inline text: emphasis and safe links, no HTML."""
    # "zero" turns every rule off; we switch on only emphasis and links, and raw
    # HTML stays off, so anything else in content prints as the literal text.
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


@functools.cache
def block_markdown() -> MarkdownIt:
    """The reader for rich text: the inline reader's rules, and paragraphs and lists."""
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link", "list"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


def _safe_link(url: str) -> bool:
    return url.lower().startswith(("https://", "mailto:"))


def inline(text: str) -> Markup:
    """Content text as inline HTML: bold, italic and safe links, nothing else."""
    rendered = markdown().renderInline(str(text)).rstrip("\n")
    # Line breaks inside a YAML paragraph are soft: they read as spaces.
    return Markup(rendered.replace("\n", " "))


def _blocks(text: str) -> list[Token]:
    return block_markdown().parse(str(text))


def is_one_paragraph(text: str) -> bool:
    """Whether rich text is a single paragraph (as most are), with no lists."""
    tokens = _blocks(text)
    return len(tokens) == 3 and tokens[0].type == "paragraph_open"


def rich(text: str, *, bare: bool = False) -> Markup:
    """Rich text as HTML: paragraphs and lists, each paragraph's text as `inline` makes it.

    A single paragraph is `<p>` and its text, or with `bare` (a list item or
    a table cell, whose box is its paragraph) the text alone: the HTML of
    one paragraph is the same as before rich text.
    """
    tokens = _blocks(text)
    if len(tokens) == 3 and tokens[0].type == "paragraph_open":
        shown = inline(text)
        return shown if bare else Markup(f"<p>{shown}</p>")
    parts = []
    for token in tokens:
        if token.type == "inline":
            parts.append(inline(token.content))
        elif token.hidden:  # a tight list's paragraph: its text goes straight in the item
            continue
        elif token.nesting == 1:  # <p>, <ul>, <ol start="3">, <li>
            attributes = "".join(f' {k}="{html.escape(str(v))}"' for k, v in token.attrs.items())
            parts.append(Markup(f"<{token.tag}{attributes}>"))
        elif token.nesting == -1:
            parts.append(Markup(f"</{token.tag}>"))
    return Markup("".join(parts))


def list_depth(text: str) -> int:
    """How deeply lists nest in rich text."""
    depth = deepest = 0
    for token in _blocks(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            depth += 1
            deepest = max(deepest, depth)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
    return deepest


def markup_depth(text: str) -> int:
    """How deeply bold, italics and links nest in content text, as `inline` reads it."""
    depth = deepest = 0
    for block in markdown().parseInline(text):
        for token in block.children or ():
            depth += token.nesting
            deepest = max(deepest, depth)
    return deepest


def plain(text: str) -> str:
    """Content text, inline or rich, reduced to the words a reader sees."""
    return " ".join(_words(t.content) for t in _blocks(text) if t.type == "inline").strip()


def plain_inline(content: str) -> str:
    """One-paragraph text reduced to its words, as the `md` filter prints it: inline
    Markdown only, so a label like "1. Notice" keeps its number."""
    return _words(content)


def _words(content: str) -> str:
    """One paragraph's inline Markdown reduced to its words."""
    words: list[str] = []
    for token in markdown().parseInline(content):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
    return " ".join("".join(words).split())


def inline_sources(text: str) -> list[str]:
    """Rich text's paragraphs and list items, each as its inline Markdown (italics kept)."""
    return [t.content for t in _blocks(text) if t.type == "inline" and t.content.strip()]


def pieces(text: str) -> list[tuple[str, bool]]:
    """Rich text's paragraphs and list items, each as plain words, and whether it is in a list."""
    found: list[tuple[str, bool]] = []
    lists = 0
    for token in _blocks(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
        elif token.type == "inline" and (words := _words(token.content)):
            found.append((words, lists > 0))
    return found


# --- what would print as typed --------------------------------------------------

_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


#: A pattern, what it finds and what to write instead.
_Mark = tuple[re.Pattern[str], str, str]


@functools.cache
def _marks() -> tuple[tuple[_Mark, ...], tuple[_Mark, ...], dict[str, str]]:
    """What prints as typed (generator/data/markup.toml): in any text, in a plain one, tags."""
    path = Path(__file__).resolve().parent / "data" / "markup.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))

    def marks(key: str) -> tuple[_Mark, ...]:
        return tuple((re.compile(m["pattern"], re.M), m["message"], m["advice"]) for m in data[key])

    return marks("line_start"), marks("inline_only"), data["tag_advice"]


def literal(text: str, *, rich: bool) -> tuple[str, str, str] | None:
    """What in `text` would print as typed, by accident: (what it is, its text, what to do).

    A rich text renders paragraphs and lists; any other text renders
    neither, so a blank line or a line starting with "- " is also found.
    """
    line_starts, inline_only, tag_advice = _marks()
    checks = line_starts if rich else line_starts + inline_only
    found: list[tuple[int, str, str, str]] = []
    for pattern, message, advice in checks:
        if match := pattern.search(text):
            # The line it is on, from the mark on, so that it can be found in the file.
            end = text.find("\n", match.end())
            shown = text[match.start() : len(text) if end < 0 else end].strip()
            found.append((match.start(), message, shown, advice))
    if match := _TAG.search(text):
        name = match.group(1).lower()
        advice = tag_advice.get(name, "take the tag out; HTML is not read in content")
        message = f"the HTML tag {match.group(0)} prints as typed"
        found.append((match.start(), message, match.group(0), advice))
    for match in _ENTITY.finditer(text):
        if match.group(1).startswith("#") or match.group(1) in entities:
            found.append(
                (
                    match.start(),
                    f"the HTML entity {match.group(0)} prints as typed",
                    match.group(0),
                    f"type {html.unescape(match.group(0))} itself",
                )
            )
            break
    if not found:
        return None
    _, message, shown, advice = min(found)
    return message, shown, advice
