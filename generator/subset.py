"""PDF stage, fonts: subset with HarfBuzz where WeasyPrint would fall back to fontTools.

WeasyPrint keeps only the glyphs a document uses of each font it embeds.
It does that with the system's HarfBuzz-Subset library, and without one
(Debian's libharfbuzz-subset0 is often missing) with fontTools, which is
several times slower: about a tenth of a two-handout build. The
uharfbuzz wheel carries HarfBuzz with its subsetter, so we do what
WeasyPrint's own HarfBuzz path does (`Font._harfbuzz_subset` in WeasyPrint
70), step for step, with it.
"""

from __future__ import annotations

import functools
from typing import Any

#: The tables WeasyPrint's HarfBuzz path drops: a PDF viewer shapes no text.
_DROPPED: tuple[bytes, ...] = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS")
_DROPPED += (b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


@functools.cache
def use_harfbuzz_subsetter() -> None:
    """Subset fonts with uharfbuzz, unless WeasyPrint has the system's HarfBuzz-Subset.

    Once per process, when WeasyPrint is loaded.
    """
    from weasyprint.pdf import fonts
    from weasyprint.text import ffi

    if ffi.harfbuzz_subset is not None:  # WeasyPrint's own path is HarfBuzz already
        return
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:  # fontTools still does it, more slowly
        return
    fonts.Font.subset = _subset


def _subset(font: Any, to_unicode: dict[int, Any], hinting: bool) -> None:
    """Keep the glyphs used, at their ids, and drop the tables a PDF needs not."""
    import uharfbuzz as hb

    if not to_unicode:
        return
    flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
    if font.missing:
        flags |= hb.SubsetFlags.NOTDEF_OUTLINE
    # First the glyphs used, each at its own id (the PDF's text names glyphs by id)...
    first = hb.SubsetInput()
    first.glyph_set.update(sorted(to_unicode))
    first.flags = flags | hb.SubsetFlags.RETAIN_GIDS
    first.drop_table_tag_set.update(int.from_bytes(tag, "big") for tag in _DROPPED)
    try:
        face = hb.subset(hb.Face(font.file_content, font.index), first)
        # ...then the empty glyphs after the last one used.
        last = hb.SubsetInput()
        last.glyph_set.update(range(max(to_unicode) + 1))
        last.flags = flags if hinting else flags | hb.SubsetFlags.NO_HINTING
        font.file_content = hb.subset(face, last).blob.data
    except RuntimeError:  # HarfBuzz could not: fontTools, as without it
        font._fonttools_subset(to_unicode, hinting)
