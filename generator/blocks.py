"""Model stage: the built-in block types, each declared once (see `blockbase`).

Each is a `BlockModel` subclass whose `type` is a literal, with a template,
templates/blocks/<type>.html; `Heading` is two types of one shape.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import Field, model_validator

# The registry and the base, re-exported: taken from here, they come with
# every built-in type registered.
from generator.blockbase import BLOCKS as BLOCKS
from generator.blockbase import Block as Block
from generator.blockbase import BlockModel as BlockModel
from generator.blockbase import Loc
from generator.blockbase import outline as outline
from generator.blockbase import walk as walk
from generator.errors import counted
from generator.fields import MAX_ITEMS, Line, Model, Rich, RichItem, Text
from generator.prompts import CheckboxesPrompt, Prompt, fits_a_page
from generator.registry import follows_registry


class Heading(BlockModel):
    """A heading that starts a new chunk and a new part of the page: a section,
    or a subsection, a smaller heading inside a section. One shape, two levels."""

    type: Literal["section", "subsection"]
    title: Line

    example = """\
# A section starts a new chunk under a heading. A subsection is a smaller
# heading inside a section, such as one of several options, with its own text.
- type: section
  title: "A heading that says what comes next"
- type: subsection
  title: "One thing that can help"
"""
    chunked = False
    in_columns = False

    @property
    def heading_level(self) -> int:
        return 1 if self.type == "section" else 2

    def starts_chunk(self) -> bool:
        return True


class Paragraph(BlockModel):
    """A paragraph of inline text."""

    type: Literal["paragraph"]
    text: Rich

    example = """\
# A paragraph: a few short sentences about one idea.
- type: paragraph
  text: >-
    Start with why this matters to the reader. Keep each sentence short.
    One idea per sentence is easiest to read.
"""

    def prose(self) -> Iterator[tuple[Loc, str]]:
        yield ("text",), self.text


class ItemsBlock(BlockModel):
    """A list of short items under an optional title: the shape of lists, steps and key points."""

    title: Line | None = None
    items: list[RichItem] = Field(min_length=1, max_length=MAX_ITEMS)

    def item_lists(self) -> Iterator[tuple[Loc, Sequence[str]]]:
        yield ("items",), self.items


class TitledList(Model):
    """One titled list inside a group."""

    title: Line
    items: list[RichItem] = Field(min_length=1, max_length=MAX_ITEMS)


#: Most columns a comparison has: a fifth would be too narrow to read.
MAX_COMPARED = 4


class CompareColumn(Model):
    """One labelled side of a comparison."""

    label: Line
    items: list[RichItem] = Field(min_length=1, max_length=MAX_ITEMS)


class BulletList(ItemsBlock):
    """A bulleted list with an optional title."""

    type: Literal["list"]

    example = """\
# A list: up to seven short items.
- type: list
  title: "Things you might notice"
  items:
    - "A first thing"
    - "A second thing"
"""


class ListGroup(BlockModel):
    """Several short titled lists shown side by side, such as body and thoughts."""

    type: Literal["list_group"]
    title: Line | None = None
    lists: list[TitledList] = Field(min_length=2, max_length=8)

    example = """\
# A list group: short titled lists side by side, under a heading if you like.
- type: list_group
  title: "How it can show up"
  lists:
    - title: "In your body"
      items: ["Tired", "Tense"]
    - title: "In your thoughts"
      items: ["Busy", "Blank"]
"""

    def item_lists(self) -> Iterator[tuple[Loc, Sequence[str]]]:
        for number, group in enumerate(self.lists):
            yield ("lists", number, "items"), group.items


class Steps(ItemsBlock):
    """Numbered steps the reader can follow."""

    type: Literal["steps"]

    example = """\
# Steps: things the reader can do, in order.
- type: steps
  title: "Small steps you might try"
  items:
    - "**Notice.** Pause for a moment, if it feels okay."
    - "**Choose.** Pick one small thing to try."
"""
    action = True
    always_practice = True


class Callout(BlockModel):
    """A boxed note; the tone sets its label and border, never colour alone."""

    type: Literal["callout"]
    tone: Literal["info", "gentle", "safety"] = "info"
    title: Line | None = None
    text: Rich

    example = """\
# A callout: info, gentle or safety. Say what to do if something is too much.
- type: callout
  tone: gentle
  text: "You can stop at any time. You can come back to this later, or with your therapist."
"""

    def prose(self) -> Iterator[tuple[Loc, str]]:
        yield ("text",), self.text


class Compare(BlockModel):
    """Labelled columns side by side, such as reacting and responding: `left` and
    `right`, or two to four `columns`."""

    type: Literal["compare"]
    title: Line | None = None
    left: CompareColumn | None = None
    right: CompareColumn | None = None
    columns: list[CompareColumn] = Field(default_factory=list, max_length=MAX_COMPARED)

    example = """\
# A comparison: two labelled columns (or `columns:`, two to four of them).
- type: compare
  left:
    label: "One way"
    items: ["Fast", "Automatic"]
  right:
    label: "Another way"
    items: ["Slower", "On purpose"]
"""

    @model_validator(mode="after")
    def _two_to_four_sides(self) -> Compare:
        pair = (self.left, self.right)
        if any(pair) and self.columns:
            raise ValueError("give `left` and `right`, or `columns`, not both")
        if any(pair) and not all(pair):
            raise ValueError("give both `left` and `right`, or two to four `columns`")
        if not any(pair) and len(self.columns) < 2:
            raise ValueError(
                f"a comparison needs two to {MAX_COMPARED} labelled `columns` (or `left` "
                f"and `right`); it has {len(self.columns)}"
            )
        return self

    def sides(self) -> list[tuple[Loc, CompareColumn]]:
        """Each column, with its field."""
        if self.left is not None and self.right is not None:
            return [(("left",), self.left), (("right",), self.right)]
        return [(("columns", number), column) for number, column in enumerate(self.columns)]

    def item_lists(self) -> Iterator[tuple[Loc, Sequence[str]]]:
        for loc, column in self.sides():
            yield (*loc, "items"), column.items


class Table(BlockModel):
    """A table with a required header row and any number of columns."""

    type: Literal["table"]
    caption: Line | None = None
    header: list[Text] = Field(min_length=1, max_length=20)
    rows: list[list[Rich]] = Field(min_length=1, max_length=MAX_ITEMS)

    example = """\
