"""Model stage: the typed, immutable shape of a handout and its blocks."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from generator.errors import counted

Audience = Literal["client", "clinician"]
Edition = Literal["client", "clinician"]

#: Longest text a single field may hold: a paragraph is a few sentences, and
#: a runaway field would otherwise take minutes to lay out.
MAX_TEXT = 5000
MAX_LINE = 300
#: Most blocks one handout, or items one list, may have.
MAX_BLOCKS = 300
MAX_ITEMS = 100
#: Most text one handout (or packet manifest) may hold in all: characters,
#: and pieces (paragraphs, list items, table cells, titles...). The biggest
#: built-in handout, a clinician's guide of several pages, holds under 7,000
#: characters in about 110 pieces; laying out a document takes time and
#: memory in proportion to both, and these keep it to seconds.
MAX_TOTAL_TEXT = 30_000
MAX_PIECES = 600
#: Deepest nesting of bold, italics and links in one text: a page lays out
#: each level inside the one around it, and hundreds of levels exhaust it.
MAX_MARKUP_DEPTH = 10

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _printable(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"contains an invisible control character (U+{ord(found.group(0)):04X}); "
            "retype the text around it"
        )
    return value


# Text the reader sees: never empty, outer white space dropped, no control
# characters, and of a size a page can hold.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(_printable),
]


def _one_line(value: str) -> str:
    if "\n" in value:
        raise ValueError("must be one line; join the lines or shorten it")
    if len(value) > MAX_LINE:
        raise ValueError(f"is {len(value)} characters; a line holds at most {MAX_LINE}")
    return value


Line = Annotated[Text, AfterValidator(_one_line)]


def _at_most(limit: int, room: str) -> AfterValidator:
    """A check that text is at most `limit` characters; `room` says where it goes and how."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value)} characters; {room.format(limit=limit)}")
        return value

    return AfterValidator(check)


def fits_footer(limit: int) -> AfterValidator:
    """A check that text printed in every page's footer is short enough to fit it."""
    return _at_most(
        limit,
        "it is printed in the footer of every page, which has room for at most {limit}. Shorten it",
    )


#: The longest version a footer holds: "1.0", "2026-11", "3.2 (draft)".
MAX_VERSION = 30
#: The longest agenda time, kept on one line beside its item: "9:00-10:30 am".
MAX_AGENDA_TIME = 24

_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _language(value: str) -> str:
    if not _LANGUAGE_RE.match(value):
        raise ValueError('must be a language tag such as "en", "es" or "fr-CA"')
    return value


LanguageTag = Annotated[str, AfterValidator(_language)]

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def is_valid_id(value: str) -> bool:
    """Whether a handout id (its file name) is lowercase words joined by hyphens."""
    return bool(_ID_RE.match(value))


