"""PDF stage, legibility: the footer's lines, the crisis line among them, read on every page.

A theme may change the footer's colour (`theme.py`); whatever a project's
styles do, this looks at what the layout made of them: each line of the
footer must be visible, drawn whole (no strike through it) and in a colour
that reads against what it is drawn on, at WCAG's 4.5:1 for text of its size.
"""

from __future__ import annotations

from typing import Any

#: WCAG 2.1 AA for text under 18 pt, as the footer's is.
MIN_CONTRAST = 4.5
#: An sRGB colour with its alpha, each from 0 to 1.
RGBA = tuple[float, float, float, float]
_WHITE: RGBA = (1.0, 1.0, 1.0, 1.0)


def unreadable_footer(document: Any) -> tuple[str, ...]:
    """What keeps a footer line from being read, each once, with its first page: ""
    for each line that reads. Text in the footer is the tool's and the project's own
    (the crisis line, the care note, the practice's details), never a person's name."""
    from weasyprint.formatting_structure import boxes

    found: dict[str, str] = {}
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        canvas = _canvas(page_box)
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                _walk(child, canvas, 1.0, number, found)
    return tuple(found.values())


def footer_message(line: str) -> str:
    """What to tell people of a footer line that can't be read."""
    return (
        f"the footer's {line}; every page's footer, with its crisis line, must be easy to "
        "read. A project stylesheet (theme: css) or template makes it so: give the footer a "
        "colour that reads on the page, and leave its lines whole"
    )


def _canvas(page_box: Any) -> RGBA:
    """What the page is painted with under everything: white paper, the @page
    background, then the root element's (or, without one, the body's)."""
    under = _over(_rgba(page_box.style["background_color"]), _WHITE)
    roots = [c for c in page_box.children if c.element_tag == "html"]
    if not roots:
        return under
    root = roots[0]
    colour = _rgba(root.style["background_color"])
    if colour[3] == 0:
        bodies = [c for c in root.children if getattr(c, "element_tag", None) == "body"]
        colour = _rgba(bodies[0].style["background_color"]) if bodies else colour
    return _over(colour, under)


def _walk(box: Any, backdrop: RGBA, opacity: float, page: int, found: dict[str, str]) -> None:
    from weasyprint.formatting_structure import boxes

    opacity *= float(box.style["opacity"])
    backdrop = _over(_rgba(box.style["background_color"]), backdrop)
    if isinstance(box, boxes.TextBox):
        text = box.text.strip()
        if text:
            problem = _problem(box, backdrop, opacity)
            if problem:
                line = text if len(text) <= 40 else text[:39] + "\u2026"
                found.setdefault(problem, f"\u201c{line}\u201d {problem} (page {page})")
        return
    if isinstance(box, boxes.ParentBox):
        if any(image != ("none", None) for image in box.style["background_image"]):
            backdrop = (-1.0, -1.0, -1.0, 1.0)  # a picture under the text: not judged here
        for child in box.children:
            _walk(child, backdrop, opacity, page, found)


def _problem(box: Any, backdrop: RGBA, opacity: float) -> str:
    style = box.style
    if style["visibility"] != "visible":
        return "is hidden"
    if "line-through" in (style["text_decoration_line"] or ()):
        return "is struck through"
    if backdrop[0] < 0:
        return "is drawn over a picture, which may hide it"
    colour = _rgba(style["color"])
    drawn = _over((*colour[:3], colour[3] * opacity), backdrop)
    ratio = contrast(drawn, backdrop)
    if ratio < MIN_CONTRAST:
        return (
            f"is {_hex(drawn)} on {_hex(backdrop)}, a contrast of {ratio:.2f}:1 "
            f"(it needs {MIN_CONTRAST}:1)"
        )
    return ""


def _rgba(colour: Any) -> RGBA:
    """A CSS colour as WeasyPrint computed it (tinycss2's), in sRGB."""
    srgb = colour.to("srgb")
    red, green, blue = (min(1.0, max(0.0, float(c))) for c in srgb.coordinates)
    return (red, green, blue, float(srgb.alpha))


def _over(top: RGBA, under: RGBA) -> RGBA:
    """A colour painted over another, as an opaque colour."""
    alpha = top[3]
    if alpha >= 1 or under[0] < 0:
        return top if alpha >= 1 else under
    mixed = (top[i] * alpha + under[i] * (1 - alpha) for i in range(3))
    red, green, blue = mixed
    return (red, green, blue, 1.0)


def contrast(first: RGBA, second: RGBA) -> float:
    """The WCAG 2.1 contrast ratio of two opaque sRGB colours (checked against
    coloraide's in the tests; that library is not loaded for every layout)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: RGBA) -> float:
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in colour[:3]
    )
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _hex(colour: RGBA) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in colour[:3])
