"""Check stage, wording: blame laid on the reader, and labels put on them (`wording.shaming`).

Blame: "it was your fault", "you brought this on yourself", "you should
have known better", "you asked for it". Not blame: the same denied ("it was
not your fault", "none of this is your fault"), asked, or in someone's words.

A label imposed: "survivor", "sufferer" or "addict" said of the reader ("As
a survivor, you may…", "You are a survivor"). Said of others ("survivors of
abuse often blame themselves") it describes, and is left to the label rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from generator.check.parse import (
    YOU,
    Hit,
    Voiced,
    aux_words,
    conditional,
    denied_above,
    hit,
    negated,
    question,
    reported,
    subjects,
    wording_data,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

_WORDS = wording_data()["shaming"]
#: Names for a group that label when said of the reader.
IMPOSED = frozenset(_WORDS["imposed"])
#: Verbs that blame, each with the word it needs ("bring … on").
BLAME_VERBS: dict[str, str | None] = _WORDS["blame_verbs"]
#: What past "should" blames with: "you should have known", "…have left".
_HINDSIGHT = frozenset(
    {
        "know",
        "see",
        "stop",
        "leave",
        "fight",
        "tell",
        "realise",
        "realize",
        "trust",
        "do",
        "say",
        "go",
        "listen",
        "notice",
        "act",
        "report",
        "ask",
        "run",
        "speak",
        "get",
    }
)
#: Who the reader is, as the subject a label is put on: "we are all survivors here".
_READER = frozenset({*YOU, "we"})
#: What happened, as the object of a blaming verb.
_WHAT = frozenset({"it", "this", "that", "what", "everything", "all"})
#: Every trigger a blame or imposed-label finding names, as `allow:` may name it.
TRIGGERS = frozenset(
    {
        "your fault",
        "should have",
        "if you had",
        "not enough",
        "lack of",
        *(f"not {word}" for word in _WORDS["not_serious"]),
        *(f"{verb} {word}" if word else verb for verb, word in BLAME_VERBS.items()),
        *IMPOSED,
    }
)


def blames(sentence: Span, voiced: Voiced) -> Iterator[Hit]:
    """Each place the sentence blames its reader or puts a label on them."""
    if question(sentence):
        return
    for token in sentence:
        if voiced.inside(token):
            continue
        found = (
            _fault(token)
            or _blaming_verb(token)
            or _hindsight(token)
            or _if_only(token)
            or _not_enough(token)
            or _lacking(token)
            or _not_serious(token)
            or _imposed(token)
        )
        if found is not None:
            yield found


def _fault(token: Token) -> Hit | None:
    """ "It was your fault", "you're to blame"."""
    if token.lower_ == "fault":
        yours = [c for c in token.children if c.dep_ == "poss" and c.lower_ in ("your", "yours")]
        if yours and not (denied_above(token) or _nobody_said(token) or reported(token)):
            return hit("shaming", "blame", "your fault", yours[0], token, None)
    return None


def _nobody_said(token: Token) -> bool:
    """ "None of this is your fault": the clause's subject denies it."""
    verb = token.head
    denying = ("none", "nothing", "neither", "no")
    return any(
        s.lower_ in denying or any(c.lower_ == "no" for c in s.children) for s in subjects(verb)
    )


def _blaming_verb(token: Token) -> Hit | None:
    """ "You brought this on yourself", "you asked for it", "you deserved it"."""
    lemma = token.lemma_.lower()
    if token.pos_ not in ("VERB", "AUX") or lemma not in BLAME_VERBS:
        return None
    if not any(s.lower_ in YOU for s in subjects(token)) or negated(token):
        return None
    if aux_words(token) & {"will", "'ll", "may", "might", "can", "could", "would"}:
        return None  # "you can let it happen slowly": a choice, not blame
    needed = BLAME_VERBS[lemma]
    if needed is None:
        # "You deserved it", not "you deserve care": what happened, deserved.
        done = [c for c in token.children if c.dep_ in ("dobj", "ccomp") and c.lower_ in _WHAT]
        if not done or token.tag_ != "VBD":
            return None
        return hit("shaming", "blame", lemma, token, token, None)
    part = next((c for c in token.subtree if c.lower_ == needed and c.i > token.i), None)
    if part is None or (lemma == "bring" and "yourself" not in {t.lower_ for t in token.subtree}):
        return None
    if lemma == "ask" and not any(c.lower_ in ("it", "this", "that") for c in part.children):
        return None  # "you asked for help"
    return hit("shaming", "blame", f"{lemma} {needed}", token, part, None)


