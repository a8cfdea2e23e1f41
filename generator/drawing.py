"""Render stage, diagrams: a `diagram` block drawn as SVG at the page's own type size.

The drawing is measured in points, as wide as the text or narrower, and the
page shows it at exactly that size: its words are the body face at the body
size (so they are selectable and meet the same size check as the text), in
the body's ink on a pale tint of the accent colour, and the PDF tags the
picture as a Figure with alt text read from its labels.

Words are measured with the body face's advance widths (fonts.text_width),
as the footer and table estimates are, and wrapped to their boxes here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from generator.fonts import text_width
from generator.geometry import PageGeometry
from generator.markup import plain_inline

#: The body text's colour (print.css), used for every word in a diagram.
INK = "#1a1a1a"
#: Ink saver: no fills, and lines in the grey the stylesheet gives its borders.
SAVER_LINE = "#444444"
#: How much of the accent colour a box's fill has, the rest white: pale enough
#: that the ink keeps a contrast of 7:1 or more on it with any allowed accent.
TINT = 0.12
MARKED_TINT = 0.24
FONT_FAMILY = "'Atkinson Hyperlegible', 'Handouts Noto Sans', 'Handouts Noto Sans Arabic'"
#: A box narrower than this many ems holds a word or two a line: the layout
#: that would need one is set another way (stacked, or top to bottom).
MIN_BOX_EMS = 7.0


class DiagramTooTall(Exception):
    """The drawing is taller than a page's text area can hold."""

    def __init__(self, height: float, room: float) -> None:
        super().__init__(f"{height:.0f} pt tall, {room:.0f} pt room")
        self.height = height
        self.room = room


@dataclass(frozen=True)
class Pen:
    """The type, colours and room one print profile draws with."""

    size: float
    width: float
    #: The tallest drawing a page holds (pt).
    room: float
    line: str
    fill: str
    marked_fill: str
    stroke: float
    leading: float = 1.25
    ink: str = INK

    @property
    def line_height(self) -> float:
        return self.size * self.leading

    @property
    def pad(self) -> float:
        return self.size * 0.5

    @property
    def gap(self) -> float:
        """Room between boxes for an arrow."""
        return self.size * 1.3


def pen_for(page: PageGeometry, accent: str, *, ink_saver: bool, room: float) -> Pen:
    """How a profile draws: body size, text width, the accent's tints (none in ink saver)."""
    size = page.body_size
    stroke = 1.5 if page.large_print else 1.0
    if ink_saver:
        return Pen(size, page.text_width, room, SAVER_LINE, "none", "none", stroke)
    return Pen(
        size, page.text_width, room, accent, tint(accent, TINT), tint(accent, MARKED_TINT), stroke
    )


def tint(colour: str, share: float) -> str:
    """A colour mixed with white, `share` of it kept.

    The config writes every colour as #rrggbb: each channel is moved toward
    white as coloraide mixes in sRGB, and rounded as it writes hex (the same
    for any colour and share: tested against it), without importing it.
    """
    if not _HEX.fullmatch(colour):
        from coloraide import Color

        return str(Color(colour).mix("white", 1 - share, space="srgb").to_string(hex=True))
    toward = 1 - share
    # Times 1/255, not over 255: the same last bit as coloraide reads hex with.
    channels = (int(colour[i : i + 2], 16) * _PER_STEP for i in (1, 3, 5))
    return "#" + "".join(f"{math.floor((v + (1 - v) * toward) * 255 + 0.5):02x}" for v in channels)


_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_PER_STEP = 1.0 / 255.0


# --- words --------------------------------------------------------------------


def wrap(text: str, room: float, size: float, *, bold: bool = False) -> list[str]:
    """Text broken into lines no wider than `room` (pt); a word too long for a line is split."""
    lines: list[str] = []
    current = ""
    for whole in text.split():
        word = whole
        while text_width(word, bold=bold) * size > room and len(word) > 1:
            cut = max(1, _fitting(word, room, size, bold))
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{current} {word}" if current else word
        if not current or text_width(trial, bold=bold) * size <= room:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def _fitting(word: str, room: float, size: float, bold: bool) -> int:
    """How many of a word's first characters fit in `room`."""
    count = 0
    while count < len(word) and text_width(word[: count + 1], bold=bold) * size <= room:
        count += 1
    return count


def longest_word(texts: Sequence[str], size: float, *, bold: bool) -> float:
    return max((text_width(w, bold=bold) * size for t in texts for w in t.split()), default=0.0)


