"""Render stage, diagrams: the two drawn as boxes joined by arrows, a cascade and paths.

A cascade's stages run left to right where each stage's box is wide enough
for its words, else top to bottom; paths stand side by side where each is,
else one after another. See drawing.py for the pen, words and canvas.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from generator.diagram import DiagramPath, Stage
from generator.drawing import MIN_BOX_EMS, Box, Canvas, Pen, Point, Words, longest_word

# --- cascade: stages with arrows ------------------------------------------------------


def cascade(stages: Sequence[Stage], pen: Pen) -> str:
    """Stages joined by arrows: across the page where each stage's column holds its
    longest word, else down it."""
    count = len(stages)
    gap = pen.gap * 1.4
    column = (pen.width - (count - 1) * gap) / count
    texts = [t or "" for s in stages for pair in _stage_boxes(s) for t in pair]
    longest = longest_word(texts, pen.size, bold=True)
    if column >= max(MIN_BOX_EMS * pen.size, longest + 2 * pen.pad):
        return _cascade_across(stages, pen, column, gap)
    return _cascade_down(stages, pen)


def _stage_boxes(stage: Stage) -> list[tuple[str | None, str | None]]:
    if stage.branches:
        return [(b.label, b.note) for b in stage.branches]
    return [(stage.label, stage.note)]


def _cascade_across(stages: Sequence[Stage], pen: Pen, column: float, gap: float) -> str:
    """Stages left to right; a stage's branches one above another."""
    canvas = Canvas(pen)
    room = column - 2 * pen.pad
    between = pen.size * 0.4
    columns = [
        [Words.of(pen, room, label, note) for label, note in _stage_boxes(stage)]
        for stage in stages
    ]
    heights = [[w.height(pen) + 2 * pen.pad for w in words] for words in columns]
    tallest = max(sum(h) + between * (len(h) - 1) for h in heights)
    placed: list[list[Box]] = []
    for number, (words, sizes) in enumerate(zip(columns, heights, strict=True)):
        x = number * (column + gap)
        y = (tallest - sum(sizes) - between * (len(sizes) - 1)) / 2
        boxes = []
        for text, height in zip(words, sizes, strict=True):
            box = Box(x, y, column, height)
            canvas.box(box, text)
            boxes.append(box)
            y += height + between
        placed.append(boxes)
    for before, after in itertools.pairwise(placed):
        _join(canvas, before, after, across=True)
    return canvas.svg(pen.width)


def _cascade_down(stages: Sequence[Stage], pen: Pen) -> str:
    """Stages top to bottom; a stage's branches side by side."""
    canvas = Canvas(pen)
    between = pen.size * 0.8
    y = 0.0
    placed: list[list[Box]] = []
    for stage in stages:
        pairs = _stage_boxes(stage)
        count = len(pairs)
        single = 0.7 * pen.width
        width = single if count == 1 else (pen.width - between * (count - 1)) / count
        words = [Words.of(pen, width - 2 * pen.pad, label, note) for label, note in pairs]
        height = max(w.height(pen) for w in words) + 2 * pen.pad
        left = (pen.width - single) / 2 if count == 1 else 0.0
        boxes = []
        for number, text in enumerate(words):
            box = Box(left + number * (width + between), y, width, height)
            canvas.box(box, text)
            boxes.append(box)
        placed.append(boxes)
        y += height + pen.gap
    for before, after in itertools.pairwise(placed):
        _join(canvas, before, after, across=False)
    return canvas.svg(pen.width)


def _join(canvas: Canvas, before: Sequence[Box], after: Sequence[Box], *, across: bool) -> None:
    """Arrows from one stage to the next: box to box, or through one fork where they branch.

    One box to several forks at a point in the gap and an arrow goes on to
    each; several into one meet at a point and go on as one arrow.
    """

    def leaving(box: Box) -> Point:
        return (box.x + box.w, box.centre[1]) if across else (box.centre[0], box.bottom)

    def arriving(box: Box) -> Point:
        return (box.x, box.centre[1]) if across else (box.centre[0], box.y)

    def fork(outer: Point, inner: Point) -> Point:
        # Two fifths of the way across the gap, level with the single box.
        if across:
            return (outer[0] + (inner[0] - outer[0]) * 0.4, outer[1])
        return (outer[0], outer[1] + (inner[1] - outer[1]) * 0.4)

    if len(before) == len(after):
        for start, end in zip(before, after, strict=True):
            canvas.arrow([leaving(start), arriving(end)])
    elif len(before) == 1:
        origin = leaving(before[0])
        point = fork(origin, arriving(after[0]))
        canvas.line([origin, point])
        for end in after:
            canvas.arrow([point, arriving(end)])
    elif len(after) == 1:
        target = arriving(after[0])
        point = fork(target, leaving(before[0]))
        for start in before:
            canvas.line([leaving(start), point])
        canvas.arrow([point, target])
    else:
        # Branches into other branches: each into a point between, then on to each.
        middle = _midpoint(
            _centre_of([leaving(b) for b in before]), _centre_of([arriving(a) for a in after])
        )
        for start in before:
            canvas.line([leaving(start), middle])
        for end in after:
            canvas.arrow([middle, arriving(end)])


