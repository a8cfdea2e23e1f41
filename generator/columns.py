"""Model stage: the `columns` block, two or three columns of other blocks side by side.

Registered after every other built-in type (blocks.py imports it last), and
rebuilt with the registry, since a column may hold any type but a heading,
a worksheet or another `columns`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import Field, model_validator

from generator.blockbase import Block, BlockModel, Loc
from generator.fields import Line, Model
from generator.registry import follows_registry

#: Most blocks one column of a `columns` block holds.
MAX_IN_COLUMN = 12


@follows_registry
class Column(Model):
    """One column of a `columns` block: blocks, read top to bottom."""

    blocks: list[Block] = Field(min_length=1, max_length=MAX_IN_COLUMN)


@follows_registry
class Columns(BlockModel):
    """Two or three columns side by side, each a few blocks: a triage, a sidebar.

    Large print, and columns too narrow for a reader to follow, set them one
    after another in reading order (`fit.stacked`).
    """

    type: Literal["columns"]
    title: Line | None = None
    columns: list[Column] = Field(min_length=2, max_length=3)

    example = """\
# Columns: two or three side by side, each a few blocks (large print stacks them).
- type: columns
  columns:
    - blocks:
        - type: paragraph
          text: "**If it is mild:** rest, and try one small step."
    - blocks:
        - type: callout
          tone: safety
          title: "If it is severe"
          text: "Call your crisis line, or someone you trust, now."
"""
    in_columns = False

    @model_validator(mode="after")
    def _blocks_that_fit_a_column(self) -> Columns:
        for number, column in enumerate(self.columns):
            for place, block in enumerate(column.blocks):
                if not block.in_columns:
                    raise ValueError(
                        f"columns[{number}].blocks[{place}] is a `{block.type}`, which can't "
                        "go in a column; put headings, worksheets and columns before or "
                        "after the `columns` block"
                    )
        return self

    def inner(self) -> Iterator[tuple[Loc, Sequence[BlockModel]]]:
        for number, column in enumerate(self.columns):
            yield ("columns", number, "blocks"), column.blocks
