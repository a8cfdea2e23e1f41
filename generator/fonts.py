"""Fonts: the body typeface, the fallbacks for personal text, and what they can print.

Handouts are set in Atkinson Hyperlegible, in our copy with a plain zero
(data/fonts, made by scripts/body_font.py). A person's name (a client's, a
participant's) may be in any script, so personal text falls back to the
bundled Noto Sans (Latin, Greek, Cyrillic, Vietnamese) and Noto Sans Arabic,
then to the fonts this computer has. A name with a character none of them
can print is refused before anything is laid out.

Content in a script the body face lacks falls back to the same bundled
fonts, but never silently to the computer's: text set in a font that
neither the tool nor the project (with @font-face) bundles is found after
layout and reported where it comes from (placement.misplaced).
"""

from __future__ import annotations

import ctypes
import functools
import json
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fontpkg

#: The body face's family, as the stylesheets name it, and its files: regular
#: to bold italic, with the slash taken out of the zero (a lay reader can take
#: "3Ø" for a letter). OFL: the licence is beside them.
BODY_FAMILY = "Atkinson Hyperlegible"
BODY_FONTS = Path(__file__).resolve().parent / "data" / "fonts"
_BODY_FILES = (
    ("AtkinsonHyperlegible-Regular.ttf", 400, "normal"),
    ("AtkinsonHyperlegible-Italic.ttf", 400, "italic"),
    ("AtkinsonHyperlegible-Bold.ttf", 700, "normal"),
    ("AtkinsonHyperlegible-BoldItalic.ttf", 700, "italic"),
)
#: Font packages for personal text, in order, and the family name each gets in
#: our CSS: our own names, so an installed font of the same name never stands in.
FALLBACK_FAMILIES = (
    ("noto-sans", "Handouts Noto Sans"),
    ("noto-sans-arabic", "Handouts Noto Sans Arabic"),
)
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


def _faces(package: str, family: str) -> tuple[FontFace, ...]:
    found = fontpkg.family(package)
    faces = []
    for font in found.files:
        url = Path(font.path).resolve().as_uri()
        # WeasyPrint takes no weight range: a variable font is declared once for
        # each weight the templates use, and WeasyPrint sets its axis to it.
        for weight in [font.weight] if font.weight else [400, 700]:
            faces.append(FontFace(family, weight, font.style, url))
    return tuple(faces)


def body_font_files() -> tuple[tuple[Path, int, str], ...]:
    """The body face's files, each with its weight and style."""
    return tuple((BODY_FONTS / name, weight, style) for name, weight, style in _BODY_FILES)


@functools.cache
def body_font_faces() -> tuple[FontFace, ...]:
    """The body family's files as @font-face facts, regular to bold italic."""
    return tuple(
        FontFace(BODY_FAMILY, weight, style, path.as_uri())
        for path, weight, style in body_font_files()
    )


@functools.cache
def fallback_font_faces() -> tuple[FontFace, ...]:
    """The bundled fonts personal text falls back to, as @font-face facts."""
    return tuple(face for package, name in FALLBACK_FAMILIES for face in _faces(package, name))


def font_faces_for(
    personal: Iterable[str | None] = (), *, fallback: bool = False
) -> tuple[FontFace, ...]:
    """The faces a page needs: the body's, and the fallbacks if a name or the content needs them.

    The fallbacks are declared only when a name (or, with `fallback`, the
    page's content) has a character the body font lacks, so every other page
    stays exactly as it was, and quick to lay out.
    """
    if fallback or any(text and needs_fallback(text) for text in personal):
        return body_font_faces() + fallback_font_faces()
    return body_font_faces()


def declares_fallbacks(html: str) -> bool:
    """Whether a page's HTML declares the fallback fonts (see `font_faces_for`)."""
    return any(face.url in html for face in fallback_font_faces()[:1])


@functools.cache
def font_folders() -> tuple[Path, ...]:
    """Folders the PDF stage may read font files from."""
    fallbacks = {
        Path(font.path).resolve().parent
        for package, _ in FALLBACK_FAMILIES
        for font in fontpkg.family(package).files
    }
    return tuple(sorted({BODY_FONTS, *fallbacks}))


def _coverage(paths: Iterable[Path]) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for path in paths:
        with TTFont(path, lazy=True) as opened:
            covered.update(opened.getBestCmap() or {})
    return frozenset(covered)


@functools.cache
def _body_coverage() -> frozenset[int]:
    return _coverage(path for path, _, _ in body_font_files())


@functools.cache
def _bundled_coverage() -> frozenset[int]:
    covered = set(_body_coverage())
    for package, _ in FALLBACK_FAMILIES:
        covered |= _coverage(Path(font.path) for font in fontpkg.family(package).files)
    return frozenset(covered)


def _printed(char: str) -> bool:
    """Whether a character needs a glyph: spaces and joiners don't."""
    return not char.isspace() and unicodedata.category(char) not in ("Cf", "Mn", "Me")