class Model(BaseModel):
    """Base for every content model: frozen, and strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Reviewed(Model):
    """When the handout was last reviewed, and by whom (a role is enough)."""

    date: dt.date
    by: Line


class Source(Model):
    """One citation for an idea the handout draws on."""

    author: Line | None = None
    title: Line
    year: int | None = Field(default=None, ge=1800, le=2100)
    publisher: Line | None = None
    #: What kind of source, where that helps: "column, Part 1 of a series".
    note: Line | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] | None = None


# --- blocks -----------------------------------------------------------------


class BlockModel(Model):
    """Fields every block has."""

    #: Check rules (like `wording.directive`) or words this block may use on
    #: purpose; `handouts check` stays quiet about them here.
    allow: list[Line] = Field(default_factory=list, max_length=MAX_ITEMS)


class Section(BlockModel):
    """A heading that starts a new chunk of the handout."""

    type: Literal["section"]
    title: Line


class Paragraph(BlockModel):
    """A paragraph of inline text."""

    type: Literal["paragraph"]
    text: Text


class BulletList(BlockModel):
    """A bulleted list with an optional title."""

    type: Literal["list"]
    title: Line | None = None
    items: list[Text] = Field(min_length=1, max_length=MAX_ITEMS)


class TitledList(Model):
    """One titled list inside a group."""

    title: Line
    items: list[Text] = Field(min_length=1, max_length=MAX_ITEMS)


class ListGroup(BlockModel):
    """Several short titled lists shown side by side, such as body and thoughts."""

    type: Literal["list_group"]
    title: Line | None = None
    lists: list[TitledList] = Field(min_length=2, max_length=8)


class Steps(BlockModel):
    """Numbered steps the reader can follow."""

    type: Literal["steps"]
    title: Line | None = None
    items: list[Text] = Field(min_length=1, max_length=MAX_ITEMS)


class Callout(BlockModel):
    """A boxed note; the tone sets its label and border, never colour alone."""

    type: Literal["callout"]
    tone: Literal["info", "gentle", "safety"] = "info"
    title: Line | None = None
    text: Text


class CompareColumn(Model):
    """One labelled side of a comparison."""

    label: Line
    items: list[Text] = Field(min_length=1, max_length=MAX_ITEMS)


class Compare(BlockModel):
    """Two labelled columns side by side, such as reacting and responding."""

    type: Literal["compare"]
    title: Line | None = None
    left: CompareColumn
    right: CompareColumn


class Table(BlockModel):
    """A table with a required header row and any number of columns."""

    type: Literal["table"]
    caption: Line | None = None
    header: list[Text] = Field(min_length=1, max_length=20)
    rows: list[list[Text]] = Field(min_length=1, max_length=MAX_ITEMS)

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


class Definition(BlockModel):
    """A term the reader needs, with its meaning in plain words."""

    type: Literal["definition"]
    term: Line
    meaning: Text


class KeyPoints(BlockModel):
    """The short summary a reader can take away."""

    type: Literal["key_points"]
    title: Line | None = None
    items: list[Text] = Field(min_length=1, max_length=MAX_ITEMS)


class Quote(BlockModel):
    """Words in someone's voice, with who said them."""

    type: Literal["quote"]
    text: Text
    who: Line | None = None


class LinesPrompt(Model):
    """A question answered on blank writing lines."""

    kind: Literal["lines"]
    text: Text
    lines: int = Field(default=3, ge=1, le=20)


class CheckboxesPrompt(Model):
    """A question answered by ticking any of several options."""

    kind: Literal["checkboxes"]
    text: Text
    options: list[Text] = Field(min_length=1, max_length=12)


class ScalePrompt(Model):
    """A question answered by circling a number from 0 to 10."""

    kind: Literal["scale"]
    text: Text
    low: Line
    high: Line


Prompt = Annotated[LinesPrompt | CheckboxesPrompt | ScalePrompt, Field(discriminator="kind")]


class Worksheet(BlockModel):
    """Prompts the reader answers on the page."""

    type: Literal["worksheet"]
    title: Line | None = None
    intro: Text | None = None
    prompts: list[Prompt] = Field(min_length=1, max_length=MAX_ITEMS)


class Image(BlockModel):
    """A picture from the project's files, always with alt text."""

    type: Literal["image"]
    src: Line
    alt: Text
    caption: Text | None = None
    credit: Line | None = None


class ClinicianNote(BlockModel):
    """A note for the clinician, printed only in the clinician edition."""

    type: Literal["clinician_note"]
    title: Line | None = None
    text: Text


Block = Annotated[
    Section
    | Paragraph
    | BulletList
    | ListGroup
    | Steps
    | Callout
    | Compare
    | Table
    | Definition
    | KeyPoints
    | Quote
    | Worksheet
    | Image
    | ClinicianNote,
    Field(discriminator="type"),
]

BLOCK_TYPES: tuple[str, ...] = (
    "section",
    "paragraph",
    "list",
    "list_group",
    "steps",
    "callout",
    "compare",
    "table",
    "definition",
    "key_points",
    "quote",
    "worksheet",
    "image",
    "clinician_note",
)


