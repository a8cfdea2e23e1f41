"""PDF stage, page quality: how well a laid-out document's pages break.

Read from WeasyPrint's boxes, as `placement` reads misplaced text: a page
left mostly empty, a heading stranded at the foot of a page, a paragraph
split so that one line stands alone, a one-page worksheet that spilled,
and text that comes too close to the footer's rule.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from generator.placement import FIELD_ATTRIBUTE

#: Below this share of its text area filled, a page (not the last) looks empty.
MIN_FILL = 0.30
#: A heading whose top is in this last share of the text area is stranded.
FOOT = 0.15
#: The least room (pt) between body text and the footer's rule.
FOOTER_GAP_PT = 6.0
_PX_PER_PT = 96 / 72
#: Elements whose lines are read as one paragraph.
_PARAGRAPHS = frozenset({"p", "li", "dd", "dt", "td", "th", "figcaption", "blockquote"})
_HEADINGS = frozenset({"h2", "h3", "h4"})


@dataclass(frozen=True)
class PageNote:
    """One way a page breaks badly, where, and the content it comes from."""

    #: "sparse", "stranded-heading", "lone-line", "spilled" or "near-footer".
    kind: str
    #: The page, from 1.
    page: int
    #: The `data-field` of the block it is in, or "".
    field: str
    #: The words it is about (a heading's, a line's), shortened, or "".
    text: str = ""


@dataclass
class _Walk:
    """What one page's walk gathers."""

    top: float
    bottom: float
    #: The bottom of the lowest line, picture or rule in the page's flow.
    lowest: float = 0.0
    #: Lines of each paragraph on this page, by element: (field, first words, count).
    lines: dict[int, tuple[str, str, int]] = field(default_factory=dict)
    #: Headings on the page: (top, bottom, field, words).
    headings: list[tuple[float, float, str, str]] = field(default_factory=list)


def page_quality(document: Any, *, one_page: bool) -> tuple[PageNote, ...]:
    """How a document's pages break; `one_page` when it is meant to fit one page."""
    from weasyprint.formatting_structure import boxes

    notes: list[PageNote] = []
    pages_of: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    # The reading ends before the first page set apart (or at the document's end).
    count = reading_pages(document)
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        top = page_box.content_box_y()
        walk = _Walk(top=top, bottom=top + page_box.height, lowest=top)
        for child in page_box.children:
            if not isinstance(child, boxes.MarginBox):
                _walk(walk, child, "")
        height = walk.bottom - walk.top
        if number < count and walk.lowest - walk.top < MIN_FILL * height:
            notes.append(PageNote("sparse", number, ""))
        rule = _footer_rule(page_box)
        if rule is not None and walk.lowest > rule - FOOTER_GAP_PT * _PX_PER_PT:
            notes.append(PageNote("near-footer", number, ""))
        for heading_top, heading_bottom, where, words in walk.headings:
            alone = walk.lowest <= heading_bottom + 1  # nothing under it on this page
            if number < count and alone and heading_top > walk.bottom - FOOT * height:
                notes.append(PageNote("stranded-heading", number, where, words))
        for element, (where, words, lines) in walk.lines.items():
            pages_of[element].append((number, where, words, lines))
    for fragments in pages_of.values():
        if len(fragments) > 1:
            notes.extend(
                PageNote("lone-line", number, where, words)
                for number, where, words, lines in fragments
                if lines == 1
            )
    if one_page and (spill := spilled(document)) is not None:
        notes.append(spill)
    return tuple(sorted(set(notes), key=lambda n: (n.page, n.kind, n.field)))


#: What a one-page worksheet's clinician edition sets on a page of its own, after
#: the client's page (templates/_handout.html): the notes for the clinician.
APART = "notes-apart"
#: What starts a page of its own after the reading pages, by design: the notes
#: set apart, and sheets of cards to cut out. The page before one is the last
#: page of the reading, which may be short; a one-page worksheet has these too.
OWN_PAGE = frozenset({APART, "pocket-cards"})


def _starts_own_page(page: Any) -> bool:
    """Whether a page begins with something set on pages of its own (`OWN_PAGE`)."""
    from weasyprint.formatting_structure import boxes

    flow = [c for c in page._page_box.children if not isinstance(c, boxes.MarginBox)]
    box = flow[0] if flow else None
    while box is not None and not isinstance(box, boxes.LineBox | boxes.TextBox):
        element = box.element
        if element is not None and OWN_PAGE & set((element.get("class") or "").split()):
            return True
        children = getattr(box, "children", ())
        box = children[0] if children else None
    return False


