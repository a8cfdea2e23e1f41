"""Fonts: the body face prints its zero without the slash and has the Unicode hyphens;
nothing else changes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import fontpkg
import pytest
from click.testing import CliRunner
from fontTools.ttLib import TTFont
from test_subset import _fonts as embedded_fonts

from conftest import Project, handout_text
from generator.cli import main
from generator.fonts import BODY_FONTS, body_font_files

ROOT = Path(__file__).resolve().parents[1]


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("body_font", ROOT / "scripts" / "body_font.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _originals() -> dict[str, Path]:
    return {Path(f.path).name: Path(f.path) for f in fontpkg.family("atkinson-hyperlegible").files}


def _outline(font: TTFont, name: str) -> tuple[list[Any], list[int]]:
    glyf = font["glyf"]
    coordinates, ends, _ = glyf[name].getCoordinates(glyf)
    return [tuple(point) for point in coordinates], list(ends)


def _drawing(font: TTFont, name: str) -> Any:
    """A glyph as drawn: its outline, or the glyphs it is made of and where."""
    glyph = font["glyf"][name]
    if glyph.isComposite():
        return [(part.glyphName, part.x, part.y, part.flags) for part in glyph.components]
    return _outline(font, name)


def test_the_bundled_files_are_what_the_script_makes_from_the_package() -> None:
    script, originals = _script(), _originals()
    assert sorted(p.name for p, _, _ in body_font_files()) == sorted(originals)
    for path, _, _ in body_font_files():
        assert path.read_bytes() == script.derived(originals[path.name]), path.name
    licence = (BODY_FONTS / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Braille Institute" in licence


@pytest.mark.parametrize("name", sorted(_originals()))
def test_only_the_zero_changes_and_it_loses_the_slash(name: str) -> None:
    original, ours = TTFont(_originals()[name]), TTFont(BODY_FONTS / name)
    assert ours.getGlyphOrder() == original.getGlyphOrder()
    # The hyphens a hyphenated line ends in are the face's own hyphen...
    hyphen = original.getBestCmap()[0x2D]
    added = {code: hyphen for code in (0x2010, 0x2011)}
    assert 0x2010 not in original.getBestCmap()
    assert ours.getBestCmap() == {**original.getBestCmap(), **added}
    assert ours["hmtx"].metrics["zero"][0] == original["hmtx"].metrics["zero"][0]
    for glyph in original.getGlyphOrder():
        if glyph != "zero":
            assert _drawing(ours, glyph) == _drawing(original, glyph), glyph
            assert ours["hmtx"].metrics[glyph] == original["hmtx"].metrics[glyph], glyph

    slashed, slashed_ends = _outline(original, "zero")
    plain, plain_ends = _outline(ours, "zero")
    assert len(slashed_ends) == 3 and len(plain_ends) == 2
    # The oval is the same, point for point...
    oval = slashed_ends[0] + 1
    assert plain[: plain_ends[0] + 1] == slashed[:oval]
    counter, halves = set(plain[plain_ends[0] + 1 :]), slashed[oval:]
    # ...and the one counter runs through both halves' arcs, with a curve over
    # each of the two gaps the slash left: two points of its own, no more.
    assert len(counter - set(halves)) == 2
    assert len(set(halves) - counter) == 0
    # It says it is a modified version of the font (OFL, section 2).
    version = ours["name"].getDebugName(5)
    assert version is not None and "plain zero, hyphens" in version


def _embedded(pdf: Path) -> dict[str, TTFont]:
    """Each embedded TrueType font by name (as test_subset reads them)."""
    return {name: font for name, (font, _) in embedded_fonts(pdf).items()}


def test_a_handout_prints_the_plain_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Project(tmp_path).add(
        "zero.yaml",
        handout_text(
            "From 9:00 to 10:30",
            "Try it for 30 seconds, 10 times in 2026.",
            "  - type: paragraph\n    text: '**100 days**, *20 minutes*, 0 to 10.'\n",
        ),
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "zero"])
    assert result.exit_code == 0, result.output
    pdf = tmp_path / result.output.strip().splitlines()[0]
    fonts = _embedded(pdf)
    assert {
        "Atkinson-Hyperlegible",
        "Atkinson-Hyperlegible-Bold",
        "Atkinson-Hyperlegible-Italic",
    } <= set(fonts)
    files = {"Atkinson-Hyperlegible": "Regular", "Atkinson-Hyperlegible-Bold": "Bold"}
    files["Atkinson-Hyperlegible-Italic"] = "Italic"
    for name, style in files.items():
        embedded = fonts[name]
        outlines = [_outline(embedded, glyph) for glyph in embedded.getGlyphOrder()]
        ours = TTFont(BODY_FONTS / f"AtkinsonHyperlegible-{style}.ttf")
        slashed = _outline(TTFont(_originals()[f"AtkinsonHyperlegible-{style}.ttf"]), "zero")
        assert _outline(ours, "zero") in outlines, name
        assert slashed not in outlines, name
