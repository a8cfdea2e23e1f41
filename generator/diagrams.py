"""Render stage, diagrams: each `diagram` block drawn for a print profile, with its alt text.

Zones, a ladder and a loop are drawn here; a cascade and paths, boxes joined
by arrows, in flows.py; the pen, words and canvas they share in drawing.py.
"""

from __future__ import annotations

import base64
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from generator.blockbase import BlockModel
from generator.diagram import Diagram, Stage
from generator.drawing import (
    MIN_BOX_EMS,
    Box,
    Canvas,
    DiagramTooTall,
    Pen,
    Point,
    Words,
    longest_word,
    pen_for,
)
from generator.errors import Problem, ProblemsError, display_path
from generator.flows import cascade, paths
from generator.fonts import text_width
from generator.geometry import POINTS_PER_INCH
from generator.markup import plain_inline
from generator.messages import Messages, fill
from generator.model import HandoutFile
from generator.options import RenderOptions
from generator.yamlfile import problem_at, read_yaml


def draw(diagram: Diagram, pen: Pen) -> str:
    """The diagram as an SVG document, at the pen's size and width."""
    match diagram.kind:
        case "zones":
            return _zones(diagram, pen)
        case "cascade":
            return cascade(diagram.stages, pen)
        case "ladder":
            return _ladder(diagram.steps, pen)
        case "loop":
            return _loop(diagram.steps, pen)
        case "paths":
            return paths(diagram.paths, diagram.start, diagram.marked(), pen)


# --- zones: bands, top to bottom --------------------------------------------------


def _zones(diagram: Diagram, pen: Pen) -> str:
    canvas = Canvas(pen)
    width = pen.width
    labels = [zone.label for zone in diagram.zones]
    label_room = min(max(_longest_line(labels, pen, bold=True), 0.28 * width), 0.42 * width)
    beside = width - label_room - 3 * pen.pad >= MIN_BOX_EMS * pen.size
    marked = diagram.marked()
    y = 0.0
    bands: list[tuple[Box, Words, Words | None, bool]] = []
    for number, zone in enumerate(diagram.zones):
        if beside:
            label = Words.of(pen, label_room, zone.label)
            notes = Words.of(pen, width - label_room - 3 * pen.pad, None, *zone.notes)
            height = max(label.height(pen), notes.height(pen)) + 2 * pen.pad
            bands.append((Box(0, y, width, height), label, notes, number == marked))
        else:
            words = Words.of(pen, width - 2 * pen.pad, zone.label, *zone.notes)
            height = words.height(pen) + 2 * pen.pad
            bands.append((Box(0, y, width, height), words, None, number == marked))
        y += height + pen.size * 0.3
    # The marked band last, so its stronger border is drawn over its neighbours'.
    for box, said, beside_it, is_marked in sorted(bands, key=lambda band: band[3]):
        canvas.box(box, Words(), marked=is_marked, fill=False)
        canvas.words(box.x + pen.pad, box.y + (box.h - said.height(pen)) / 2, said)
        if beside_it is not None:
            left = box.x + label_room + 2 * pen.pad
            canvas.words(left, box.y + (box.h - beside_it.height(pen)) / 2, beside_it)
    return canvas.svg(width)


def _longest_line(texts: Sequence[str], pen: Pen, *, bold: bool) -> float:
    return max((text_width(plain_inline(t), bold=bold) * pen.size for t in texts), default=0.0)


# --- ladder: graded steps, the lowest first ----------------------------------------------


def _ladder(steps: Sequence[str], pen: Pen) -> str:
    """A staircase: each step a box, set up and to the right of the one before."""
    canvas = Canvas(pen)
    count = len(steps)
    shift = min(pen.size * 1.8, 0.4 * pen.width / (count - 1))
    width = pen.width - shift * (count - 1)
    number_room = text_width(f"{count}.", bold=True) * pen.size + pen.pad
    room = width - 2 * pen.pad - number_room
    words = [Words.of(pen, room, None, step) for step in steps]
    heights = [w.height(pen) + 2 * pen.pad for w in words]
    y = 0.0
    # The highest step is drawn first, at the top; reading order is the step order
    # in the alt text, and the numbers say it on the page.
    for number in reversed(range(count)):
        box = Box(shift * number, y, width, heights[number])
        canvas.box(box, words[number], centred=False, indent=number_room)
        label = Words([(f"{number + 1}.", True)])
        canvas.words(box.x + pen.pad, box.y + (box.h - label.height(pen)) / 2, label)
        y += heights[number] - pen.stroke
    return canvas.svg(pen.width)


# --- loop: steps in a circle ------------------------------------------------------------


#: A loop of this many steps or fewer goes in a row, where its boxes fit one:
#: a row with an arrow back takes a third of the height of a circle.
LOOP_IN_A_ROW = 4


