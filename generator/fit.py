"""Render stage, fit estimates: whether a table's words or a scale's labels fit the text width.

Made before layout, from the page geometry and the body face's glyph
widths, so that the templates can choose a layout that stays on the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.blocks import Compare, Table
from generator.fonts import text_width

if TYPE_CHECKING:
    from generator.options import RenderOptions


def crowded(block: Table | Compare, profile: RenderOptions) -> bool:
    """Whether a table's longest words, side by side, are wider than the text area.

    Words in a table break only where they must, to keep its columns as they
    are (print.css); a crowded table breaks them anywhere, with less padding,
    so that no column runs off the page. Widths are the body face's, bold (a
    header's): a little wide for the rest, so a table near the edge counts.
    """
    page = profile.geometry
    size = page.body_size
    if isinstance(block, Table):
        columns = [
            [cell, *(row[index] for row in block.rows)] for index, cell in enumerate(block.header)
        ]
        indent = 0.0
    else:
        columns = [[side.label, *side.items] for _, side in block.sides()]
        indent = page.list_indent * size
    edges = 2 * page.cell_padding + page.cell_border
    needed = 0.0
    for column in columns:
        longest = max(text_width(word, bold=True) for text in column for word in text.split())
        needed += longest * size + edges + indent
    return needed > page.text_width


#: The narrowest a column of a table or a comparison may be, in ems of body text:
#: narrower, a column holds a word or two a line, and the columns stack instead.
MIN_COLUMN_EMS = 9.0


def stacked(columns: int, profile: RenderOptions) -> bool:
    """Whether this many columns side by side would each be narrower than a reader
    can follow, so that they are set one after another, in reading order."""
    page = profile.geometry
    return page.text_width / columns < MIN_COLUMN_EMS * page.body_size


def side_by_side(low: str, high: str, profile: RenderOptions) -> bool:
    """Whether a scale's two end labels fit on one line, at its two ends.

    Labels that don't are set one under the other: the high one floats right
    beside the low one, and a float too tall for the page's end would run off
    it (print.css: .scale-ends).
    """
    page = profile.geometry
    # The labels as printed (blocks/worksheet.html: "0 = ", "10 = "), and a gap between them.
    return (text_width(f"0 = {low}  10 = {high}") + 2) * page.small_size <= page.text_width
