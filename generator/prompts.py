"""Model stage: the kinds of prompt a worksheet asks, each declared once, in a registry.

A kind is a `PromptModel` subclass whose `kind` is one literal; the
worksheet template (templates/blocks/worksheet.html) draws each kind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from generator.fields import Line, Model, Rich, Text, Whole
from generator.registry import Family


class PromptModel(Model):
    """Fields every worksheet prompt has; a subclass whose `kind` is one literal is a kind."""

    #: The prompt's kind in a file; each kind narrows it to its literal.
    kind: str
    text: Rich

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        PROMPTS.add(cls)

    def boxes(self) -> int:
        """How many boxes the page draws for the answer, each a piece of the handout's size."""
        return 0

    def rows(self) -> int:
        """About how many lines of the page its answer takes."""
        return 2


PROMPTS: Family[PromptModel] = Family("kind")

#: One prompt of any registered kind.
Prompt = Annotated[PromptModel, PROMPTS]


class LinesPrompt(PromptModel):
    """A question answered on blank writing lines."""

    kind: Literal["lines"]
    lines: Whole = Field(default=3, ge=1, le=20)
    #: A short answer (a date, a name) on a line after the prompt's words, not under them.
    inline: bool = False

    @model_validator(mode="before")
    @classmethod
    def _inline_takes_one_line(cls, data: Any) -> Any:
        # An inline answer is one line: it need not say so.
        if isinstance(data, dict) and data.get("inline") is True and "lines" not in data:
            return {**data, "lines": 1}
        return data

    @model_validator(mode="after")
    def _inline_is_one_line(self) -> LinesPrompt:
        if self.inline and self.lines != 1:
            raise ValueError(
                "an `inline` answer is one line; leave out `lines`, give `lines: 1`, "
                "or leave out `inline`"
            )
        return self

    def boxes(self) -> int:
        return self.lines

    def rows(self) -> int:
        return 0 if self.inline else self.lines  # inline: on the prompt's own line


class CheckboxesPrompt(PromptModel):
    """A question answered by ticking any of several options."""

    kind: Literal["checkboxes"]
    options: list[Text] = Field(min_length=1, max_length=12)
    #: A last option with room to write what it is, such as "Something else":
    #: a line on paper, a text field in a fillable PDF.
    other: Line | None = None

    def boxes(self) -> int:
        return 1 if self.other else 0  # the line to write on

    def rows(self) -> int:
        count = len(self.options) + (1 if self.other else 0)
        return (count + 1) // 2  # two columns


class ScalePrompt(PromptModel):
    """A question answered by circling a number from 0 to 10."""

    kind: Literal["scale"]
    low: Line
    high: Line

    def boxes(self) -> int:
        return 11  # 0 to 10


#: A worksheet of about this many lines or fewer fits on a page; a longer one
#: breaks between its prompts, where the page ends.
WHOLE_ROWS = 20


def fits_a_page(prompts: Sequence[PromptModel], headings: int) -> bool:
    """Whether prompts (under this many lines of title and introduction) fit a page."""
    return sum(1 + p.rows() for p in prompts) + headings <= WHOLE_ROWS