def needs_fallback(text: str) -> bool:
    """Whether some character of a name is not in the body font."""
    if text.isascii():
        # The body font covers every printable ASCII character.
        return False
    body = _body_coverage()
    return any(ord(char) not in body for char in text if _printed(char))


def unprintable(text: str) -> list[str]:
    """The characters of a name that no bundled or installed font can print."""
    if text.isascii():
        return []
    bundled = _bundled_coverage()
    missing = [c for c in dict.fromkeys(text) if _printed(c) and ord(c) not in bundled]
    return [c for c in missing if not _system_font_has(ord(c))]


def describe(chars: Iterable[str]) -> str:
    """What kind of characters these are, without showing them (they are personal)."""
    kinds = dict.fromkeys(_kind(char) for char in chars)
    return ", ".join(kinds)


def _kind(char: str) -> str:
    name = unicodedata.name(char, "")
    category = unicodedata.category(char)
    if name.startswith(("CJK", "KANGXI", "IDEOGRAPHIC")):
        return "Chinese, Japanese or Korean characters"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "Japanese kana"
    if name.startswith("HANGUL"):
        return "Korean Hangul"
    if category.startswith("S") or ord(char) >= 0x1F000:
        return "emoji or symbols"
    if category == "Co":
        return "private-use characters"
    script = name.split(" ", 1)[0].capitalize() if name else ""
    return f"{script} script" if script else "characters with no Unicode name"


@functools.cache
def _advance_widths(weight: str) -> dict[str, int]:
    widths: dict[str, int] = json.loads(WIDTHS.read_text(encoding="utf-8"))[weight]
    return widths


def body_lacks(text: str) -> list[str]:
    """The characters the body face has no glyph for (it would fall back to another font)."""
    if text.isascii():
        return []
    widths = _advance_widths("400")  # one for each character the face has
    return [c for c in dict.fromkeys(text) if _printed(c) and c not in widths]


def text_width(text: str, *, bold: bool = False) -> float:
    """How wide text is set in the body face, in ems (kerning narrows it a little)."""
    widths = _advance_widths("700" if bold else "400")
    return sum(widths.get(char, _MISSING_WIDTH) for char in text) / 1000


# --- fonts installed on this computer, through fontconfig ---------------------


class _FontSet(ctypes.Structure):
    _fields_ = [
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.c_void_p),
    ]


@functools.cache
def _fontconfig() -> Any | None:
    """The fontconfig library (which Pango, and so WeasyPrint, picks fonts with)."""
    names = {
        "darwin": ("libfontconfig.1.dylib",),
        "win32": ("libfontconfig-1.dll", "fontconfig-1.dll"),
    }.get(sys.platform, ("libfontconfig.so.1",))
    for name in names:
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        pointer = ctypes.c_void_p
        lib.FcGetVersion.restype = ctypes.c_int
        lib.FcCharSetCreate.restype = pointer
        lib.FcCharSetAddChar.argtypes = [pointer, ctypes.c_uint32]
        lib.FcCharSetDestroy.argtypes = [pointer]
        lib.FcPatternCreate.restype = pointer
        lib.FcPatternAddCharSet.argtypes = [pointer, ctypes.c_char_p, pointer]
        lib.FcPatternAddBool.argtypes = [pointer, ctypes.c_char_p, ctypes.c_int]
        lib.FcPatternDestroy.argtypes = [pointer]
        lib.FcObjectSetCreate.restype = pointer
        lib.FcObjectSetAdd.argtypes = [pointer, ctypes.c_char_p]
        lib.FcObjectSetDestroy.argtypes = [pointer]
        lib.FcFontList.restype = ctypes.POINTER(_FontSet)
        lib.FcFontList.argtypes = [pointer, pointer, pointer]
        lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(_FontSet)]
        return lib
    return None


@functools.cache
def _system_font_has(codepoint: int) -> bool:
    """Whether an installed font that prints in black can print this character.

    Colour emoji fonts are left out: WeasyPrint draws their glyphs blank.
    """
    lib = _fontconfig()
    if lib is None:
        return False
    charset = lib.FcCharSetCreate()
    pattern = lib.FcPatternCreate()
    objects = lib.FcObjectSetCreate()
    try:
        lib.FcCharSetAddChar(charset, codepoint)
        lib.FcPatternAddCharSet(pattern, b"charset", charset)
        # The "color" property is known from fontconfig 2.13.
        if lib.FcGetVersion() >= 21300:
            lib.FcPatternAddBool(pattern, b"color", 0)
        lib.FcObjectSetAdd(objects, b"family")
        fonts = lib.FcFontList(None, pattern, objects)
        if not fonts:
            return False
        try:
            return bool(fonts.contents.nfont > 0)
        finally:
            lib.FcFontSetDestroy(fonts)
    finally:
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
        lib.FcCharSetDestroy(charset)