def _loop(steps: Sequence[str], pen: Pen) -> str:
    """Steps in a row with an arrow back, or around an ellipse, clockwise from the top.

    Around the ellipse, boxes are as wide as suits the words, narrowed until
    the ellipse can part them; where none can, the steps go top to bottom
    with an arrow back up.
    """
    count = len(steps)
    longest = longest_word(steps, pen.size, bold=False) + 2 * pen.pad
    across = (pen.width - (count - 1) * pen.gap) / count
    if count <= LOOP_IN_A_ROW and across >= max(MIN_BOX_EMS * pen.size, longest):
        return _loop_across(steps, pen, across)
    angles = [-math.pi / 2 + 2 * math.pi * i / count for i in range(count)]
    width = min(max(10 * pen.size, longest), pen.width / 2.3)
    while width >= max(MIN_BOX_EMS * pen.size, longest):
        words = [Words.of(pen, width - 2 * pen.pad, None, step) for step in steps]
        heights = [w.height(pen) + 2 * pen.pad for w in words]
        found = _loop_fit(angles, width, heights, pen)
        if found is not None:
            boxes, arcs = found
            canvas = Canvas(pen)
            for box, text in zip(boxes, words, strict=True):
                canvas.box(box, text)
            for arc in arcs:
                canvas.arrow(arc)
            return canvas.svg(pen.width)
        width -= pen.size
    return _loop_down(steps, pen)


def _loop_fit(
    angles: Sequence[float], width: float, heights: Sequence[float], pen: Pen
) -> tuple[list[Box], list[list[Point]]] | None:
    """The boxes and arrows of the flattest ellipse that parts the boxes, if one fits."""
    count = len(angles)
    rx = (pen.width - width) / 2
    ry = max(heights)
    while 2 * ry + max(heights) <= pen.room:
        boxes = _loop_boxes(angles, rx, ry, width, heights, pen.width / 2)
        clear = not any(
            boxes[i].meets(boxes[j], pen.size * 0.8)
            for i in range(count)
            for j in range(i + 1, count)
        )
        if clear:
            arcs = [_arc(rx, ry, pen.width / 2, angles, i, boxes, pen) for i in range(count)]
            if all(_length(arc) >= pen.size * 1.8 for arc in arcs):
                top = min(b.y for b in boxes)
                moved = [Box(b.x, b.y - top, b.w, b.h) for b in boxes]
                return moved, [[(x, y - top) for x, y in arc] for arc in arcs]
        ry += pen.size * 0.5
    return None


def _loop_across(steps: Sequence[str], pen: Pen, width: float) -> str:
    """The loop as a row: each step to the next, and from the last back under them to the first."""
    canvas = Canvas(pen)
    words = [Words.of(pen, width - 2 * pen.pad, None, step) for step in steps]
    height = max(w.height(pen) for w in words) + 2 * pen.pad
    boxes = [Box(n * (width + pen.gap), 0, width, height) for n in range(len(steps))]
    for box, text in zip(boxes, words, strict=True):
        canvas.box(box, text)
    for before, after in itertools.pairwise(boxes):
        canvas.arrow([(before.x + before.w, height / 2), (after.x, height / 2)])
    first, last = boxes[0].centre[0], boxes[-1].centre[0]
    under = height + pen.gap
    canvas.arrow([(last, height), (last, under), (first, under), (first, height)])
    return canvas.svg(pen.width)


def _loop_down(steps: Sequence[str], pen: Pen) -> str:
    """The loop as a column: each step down to the next, and the last back up to the first."""
    canvas = Canvas(pen)
    rail = pen.size * 2.0
    width = 0.75 * pen.width
    left = (pen.width - width - rail) / 2
    y = 0.0
    boxes: list[Box] = []
    for step in steps:
        words = Words.of(pen, width - 2 * pen.pad, None, step)
        box = Box(left, y, width, words.height(pen) + 2 * pen.pad)
        canvas.box(box, words)
        if boxes:
            canvas.arrow([(box.centre[0], y - pen.gap), (box.centre[0], y)])
        boxes.append(box)
        y = box.bottom + pen.gap
    first, last = boxes[0], boxes[-1]
    side = left + width + rail
    canvas.arrow(
        [
            (last.x + last.w, last.centre[1]),
            (side, last.centre[1]),
            (side, first.centre[1]),
            (first.x + first.w, first.centre[1]),
        ]
    )
    return canvas.svg(pen.width)


def _loop_boxes(
    angles: Sequence[float], rx: float, ry: float, width: float, heights: Sequence[float], cx: float
) -> list[Box]:
    return [
        Box(cx + rx * math.cos(a) - width / 2, ry * math.sin(a) - h / 2, width, h)
        for a, h in zip(angles, heights, strict=True)
    ]


