"""Model stage: what every block is, the registry of block types, and how blocks nest.

A block type is a `BlockModel` subclass whose `type` is a literal (it
registers itself under that name; types of one shape share a model, as
section and subsection do) and a template, templates/blocks/<type>.html.
The list of types, the JSON Schema, the validation messages, the checks and
the starter handout all read the registry, `BLOCKS`. The built-in types are
in `blocks`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, ClassVar

from pydantic import Field

from generator.fields import MAX_ITEMS, Line, Model
from generator.registry import Family

#: A field's place inside a block, like ("items", 2).
Loc = tuple[str | int, ...]


class BlockModel(Model):
    """Fields every block has, and what the checks need to know of each type."""

    #: Check rules (like `wording.directive`) or words this block may use on
    #: purpose; `handouts check` stays quiet about them here.
    allow: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)
    #: The block's name in a file; each block type narrows it to its literal.
    type: str
    #: A practice the reader does in order, which the sequencing check reads
    #: (steps and worksheets always are): mark a list of things to try this way.
    practice: bool = False

    #: The starter handout's example of it: YAML, under a comment on what it is for.
    example: ClassVar[str] = ""
    #: Printed in the clinician edition only.
    clinician_only: ClassVar[bool] = False
    #: Its words count towards a stretch of text without a heading (structure.chunk).
    chunked: ClassVar[bool] = True
    #: Gives the reader something to do (structure.action).
    action: ClassVar[bool] = False
    #: A picture that carries an idea: a diagram or an image (structure.visual).
    visual: ClassVar[bool] = False
    #: Something the reader fills in or keeps: a worksheet, a card (structure.tool).
    tool: ClassVar[bool] = False
    #: Someone's own words, which the wording check leaves as they are.
    own_voice: ClassVar[bool] = False
    #: Always a practice done in order (steps, a worksheet's prompts).
    always_practice: ClassVar[bool] = False
    #: May stand in a column of a `columns` block (headings, worksheets and
    #: columns themselves may not).
    in_columns: ClassVar[bool] = True
    #: Printed after the sources, on pages of its own (a card to cut out), so
    #: the handout's reading pages stay together.
    at_end: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        BLOCKS.add(cls)

    def inner(self) -> Iterator[tuple[Loc, Sequence[BlockModel]]]:
        """The blocks inside this one, each list with its field (a column's blocks)."""
        return iter(())

    def starts_chunk(self) -> bool:
        """Whether it starts a new chunk of text under a heading (structure.chunk)."""
        return False

    @property
    def heading_level(self) -> int:
        """A heading's level in the handout's outline (1 a section, 2 a subsection),
        0 for any other block: a heading and what follows it, to the next heading
        of its level or above, are one part of the page (`outline`)."""
        return 0

    def prose(self) -> Iterator[tuple[Loc, str]]:
        """The running text it adds to readability, each with its field."""
        return iter(())

    def item_lists(self) -> Iterator[tuple[Loc, Sequence[str]]]:
        """Its lists, each with its field, as the list-length check counts them."""
        return iter(())

    def is_practice(self) -> bool:
        """Whether the sequencing check reads it as a practice."""
        return self.always_practice or self.practice

    def practice_steps(self) -> Iterator[tuple[Loc, str]]:
        """Its steps in the order the reader meets them, each with its field."""
        for loc, items in self.item_lists():
            for index, item in enumerate(items):
                yield (*loc, index), item

    def lead_in(self) -> Iterator[tuple[Loc, str]]:
        """What it prints before its steps (its title or introduction)."""
        title = getattr(self, "title", None)
        if isinstance(title, str):
            yield ("title",), title
        intro = getattr(self, "intro", None)
        if isinstance(intro, str):
            yield ("intro",), intro

    def fragments(self) -> Iterator[tuple[Loc, str]]:
        """Short texts that count as prose when each is a whole sentence: its list items."""
        for loc, items in self.item_lists():
            for index, item in enumerate(items):
                yield (*loc, index), item


BLOCKS: Family[BlockModel] = Family("type")

#: One block of any registered type.
Block = Annotated[BlockModel, BLOCKS]


def walk(blocks: Sequence[BlockModel], at: Loc = ("blocks",)) -> Iterator[tuple[Loc, BlockModel]]:
    """Every block with its field, each followed by the blocks inside it (in columns)."""
    for index, block in enumerate(blocks):
        loc = (*at, index)
        yield loc, block
        for field, inside in block.inner():
            yield from walk(inside, (*loc, *field))


def outline(blocks: Sequence[BlockModel]) -> tuple[list[int], int]:
    """How the blocks nest in parts: for each block, how many open parts end before it,
    and how many are still open after the last.

    A section's part holds the blocks after its heading, up to the next
    section; a subsection's, up to the next heading of either kind. A page
    tagged this way reads as a tree (Sect, H2, Sect, H3) to a screen reader.
    """
    open_levels: list[int] = []
    closes = []
    for block in blocks:
        ended = 0
        if block.heading_level:
            while open_levels and open_levels[-1] >= block.heading_level:
                open_levels.pop()
                ended += 1
            open_levels.append(block.heading_level)
        closes.append(ended)
    return closes, len(open_levels)
