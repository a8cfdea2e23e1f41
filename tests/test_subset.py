"""PDF stage, fonts: HarfBuzz keeps the glyphs fontTools would keep, at the same ids."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont

from conftest import Project, handout_text
from generator import subset
from generator.cli import main
from generator.engine import load_engine

#: Accents, ligature candidates, punctuation and figures, in regular, bold and
#: italic: glyphs from every font a handout embeds, at ids far apart.
TEXT = handout_text(
    "Café naïveté, finding your footing",
    "Zoë and Ōtsuka’s “first” fifty-five ffl-words — ½ of 1,234.",
    "  - type: paragraph\n"
    "    text: Façade, smörgåsbord, **Ærø in bold**, *piñata in italic*, "
    "œuvre, 90 % — 3–4 × 2.\n",
)


def _fonts(pdf: Path) -> dict[str, tuple[TTFont, set[int]]]:
    """Each embedded TrueType font, by name without its subset prefix, with the
    glyph ids the pages' text names (the ids its widths are given for)."""
    found = {}
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            for font in page.Resources.Font.values():
                for descendant in font.get("/DescendantFonts", []):
                    data = descendant.FontDescriptor.get("/FontFile2")
                    if data is not None:
                        name = str(descendant.BaseFont).split("+")[-1]
                        used = _widths(descendant.get("/W", []))
                        found[name] = (TTFont(io.BytesIO(data.read_bytes())), used)
    return found


def _widths(widths: Any) -> set[int]:
    """The glyph ids of a CID font's /W array: `first [w w ...]` or `first last w`."""
    items, ids, index = list(widths), set(), 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            ids.update(range(first, first + len(items[index + 1])))
            index += 2
        else:
            ids.update(range(first, int(items[index + 1]) + 1))
            index += 3
    return ids


def _outlines(font: TTFont, used: set[int]) -> dict[int, Any]:
    """Each glyph the text uses, by id: its contour ends, points and flags, with
    the parts of a composed glyph (Ō is O and a macron) put together."""
    glyf = font["glyf"]
    order = font.getGlyphOrder()
    outlines = {}
    for gid in sorted(used):
        glyph = glyf[order[gid]]
        coordinates, ends, flags = glyph.getCoordinates(glyf)
        outlines[gid] = (list(coordinates), list(ends), bytes(flags))
    return outlines


def _build(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The handout built in a project of its own, so that no cache holds it."""
    folder.mkdir()
    Project(folder).add("cafe.yaml", TEXT)
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["build", "cafe"])
    assert result.exit_code == 0, result.output
    return folder / result.output.strip().splitlines()[0]


def test_the_harfbuzz_subset_has_the_glyphs_fonttools_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint.pdf import fonts
    from weasyprint.text import ffi

    load_engine()
    if ffi.harfbuzz_subset is not None:
        pytest.skip("this machine has HarfBuzz-Subset: WeasyPrint subsets with it itself")
    assert fonts.Font.subset is subset._subset
    harfbuzz = _fonts(_build(tmp_path / "harfbuzz", monkeypatch))
    monkeypatch.setattr(fonts.Font, "subset", fonts.Font._fonttools_subset)
    fonttools = _fonts(_build(tmp_path / "fonttools", monkeypatch))

    assert sorted(harfbuzz) == sorted(fonttools)
    # The body face in its three styles, and Noto for the glyphs it lacks (½, Ō).
    assert sorted(harfbuzz) == [
        "Atkinson-Hyperlegible",
        "Atkinson-Hyperlegible-Bold",
        "Atkinson-Hyperlegible-Italic",
        "Handouts-Noto-Sans",
    ]
    for name, (font, used) in harfbuzz.items():
        assert used == fonttools[name][1], name
        # The same glyphs at the same ids (the PDF's text names glyphs by id)...
        assert _outlines(font, used) == _outlines(fonttools[name][0], used), name
        # ...and few outlines besides, of a font's hundreds or thousands.
        drawn = [n for n in font.getGlyphOrder() if font["glyf"][n].numberOfContours]
        assert 0 < len(used) <= len(drawn) < len(used) + 10, (name, len(used), len(drawn))
        # Everything a viewer needs to draw them, and nothing for shaping.
        assert {"glyf", "loca", "head", "hhea", "hmtx", "maxp"} <= set(font.keys()), name
        assert not {"GSUB", "GPOS"} & set(font.keys()), name


def test_without_uharfbuzz_fonttools_subsets(monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint.pdf import fonts

    load_engine()
    monkeypatch.setattr(fonts.Font, "subset", "WeasyPrint's own")
    monkeypatch.setitem(sys.modules, "uharfbuzz", None)
    subset.use_harfbuzz_subsetter.__wrapped__()
    assert fonts.Font.subset == "WeasyPrint's own"
