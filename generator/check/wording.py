"""Check stage, wording: words that order, blame or promise, and the `allow:` lists."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.blocks import walk
from generator.check.report import Loc
from generator.check.rules import RULES, Rule
from generator.check.text import clip, printed
from generator.config import Project
from generator.errors import Problem
from generator.model import HandoutFile
from generator.yamlfile import Located, read_yaml

_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")

#: The word list's categories (generator/data/wording.yaml), each found by its rule.
#: These are also the rules an `allow:` list can switch off.
CATEGORIES: dict[str, Rule] = {
    "directive": RULES["wording.directive"],
    "shaming": RULES["wording.shaming"],
    "promise": RULES["wording.promise"],
}


@dataclass(frozen=True)
class WordingRule:
    """One flagged phrase: its rule, a gentler alternative, and why."""

    phrase: str
    rule: Rule
    alternative: str | None
    explanation: str


WordingRules = tuple[tuple[re.Pattern[str], WordingRule], ...]


@dataclass(frozen=True)
class WordList:
    """A project's word list: the phrases it flags, and every phrase an `allow:` may name."""

    rules: WordingRules
    phrases: frozenset[str]


@functools.cache
def _builtin_wording() -> dict[str, Any]:
    path = Path(__file__).resolve().parent.parent / "data" / "wording.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def wording_rules(project: Project) -> WordList:
    """The built-in word list, with the project's additions and allowances."""
    data = _builtin_wording()
    allowed = {a.lower() for a in project.config.wording.allow}
    rules: dict[str, WordingRule] = {}
    for category, entry in data.items():
        for phrase, alternative in entry["phrases"].items():
            rules[phrase] = WordingRule(
                phrase, CATEGORIES[category], alternative, entry["explanation"]
            )
    for extra in project.config.wording.extra:
        rules[extra.phrase.lower()] = WordingRule(
            extra.phrase.lower(),
            CATEGORIES[extra.rule],
            extra.suggestion,
            data[extra.rule]["explanation"],
        )
    ordered = sorted(
        (r for p, r in rules.items() if p not in allowed and r.rule.id not in allowed),
        key=lambda r: -len(r.phrase),
    )
    return WordList(
        tuple(
            (
                re.compile(
                    r"(?<![\w-])" + re.escape(r.phrase).replace(r"\ ", r"\s+") + r"(?![\w-])",
                    re.IGNORECASE,
                ),
                r,
            )
            for r in ordered
        ),
        frozenset(rules),
    )


def wording_findings(item: HandoutFile, located: Located, words: WordList) -> list[Problem]:
    """Each flagged phrase the handout prints, with the sentence reworded where it can be."""
    quotes = [loc for loc, b in walk(item.handout.blocks) if b.own_voice]
    findings: list[Problem] = []
    for passage in printed(item.handout, "clinician"):
        if any(passage.loc[: len(q)] == q for q in quotes) or passage.loc[-1] == "who":
            continue
        # Quoted words are someone's own voice, not the handout speaking.
        text = _QUOTED.sub(lambda m: " " * len(m.group(0)), passage.text)
        allowed = {a.lower() for a in passage.allow}
        taken: list[tuple[int, int]] = []
        for pattern, wording in words.rules:
            if wording.rule.id == "wording.directive" and passage.for_clinician:
                continue
            if wording.rule.id in allowed or wording.phrase in allowed:
                continue
            for match in pattern.finditer(text):
                if any(match.start() < end and start < match.end() for start, end in taken):
                    continue
                taken.append((match.start(), match.end()))
                findings.append(
                    wording.rule.at(
                        located,
                        passage.loc,
                        f"\u201c{match.group(0)}\u201d {wording.explanation}",
                        _rewrite(passage.text, match, wording.alternative),
                        text=match.group(0),
                    )
                )
    return findings


def _rewrite(text: str, match: re.Match[str], alternative: str | None) -> str | None:
    """The sentence the phrase sits in, with the gentler wording put in."""
    if not alternative:
        return None
    start = max(text.rfind(". ", 0, match.start()) + 2, 0) if ". " in text[: match.start()] else 0
    end = text.find(". ", match.end())
    end = len(text) if end == -1 else end + 1
    replacement = alternative
    if match.group(0)[:1].isupper():
        replacement = replacement[:1].upper() + replacement[1:]
    sentence = text[start : match.start()] + replacement + text[match.end() : end]
    return f"\u201c{clip(sentence.strip(), 140)}\u201d"


# --- allow lists ----------------------------------------------------------------------
# An entry that names nothing is an error of `check` only: `allow:` changes what the
# check says, never a page, so a typo in it does not stop `build` from printing.


def allow_findings(item: HandoutFile, located: Located, words: WordList) -> list[Problem]:
    """Entries of the handout's blocks' `allow:` lists that name nothing this check knows."""
    return [
        finding
        for loc, block in walk(item.handout.blocks)
        for finding in _unknown_entries(located, (*loc, "allow"), block.allow, words)
    ]


def config_allow_findings(project: Project, words: WordList) -> list[Problem]:
    """Entries of the project's `wording.allow` that name nothing this check knows."""
    entries = project.config.wording.allow
    if not entries or project.config_path is None:
        return []
    located = read_yaml(project.config_path)
    return _unknown_entries(located, ("wording", "allow"), entries, words)


def _unknown_entries(
    located: Located, at: Loc, entries: Sequence[str], words: WordList
) -> list[Problem]:
    return [
        RULES["allow.unknown"].at(located, (*at, number), why)
        for number, entry in enumerate(entries)
        if (why := _why_unknown(entry, words.phrases)) is not None
    ]


def _why_unknown(entry: str, phrases: frozenset[str]) -> str | None:
    """Why an `allow:` entry names nothing, with what it may mean; None when it names something.

    Entries are matched without regard to case, as the phrases are in the text.
    """
    wording = [r.id for r in CATEGORIES.values()]
    ids = [*wording, RULES["markup.literal"].id]
    said = entry.lower()
    if said in ids or said in phrases:
        return None
    if said in RULES:
        return (
            f"`{entry}` is a check rule that `allow:` can't switch off; it takes the wording "
            f"rules ({', '.join(wording)}), markup.literal or a phrase on the word list"
        )
    close = difflib.get_close_matches(said, [*ids, *sorted(phrases)], n=1)
    hint = (
        f"did you mean `{close[0]}`?"
        if close
        else "`handouts check --rules` lists the rules, and generator/data/wording.yaml the phrases"
    )
    return f"`{entry}` is neither a wording rule nor a phrase on the word list; {hint}"
