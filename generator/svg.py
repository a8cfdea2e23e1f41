"""SVG images checked before layout by a streaming read: elements, points, depth, size, entities."""

from __future__ import annotations

import base64
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes
from xml.parsers import expat

from generator.raster import check_raster, too_many_bytes

#: An SVG's limits: its file, its elements (counting each one a `<use>` or a
#: `url(#…)` reference draws again), the points of its paths and shapes
#: (counted the same way), how deeply its elements nest, and its size.
MAX_SVG_BYTES = 1024 * 1024
MAX_SVG_ELEMENTS = 10_000
MAX_SVG_POINTS = 100_000
MAX_SVG_DEPTH = 50
MAX_SVG_SIDE = 20_000  # CSS pixels
#: Elements whose content WeasyPrint draws only where something refers to it.
_DEFINITIONS = frozenset(
    {"defs", "clipPath", "filter", "image", "marker", "mask", "path", "pattern", "symbol"}
)
_XLINK_HREF = "http://www.w3.org/1999/xlink}href"
_REFERENCE = re.compile(r"url\(\s*['\"]?[^'\")#]*#([^'\")\s]+)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_LENGTH = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-z%]*)\s*$", re.I)
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54}
_UNITS |= {"mm": 9.6 / 2.54, "q": 2.4 / 2.54, "em": 16.0, "ex": 8.0, "rem": 16.0}


def looks_like_svg(data: bytes, name: str) -> bool:
    """Whether a file is an SVG image by its name, or by how its text starts."""
    if Path(name).suffix.lower() == ".svg":
        return True
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"<") and b"<svg" in data[:65536]


@dataclass
class _Element:
    parent: int
    #: Whether its children are drawn where it stands (not those of <defs>,
    #: <pattern>, <marker>, <symbol>...: they are drawn where referred to).
    draws_children: bool = True
    children: list[int] = field(default_factory=list)
    #: The ids this element draws again: `<use href="#id">`, `fill="url(#id)"`...
    refs: list[str] = field(default_factory=list)
    points: int = 0


class _Refused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _NotSvg(Exception):
    """A file that only looked like an SVG (its first element is another)."""


def check_svg(data: bytes, name: str, *, sniffed: bool, nested: int = 0) -> str | None:
    """An SVG's problem; `sniffed`: it was only guessed to be one from its contents."""
    if len(data) > MAX_SVG_BYTES:
        return too_many_bytes(name, len(data), MAX_SVG_BYTES, "an SVG image")
    reader = _SvgReader(name, nested)
    try:
        reader.read(data)
        reader.check_sizes()
        reader.check_work()
    except _NotSvg as exc:
        if sniffed:
            return None
        return f"{name} is not an SVG image (its first element is <{exc}>); export it again"
    except _Refused as exc:
        if sniffed and not reader.elements:
            return None
        return exc.message
    return None