# A table: a header row, then rows with one cell per column.
- type: table
  header: ["When", "What might help"]
  rows:
    - ["Morning", "A glass of water"]
    - ["Evening", "A short walk"]
"""
    # A table is read row by row, not as a stretch of running text.
    chunked = False

    @model_validator(mode="after")
    def _rows_match_header(self) -> Table:
        width = len(self.header)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"row {number} has {counted(len(row), 'cell')} but the header has {width}; "
                    "give every row one cell per column"
                )
        return self

    def fragments(self) -> Iterator[tuple[Loc, str]]:
        """Cells: a cell that is a whole sentence is read as prose (hard text in a table
        reads no easier for being in one)."""
        for number, row in enumerate(self.rows):
            for column, cell in enumerate(row):
                yield ("rows", number, column), cell


class Definition(BlockModel):
    """A term the reader needs, with its meaning in plain words."""

    type: Literal["definition"]
    term: Line
    meaning: Rich

    example = """\
# A definition: a word the reader needs, in plain words.
- type: definition
  term: "A word to explain"
  meaning: "What it means, in the words you would use in session."
"""

    def prose(self) -> Iterator[tuple[Loc, str]]:
        yield ("meaning",), self.meaning


class KeyPoints(ItemsBlock):
    """The short summary a reader can take away."""

    type: Literal["key_points"]

    example = """\
# Key points: the few things to remember.
- type: key_points
  items:
    - "The main idea, in one line."
    - "What the reader can do."
"""

    def starts_chunk(self) -> bool:
        return True


class Quote(BlockModel):
    """Words in someone's voice, with who said them."""

    type: Literal["quote"]
    text: Text
    who: Line | None = None

    example = """\
# A quote: words in someone's voice.
- type: quote
  text: "I can take this one step at a time."
  who: "A common thought"
"""
    own_voice = True

    def prose(self) -> Iterator[tuple[Loc, str]]:
        yield ("text",), self.text


@follows_registry
class Worksheet(BlockModel):
    """Prompts the reader answers on the page."""

    type: Literal["worksheet"]
    title: Line | None = None
    intro: Rich | None = None
    prompts: list[Prompt] = Field(min_length=1, max_length=MAX_ITEMS)

    example = """\
# A worksheet: prompts answered on lines, by ticking boxes, or on a 0 to 10 scale.
- type: worksheet
  title: "Your turn"
  intro: "Fill in any part, or none."
  prompts:
    - kind: scale
      text: "How much energy do you have today?"
      low: "very low"
      high: "very high"
    - kind: checkboxes
      text: "What might help?"
      options: ["Rest", "A walk", "A call"]
    - kind: lines
      text: "One thing you noticed"
      lines: 2
"""
    action = True
    tool = True
    always_practice = True
    in_columns = False

    def starts_chunk(self) -> bool:
        return self.title is not None

    def prose(self) -> Iterator[tuple[Loc, str]]:
        if self.intro:
            yield ("intro",), self.intro

    def item_lists(self) -> Iterator[tuple[Loc, Sequence[str]]]:
        for number, prompt in enumerate(self.prompts):
            if isinstance(prompt, CheckboxesPrompt):
                yield ("prompts", number, "options"), prompt.options

    def fragments(self) -> Iterator[tuple[Loc, str]]:
        return iter(())  # its options are choices to tick, not sentences to read

    def practice_steps(self) -> Iterator[tuple[Loc, str]]:
        for number, prompt in enumerate(self.prompts):
            yield ("prompts", number, "text"), prompt.text

    def kept_whole(self) -> bool:
        """Short enough to keep on one page: moved whole rather than split (print.css)."""
        return fits_a_page(self.prompts, bool(self.title) + bool(self.intro))


class Image(BlockModel):
    """A picture from the project's files, always with alt text."""

    type: Literal["image"]
    src: Line
    alt: Text
    caption: Text | None = None
    credit: Line | None = None

    example = """\
# An image: a file in this project (content/ or assets/), always with alt text.
# Add a picture first, then remove the # signs:
# - type: image
#   src: ../../../assets/picture.png
#   alt: "What the picture shows, for someone who cannot see it"
#   caption: "An optional caption"
"""
    visual = True

    def fragments(self) -> Iterator[tuple[Loc, str]]:
        if self.caption:
            yield ("caption",), self.caption


class ClinicianNote(BlockModel):
    """A note for the clinician, printed only in the clinician edition."""

    type: Literal["clinician_note"]
    title: Line | None = None
    text: Rich

    example = """\
# A clinician note: printed only in the clinician edition (--edition clinician).
- type: clinician_note
  text: "A tip for the clinician who hands this out."
"""
    clinician_only = True
    # Not the client's reading: it is left out of the stretches between headings.
    chunked = False

    def prose(self) -> Iterator[tuple[Loc, str]]:
        yield ("text",), self.text


# Last: a column holds any of the types above.
from generator.card import PocketCard as PocketCard  # noqa: E402
from generator.columns import Columns as Columns  # noqa: E402
from generator.contact import Contact as Contact  # noqa: E402
from generator.diagram import Diagram as Diagram  # noqa: E402