@dataclass
class Words:
    """A box's words: its lines, each bold or not, wrapped to the box."""

    lines: list[tuple[str, bool]] = field(default_factory=list)

    @classmethod
    def of(cls, pen: Pen, room: float, label: str | None, *notes: str | None) -> Words:
        words = cls()
        if label:
            words.lines += [
                (line, True) for line in wrap(plain_inline(label), room, pen.size, bold=True)
            ]
        for note in notes:
            if note:
                words.lines += [(line, False) for line in wrap(plain_inline(note), room, pen.size)]
        return words

    def height(self, pen: Pen) -> float:
        return len(self.lines) * pen.line_height


# --- the picture ----------------------------------------------------------------

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def centre(self) -> Point:
        return (self.x + self.w / 2, self.y + self.h / 2)

    def holds(self, point: Point, margin: float = 0.0) -> bool:
        px, py = point
        return (
            self.x - margin <= px <= self.x + self.w + margin
            and self.y - margin <= py <= self.y + self.h + margin
        )

    def meets(self, other: Box, gap: float) -> bool:
        """Whether two boxes come closer than `gap`."""
        return not (
            self.x + self.w + gap <= other.x
            or other.x + other.w + gap <= self.x
            or self.y + self.h + gap <= other.y
            or other.y + other.h + gap <= self.y
        )


class Canvas:
    """SVG shapes in drawing order; `svg` writes them out at the drawing's size."""

    def __init__(self, pen: Pen) -> None:
        self.pen = pen
        self.shapes: list[str] = []
        self.bottom = 0.0

    def box(
        self,
        box: Box,
        words: Words,
        *,
        marked: bool = False,
        centred: bool = True,
        fill: bool = True,
        indent: float = 0.0,
    ) -> None:
        pen = self.pen
        colour = pen.marked_fill if marked else (pen.fill if fill else "none")
        width = pen.stroke * (2.5 if marked else 1)
        inset = width / 2
        self.shapes.append(
            f'<rect x="{box.x + inset:.2f}" y="{box.y + inset:.2f}" width="{box.w - width:.2f}" '
            f'height="{box.h - width:.2f}" rx="{pen.size * 0.35:.2f}" fill="{colour}" '
            f'stroke="{pen.line}" stroke-width="{width:g}"/>'
        )
        top = box.y + (box.h - words.height(pen)) / 2
        if centred:
            self.words(box.x + box.w / 2, top, words, anchor="middle")
        else:
            self.words(box.x + pen.pad + indent, top, words)
        self.bottom = max(self.bottom, box.bottom)

    def words(self, x: float, top: float, words: Words, *, anchor: str = "start") -> None:
        pen = self.pen
        for number, (line, bold) in enumerate(words.lines):
            baseline = top + (number + 0.5) * pen.line_height + 0.34 * pen.size
            weight = ' font-weight="700"' if bold else ""
            self.shapes.append(
                f'<text x="{x:.2f}" y="{baseline:.2f}" text-anchor="{anchor}"{weight}>'
                f"{_xml_text(line)}</text>"
            )

    def line(self, points: Sequence[Point]) -> None:
        """A line through the points, without a head."""
        self.bottom = max(self.bottom, *(y + self.pen.stroke for _, y in points))
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x:.2f},{y:.2f}" for i, (x, y) in enumerate(points)
        )
        self.shapes.append(
            f'<path d="{path}" fill="none" stroke="{self.pen.line}" '
            f'stroke-width="{self.pen.stroke * 1.2:g}" stroke-linejoin="round"/>'
        )

    def arrow(self, points: Sequence[Point]) -> None:
        """A line through the points, with a head at the last one."""
        pen = self.pen
        (x1, y1), (x2, y2) = points[-2], points[-1]
        angle = math.atan2(y2 - y1, x2 - x1)
        length, half = pen.size * 0.6, pen.size * 0.32
        base = (x2 - length * math.cos(angle), y2 - length * math.sin(angle))
        self.line([*points[:-1], base])
        left = (base[0] + half * math.sin(angle), base[1] - half * math.cos(angle))
        right = (base[0] - half * math.sin(angle), base[1] + half * math.cos(angle))
        head = " ".join(f"{x:.2f},{y:.2f}" for x, y in (left, (x2, y2), right))
        self.shapes.append(f'<polygon points="{head}" fill="{pen.line}"/>')

    def svg(self, width: float) -> str:
        pen = self.pen
        height = math.ceil(self.bottom + pen.stroke * 2)
        if height > pen.room:
            raise DiagramTooTall(height, pen.room)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.2f}pt" height="{height}pt" '
            f'viewBox="0 0 {width:.2f} {height}" font-family={quoteattr(FONT_FAMILY)} '
            f'font-size="{pen.size:g}" fill="{pen.ink}">' + "".join(self.shapes) + "</svg>"
        )


def _xml_text(text: str) -> str:
    """Text safe in XML: escaped, and the two non-characters XML refuses made U+FFFD."""
    return escape(text.replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd"))
