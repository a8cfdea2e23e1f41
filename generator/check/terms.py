"""Check stage, terms: an abbreviation is spelled out where the reader first meets it.

The content guide asks that a term the reader needs be defined in plain words
where it first appears. An abbreviation ("PTSD", "DBT", "TEPT") is the part of
that a machine can see: its first use on a client's page says what it stands
for, beside it ("post-traumatic stress disorder (PTSD)", "PTSD (…)", "PTSD
means…"), in the next thing printed, or in a `definition` block.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from generator.blocks import Definition, walk
from generator.check.rules import RULES
from generator.check.text import Passage, printed
from generator.errors import Problem
from generator.model import HandoutFile
from generator.yamlfile import Located

#: Two to six capitals, perhaps with a plural s: "PTSD", "SSRIs", "TEPT".
_ABBREVIATION = re.compile(r"(?<![\w-])([A-Z]{2,6})s?(?![\w-])")
#: Abbreviations every reader knows, and Roman numerals.
_EVERYDAY = frozenset(
    {"OK", "TV", "US", "USA", "UK", "EU", "ID", "PIN", "PDF", "FAQ", "AM", "PM", "ATM", "SMS"}
    | {"GP", "ER"}
)
_ROMAN = re.compile(r"[IVXLC]+")


def term_findings(item: HandoutFile, located: Located) -> list[Problem]:
    """Each abbreviation not spelled out where a client first reads it."""
    handout = item.handout
    if handout.audience != "client":
        return []
    passages = [p for p in printed(handout) if not p.for_clinician]
    defined = [block.term for _, block in walk(handout.blocks) if isinstance(block, Definition)]
    return [
        RULES["structure.term"].at(
            located,
            passage.loc,
            f"\u201c{abbreviation}\u201d is not spelled out where the reader first meets it: "
            "a term the reader needs is said in plain words where it first appears",
            f"say what {abbreviation} stands for or means beside it, the way "
            "\u201cpost-traumatic stress disorder (PTSD)\u201d does, or add a `definition` "
            "block for it",
            text=abbreviation,
        )
        for abbreviation, passage, following in _first_uses(passages)
        if not any(re.search(rf"\b{abbreviation}\b", term) for term in defined)
        and not _spelled_out(abbreviation, f"{passage.text} {following}")
    ]


def _first_uses(passages: list[Passage]) -> Iterator[tuple[str, Passage, str]]:
    """Each abbreviation at its first use: the passage, and the text printed next."""
    seen: set[str] = set()
    for index, passage in enumerate(passages):
        for match in _ABBREVIATION.finditer(passage.text):
            found = match.group(1)
            if found in seen or found in _EVERYDAY or _ROMAN.fullmatch(found):
                continue
            seen.add(found)
            if not _a_shouted_word(found):
                following = passages[index + 1].text if index + 1 < len(passages) else ""
                yield found, passage, following


def _a_shouted_word(found: str) -> bool:
    """A word in capitals ("STOP", "NO"), not an abbreviation: the dictionary knows it."""
    from lemminflect import getAllLemmas  # brought in only when capitals are found

    return bool(getAllLemmas(found.lower()))


@functools.cache
def _spelling(abbreviation: str) -> re.Pattern[str]:
    said = re.escape(abbreviation) + "s?"
    return re.compile(
        rf"\w[\w\s,'\u2019-]*\(\s*{said}\s*\)"  # "post-traumatic stress disorder (PTSD)"
        rf"|(?<![\w-]){said}\s*[(:\u2014\u2013-]\s*\w"  # "PTSD (…)", "PTSD: …", "PTSD — …"
        # "DBT, a talking therapy", "REM sleep, the dreaming stage"
        rf"|(?<![\w-]){said}(\s+\w+){{0,2}},\s+(a|an|the|un|una|el|la)\s+\w"
        rf"|(?<![\w-]){said},?\s+(means?|stands? for|is short for|is (a|an|the)|are|is what"
        rf"|significa|quiere decir|es (un|una|el|la|lo))\b"
        rf"|(stands? for|short for|known as|called|llamad[oa]s?|conocid[oa]s? como)\s+"
        rf"(the |el |la )?{said}(?![\w-])",
        re.IGNORECASE,
    )


def _spelled_out(abbreviation: str, around: str) -> bool:
    """Whether the text around a first use says what the abbreviation stands for."""
    return _spelling(abbreviation).search(around) is not None
