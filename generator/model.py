"""Model stage: the typed, immutable shape of a handout and a packet."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from generator.blocks import Block
from generator.errors import Problem
from generator.fields import (
    MAX_ITEMS,
    LanguageTag,
    Line,
    Model,
    Text,
    Whole,
    at_most,
    fits_footer,
)
from generator.prompts import PromptModel
from generator.registry import follows_registry
from generator.workshop import (
    MAX_MINUTES,
    MAX_NOTE_PAGES,
    Certificate,
    Evaluation,
    KnowledgeCheck,
    PagesOfItems,
    Vignette,
)

Audience = Literal["client", "clinician"]
Edition = Literal["client", "clinician"]

#: Most blocks one handout may have.
MAX_BLOCKS = 300
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

#: The longest version a footer holds: "1.0", "2026-11", "3.2 (draft)".
MAX_VERSION = 30
#: The longest agenda time, kept on one line beside its item: "9:00-10:30 am".
MAX_AGENDA_TIME = 24

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def is_valid_id(value: str) -> bool:
    """Whether a handout id (its file name) is lowercase words joined by hyphens."""
    return bool(_ID_RE.match(value))


#: The longest id: a file name holds 255 bytes, and a handout's PDF adds up to
#: 49 to its id (`-clinician-a4-large-print-fillable-ink-saver.html`), and
#: the temporary name it is written under 14 more.
MAX_ID_LENGTH = 100


def id_too_long(value: str) -> str | None:
    """Why an id is too long to name files after, if it is: the id shown cut short."""
    if len(value) <= MAX_ID_LENGTH:
        return None
    return (
        f"`{value[:24]}...` is {len(value)} characters long; an id can have at most "
        f"{MAX_ID_LENGTH}, because the files made from it are named after it"
    )


class Reviewed(Model):
    """When the handout was last reviewed, and by whom (a role is enough)."""

    date: dt.date
    by: Line


class Source(Model):
    """One citation for an idea the handout draws on."""

    author: Line | None = None
    title: Line
    year: Whole | None = Field(default=None, ge=1800, le=2100)
    publisher: Line | None = None
    #: What kind of source, where that helps: "column, Part 1 of a series".
    note: Line | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https://\S+$")] | None = None


class TranslationOf(Model):
    """The handout a translation was made from, and that handout's version then.

    `handouts check` warns when the source's version is newer: the
    translation has fallen behind what it came from.
    """

    language: LanguageTag = Field(description="The language of the handout translated from")
    version: Annotated[Line, at_most(MAX_VERSION, "a version is at most {limit}, like 1.2")] = (
        Field(description="The source handout's version when it was translated")
    )
    id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None,
        description="The source handout's id, when it is not this handout's own",
    )


#: Fields that hold names for the program, not text for the reader.
_NOT_TEXT = frozenset({"type", "kind", "allow", "handouts", "translation_of"})


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
    pieces = value.boxes() if isinstance(value, PromptModel) else 0
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


class _Bounded(Model):
    """A whole file's model, whose text all told must fit in about ten pages."""

    #: What the file is called in the message when it holds too much.
    noun: ClassVar[str]

    @model_validator(mode="after")
    def _not_too_long(self) -> _Bounded:
        _check_size(self, self.noun)
        return self


@follows_registry
class Handout(_Bounded):
    """One handout as its YAML file describes it."""

    noun = "handout"

    title: Line
    #: A line under the title on what the handout is for; the check asks for
    #: one on a client handout.
    purpose: Line | None = None
    #: A second line of title, and who wrote it or where it comes from.
    subtitle: Line | None = None
    byline: Line | None = None
    audience: Audience
    language: LanguageTag
    version: Annotated[Line, fits_footer(MAX_VERSION)]
    #: A translation names the handout it was translated from, and its version.
    translation_of: TranslationOf | None = None
    reviewed: Reviewed
    sources: list[Source] = Field(max_length=MAX_ITEMS)
    #: A worksheet to print on one sheet: every build but large print warns
    #: where it runs onto a second page, and its clinician edition sets the
    #: notes for the clinician on a page after the client's.
    one_page: bool = Field(
        False,
        description="Meant to fit one page, like a worksheet: a build warns where it does not "
        "(large print aside), and the clinician edition puts its notes on a page of their own",
    )
    blocks: list[Block] = Field(min_length=1, max_length=MAX_BLOCKS)


@dataclass(frozen=True)
class ContentFile:
    """A validated content file: its id (the file name) and where it is."""

    id: str
    path: Path


@dataclass(frozen=True)
class HandoutFile(ContentFile):
    """A validated handout with where it came from."""

    root: Path
    handout: Handout
    #: Markup that would print as typed (`validation.literal_markup`): a build's
    #: warnings, errors under --strict.
    warnings: tuple[Problem, ...] = ()

    @property
    def language(self) -> str:
        """The handout's language tag."""
        return self.handout.language

    def one_page(self, *, large_print: bool) -> bool:
        """Whether it is meant to fit one page in this print profile (never in large print)."""
        return self.handout.one_page and not large_print


# --- packets ------------------------------------------------------------------


class AgendaItem(Model):
    """One line of a workshop agenda."""

    time: Annotated[
        Line,
        at_most(
            MAX_AGENDA_TIME,
            "a time is kept on one line, which has room for at most {limit}, like 9:00-10:30",
        ),
    ]
    #: How long it runs; with lengths, `time` is a start ("9:00") and the end is worked out.
    minutes: Whole | None = Field(default=None, ge=1, le=MAX_MINUTES)
    title: Line
    note: Text | None = None
    #: What the facilitator says and does, step by step: the trainer's edition only.
    script: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)


class PacketSection(Model):
    """A part of a packet: a divider page, then its handouts in order."""

    title: Line
    intro: Text | None = None
    handouts: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]] = (
        Field(min_length=1, max_length=MAX_ITEMS)
    )
    facilitator_notes: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    #: Made-up cases to practise on, printed on the divider in both editions.
    vignettes: list[Vignette] = Field(default_factory=list, max_length=MAX_ITEMS)


class Packet(_Bounded):
    """A workshop packet as its manifest describes it."""

    noun = "packet"

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
    #: What participants will be able to do by the end, printed with the agenda.
    objectives: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    #: Pages before the handouts: group agreements, looking after yourself.
    pages: list[PagesOfItems] = Field(default_factory=list, max_length=MAX_ITEMS)
    knowledge_check: KnowledgeCheck | None = None
    sections: list[PacketSection] = Field(min_length=1, max_length=MAX_ITEMS)
    #: After the handouts: pages for notes, the evaluation form, the certificate.
    notes_pages: Whole = Field(default=0, ge=0, le=MAX_NOTE_PAGES)
    evaluation: Evaluation | None = None
    certificate: Certificate | None = None


@dataclass(frozen=True)
class PacketFile(ContentFile):
    """A validated packet manifest with its handouts resolved, in order."""

    packet: Packet
    #: The handouts of each section, in the manifest's order.
    sections: tuple[tuple[PacketSection, tuple[HandoutFile, ...]], ...]
    #: Markup that would print as typed, in the manifest and its handouts.
    own_warnings: tuple[Problem, ...] = ()

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The manifest's warnings, then each handout's, each once."""
        found = [*self.own_warnings]
        for _, handouts in self.sections:
            found.extend(w for item in handouts for w in item.warnings)
        return tuple(dict.fromkeys(found))

    @property
    def language(self) -> str:
        """The packet's language tag."""
        return self.packet.language
