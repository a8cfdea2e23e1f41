"""PDF stage, placement: text a laid-out page does not show, or sets in a font from this machine."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.files import digest


@dataclass(frozen=True)
class OffPage:
    """Text laid out where the page does not show it, and the content it comes from."""

    #: The `data-field` of the element it is in (see `FIELD_ATTRIBUTE`), or "".
    field: str
    #: Where it went: "page" (off the paper), "edge" (too near the paper's
    #: edge), "footer" (below the text area, over the footer), "clipped" (cut
    #: off by a box that hides what overflows it), "dropped" (on no page: a
    #: table's header or footer rows that do not fit on a page).
    where: str
    #: The first page it is on, from 1 (0: on none).
    page: int
    #: About how many of its characters are outside.
    chars: int


@dataclass(frozen=True)
class HostFont:
    """Text set in a font from this computer, not one the tool or the project bundles."""

    #: The font's family, as the computer names it; "" for characters no
    #: font has, printed as empty boxes (.notdef glyphs).
    family: str
    #: The font-family the style asked for, in order.
    asked: tuple[str, ...]
    #: The `data-field` of the element it is in, or "".
    field: str
    #: The first page it is on, from 1.
    page: int
    #: Some of the characters set in it: never from personal text.
    chars: str


#: How far (CSS px) text may stray past its area before it counts: glyphs
#: overhang their boxes a little (italics, accents, a line's leading).
_SLACK = 2.0
#: Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo,
#: Samaritan, Mandaic, and their presentation forms).
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: How near (CSS px) the paper's edge text may come: a quarter of an inch,
#: which printers may leave blank.
_EDGE = 24.0
#: The attribute templates mark content with: its field in the content file,
#: as `blocks[3].items[1]`, or `config:footer_note` for the project config.
FIELD_ATTRIBUTE = "data-field"
#: The class of personal text (a client's name): it may use the computer's
#: fonts (see fonts.py), and its characters are never reported.
PERSONAL_CLASS = "personal"

#: left, top, right, bottom, in CSS px from the page's top left corner
Area = tuple[float, float, float, float]


@dataclass
class _Page:
    """What the walk over one page's boxes knows, and what it found."""

    number: int
    paper: Area
    #: Keys of the fonts (in `document.fonts`) that the project does not bundle.
    foreign: frozenset[Any]
    #: Whether some characters had no font: the layout warned of .notdef glyphs.
    missing: bool
    fonts: dict[Any, Any]
    off_page: dict[tuple[str, str], OffPage]
    host_fonts: dict[tuple[str, str], HostFont]
    #: The elements that have a box on some page, by id.
    shown: set[int]


def misplaced(
    document: Any, missing: bool = False
) -> tuple[tuple[OffPage, ...], tuple[HostFont, ...]]:
    """Text a laid-out document shows nowhere, or sets in a font the project does not bundle.

    Walks every page's boxes: each piece of text must lie on the paper, clear
    of its edge, inside any box that hides what overflows it and, in the
    page's flow, above the bottom of its text area (the footer's place). A
    font counts as bundled when its file is one that an @font-face rule
    loaded, which the URL fetcher allows only from the tool's and the
    project's own folders; text in any other font is reported, except
    personal text. With `missing` (WeasyPrint warned of characters no font
    has), those are found too. Each field is reported once for each kind, at
    its first page.
    """
    from weasyprint.formatting_structure import boxes

    off_page: dict[tuple[str, str], OffPage] = {}
    host_fonts: dict[tuple[str, str], HostFont] = {}
    shown: set[int] = set()
    foreign = _host_font_keys(document)
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        text_area: Area = (left, top, left + page_box.width, top + page_box.height)
        paper: Area = (0.0, 0.0, page_box.margin_width(), page_box.margin_height())
        walk = _Page(number, paper, foreign, missing, document.fonts, off_page, host_fonts, shown)
        for child in page_box.children:
            # Margin boxes (the footer) hold no flow that could run into them.
            area = None if isinstance(child, boxes.MarginBox) else text_area
            _walk(walk, child, area, None, "", False)
    html = getattr(document, "_html", None)
    if html is not None:
        _dropped(html.etree_element, "", shown, off_page)
    return tuple(off_page.values()), tuple(host_fonts.values())


