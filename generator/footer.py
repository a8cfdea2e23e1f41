"""Render stage, the page footer: its lists in lines, and the bottom margin it needs.

The footer fills the bottom margin, so the margin is sized from the footer's
text: its lines are broken here as the layout will break them, with the body
face's glyph widths and the page geometry's type and widths (geometry.py).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from generator.config import Practice
from generator.fonts import text_width
from generator.geometry import POINTS_PER_INCH, FooterType, PageGeometry

if TYPE_CHECKING:
    from generator.options import RenderOptions

# The footer's lists (the practice's details; the title, version and date)
# separate their items with " · ". A separator is kept on one line with the
# words either side of it, so that no line starts or ends with one: a list's
# lines break between items, the separator giving way to the line break.
SEPARATOR = " · "
# Marks the spaces a piece of a footer list cannot break at, as `_pieces`
# hands it to the line count.
_NO_BREAK = "\u00a0"
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class FooterItem:
    """One item of a footer list."""

    text: str
    # Never wraps inside: a phone number, a web address (which may otherwise
    # break after "//"), the version, the date. Any item that fits on a line
    # is kept whole too, so that lines break between items; and an item that
    # does not fit wraps, whole or not, rather than run off the page.
    whole: bool = False


def _pieces(row: Sequence[FooterItem]) -> list[tuple[str, bool]]:
    """A line of a footer list as its text between break opportunities (its
    spaces), each piece with whether it must be kept from wrapping: it holds
    a separator and the words glued to it, or an item kept whole."""
    pieces: list[tuple[str, bool]] = []
    for item in row:
        words = (
            [(item.text.replace(" ", _NO_BREAK), True)]
            if item.whole
            else [(word, False) for word in item.text.split(" ")]
        )
        if pieces:
            glued = pieces.pop()[0] + SEPARATOR + words[0][0]
            words[0] = (glued.replace(" ", _NO_BREAK), True)
        pieces += words
    return pieces


def _rows(items: Sequence[FooterItem], width: float, footer: FooterType) -> list[list[FooterItem]]:
    """A footer list in lines: each line holds the items that fit on it, and
    only an item wider than a line wraps, glued to its neighbours."""
    rows: list[list[FooterItem]] = []
    for given in items:
        item = replace(given, whole=measure(footer, given.text) <= width)
        pieces = _pieces([*rows[-1], item]) if rows else []
        if pieces and max(measure(footer, text) for text, _ in pieces) <= width:
            rows[-1].append(item)
        else:
            rows.append([item])
    return rows


def separated(rows: Sequence[Sequence[FooterItem]]) -> Markup:
    """A footer list's lines as HTML: items joined by glued separators."""
    lines = []
    for row in rows:
        html = []
        for text, keep in _pieces(row):
            # One no-wrap span holds the whole piece, from space to space, with
            # plain spaces, which a reader's search finds. (No-break spaces
            # before a no-wrap span make WeasyPrint 70 break at every space
            # ahead of them, one word to a line.)
            piece = escape(text.replace(_NO_BREAK, " "))
            html.append(Markup('<span class="nowrap">{}</span>').format(piece) if keep else piece)
        lines.append(Markup(" ").join(html))
    return Markup("<br>").join(lines)


def unbroken_words(text: str, profile: RenderOptions) -> bool:
    """Whether each word of a crisis line's sentence fits on a footer line (bold).

    A sentence is kept whole on a line where it can (print.css: .sentence),
    which sizes it by its longest word; one with a longer word must say so.
    """
    page = profile.geometry
    width = page.footer_width()
    return all(measure(page.footer, word, bold=True) <= width for word in text.split())


def sentences(text: str) -> list[str]:
    """A crisis line's sentences: the footer breaks it between them, not mid-sentence."""
    return _SENTENCE_END_RE.split(text.strip())


def measure(footer: FooterType, text: str, *, bold: bool = False) -> float:
    """How wide text is (pt) in the footer's type."""
    return text_width(text, bold=bold) * footer.size


@dataclass(frozen=True)
class _FooterParagraph:
    """One footer paragraph as the line breaker sees it."""

    # Its lines as the HTML breaks them (<br>), each as its text between
    # break opportunities. A piece with spaces in it (a crisis line's
    # sentence) wraps inside only when it is wider than a line.
    lines: Sequence[Sequence[str]]
    bold: bool = False
    beside_number: bool = False

    @staticmethod
    def of_text(text: str) -> _FooterParagraph:
        """Plain text, which breaks at its spaces."""
        return _FooterParagraph([text.split(" ")])

    @staticmethod
    def of_list(
        rows: Sequence[Sequence[FooterItem]], *, beside_number: bool = False
    ) -> _FooterParagraph:
        """A footer list, in the lines `_rows` made of it."""
        lines = [[text for text, _ in _pieces(row)] for row in rows]
        return _FooterParagraph(lines, beside_number=beside_number)