def _centre_of(points: Sequence[Point]) -> Point:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _midpoint(a: Point, b: Point) -> Point:
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


# --- paths: side by side -------------------------------------------------------------------


def paths(paths: Sequence[DiagramPath], start: str | None, marked: int | None, pen: Pen) -> str:
    """Paths side by side where each column holds nine ems and its longest word,
    else one after another."""
    count = len(paths)
    gap = pen.size * 1.2
    column = (pen.width - (count - 1) * gap) / count
    texts = [t for p in paths for t in (p.label, *p.steps)]
    longest = longest_word(texts, pen.size, bold=True)
    if column >= max(9 * pen.size, longest + 2 * pen.pad):
        return _paths_across(paths, start, marked, pen, column, gap)
    return _paths_down(paths, start, marked, pen)


def _paths_across(
    paths: Sequence[DiagramPath],
    start: str | None,
    marked: int | None,
    pen: Pen,
    column: float,
    gap: float,
) -> str:
    """Each path a column of boxes; the boxes of one row the same height."""
    canvas = Canvas(pen)
    room = column - 2 * pen.pad
    y = 0.0
    if start:
        words = Words.of(pen, pen.width - 2 * pen.pad, start)
        top = Box(0, 0, pen.width, words.height(pen) + 2 * pen.pad)
        canvas.box(top, words)
        y = top.bottom + pen.gap
    rows = max(len(p.steps) for p in paths) + 1
    grid = [
        [Words.of(pen, room, p.label)] + [Words.of(pen, room, None, s) for s in p.steps]
        for p in paths
    ]
    for row in range(rows):
        cells = [column_words[row] for column_words in grid if row < len(column_words)]
        height = max(c.height(pen) for c in cells) + 2 * pen.pad
        for number, column_words in enumerate(grid):
            if row >= len(column_words):
                continue
            x = number * (column + gap)
            box = Box(x, y, column, height)
            is_marked = number == marked
            canvas.box(box, column_words[row], marked=is_marked, fill=row == 0 or is_marked)
            if row > 0 or start:  # from the box above, or from the start
                canvas.arrow([(x + column / 2, y - pen.gap), (x + column / 2, y)])
        y += height + pen.gap
    return canvas.svg(pen.width)


def _paths_down(
    paths: Sequence[DiagramPath], start: str | None, marked: int | None, pen: Pen
) -> str:
    """Paths one after another, each joined to the start by a line down the left."""
    canvas = Canvas(pen)
    rail = pen.size * 1.6 if start else 0.0
    width = pen.width - rail
    y = 0.0
    heads: list[float] = []
    start_bottom = 0.0
    if start:
        words = Words.of(pen, pen.width - 2 * pen.pad, start)
        top = Box(0, 0, pen.width, words.height(pen) + 2 * pen.pad)
        canvas.box(top, words)
        start_bottom = top.bottom
        y = top.bottom + pen.gap
    for number, path in enumerate(paths):
        is_marked = number == marked
        for row, text in enumerate([path.label, *path.steps]):
            words = (
                Words.of(pen, width - 2 * pen.pad, text)
                if row == 0
                else Words.of(pen, width - 2 * pen.pad, None, text)
            )
            box = Box(rail, y, width, words.height(pen) + 2 * pen.pad)
            canvas.box(box, words, marked=is_marked, fill=row == 0 or is_marked)
            if row == 0:
                heads.append(box.centre[1])
            else:
                canvas.arrow([(rail + width / 2, y - pen.gap), (rail + width / 2, y)])
            y = box.bottom + pen.gap
        y += pen.gap * 0.5
    if start:
        for head in heads:
            canvas.arrow([(rail / 2, start_bottom), (rail / 2, head), (rail, head)])
    return canvas.svg(pen.width)