def _walk(
    page: _Page, box: Any, area: Area | None, clip: Area | None, field_name: str, personal: bool
) -> None:
    """Check a box's text and its children's, with what they inherit from its parents."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        if box.style["visibility"] == "visible" and box.text.strip():
            _check_place(page, box, area, clip, field_name)
            if (page.foreign or page.missing) and not personal:
                _check_fonts(page, box, field_name)
        return
    element = box.element
    if element is not None:
        page.shown.add(id(element))
        field_name = element.get(FIELD_ATTRIBUTE) or field_name
        personal = personal or PERSONAL_CLASS in (element.get("class") or "").split()
    if box.style["overflow"] != "visible" and not isinstance(box, boxes.MarginBox):
        x, y = box.padding_box_x(), box.padding_box_y()
        box_area = (x, y, x + box.padding_width(), y + box.padding_height())
        clip = box_area if clip is None else _intersection(clip, box_area)
    for child in box.all_children():
        _walk(page, child, area, clip, field_name, personal)


def _dropped(element: Any, field_name: str, shown: set[int], found: dict[Any, OffPage]) -> None:
    """Note table headers and footers with text that are on no page.

    WeasyPrint repeats them on every page a table is on, and leaves them out
    where they do not fit: one taller than a page is on none.
    """
    field_name = element.get(FIELD_ATTRIBUTE) or field_name
    if element.tag in ("thead", "tfoot") and id(element) not in shown:
        chars = sum(1 for c in "".join(element.itertext()) if not c.isspace())
        if chars:
            found.setdefault((field_name, "dropped"), OffPage(field_name, "dropped", 0, chars))
        return
    for child in element:
        if isinstance(child.tag, str):
            _dropped(child, field_name, shown, found)


def _intersection(a: Area, b: Area) -> Area:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _check_place(
    page: _Page, box: Any, area: Area | None, clip: Area | None, field_name: str
) -> None:
    """Note a text box the page does not show whole, with about how much of it is lost.

    Text off the paper, too near its edge (where printers leave it blank), cut
    off by its box, or (in the page's flow, `area` its text area) below the
    text area, over the footer. Text that strays a little into the side or
    top margin is still printed and read, and is let be.
    """
    width = box.width
    if _RIGHT_TO_LEFT.search(box.text):
        width = max(width, _drawn_width(box))
    left, right = box.position_x, box.position_x + width
    top, bottom = box.position_y, box.position_y + box.height
    paper = page.paper
    printed = (paper[0] + _EDGE, paper[1] + _EDGE, paper[2] - _EDGE, paper[3] - _EDGE)
    where, seen = "", paper
    if _outside(left, top, right, bottom, paper):
        where = "page"
    elif area is not None and bottom > area[3] + _SLACK:
        where, seen = "footer", area
    elif _outside(left, top, right, bottom, printed):
        where, seen = "edge", printed
    elif clip is not None and _outside(left, top, right, bottom, clip):
        where, seen = "clipped", clip
    if not where:
        return
    chars = len(box.text.strip())
    if width > 0 and (left < seen[0] or right > seen[2]):
        inside = max(0.0, min(right, seen[2]) - max(left, seen[0]))
        chars = round(chars * (1 - inside / width))
    chars = max(chars, 1)
    key = (field_name, where)
    known = page.off_page.get(key)
    if known is None:
        page.off_page[key] = OffPage(field_name, where, page.number, chars)
    else:
        page.off_page[key] = replace(known, chars=known.chars + chars)


def _drawn_width(box: Any) -> float:
    """How wide a text box is drawn: its text shaped alone, as WeasyPrint draws it.

    Right-to-left text broken inside a word is shaped again on its own, and its
    letters take other (often wider) forms than the line breaking measured.
    """
    from weasyprint.text.line_break import line_size

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        return float(line_size(line, box.style)[0])
    finally:
        layout.deactivate()


def _outside(left: float, top: float, right: float, bottom: float, area: Area) -> bool:
    return (
        left < area[0] - _SLACK
        or top < area[1] - _SLACK
        or right > area[2] + _SLACK
        or bottom > area[3] + _SLACK
    )


def _check_fonts(page: _Page, box: Any, field_name: str) -> None:
    """Note the characters of a text box set in fonts from this computer, or in none."""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.fonts import get_pango_font_key

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        encoded = layout.text.encode()
        run = line.runs
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            item = glyph_item.item
            text = encoded[item.offset : item.offset + item.length].decode(errors="replace")
            if page.missing:
                glyphs = glyph_item.glyphs
                unknown = pango.PANGO_GLYPH_UNKNOWN_FLAG
                missing = "".join(
                    chr(glyph - unknown)
                    for glyph in (glyphs.glyphs[i].glyph for i in range(glyphs.num_glyphs))
                    if glyph & unknown and glyph != pango.PANGO_GLYPH_EMPTY
                )
                if missing:
                    _note_font(page, "", box, field_name, missing)
            key = get_pango_font_key(item.analysis.font)[0]
            if key in page.foreign:
                _note_font(page, page.fonts[key].family, box, field_name, text)
    finally:
        layout.deactivate()


def _note_font(page: _Page, family: str, box: Any, field_name: str, text: str) -> None:
    """Note a field's text set in a font from this computer ("": in no font)."""
    key = (field_name, family)
    known = page.host_fonts.get(key)
    if known is None:
        asked = tuple(str(name) for name in box.style["font_family"])
        known = HostFont(family, asked, field_name, page.number, "")
    if len(known.chars) < 40:
        more = "".join(c for c in dict.fromkeys(text) if not c.isspace() and c not in known.chars)
        known = replace(known, chars=(known.chars + more)[:40])
    page.host_fonts[key] = known


#: Sizes and digests of the font files @font-face rules loaded, by path
#: (WeasyPrint writes each once).
_FACE_DIGESTS: dict[Path, tuple[int, str]] = {}


def _host_font_keys(document: Any) -> frozenset[Any]:
    """The fonts a drawn document uses whose files no @font-face rule of it loaded.

    WeasyPrint copies each font an @font-face rule loads (through the URL
    fetcher, so only from allowed folders) into its font configuration's
    folder; a font whose bytes are none of those came from the computer.
    """
    from weasyprint.text.ffi import harfbuzz
    from weasyprint.text.fonts import get_hb_object_data

    if not document.fonts:
        return frozenset()
    folder = getattr(document.font_config, "_folder", None)
    loaded: set[tuple[int, str]] = set()
    if folder is not None and Path(folder).is_dir():
        if len(_FACE_DIGESTS) > 256:
            _FACE_DIGESTS.clear()
        for path in Path(folder).iterdir():
            known = _FACE_DIGESTS.get(path)
            if known is None:
                known = _FACE_DIGESTS[path] = (path.stat().st_size, digest(path).hex())
            loaded.add(known)
    sizes = {size for size, _ in loaded}
    foreign = []
    for key, font in document.fonts.items():
        # The size first: a computer's font may be large, and is seldom the same size.
        blob = harfbuzz.hb_face_reference_blob(font.hb_face)
        size = harfbuzz.hb_blob_get_length(blob)
        harfbuzz.hb_blob_destroy(blob)
        if size in sizes:
            data = get_hb_object_data(font.hb_face) or b""
            if (size, hashlib.sha256(data).hexdigest()) in loaded:
                continue
        foreign.append(key)
    return frozenset(foreign)