def _arc(
    rx: float,
    ry: float,
    cx: float,
    angles: Sequence[float],
    number: int,
    boxes: Sequence[Box],
    pen: Pen,
) -> list[Point]:
    """The part of the ellipse between one box and the next, outside both."""
    start = angles[number]
    end = start + 2 * math.pi / len(angles)
    after = boxes[(number + 1) % len(boxes)]
    margin = pen.size * 0.3
    points = []
    for step in range(49):
        angle = start + (end - start) * step / 48
        point = (cx + rx * math.cos(angle), ry * math.sin(angle))
        if not boxes[number].holds(point, margin) and not after.holds(point, margin):
            points.append(point)
    return points if len(points) >= 2 else [(cx, 0.0), (cx, 0.0)]


def _length(points: Sequence[Point]) -> float:
    return sum(math.dist(a, b) for a, b in itertools.pairwise(points))


# --- alt text ----------------------------------------------------------------------------


def alt_text(diagram: Diagram, messages: Messages) -> str:
    """What the picture shows, for someone who can't see it: its kind, then its labels in order.

    The author's own `alt` wins; the words around the labels are the
    language's template messages, so a translated handout reads whole.
    """
    if diagram.alt:
        return plain_inline(diagram.alt)
    parts: list[str]
    match diagram.kind:
        case "zones":
            intro = fill(messages.diagram_zones, count=len(diagram.zones))
            parts = [_part(z.label, ", ".join(map(plain_inline, z.notes))) for z in diagram.zones]
        case "cascade":
            intro = fill(messages.diagram_cascade, count=len(diagram.stages))
            parts = [_stage_part(s, messages.diagram_or) for s in diagram.stages]
        case "ladder" | "loop":
            said = messages.diagram_ladder if diagram.kind == "ladder" else messages.diagram_loop
            intro = fill(said, count=len(diagram.steps))
            parts = [_sentence(f"{n}. {plain_inline(s)}") for n, s in enumerate(diagram.steps, 1)]
        case "paths":
            intro = fill(messages.diagram_paths, count=len(diagram.paths))
            parts = (
                [_sentence(fill(messages.diagram_start, label=plain_inline(diagram.start)))]
                if (diagram.start)
                else []
            )
            parts += [_part(p.label, "; ".join(map(plain_inline, p.steps))) for p in diagram.paths]
    return " ".join([intro, *parts])


def _part(label: str, rest: str) -> str:
    label = plain_inline(label)
    return _sentence(f"{label.rstrip(':')}: {rest}" if rest else label)


def _stage_part(stage: Stage, or_word: str) -> str:
    if not stage.branches:
        return _part(stage.label or "", plain_inline(stage.note or ""))
    labels = [plain_inline(b.label) for b in stage.branches]
    said = f"{', '.join(labels[:-1])} {or_word} {labels[-1]}"
    notes = [f"{plain_inline(b.label)}: {plain_inline(b.note)}" for b in stage.branches if b.note]
    return " ".join([_sentence(said), *map(_sentence, notes)])


def _sentence(text: str) -> str:
    """Text ending as a sentence does, without doubling its own stop."""
    text = text.strip()
    return text if text[-1:] in ".!?\u2026" else f"{text}."


# --- for the render stage ------------------------------------------------------------------


@dataclass(frozen=True)
class Drawing:
    """A diagram drawn for one print profile: its SVG as a data URL, and its alt text."""

    url: str
    alt: str


def drawings_for(
    item: HandoutFile,
    shown: Sequence[tuple[int, BlockModel]],
    footer_height: float,
    accent: str,
    messages: Messages,
    options: RenderOptions,
) -> dict[str, Drawing]:
    """Each diagram among the shown blocks drawn for this print profile, by its block's field.

    A drawing taller than the page's text area (less two lines for a caption)
    is an error at its block, as it would run off the page.
    """
    geometry = options.geometry
    room = (
        geometry.height
        - geometry.margins.top * POINTS_PER_INCH
        - footer_height
        - geometry.footer.clearance
        - 2 * geometry.body_size * geometry.body_leading
    )
    pen = pen_for(geometry, accent, ink_saver=options.ink_saver, room=room)
    drawings = {}
    for index, block in shown:
        if not isinstance(block, Diagram):
            continue
        try:
            svg = draw(block, pen)
        except DiagramTooTall as exc:
            raise ProblemsError([_too_tall(item, index, exc, options)]) from None
        url = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
        drawings[f"blocks[{index}]"] = Drawing(url, alt_text(block, messages))
    return drawings


def _too_tall(
    item: HandoutFile, index: int, exc: DiagramTooTall, options: RenderOptions
) -> Problem:
    """Where a diagram too tall for the page is, and what to do about it."""
    profile = "in large print" if options.large_print else "on this paper"
    message = (
        f"this diagram would be {exc.height / POINTS_PER_INCH:.1f} in tall {profile}, taller "
        f"than the {exc.room / POINTS_PER_INCH:.1f} in a page has for it; shorten its labels "
        "and notes, or give it fewer parts"
    )
    try:
        return problem_at(read_yaml(item.path), ["blocks", index], message)
    except ProblemsError:  # the file changed under the build: name the block without a line
        return Problem(path=display_path(item.path), message=message, field=f"blocks[{index}]")