class _SvgReader:
    """A streaming read of an SVG that stops at the first limit it passes."""

    def __init__(self, name: str, nested: int):
        self.name = name
        self.nested = nested
        self.elements: list[_Element] = []
        self.ids: dict[str, int] = {}
        self.open: list[int] = []
        self.entities = False
        self.root_attributes: dict[str, str] = {}

    def refuse(self, message: str) -> _Refused:
        return _Refused(f"{self.name} {message}")

    def read(self, data: bytes) -> None:
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = self._entity
        parser.ExternalEntityRefHandler = self._external
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise self.refuse(
                f"is not a valid SVG image (line {exc.lineno}: "
                f"{expat.ErrorString(exc.code)}); export it again"
            ) from None

    def _entity(self, name: str, is_parameter: int, *_: object) -> None:
        # Entities are how a "billion laughs" file grows from kilobytes to
        # gigabytes, and how an external one reads another file: none is needed.
        raise self.refuse(
            f"declares XML entities (<!ENTITY {name} …>), which can make a small file "
            "expand without limit or read other files; remove the <!DOCTYPE …> part at "
            "its top, which an SVG image does not need"
        )

    def _external(self, *_: object) -> int:
        raise self.refuse(
            "refers to an external XML entity, which would read another file; remove "
            "the <!DOCTYPE …> part at its top"
        )

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        local = tag.rpartition("}")[2]
        if not self.elements:
            if local != "svg":
                raise _NotSvg(local)
            self.root_attributes = attributes
        if len(self.elements) >= MAX_SVG_ELEMENTS:
            raise self._too_many_elements(f"more than {MAX_SVG_ELEMENTS:,}")
        if len(self.open) >= MAX_SVG_DEPTH:
            raise self._too_deep(f"more than {MAX_SVG_DEPTH}")
        index = len(self.elements)
        element = _Element(self.open[-1] if self.open else -1, local not in _DEFINITIONS)
        if self.open:
            self.elements[self.open[-1]].children.append(index)
        self.elements.append(element)
        self.open.append(index)
        if (key := attributes.get("id")) is not None:
            self.ids.setdefault(key, index)
        href = attributes.get(_XLINK_HREF, attributes.get("href"))
        for attribute, value in attributes.items():
            element.refs += _REFERENCE.findall(value)
            if attribute in ("d", "points"):
                element.points += len(_NUMBER.findall(value)) // 2
        if href is not None:
            href = href.strip()
            if local == "use" and "#" in href:
                # Another file's element is not drawn, but this file may be
                # named in full: the id is looked for here either way.
                element.refs.append(href.rpartition("#")[2])
            elif local == "image" and href.startswith("data:"):
                self._check_embedded(href)

    def _end(self, tag: str) -> None:
        self.open.pop()

    def _check_embedded(self, href: str) -> None:
        """A picture written into the SVG as a data: address, checked like a file."""
        head, _, body = href.partition(",")
        try:
            data = (
                base64.b64decode(body, validate=False)
                if head.endswith(";base64")
                else unquote_to_bytes(body)
            )
        except ValueError:
            return
        inner = f"{self.name} (a picture inside it)"
        if looks_like_svg(data, ""):
            if self.nested >= 3:
                raise self.refuse("has SVG images inside SVG images more than 3 deep")
            problem = check_svg(data, inner, sniffed=False, nested=self.nested + 1)
        else:
            problem = check_raster(data, inner, decode=False, image=False)
        if problem:
            raise _Refused(problem)

    def _too_many_elements(self, count: str) -> _Refused:
        return self.refuse(
            f"draws {count} elements (counting each one a <use> or url(#…) repeats); "
            f"the limit is {MAX_SVG_ELEMENTS:,}: simplify it, or save it as a PNG"
        )

    def _too_deep(self, depth: str) -> _Refused:
        return self.refuse(
            f"nests elements {depth} deep (counting what <use> and url(#…) draw inside "
            f"others); the limit is {MAX_SVG_DEPTH}: flatten its groups, or save it as a PNG"
        )

    def check_sizes(self) -> None:
        """The picture's width, height and viewBox: numbers a page can hold."""
        for attribute in ("width", "height"):
            value = self.root_attributes.get(attribute, "")
            match = _LENGTH.match(value)
            if match is None:
                continue
            number, unit = float(match.group(1)), match.group(2).lower()
            pixels = number * _UNITS[unit] if unit in _UNITS else number
            if not math.isfinite(pixels) or abs(pixels) > MAX_SVG_SIDE:
                raise self.refuse(
                    f'has {attribute}="{value.strip()}"; the limit is {MAX_SVG_SIDE:,} '
                    "pixels: give it the size it is meant to print at, or leave "
                    f"{attribute} out"
                )
        box = self.root_attributes.get("viewBox")
        if box:
            numbers = [float(n) for n in _NUMBER.findall(box)]
            sides = numbers[2:4]
            if any(not math.isfinite(n) or abs(n) > 1e9 for n in numbers) or any(
                0 < side < 1e-6 for side in sides
            ):
                raise self.refuse(
                    f'has viewBox="{box.strip()[:80]}", with numbers too large or too '
                    "small to draw; export it again with a plain viewBox such as "
                    '"0 0 800 600"'
                )

    def check_work(self) -> None:
        """What drawing it takes, with every repeat drawn out: elements, points, depth.

        Two totals per element: drawn where it stands (the content of <defs>,
        patterns, markers and the like is not), and drawn where something
        refers to it. Each is counted once, after those of its children and
        of what it refers to (an iterative walk, so a long chain of references
        can't exhaust Python's stack); a reference back to an element being
        counted is a loop, which would draw for ever.
        """
        size = len(self.elements)
        if not size:
            return
        # [elements, points, depth], drawn in place and drawn when referred to
        placed = [(0, 0, 0)] * size
        whole = [(0, 0, 0)] * size
        state = [0] * size  # 0 new, 1 being counted, 2 done
        for start in range(size):
            if state[start]:
                continue
            stack = [start]
            while stack:
                index = stack[-1]
                if state[index] == 0:
                    state[index] = 1
                    for after in (*self.elements[index].children, *self._targets(index)):
                        if state[after] == 1:
                            raise self.refuse(
                                "has a <use> or url(#…) reference that leads back to "
                                "itself, which would draw for ever; remove the loop"
                            )
                        if state[after] == 0:
                            stack.append(after)
                    continue
                stack.pop()
                if state[index] == 2:
                    continue
                element = self.elements[index]
                own = _add((1, element.points, 0), [whole[t] for t in self._targets(index)])
                whole[index] = _add(own, [placed[c] for c in element.children])
                placed[index] = whole[index] if element.draws_children else own
                state[index] = 2
        elements, points, depth = placed[0]
        if depth > MAX_SVG_DEPTH:
            raise self._too_deep(f"more than {MAX_SVG_DEPTH}")
        if elements > MAX_SVG_ELEMENTS:
            raise self._too_many_elements(f"more than {MAX_SVG_ELEMENTS:,}")
        if points > MAX_SVG_POINTS:
            raise self.refuse(
                f"draws more than {MAX_SVG_POINTS:,} path points (counting each one a "
                f"<use> or url(#…) repeats); the limit is {MAX_SVG_POINTS:,}: simplify its "
                "paths, or save it as a PNG"
            )

    def _targets(self, index: int) -> list[int]:
        return [self.ids[ref] for ref in self.elements[index].refs if ref in self.ids]


def _add(first: tuple[int, int, int], others: list[tuple[int, int, int]]) -> tuple[int, int, int]:
    """Totals of an element and what it draws inside it: counts added, depth one more
    than the deepest; each held just past its limit, however far a bomb would go."""
    elements = first[0] + sum(other[0] for other in others)
    points = first[1] + sum(other[1] for other in others)
    depth = max(first[2], 1 + max((other[2] for other in others), default=0))
    return (
        min(elements, MAX_SVG_ELEMENTS + 1),
        min(points, MAX_SVG_POINTS + 1),
        min(depth, MAX_SVG_DEPTH + 1),
    )
