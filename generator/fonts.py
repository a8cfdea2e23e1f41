"""Fonts: the body typeface (Atkinson Hyperlegible) from its font package."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import fontpkg

BODY_FAMILY = "atkinson-hyperlegible"
# The body face's advance widths (regular and bold, in thousandths of an em),
# read from the font files once and checked against them by the tests: the
# render stage measures the footer with them, without loading a font.
WIDTHS = Path(__file__).resolve().parent / "data" / "body-font-widths.json"
# A character the face lacks is drawn from a fallback font: count it as a
# full em, wider than any letter of the face's own.
_MISSING_WIDTH = 1000


@dataclass(frozen=True)
class FontFace:
    """One @font-face rule's worth of facts."""

    family: str
    weight: int
    style: str
    url: str


@functools.cache
def body_font_faces() -> tuple[FontFace, ...]:
    """The body family's files as @font-face facts, regular to bold italic."""
    family = fontpkg.family(BODY_FAMILY)
    return tuple(
        FontFace(family.name, font.weight, font.style, Path(font.path).resolve().as_uri())
        for font in family.files
    )


@functools.cache
def font_folders() -> tuple[Path, ...]:
    """Folders the PDF stage may read font files from."""
    family = fontpkg.family(BODY_FAMILY)
    return tuple(sorted({Path(font.path).resolve().parent for font in family.files}))


@functools.cache
def _advance_widths(weight: str) -> dict[str, int]:
    widths: dict[str, int] = json.loads(WIDTHS.read_text(encoding="utf-8"))[weight]
    return widths


def text_width(text: str, *, bold: bool = False) -> float:
    """How wide text is set in the body face, in ems (kerning narrows it a little)."""
    widths = _advance_widths("700" if bold else "400")
    return sum(widths.get(char, _MISSING_WIDTH) for char in text) / 1000