def _hindsight(token: Token) -> Hit | None:
    """ "You should have known better": blame with hindsight."""
    if token.lower_ != "should" or token.tag_ != "MD":
        return None
    verb = token.head
    if verb.tag_ != "VBN" or "have" not in aux_words(verb) or "been" in aux_words(verb):
        return None  # "you should have been protected" takes the blame away
    if verb.lemma_.lower() not in _HINDSIGHT or not any(s.lower_ in YOU for s in subjects(verb)):
        return None
    return hit("shaming", "blame", "should have", token, verb, None)


def _if_only(token: Token) -> Hit | None:
    """ "If you'd left sooner, none of this would have happened": blame by what might have been."""
    if token.lemma_.lower() != "happen" or not {"would", "'d", "have"} & aux_words(token):
        return None
    if "have" not in aux_words(token):
        return None
    for clause in (c for c in token.children if c.dep_ == "advcl"):
        marks = {c.lower_ for c in clause.children if c.dep_ == "mark"}
        if "if" in marks and any(s.lower_ in YOU for s in subjects(clause)):
            return hit("shaming", "blame", "if you had", clause, token, None)
    return None


#: What the reader is said not to do enough of: "you didn't try hard enough".
_EFFORT = frozenset({"try", "work", "want", "care", "push", "fight", "practise", "practice"})


def _not_enough(token: Token) -> Hit | None:
    """ "Because you didn't try hard enough": the reader's effort blamed."""
    if token.lemma_.lower() not in _EFFORT or not negated(token):
        return None
    if not any(s.lower_ in YOU for s in subjects(token)):
        return None
    enough = next((t for t in token.subtree if t.lower_ == "enough" and t.i > token.i), None)
    if enough is None:
        return None
    return hit("shaming", "blame", "not enough", token, enough, None)


#: What the reader is said to lack, as blame: "your relapse shows a lack of willpower".
_VIRTUES = frozenset(_WORDS["virtues"])


def _lacking(token: Token) -> Hit | None:
    """ "A lack of willpower", "you lack discipline": said of the reader, their failing."""
    if token.lemma_.lower() != "lack":
        return None
    what = [t for t in token.subtree if t.lower_ in _VIRTUES and t.i > token.i]
    if not what or denied_above(token) or reported(token):
        return None
    verb = token if token.pos_ == "VERB" else token.head
    said = subjects(verb) + [c for s in subjects(verb) for c in s.children if c.dep_ == "poss"]
    if not any(s.lower_ in YOU or s.lower_ in ("your", "yours") for s in said):
        return None
    return hit("shaming", "blame", "lack of", token, what[0], None)


#: What the reader is blamed for not being: "you are not serious about getting better".
_SERIOUS = frozenset(_WORDS["not_serious"])


def _not_serious(token: Token) -> Hit | None:
    """ "Missing sessions shows you are not serious about getting better": the reader's
    will to get better doubted."""
    if token.lower_ not in _SERIOUS or token.dep_ != "acomp":
        return None
    verb = token.head
    if verb.lemma_ != "be" or not negated(verb) or reported(verb) or conditional(verb):
        return None
    if aux_words(verb) & {"may", "might", "can", "could", "would", "will", "'ll"}:
        return None
    if not any(s.lower_ in YOU for s in subjects(verb)):
        return None
    word = next(c for c in verb.children if c.dep_ == "neg")
    return hit("shaming", "blame", f"not {token.lower_}", word, token, None)


def _imposed(token: Token) -> Hit | None:
    """ "As a survivor, you…", "You are a survivor": a label on the reader."""
    word = token.lower_
    if word not in IMPOSED or token.pos_ not in ("NOUN", "PROPN"):
        return None
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "as":
        clause = head.head
        if any(s.lower_ in _READER for s in subjects(clause)):
            return hit("shaming", "imposed", word, head, token, None)
    if token.dep_ in ("attr", "appos") and not denied_above(token):
        said_of = subjects(head) if token.dep_ == "attr" else [head]
        if any(s.lower_ in _READER for s in said_of):
            return hit("shaming", "imposed", word, token, token, None)
    return None