def spill_message(note: PageNote) -> str:
    """What a build and `check --pdf` say of a one-page worksheet that ran onto another page."""
    start = f" from \u201c{note.text}\u201d" if note.text else ""
    return (
        f"this handout is meant to fit one page (`one_page: true`), and runs onto page "
        f"{note.page}{start}; shorten it (its longest parts, its writing lines), or take out "
        "`one_page`"
    )


def spilled(document: Any) -> PageNote | None:
    """Where a document meant to fit one page runs onto another: the first line
    after the first page that is not in the clinician's notes set apart."""
    from weasyprint.formatting_structure import boxes

    def first(box: Any, where: str) -> tuple[str, str] | None:
        element = box.element
        if element is not None and not isinstance(box, boxes.TextBox):
            if OWN_PAGE & set((element.get("class") or "").split()):
                return None
            where = element.get(FIELD_ATTRIBUTE) or where
        if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
            return where, " ".join(_text(box).split())[:60]
        for child in getattr(box, "children", ()):
            if (found := first(child, where)) is not None:
                return found
        return None

    for number, page in enumerate(document.pages[1:], start=2):
        for child in page._page_box.children:
            if not isinstance(child, boxes.MarginBox) and (found := first(child, "")):
                return PageNote("spilled", number, found[0], found[1])
    return None


def _walk(walk: _Walk, box: Any, where: str, repeated: bool = False) -> None:
    """Note the page's lowest line, its headings and its paragraphs' lines. A table's
    header row repeats on every page it spans (`repeated`): it is not a paragraph split."""
    from weasyprint.formatting_structure import boxes

    element = box.element
    tag = ""
    if element is not None:
        where = element.get(FIELD_ATTRIBUTE) or where
        tag = str(element.tag).rsplit("}", 1)[-1]
    children = getattr(box, "children", ())
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox) or (
        isinstance(box, boxes.BlockBox) and not children
    ):
        walk.lowest = max(walk.lowest, box.position_y + box.margin_height())
    if isinstance(box, boxes.LineBox):
        return
    if tag in _HEADINGS and isinstance(box, boxes.BlockBox) and box.element_tag == tag:
        words = " ".join(_text(box).split())[:60]
        walk.headings.append((box.position_y, box.position_y + box.margin_height(), where, words))
    repeated = repeated or tag == "thead"
    if tag in _PARAGRAPHS and isinstance(box, boxes.BlockContainerBox) and not repeated:
        own = [c for c in children if isinstance(c, boxes.LineBox)]
        if own:
            key = id(element)
            first = " ".join(_text(own[0]).split())[:60]
            found = walk.lines.get(key)
            walk.lines[key] = (
                where,
                found[1] if found else first,
                len(own) + (found[2] if found else 0),
            )
    for child in children:
        _walk(walk, child, where, repeated)


def _text(box: Any) -> str:
    if hasattr(box, "text"):
        return str(box.text)
    return " ".join(_text(c) for c in getattr(box, "children", ()))


def _footer_rule(page_box: Any) -> float | None:
    """The top of the footer's rule: the highest top border in the page's bottom margin."""
    from weasyprint.formatting_structure import boxes

    found: list[float] = []

    def look(box: Any) -> None:
        if box.style["border_top_width"] and box.style["border_top_style"] != "none":
            found.append(box.border_box_y())
        for child in getattr(box, "children", ()):
            look(child)

    for child in page_box.children:
        if isinstance(child, boxes.MarginBox) and child.at_keyword.startswith("@bottom"):
            look(child)
    return min(found) if found else None


def reading_pages(document: Any) -> int:
    """How many pages the reading takes: those before the first page set apart
    (`OWN_PAGE`: cards to cut out, notes set apart), or all."""
    return next(
        (n for n, page in enumerate(document.pages) if n and _starts_own_page(page)),
        len(document.pages),
    )


def ends_with_sources_alone(document: Any) -> bool:
    """Whether the reading's last page, of several, holds nothing but the list of sources."""
    from weasyprint.formatting_structure import boxes

    last = reading_pages(document)
    if last < 2:
        return False
    seen = {"sources": 0, "other": 0}

    def look(box: Any, inside: bool) -> None:
        element = box.element
        if element is not None and not isinstance(box, boxes.TextBox):
            inside = inside or "sources" in (element.get("class") or "").split()
        if isinstance(box, boxes.LineBox):
            seen["sources" if inside else "other"] += 1
            return
        for child in getattr(box, "children", ()):
            look(child, inside)

    for child in document.pages[last - 1]._page_box.children:
        if not isinstance(child, boxes.MarginBox):
            look(child, False)
    return seen["sources"] > 0 and seen["other"] == 0
