"""Fonts: the body typeface (Atkinson Hyperlegible) from its font package."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import fontpkg

BODY_FAMILY = "atkinson-hyperlegible"


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