def _practice_items(practice: Practice) -> list[FooterItem]:
    """The practice's details, in the footer's order."""
    items = [FooterItem(practice.name)]
    if practice.clinician:
        credentials = f", {practice.credentials}" if practice.credentials else ""
        items.append(FooterItem(practice.clinician + credentials))
    contact = (practice.phone, practice.email, practice.website)
    items += [FooterItem(text, whole=True) for text in contact if text]
    if practice.address:
        items.append(FooterItem(practice.address))
    return items


def _line_count(pieces: Sequence[str], width: float, measure: Callable[[str], float]) -> int:
    """How many lines greedy line breaking makes of the pieces."""
    lines, used = 0, width  # `used` of the current line; a full one before the first
    space = measure(" ")
    for piece in pieces:
        piece_width = measure(piece)
        if used + space + piece_width <= width:
            used += space + piece_width
        elif piece_width <= width:
            lines, used = lines + 1, piece_width
        elif " " in piece:
            # Wider than a line, it wraps inside, on lines of its own.
            lines, used = lines + _line_count(piece.split(" "), width, measure), width
        else:
            # A word wider than a line starts a line and breaks between its
            # characters (print.css: overflow-wrap), the last line part full.
            broken, used = _broken_word(piece, width, measure)
            lines += broken
    return max(lines, 1)


def _broken_word(word: str, width: float, measure: Callable[[str], float]) -> tuple[int, float]:
    """The lines a word wider than a line takes, broken between characters, and
    how much of the last one it fills."""
    lines, used = 1, 0.0
    for char in word:
        char_width = measure(char)
        if used and used + char_width > width:
            lines, used = lines + 1, 0.0
        used += char_width
    return lines, used


def _footer_height(paragraphs: Sequence[_FooterParagraph], page: PageGeometry) -> float:
    """The bottom page margin (pt): room for every footer line, and the lift below them.

    Lines are counted by breaking the text as the layout does, with the body
    face's glyph widths (which kerning only narrows), so that the last line
    lands beside the page number and nothing is cut off.
    """
    footer = page.footer
    height = (
        (footer.clearance + footer.rule + footer.padding)
        + footer.lift * POINTS_PER_INCH
        + footer.gap * max(len(paragraphs) - 1, 0)
    )
    for paragraph in paragraphs:
        width = page.footer_width(beside_number=paragraph.beside_number)
        measured = functools.partial(measure, footer, bold=paragraph.bold)
        lines = sum(_line_count(pieces, width, measured) for pieces in paragraph.lines)
        height += lines * footer.size * footer.leading
    return height


#: The most of a page's height the footer may take: the rest is the text's.
MAX_FOOTER_SHARE = 0.5


@dataclass(frozen=True)
class PageFooter:
    """A page's footer lists in the lines they break into, and the bottom margin it needs."""

    practice_rows: list[list[FooterItem]]
    meta_rows: list[list[FooterItem]]
    #: The bottom margin (pt), which the footer fills.
    height: float

    @property
    def css_height(self) -> str:
        """The bottom margin as CSS."""
        return f"{self.height / POINTS_PER_INCH:.3f}in"


def page_footer(
    page: PageGeometry,
    meta: Sequence[FooterItem],
    *,
    practice: Practice | None,
    footer_note: str | None,
    crisis: Sequence[str] = (),
    care_note: str | None = None,
) -> PageFooter:
    """A page's footer, laid out in lines to size the bottom margin by.

    Client pages carry the `crisis` lines and the `care_note` (a client packet's
    own pages too); clinician pages do not.
    """
    practice_rows = (
        _rows(_practice_items(practice), page.footer_width(), page.footer) if practice else []
    )
    meta_rows = _rows(meta, page.footer_width(beside_number=True), page.footer)
    paragraphs: list[_FooterParagraph] = []
    paragraphs += [_FooterParagraph([sentences(text)], bold=True) for text in crisis]
    if care_note is not None:
        paragraphs.append(_FooterParagraph.of_text(care_note))
    if practice_rows:
        paragraphs.append(_FooterParagraph.of_list(practice_rows))
    if footer_note:
        paragraphs.append(_FooterParagraph.of_text(footer_note))
    if meta_rows:
        paragraphs.append(_FooterParagraph.of_list(meta_rows, beside_number=True))
    return PageFooter(practice_rows, meta_rows, _footer_height(paragraphs, page))
