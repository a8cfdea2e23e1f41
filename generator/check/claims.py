"""Check stage, wording: claims of a cure or a certain result (`wording.promise`).

"Guaranteed", "this trick cures anxiety", "clinically proven", "it always
works", "removes fear permanently", "recovery is certain", "relapse is
impossible": said in the present, of what a handout offers. Not claims: the
same denied or reported ("no app is guaranteed to work").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.check import parse

if TYPE_CHECKING:
    from spacy.tokens import Token

_WORDS = parse.wording_data()["promise"]
#: Verbs that claim a cure in the present tense.
CLAIMS = frozenset(_WORDS["claims"])
#: Verbs that take something away, and the words that make that a claim.
_REMOVING = frozenset(_WORDS["removing"])
TOTALLY = frozenset(_WORDS["totally"])
#: What can't be said to be certain, and what can't be said to be impossible.
_HOPED = frozenset(_WORDS["hoped"])
CERTAIN = frozenset(_WORDS["certain"])
_FEARED = frozenset(_WORDS["feared"])
#: What a handout offers, as the subject of a claim: "this practice heals trauma".
OFFERED = frozenset(
    {
        "this",
        "it",
        "practice",
        "exercise",
        "technique",
        "skill",
        "tool",
        "method",
        "handout",
        "worksheet",
        "therapy",
        "treatment",
        "approach",
        "program",
        "programme",
        "app",
        "course",
    }
)


def claim(token: Token) -> tuple[parse.Hit, Token] | None:
    """A cure or a certain result claimed: "guaranteed", "cures anxiety", "always works"."""
    lemma = token.lemma_.lower()
    if parse.denied_above(token) or parse.reported(token):
        return None
    if lemma == "guarantee" or token.lower_ in ("guaranteed", "guarantee", "guarantees"):
        return parse.hit("promise", "claim", token.lower_, token, token, None), token
    if token.lower_ == "forever":
        return parse.hit("promise", "claim", "forever", token, token, None), token
    if token.lower_ == "good" and token.head.lower_ == "for":
        return parse.hit("promise", "claim", "for good", token.head, token, None), token
    present = token.tag_ in ("VBZ", "VBP") and not parse.aux_words(token) & parse.OTHER_MODALS
    if (lemma in CLAIMS and present) or _misread_claim(token):
        return parse.hit("promise", "claim", lemma, token, token, None), token
    if lemma == "cure" and token.dep_ == "attr":
        return parse.hit("promise", "claim", "cure", token, token, None), token
    if lemma == "work" and token.pos_ == "VERB":
        return _works(token)
    if (
        present
        and lemma in _ALWAYS_ENDS
        and not any(c.dep_ in ("xcomp", "ccomp") for c in token.children)
    ):
        always = next((c for c in token.children if c.lower_ == "always"), None)
        if always is not None:  # "grounding always stops a flashback"
            return parse.hit("promise", "claim", "always works", always, token, None), token
    return _proven(token) or _heals(token, present) or _totally(token, present) or _certain(token)


def _totally(token: Token, present: bool) -> tuple[parse.Hit, Token] | None:
    """ "Exposure therapy removes fear permanently", "it completely gets rid of stress"."""
    lemma = token.lemma_.lower()
    rid = lemma == "get" and any(c.lower_ == "rid" for c in token.children)  # "gets rid of"
    if not (lemma in _REMOVING or rid) or not present or parse.negated(token):
        return None
    whole = [c for c in token.children if c.lower_ in TOTALLY and c.dep_ == "advmod"]
    if not whole:
        return None
    return parse.hit("promise", "claim", whole[0].lower_, whole[0], whole[0], None), token


def _certain(token: Token) -> tuple[parse.Hit, Token] | None:
    """ "Recovery is certain", "relapse is impossible", "you will be back … in no time"."""
    if token.lower_ == "time" and token.head.lower_ == "in":
        nothing = any(c.lower_ == "no" for c in token.children)
        future = any(t.tag_ == "MD" and t.lower_ in ("will", "'ll") for t in token.sent)
        if nothing and future:
            return parse.hit("promise", "outcome", "in no time", token.head, token, None), token
        return None
    if token.dep_ != "acomp" or token.head.lemma_ != "be" or parse.negated(token.head):
        return None
    said = {s.lemma_.lower() for s in parse.subjects(token.head)}
    if token.lower_ in CERTAIN and said & _HOPED:
        return parse.hit("promise", "claim", token.lower_, token, token, None), token
    if token.lower_ == "impossible" and said & _FEARED:
        return parse.hit("promise", "claim", "impossible", token, token, None), token
    return None


def _proven(token: Token) -> tuple[parse.Hit, Token] | None:
    """ "Scientifically proven", "100% effective": a certain result claimed."""
    if token.lower_ == "proven" and token.head.lower_ != "not":
        return parse.hit("promise", "claim", "proven", token, token, None), token
    if token.lower_ == "effective":
        full = [t for t in token.lefts if t.text in ("100", "%") or t.lower_ == "percent"]
        if full or any(t.text == "100" for t in token.doc[max(0, token.i - 3) : token.i]):
            return parse.hit("promise", "claim", "100% effective", token, token, None), token
    return None


def _heals(token: Token, present: bool) -> tuple[parse.Hit, Token] | None:
    """ "This practice heals trauma": a cure claimed for what the handout offers."""
    if token.lemma_.lower() != "heal" or not present:
        return None
    if not any(s.lower_ in OFFERED for s in parse.subjects(token)):
        return None
    return parse.hit("promise", "claim", "heals", token, token, None), token


def _works(token: Token) -> tuple[parse.Hit, Token] | None:
    """ "This always works", "it works for everyone"."""
    for child in token.children:
        if child.lower_ == "always":
            return parse.hit("promise", "claim", "always works", child, token, None), token
        everyone = [c for c in child.children if c.lower_ in ("everyone", "everybody", "all")]
        if child.lower_ == "for" and everyone:
            return parse.hit(
                "promise", "claim", "works for everyone", token, everyone[0], None
            ), token
    return None


#: Verbs of an outcome that "always" makes a claim: "it always stops a panic attack".
_ALWAYS_ENDS = frozenset({"stop", "end", "calm", "ease", "fix", "cure", "heal", "solve", "help"})


#: Claims the small tagger can take for plural nouns ("Journaling fixes insomnia").
_CLAIM_FORMS = frozenset({"cures", "fixes", "eliminates", "eradicates"})


def _misread_claim(token: Token) -> bool:
    """ "X cures Y" with "cures" tagged as a noun: between a subject and an object."""
    doc = token.doc
    if token.lower_ not in _CLAIM_FORMS or token.pos_ == "VERB" or token.i + 1 >= len(doc):
        return False
    before, after = doc[token.i - 1], doc[token.i + 1]
    # At the start, a headline's claim: "Cures insomnia in a week".
    start = token.i == token.sent.start
    subject = start or before.pos_ in ("NOUN", "PROPN", "PRON") or before.tag_ == "VBG"
    return subject and after.pos_ in ("NOUN", "PROPN", "ADJ", "PRON", "DET", "VERB")
