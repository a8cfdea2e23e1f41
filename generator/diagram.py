"""Model stage: the `diagram` block, a picture drawn from its labels (drawing.py draws it).

One block type with a `kind`, rather than five: each kind is a small set of
fields, and the validator says which of them a kind needs and which it
leaves unused, so a diagram changed from one kind to another is told what to
move.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from generator.blockbase import BlockModel, Loc
from generator.fields import Line, Model, Text, Whole, at_most


def _drawable(value: str) -> str:
    """Text a diagram can draw. WeasyPrint draws an SVG's text a letter at a time,
    so letters that join (Arabic), run right to left (Hebrew) or combine with
    marks (Devanagari, Thai) would print broken; accents are composed first."""
    composed = unicodedata.normalize("NFC", value)
    for char in composed:
        joins = unicodedata.bidirectional(char) in ("R", "AL")
        if joins or unicodedata.category(char) in ("Mn", "Mc", "Me"):
            raise ValueError(
                f"has {unicodedata.name(char, 'a character').lower()}: a diagram draws each "
                "letter on its own, so a script whose letters join, combine or run right to "
                "left would print broken. Give this idea as steps, a list or a table, which "
                "set such text properly"
            )
    from generator.fonts import body_lacks, describe

    lacking = body_lacks(composed)
    if lacking:
        raise ValueError(
            f"has {describe(lacking)} ({''.join(lacking[:5])}) that the handout's font does "
            "not have: a diagram draws its labels in that font alone, and another font "
            "would be this computer's. Write the label in words"
        )
    return composed


#: A label in a box: a few words, wrapped to the box.
Label = Annotated[
    Line,
    at_most(
        60, "a label in a diagram holds at most {limit}; put more in a note or the text around it"
    ),
    AfterValidator(_drawable),
]
#: A note under a label: one short sentence.
Note = Annotated[
    Line,
    at_most(100, "a note in a diagram holds at most {limit}; put more in the text around it"),
    AfterValidator(_drawable),
]

DiagramKind = Literal["zones", "cascade", "ladder", "loop", "paths"]

#: Each kind's fields, and how many of its parts it takes.
KIND_FIELDS: dict[str, tuple[str, int, int]] = {
    "zones": ("zones", 2, 5),
    "cascade": ("stages", 2, 6),
    "ladder": ("steps", 3, 8),
    "loop": ("steps", 3, 6),
    "paths": ("paths", 2, 3),
}
#: Fields only some kinds use, and which.
_ONLY_FOR = {
    "zones": ("zones",),
    "stages": ("cascade",),
    "steps": ("ladder", "loop"),
    "paths": ("paths",),
    "start": ("paths",),
    "highlight": ("zones", "paths"),
}


class Zone(Model):
    """One band of a `zones` diagram: a label, and a few signs of being there."""

    label: Label
    notes: list[Note] = Field(default_factory=list, max_length=4)


class Branch(Model):
    """One of the responses a cascade's stage may branch into."""

    label: Label
    note: Note | None = None


class Stage(Model):
    """One stage of a cascade: a labelled box, or two to four branches side by side."""

    label: Label | None = None
    note: Note | None = None
    branches: list[Branch] = Field(default_factory=list, max_length=4)

    @model_validator(mode="after")
    def _box_or_branches(self) -> Stage:
        if self.branches and (self.label or self.note):
            raise ValueError(
                "give a stage a `label` (and a `note`), or `branches`, not both; "
                "put the shared idea in the stage before"
            )
        if not self.branches and self.label is None:
            raise ValueError("a stage needs a `label`, or two to four `branches`")
        if len(self.branches) == 1:
            raise ValueError(
                "a stage branches into two to four `branches`; give one `label` instead"
            )
        return self


class DiagramPath(Model):
    """One path of a `paths` diagram: its name, then its steps, top to bottom."""

    label: Label
    steps: list[Note] = Field(min_length=1, max_length=6)


class Diagram(BlockModel):
    """A picture of an idea, drawn from its labels: zones, a cascade, a ladder, a loop or paths."""

    type: Literal["diagram"]
    kind: DiagramKind = Field(
        description="zones (bands, top to bottom), cascade (stages with arrows), ladder "
        "(graded steps, lowest first), loop (steps in a circle) or paths (side by side)"
    )
    zones: list[Zone] = Field(
        default_factory=list, description="zones: two to five bands, top first"
    )
    stages: list[Stage] = Field(default_factory=list, description="cascade: two to six stages")
    steps: list[Label] = Field(
        default_factory=list,
        description="ladder: three to eight steps, lowest first; loop: three to six",
    )
    start: Label | None = Field(
        None, description="paths: where every path starts, drawn above them"
    )
    paths: list[DiagramPath] = Field(default_factory=list, description="paths: two or three")
    highlight: Whole | None = Field(
        None,
        ge=0,
        le=5,
        description="zones or paths: the one to mark, counted from 1 (0: none); zones mark "
        "the middle one of an odd number unless told",
    )
    alt: Text | None = Field(
        None, description="What the picture shows, if not the labels read in order"
    )
    caption: Text | None = None

    example = """\
# A diagram, drawn from its labels. kind: zones, cascade, ladder, loop or paths.
# The alt text for screen readers is made from the labels (or give `alt:`).
- type: diagram
  kind: zones
  zones:
    - label: "Too much"
      notes: ["Racing heart", "On edge"]
    - label: "Within the window"
      notes: ["Able to think and feel"]
    - label: "Too little"
      notes: ["Numb", "Far away"]
  caption: "One way to picture this: the window of tolerance."
"""
    # Its labels are read with the picture, not as a stretch of running text.
    chunked = False
    visual = True
    # A diagram is as wide as the page's text: a column is too narrow for one.
    in_columns = False

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Diagram:
        field, least, most = KIND_FIELDS[self.kind]
        count = len(getattr(self, field))
        if not least <= count <= most:
            raise ValueError(
                f"a `{self.kind}` diagram needs {least} to {most} `{field}`; it has {count}"
            )
        for name, kinds in _ONLY_FOR.items():
            if self.kind not in kinds and getattr(self, name) not in (None, []):
                users = " or ".join(f"`{kind}`" for kind in kinds)
                raise ValueError(
                    f"`{name}` is for a {users} diagram, not a `{self.kind}` one; "
                    f"remove it, or move its words into `{field}`"
                )
        if self.highlight is not None and self.highlight > count:
            raise ValueError(
                f"`highlight` is {self.highlight}, but there are {count} `{field}`; "
                f"give a number from 1 to {count}"
            )
        return self

    def marked(self) -> int | None:
        """The zone or path drawn stronger, from 0: by default an odd number of zones' middle."""
        if self.highlight is not None:
            return self.highlight - 1 if self.highlight else None
        if self.kind == "zones" and len(self.zones) % 2:
            return len(self.zones) // 2
        return None

    def fragments(self) -> Iterator[tuple[Loc, str]]:
        if self.caption:
            yield ("caption",), self.caption
