"""Check stage, the text: what a handout prints, piece by piece, with the field it comes from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from generator.blocks import Table, walk
from generator.check.report import Loc
from generator.markup import pieces, plain
from generator.model import Edition, Handout
from generator.yamlfile import format_field

# A sentence ends in . ! or ?, perhaps followed by closing quotes or a bracket.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+")


@dataclass(frozen=True)
class Passage:
    """One piece of text the handout prints, and the field it comes from."""

    loc: Loc
    text: str
    #: Clinician-facing text (a clinician handout, or a clinician note).
    for_clinician: bool = False
    #: Check rules or words the block allows itself.
    allow: tuple[str, ...] = ()
    #: The text as written, Markdown and all.
    source: str = ""

    @property
    def field(self) -> str:
        """The field path, like `blocks[2].items[0]`."""
        return format_field(self.loc)


def _is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def prose(handout: Handout, edition: Edition = "client") -> Iterator[Passage]:
    """The running text a handout prints, in order.

    Headings, worksheet labels and fragments (list items, table cells) are
    left out, as readability formulas expect; a fragment that is a whole
    sentence (it ends in . ! or ?) counts as prose.
    """
    show_notes = edition == "clinician" or handout.audience == "clinician"

    for at, block in walk(handout.blocks):
        if block.clinician_only and not show_notes:
            continue
        for loc, text in block.prose():
            for shown, in_list in pieces(text):
                if not in_list or _is_sentence(shown):
                    yield Passage((*at, *loc), shown)
        for loc, text in block.fragments():
            for shown, _ in pieces(text):
                if _is_sentence(shown):
                    yield Passage((*at, *loc), shown)


def printed(handout: Handout, edition: Edition = "client") -> Iterator[Passage]:
    """Every piece of text the handout prints, headings and labels included."""
    show_notes = edition == "clinician" or handout.audience == "clinician"
    clinician = handout.audience == "clinician"
    yield Passage(("title",), plain(handout.title), clinician, source=handout.title)
    for field in ("subtitle", "purpose", "byline"):
        if (text := getattr(handout, field)) is not None:
            yield Passage((field,), plain(text), clinician, source=text)
    for index, block in enumerate(handout.blocks):
        if block.clinician_only and not show_notes:
            continue
        for_clinician = clinician or block.clinician_only
        data = block.model_dump(exclude={"type", "allow", "src"})
        for loc, text in strings(("blocks", index), data):
            if loc[-1] not in ("kind", "tone"):
                yield Passage(loc, plain(text), for_clinician, tuple(block.allow), text)


def strings(loc: Loc, value: object) -> Iterator[tuple[Loc, str]]:
    """Every string in a block's data, each with where it is."""
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings((*loc, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings((*loc, index), item)


def sentences(text: str) -> list[str]:
    """A passage split into its sentences."""
    return [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def clip(text: str, limit: int = 90) -> str:
    """Text cut to `limit` characters, with an ellipsis where it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


#: A table column headed as what others say ("Myth", "What people sometimes say",
#: "Lo que la gente cree"): its cells are their words, set out to be answered.
_SAYINGS = re.compile(
    r"\b(?:myths?|misconceptions?|what (?:people|others|some people|you may|you might) "
    r"(?:sometimes |often )?(?:say|think|believe|hear)|you (?:may|might) hear|mitos?"
    r"|lo que (?:la gente|algunas personas|otros|otras personas) (?:a veces )?"
    r"(?:dice|dicen|cree|creen|piensa|piensan))\b",
    re.IGNORECASE,
)


def others_words(handout: Handout) -> list[Loc]:
    """Where the handout prints someone else's words, which its wording rules leave be:
    a quotation, and a table column headed as what people say (myths and facts)."""
    found: list[Loc] = []
    for at, block in walk(handout.blocks):
        if block.own_voice:
            found.append(at)
        if not isinstance(block, Table):
            continue
        for column, heading in enumerate(block.header):
            if _SAYINGS.search(plain(heading)):
                found += [(*at, "rows", row, column) for row in range(len(block.rows))]
    return found
