"""Make generator/data/fonts/: Atkinson Hyperlegible with a plain zero, and the
Unicode hyphens it lacks.

The typeface draws its zero with a slash ("3Ø-second", "9:ØØ"), and has no
plain-zero alternate. Lay readers can take the slashed form for a letter, so
the handouts print a zero without the slash, in the same face and at the same
width: only that glyph changes (see README, "What every PDF has").

It also has no U+2010 HYPHEN or U+2011 NON-BREAKING HYPHEN. A line broken
inside a word (Spanish text is hyphenated) ends in U+2010, which would then
be drawn from another font: both are mapped to the face's own hyphen.

The slashed zero is an outer oval and two half-counters cut by the slash.
The plain zero keeps the oval and joins the half-counters into one counter:
each half's arc is kept, and the two gaps the slash left are closed with a
curve along the arcs' own tangents.

Run after upgrading fontpkg-atkinson-hyperlegible: `python scripts/body_font.py`.
`tests/test_body_font.py` checks that the files here are what this makes.
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import fontpkg
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import ttProgram

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "generator" / "data" / "fonts"
PACKAGE = "atkinson-hyperlegible"

Point = tuple[float, float]
#: A contour as its points, each with whether it is on the curve.
Contour = list[tuple[Point, bool]]


def _contours(font: TTFont, name: str) -> list[Contour]:
    glyf = font["glyf"]
    coordinates, ends, flags = glyf[name].getCoordinates(glyf)
    contours, start = [], 0
    for end in ends:
        contours.append(
            [(tuple(coordinates[i]), bool(flags[i] & 1)) for i in range(start, end + 1)]
        )
        start = end + 1
    return contours


def _area(contour: Contour) -> float:
    points = [p for p, _ in contour]
    pairs = zip(points, points[1:] + points[:1], strict=True)
    return abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in pairs) / 2)


def _arc(contour: Contour) -> Contour:
    """A half-counter without its cut: the points from the cut's end round to its start.

    The cut is the longest straight edge (two on-curve points in a row).
    """
    count = len(contour)
    straight = [i for i in range(count) if contour[i][1] and contour[(i + 1) % count][1]]
    if not straight:
        raise SystemExit("a half-counter of the zero has no straight edge: not a slashed zero")
    cut = max(straight, key=lambda i: math.dist(contour[i][0], contour[(i + 1) % count][0]))
    return [contour[(cut + 1 + k) % count] for k in range(count)]


def _bridge(arc: Contour, following: Contour) -> Contour:
    """The off-curve point that closes the gap from one arc's end to the next's start.

    It is where the two arcs' tangents meet, so the counter stays smooth; where
    they do not meet between the two ends, the gap is closed with a line.
    """
    end, before = arc[-1][0], arc[-2][0]
    start, after = following[0][0], following[1][0]
    d1 = (end[0] - before[0], end[1] - before[1])
    d2 = (after[0] - start[0], after[1] - start[1])
    cross = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(cross) < 1e-9:
        return []
    # end + t*d1 == start + s*d2
    t = ((start[0] - end[0]) * d2[1] - (start[1] - end[1]) * d2[0]) / cross
    s = ((start[0] - end[0]) * d1[1] - (start[1] - end[1]) * d1[0]) / cross
    if t <= 0 or s >= 0:
        return []
    return [((round(end[0] + t * d1[0]), round(end[1] + t * d1[1])), False)]


def plain_zero(font: TTFont) -> None:
    """Replace the font's zero with the same oval without the slash, in place."""
    outer, *halves = sorted(_contours(font, "zero"), key=_area, reverse=True)
    if len(halves) != 2:
        raise SystemExit(f"the zero has {len(halves) + 1} contours, not 3: not a slashed zero")
    first, second = (_arc(half) for half in halves)
    if math.dist(first[-1][0], second[0][0]) > math.dist(second[-1][0], first[0][0]):
        first, second = second, first
    counter = first + _bridge(first, second) + second + _bridge(second, first)

    pen = TTGlyphPen(None)
    for contour in (outer, counter):
        _draw(pen, contour)
    glyph = pen.glyph()
    # The slashed zero's hinting names its points; the new outline has others.
    glyph.program = ttProgram.Program()
    glyph.program.fromBytecode(b"")
    font["glyf"]["zero"] = glyph
    glyph.recalcBounds(font["glyf"])


def _draw(pen: TTGlyphPen, contour: Contour) -> None:
    """Draw a TrueType contour that starts on the curve."""
    if not contour[0][1]:
        raise SystemExit("a contour of the zero starts off the curve")
    pen.moveTo(contour[0][0])
    pending: list[Point] = []
    for point, on in contour[1:] + contour[:1]:
        if on:
            if pending:
                pen.qCurveTo(*pending, point)
                pending = []
            else:
                pen.lineTo(point)
        else:
            pending.append(point)
    if pending:
        pen.qCurveTo(*pending, contour[0][0])
    pen.closePath()


#: Characters the face lacks that are drawn with its own hyphen.
HYPHENS = (0x2010, 0x2011)


def add_hyphens(font: TTFont) -> None:
    """Map the Unicode hyphens to the glyph of the hyphen-minus, in every Unicode cmap."""
    glyph = font.getBestCmap()[0x2D]
    for table in font["cmap"].tables:
        if table.isUnicode():
            for code in HYPHENS:
                table.cmap.setdefault(code, glyph)


def _mark(font: TTFont) -> None:
    """Say in the font's own names that it is a modified version (OFL, section 2)."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID == 5:
            text = record.toUnicode()
            if "psychoeducation handouts" not in text:
                names.setName(
                    f"{text}; plain zero, hyphens (psychoeducation handouts)",
                    5,
                    record.platformID,
                    record.platEncID,
                    record.langID,
                )


def derived(source: Path) -> bytes:
    """The bytes of a font file with the plain zero."""
    # The file's own date is kept, so the same source makes the same bytes.
    with TTFont(source, recalcTimestamp=False) as font:
        plain_zero(font)
        add_hyphens(font)
        _mark(font)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()


def main() -> int:
    family = fontpkg.family(PACKAGE)
    TARGET.mkdir(parents=True, exist_ok=True)
    for font in family.files:
        path = Path(font.path)
        (TARGET / path.name).write_bytes(derived(path))
        sys.stdout.write(f"{TARGET / path.name}\n")
    licence = Path(family.files[0].path).resolve().parents[1] / "LICENSE"
    (TARGET / "OFL.txt").write_text(licence.read_text(encoding="utf-8"), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
