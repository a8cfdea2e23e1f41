"""Check stage, safety: hopelessness shown as a harmless sign, and words that deny real danger.

The content guide ("Practices and exercises"): hopelessness ("what is the
point?") is paired with a line on reaching out inside the same list, and a
danger the reader may still live with is never called unreal. The phrases
each rule reads are in generator/data/safety.yaml.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.blocks import BlockModel, walk
from generator.check.parse import voiced
from generator.check.report import Loc
from generator.check.rules import RULES
from generator.check.text import others_words, printed, strings
from generator.errors import Problem
from generator.markup import plain
from generator.model import HandoutFile
from generator.yamlfile import Located

#: Fields that are settings, not words the reader sees.
_SETTINGS = ("kind", "tone", "type", "allow", "src", "practice")
#: A plain condition ("if there is no danger nearby") is not a denial; "even if" and
#: "as if" are.
_IF = ("if", "si")
_NOT_PLAIN = ("even", "as", "aun", "incluso", "como")

_REACH_OUT = {
    "en": "\u201cIf you feel this way, please reach out: call or text 988, or tell someone "
    "you trust.\u201d (your own crisis line, where you are not in the US)",
    "es": "\u201cSi se siente as\u00ed, pida ayuda: llame o env\u00ede un mensaje al 988, o hable "
    "con alguien de confianza.\u201d (su propia l\u00ednea, fuera de EE. UU.)",
}
_PASSED = {
    "en": "\u201ceven when the danger has passed, or is smaller than it feels\u201d",
    "es": "\u201caun cuando el peligro ya pas\u00f3, o es menor de lo que se siente\u201d",
}


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    path = Path(__file__).resolve().parent.parent / "data" / "safety.yaml"
    data: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        kind: re.compile("|".join(f"(?:{p})" for p in entries), re.IGNORECASE)
        for kind, entries in data.items()
    }


def _words(text: str) -> str:
    """What the reader sees, with curly apostrophes read as straight ones."""
    return plain(text).replace("\u2019", "'")


def _language(item: HandoutFile) -> str:
    return "es" if item.handout.language.split("-")[0].lower() == "es" else "en"


def safety_findings(
    item: HandoutFile, located: Located, allowed: frozenset[str] = frozenset()
) -> list[Problem]:
    """Hopelessness with no line on reaching out beside it; a danger called unreal."""
    return [*hopelessness_findings(item, located), *danger_findings(item, located, allowed)]


# --- hopelessness ---------------------------------------------------------------------


def hopelessness_findings(item: HandoutFile, located: Located) -> list[Problem]:
    """Each list of a client's page that names hopelessness and not how to reach out."""
    if item.handout.audience != "client":
        return []
    return [
        _hopelessness(located, (*at, *loc), said, more, _language(item))
        for at, block in walk(item.handout.blocks)
        if not block.clinician_only
        for items, around in listed(block)
        if (found := _unpaired(items, around)) is not None
        for loc, said, more in [found]
    ]


def _hopelessness(located: Located, loc: Loc, said: str, more: int, language: str) -> Problem:
    return RULES["structure.hopelessness"].at(
        located,
        loc,
        f"\u201c{said}\u201d names hopelessness or thoughts of suicide"
        + (f" (and {more} more here)" if more else "")
        + ", and nothing in the same list says how to reach out; it is a sign to take "
        "seriously, never a harmless one",
        f"add a line on reaching out to this list, such as {_REACH_OUT[language]}",
        text=said,
    )


Texts = list[tuple[Loc, str]]


def listed(block: BlockModel) -> Iterator[tuple[Texts, Texts]]:
    """Each list a block prints, as (its items, the title or label above them).

    A worksheet, a table or a block of running text is read whole, as one list:
    its prompts, cells or sentences are seen together.
    """
    data = block.model_dump(exclude=set(_SETTINGS))
    lists = list(block.item_lists())
    if lists and block.type != "worksheet":
        lead = list(block.lead_in())
        for loc, items in lists:
            yield [((*loc, i), text) for i, text in enumerate(items)], lead + _labels(data, loc)
        return
    if any(True for _ in block.inner()):
        return  # the blocks in its columns are read one by one
    yield [(loc, text) for loc, text in strings((), data) if loc[-1] not in _SETTINGS], []


def _labels(data: dict[str, Any], loc: Loc) -> Texts:
    """The title or label of the part a list is in (a list group's list, a column)."""
    part: Any = data
    for key in loc[:-1]:
        part = part[key]
    return [((*loc[:-1], k), part[k]) for k in ("title", "label") if isinstance(part.get(k), str)]


def _unpaired(items: Texts, around: Texts) -> tuple[Loc, str, int] | None:
    """The first item naming hopelessness (and how many more do), unless one reaches out."""
    patterns = _patterns()
    if any(patterns["reaching_out"].search(_words(text)) for _, text in [*items, *around]):
        return None
    hits = [
        (loc, m.group(0))
        for loc, text in items
        if (m := patterns["hopelessness"].search(_words(text)))
    ]
    if not hits:
        return None
    return (*hits[0], len(hits) - 1)


# --- real danger ----------------------------------------------------------------------


def danger_findings(
    item: HandoutFile, located: Located, allowed: frozenset[str] = frozenset()
) -> list[Problem]:
    """Words in client text that deny a danger: "even when there is no real danger"."""
    rule = RULES["wording.real-danger"]
    if rule.id in allowed:
        return []
    quotes = others_words(item.handout)
    findings: list[Problem] = []
    for passage in printed(item.handout):
        if passage.for_clinician or rule.id in {a.lower() for a in passage.allow}:
            continue
        if any(passage.loc[: len(q)] == q for q in quotes):
            continue  # someone's own words
        piece = voiced(passage.source)
        for start, said in denials(piece.text):
            if any(begin <= start < end for begin, end in piece.quoted):
                continue
            findings.append(
                rule.at(
                    located,
                    passage.loc,
                    f"\u201c{said}\u201d denies a danger; many readers still live with "
                    "real danger, and words like these can tell them it is not there",
                    f"say what the body does {_PASSED[_language(item)]}",
                    text=said,
                )
            )
    return findings


def denials(text: str) -> Iterator[tuple[int, str]]:
    """Where a text denies danger, and the words that do: not reported, and (for those
    that need it) not a plain condition."""
    text = text.replace("\u2019", "'")  # same length: offsets stay the text's
    patterns = _patterns()
    found = [(m, False) for m in patterns["denied_danger"].finditer(text)]
    found += [(m, True) for m in patterns["denied_unless_if"].finditer(text)]
    taken: list[tuple[int, int]] = []
    for match, unless_if in sorted(found, key=lambda f: f[0].start()):
        if any(match.start() < end and start < match.end() for start, end in taken):
            continue
        before = text[: match.start()]
        if _reported(before) or (unless_if and _plain_condition(before)):
            continue
        taken.append(match.span())
        yield match.start(), match.group(0)


def _reported(before: str) -> bool:
    """Whether the sentence so far makes the words someone's: "you may have been told"."""
    sentence = re.split(r"[.!?;]", before)[-1]
    if re.search(
        r"\b(tell|remind|say to|convince) yourself\b|\b(dígase|recuérdese)\b", sentence, re.I
    ):
        return False  # the handout's own advice, for the reader to say
    return bool(_patterns()["reported"].search(sentence))


def _plain_condition(before: str) -> bool:
    words: Sequence[str] = re.findall(r"[\w']+", before.lower())
    return bool(words) and words[-1] in _IF and (len(words) < 2 or words[-2] not in _NOT_PLAIN)
