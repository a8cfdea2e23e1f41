"""Model stage: the `pocket_card` block, a small card to cut out and keep.

A practice short enough to carry: its title, how to stop, a few steps and
the crisis line, printed four to a page (two in large print) with lines to
cut along, on a page of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import Field, model_validator

from generator.blockbase import BlockModel, Loc
from generator.fields import Line, RichItem

#: Most steps a card holds, and most characters in all (title, stop and
#: steps): more would not fit a quarter of a page, or half of one in large print.
MAX_CARD_STEPS = 6
MAX_CARD_TEXT = 240


class PocketCard(BlockModel):
    """A small card to cut out and keep: four to a page, two in large print."""

    type: Literal["pocket_card"]
    title: Line
    #: How to stop, printed above the steps (the content guide asks for it first).
    stop: Line | None = None
    steps: list[RichItem] = Field(min_length=1, max_length=MAX_CARD_STEPS)
    #: Print the page's crisis line at the foot of each card.
    crisis: bool = True

    example = """\
# A pocket card: a short practice to cut out and keep, four to a page.
- type: pocket_card
  title: "Coming back to the room"
  stop: "Stop at any step. Keep your eyes open."
  steps:
    - "Name three things you can see."
    - "Listen for the nearest sound."
"""
    action = True
    tool = True
    always_practice = True
    # Its words are the card's, printed again on each copy: not a stretch of text.
    chunked = False
    # A card sheet takes a page of its own, after the handout and its sources.
    in_columns = False
    at_end = True

    @model_validator(mode="after")
    def _fits_a_card(self) -> PocketCard:
        size = len(self.title) + len(self.stop or "") + sum(len(step) for step in self.steps)
        if size > MAX_CARD_TEXT:
            raise ValueError(
                f"the card holds {size} characters; at most {MAX_CARD_TEXT} fit on a pocket "
                "card. Shorten its steps, or keep the longer version in the handout's steps"
            )
        return self

    def item_lists(self) -> Iterator[tuple[Loc, Sequence[str]]]:
        yield ("steps",), self.steps

    def lead_in(self) -> Iterator[tuple[Loc, str]]:
        yield ("title",), self.title
        if self.stop:
            yield ("stop",), self.stop

    def copies(self, *, large_print: bool) -> int:
        """How many cards a page holds: four, or two in large print."""
        return 2 if large_print else 4
