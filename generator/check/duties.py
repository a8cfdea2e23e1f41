"""Check stage, wording: duties the reader is given without "you should" (`wording.directive`).

"It is essential that you practise", "this step is mandatory", "you are
required to…", "your homework must be finished", "medication should be
taken as prescribed". Not duties: a guess ("you must be tired"), someone
else's ("a parent must be told"), leave given ("nothing should be done
without your consent"), what the reader is to know ("it's important that
you know you are not alone").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.check.labels import an_act
from generator.check.parse import (
    NOBODY,
    OTHER_MODALS,
    PEOPLE,
    YOU,
    Hit,
    aux_words,
    conditional,
    hit,
    negated,
    reported,
    subjects,
    to_clause,
    wording_data,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

_WORDS = wording_data()["directive"]
#: What "you must be …" guesses: "you must be tired".
_GUESSED = frozenset(_WORDS["guessed"])
#: What the reader does, obliged in the passive with no one named.
_PASSIVE_DUTIES = frozenset(_WORDS["passive_duties"])
#: "You are required to…", "you are expected to…".
REQUIRED = frozenset(_WORDS["required"])
#: A ban: "leaving early is forbidden"; "weighing yourself is not allowed".
BANNED = frozenset(_WORDS["banned"])
UNALLOWED = frozenset(_WORDS["unallowed"])
#: What a heading's "must" or "need to" points at when it names what the page
#: tells: "Five things you must know" is a topic; "Five things you must do" an order.
KNOWING = frozenset({"know", "understand", "learn", "remember", "read", "hear", "see", "expect"})


#: Words that make a step a duty: "it is essential that you…", "this step is mandatory".
_NEEDED = frozenset({"essential", "vital", "crucial", "necessary", "imperative"})
_MANDATORY = frozenset({"mandatory", "compulsory", "required", "obligatory"})


def necessity(token: Token) -> Hit | None:
    """ "It is essential that you practise", "this practice is mandatory"."""
    word = token.lower_
    if token.dep_ != "acomp" or word not in _NEEDED | _MANDATORY | {"important"}:
        return None
    verb = token.head
    if verb.lemma_ != "be" or negated(verb) or conditional(verb) or reported(verb):
        return None
    if word in _MANDATORY:
        return hit("directive", "obligation", word, token, token, None)
    duty = [c for c in (*token.children, *verb.children) if c.dep_ in ("ccomp", "xcomp", "advcl")]
    if word == "important":
        # "It's important that you stop…"; not "it's important to go slowly", nor what
        # the reader is to know or feel ("it's important that you know you are not alone").
        duty = [c for c in duty if c.dep_ == "ccomp" and c.lemma_ not in KNOWING | {"feel", "be"}]
    for clause in duty:
        doers = subjects(clause) + [
            o for p in clause.children if p.lower_ == "for" for o in p.children
        ]
        if any(d.lower_ in YOU for d in doers):
            return hit("directive", "obligation", word, token, token, None)
    return None


def required(token: Token) -> Hit | None:
    """ "You are required to complete the worksheet": an obligation in the passive."""
    if token.lower_ not in REQUIRED or token.tag_ != "VBN" or to_clause(token) is None:
        return None
    if not any(c.dep_ == "auxpass" for c in token.children) or negated(token):
        return None
    if aux_words(token) & OTHER_MODALS or conditional(token) or reported(token):
        return None  # "you may be asked to", "if you are required to"
    if not any(c.dep_ == "nsubjpass" and c.lower_ in YOU for c in token.children):
        return None
    return hit("directive", "obligation", token.lower_, token, token, None)


def passive_duty(verb: Token) -> bool:
    """ "Your homework must be finished", "medication should be taken as prescribed": a
    duty in the passive, with no one named, on the reader's things or what they do."""
    if verb.tag_ != "VBN" or not any(c.dep_ == "auxpass" for c in verb.children):
        return False
    said = [c for c in verb.children if c.dep_ == "nsubjpass"]
    if any(s.lower_ in PEOPLE and s.lower_ not in YOU for s in said):
        return False  # "a parent must be told": someone else's duty
    if any(s.lower_ in NOBODY or any(c.lower_ == "no" for c in s.children) for s in said):
        return False  # "nothing should be done without your consent" gives leave
    for_whom = [o for p in verb.children if p.lower_ == "for" for o in p.children]
    if any(o.lower_ in PEOPLE and o.lower_ not in YOU for o in for_whom):
        return False  # "bloods must be taken … for patients on clozapine": the clinic's duty
    yours = any(c.dep_ == "poss" and c.lower_ == "your" for s in said for c in s.children)
    return yours or verb.lemma_.lower() in _PASSIVE_DUTIES


def guessed(verb: Token) -> bool:
    """ "You must be tired", "you must be feeling low": a guess at how the reader is."""
    if verb.tag_ == "VBG" and "be" in aux_words(verb):
        return True
    if verb.lemma_ != "be" or negated(verb):
        return False
    return any(c.dep_ == "acomp" and c.lower_ in _GUESSED for c in verb.children)


def banned(token: Token) -> Hit | None:
    """ "Leaving early is forbidden", "weighing yourself is not allowed", "you are
    forbidden to…": a ban on what the reader does. Not leave given ("you are allowed
    to say no"), nor a rule for someone else ("visitors are not allowed after eight")."""
    word = token.lower_
    if word in BANNED:
        if negated(token) or negated(token.head):
            return None
        phrase, first = word, token
    elif word in UNALLOWED and token.tag_ == "VBN" and negated(token):
        phrase, first = f"not {word}", next((c for c in token.lefts if c.dep_ == "neg"), token)
    else:
        return None
    verb = token if token.dep_ != "acomp" else token.head
    if aux_words(verb) & OTHER_MODALS or conditional(verb) or reported(verb):
        return None
    said = [c for c in (*token.children, *verb.children) if "subj" in c.dep_]
    act = any(an_act(s) or s.lower_ in YOU for s in said)
    return hit("directive", "prohibition", phrase, first, token, None) if act else None