#: Fields that hold names for the program, not text for the reader.
_NOT_TEXT = frozenset({"type", "kind", "allow", "handouts"})


def text_size(value: object) -> tuple[int, int]:
    """The characters and pieces of text in a model, its lists and its fields.

    A prompt's writing lines and the eleven boxes of a scale count as pieces
    too: each is a box of its own on the page.
    """
    if isinstance(value, str):
        return len(value), 1
    parts: list[object]
    if isinstance(value, BaseModel):
        parts = [getattr(value, name) for name in type(value).model_fields if name not in _NOT_TEXT]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        return 0, 0
    characters = 0
    pieces = value.lines if isinstance(value, LinesPrompt) else 0
    pieces += 11 if isinstance(value, ScalePrompt) else 0
    for part in parts:
        more, counted_here = text_size(part)
        characters += more
        pieces += counted_here
    return characters, pieces


def _check_size(model: BaseModel, noun: str) -> None:
    characters, pieces = text_size(model)
    if characters > MAX_TOTAL_TEXT:
        raise ValueError(
            f"the {noun} holds {characters:,} characters of text; at most {MAX_TOTAL_TEXT:,} "
            f"fit in one {noun} (about ten pages). Split it into several {noun}s"
        )
    if pieces > MAX_PIECES:
        raise ValueError(
            f"the {noun} holds {pieces:,} pieces (titles, paragraphs, list items, table "
            f"cells, writing lines); at most {MAX_PIECES:,} fit in one {noun}. Split it into "
            f"several {noun}s"
        )


class Handout(Model):
    """One handout as its YAML file describes it."""

    title: Line
    purpose: Line
    audience: Audience
    language: LanguageTag
    version: Annotated[Line, fits_footer(MAX_VERSION)]
    reviewed: Reviewed
    sources: list[Source] = Field(max_length=MAX_ITEMS)
    blocks: list[Block] = Field(min_length=1, max_length=MAX_BLOCKS)

    @model_validator(mode="after")
    def _not_too_long(self) -> Handout:
        _check_size(self, "handout")
        return self


@dataclass(frozen=True)
class HandoutFile:
    """A validated handout with where it came from; its id is the file name."""

    id: str
    path: Path
    root: Path
    handout: Handout

    @property
    def language(self) -> str:
        """The handout's language tag."""
        return self.handout.language


# --- packets ------------------------------------------------------------------


class AgendaItem(Model):
    """One line of a workshop agenda."""

    time: Annotated[
        Line,
        _at_most(
            MAX_AGENDA_TIME,
            "a time is kept on one line, which has room for at most {limit}, like 9:00-10:30",
        ),
    ]
    title: Line
    note: Text | None = None


class PacketSection(Model):
    """A part of a packet: a divider page, then its handouts in order."""

    title: Line
    intro: Text | None = None
    handouts: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]] = (
        Field(min_length=1, max_length=MAX_ITEMS)
    )
    facilitator_notes: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)


class Packet(Model):
    """A workshop packet as its manifest describes it."""

    title: Line
    subtitle: Line | None = None
    audience: Audience
    language: LanguageTag
    organisation: Line | None = None
    facilitator: Line | None = None
    date: dt.date | None = None
    agenda: list[AgendaItem] = Field(default_factory=list, max_length=MAX_ITEMS)
    #: The participants' edition shows the agenda only when this is true.
    agenda_for_participants: bool = False
    sections: list[PacketSection] = Field(min_length=1, max_length=MAX_ITEMS)

    @model_validator(mode="after")
    def _not_too_long(self) -> Packet:
        _check_size(self, "packet")
        return self


@dataclass(frozen=True)
class PacketFile:
    """A validated packet manifest with its handouts resolved, in order."""

    id: str
    path: Path
    packet: Packet
    #: The handouts of each section, in the manifest's order.
    sections: tuple[tuple[PacketSection, tuple[HandoutFile, ...]], ...]

    @property
    def language(self) -> str:
        """The packet's language tag."""
        return self.packet.language
