"""Check stage, wording: promises no handout can keep (`wording.promise`).

A promise is certainty about an outcome: "the numbness will go away", "you
will feel better", "gone for good", "guaranteed", "you are safe now", "this
trick cures anxiety". Not promises: a denial or a mention ("there is no cure
for the past", "this will not fix everything"), a hedge ("it may ease"), a
condition ("if the pain does not go away"), a question, the future of a
timetable ("the group will end in June"), and what is reported ("some people
find it goes away").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from generator.check import parse
from generator.check.claims import CERTAIN, CLAIMS, OFFERED, TOTALLY, claim

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


_WORDS = parse.wording_data()["promise"]
#: Verbs of an outcome, each with the word it needs ("go away").
OUTCOMES: dict[str, str | None] = _WORDS["outcomes"]
#: What "will be" or "will feel" promises.
STATES = frozenset(_WORDS["states"])
#: Things whose future is a timetable, not an outcome.
TIMETABLES = frozenset(_WORDS["timetables"])
#: What "you will have no more …" promises away.
_TROUBLES = frozenset(_WORDS["troubles"])
#: Every trigger a promise finding names, as `allow:` may name it.
TRIGGERS = frozenset(
    {
        *(f"will {verb} {word}" if word else f"will {verb}" for verb, word in OUTCOMES.items()),
        *(f"will be {state}" for state in STATES),
        *(f"will feel {state}" for state in STATES),
        *(f"will get {word}" for word in _WORDS["improving"]),
        "will get through this",
        "will get through it",
        "will happen",
        "will come back",
        "will return",
        "guaranteed",
        "guarantee",
        "forever",
        "for good",
        "always works",
        "works for everyone",
        "you are safe",
        "will not come back",
        "proven",
        "100% effective",
        "heals",
        "nothing can hurt you",
        "can't hurt you",
        "the danger is over",
        "a safe place",
        "nothing can happen to you",
        "impossible",
        "in no time",
        "back to normal",
        "will have no",
        *CERTAIN,
        *TOTALLY,
        *CLAIMS,
    }
)
#: Words that say an outcome is for some, not all: "for many people, it will ease".
_FOR_SOME = ("for some", "for many", "for most", "for a lot of", "some people", "many people")
#: Words that make a rewrite with "may" still sound certain.
_ABSOLUTE = (
    *("for good", "forever", "for ever", "never", "completely", "100"),
    *("promise", "guarantee", "definitely", "certainly", "surely", "safe"),
)


def promises(sentence: Span, voiced: parse.Voiced) -> Iterator[parse.Hit]:
    """Each promise the sentence makes."""
    if parse.question(sentence):
        return
    seen: set[int] = set()
    for token in sentence:
        if voiced.inside(token) or parse.conditional(token):
            continue
        found = (
            _future(sentence, token, voiced) or claim(token) or _certain_to(token) or _safety(token)
        )
        if found is not None and found[1].i not in seen:
            seen.add(found[1].i)
            yield found[0]


def _future(sentence: Span, token: Token, voiced: parse.Voiced) -> tuple[parse.Hit, Token] | None:
    """ "Will" or "going to" with an outcome: "the numbness will go away"."""
    if token.tag_ == "MD" and token.lower_ in ("will", "'ll", "wo"):  # "wo" of "won't"
        first, last, verb = token, token, token.head
        while verb.dep_ in ("aux", "auxpass") and verb.head.i != verb.i:
            verb = verb.head  # "will be gone": "be" leans on "gone"
    elif token.lower_ == "going" and parse.aux_words(token) and (to := parse.to_clause(token)):
        first = min(c for c in token.lefts if c.dep_ == "aux")
        last, verb = to
    else:
        return None
    end = _outcome(verb)
    if any(h in sentence.text.lower() for h in _FOR_SOME):
        return None  # "For some people, not all, the alarm will fade": not a promise to all
    if (
        end is None
        or any(s.lower_ in TIMETABLES for s in parse.joined_subjects(verb))
        or parse.reported(verb)
    ):
        return None
    if voiced.inside(verb) or parse.denied_over(verb):
        return None  # "no one can promise that it will stop"
    again = verb.lemma_ in ("happen", "come", "return") or _not_again(verb) is not None
    if parse.negated(verb) and not (_never_again(verb) or again):
        return None  # "it will not fix everything"; but "it won't come back" promises
    denials = ("never", "n't", "not")
    outcome = [t.lower_ for t in sentence.doc[last.i + 1 : end.i + 1] if t.lower_ not in denials]
    if parse.negated(verb) and not _never_again(verb) and verb.lemma_ != "happen":
        outcome.insert(0, "not")  # "won't come back"
    kind = "safety" if end.lower_ == "safe" else "outcome"
    found = parse.hit("promise", kind, " ".join(["will", *outcome]), first, end, None)
    return _with_rewrite(found, sentence, first, last, verb), verb


def _certain_to(token: Token) -> tuple[parse.Hit, Token] | None:
    """ "You are 100% certain to regain…", "your cravings are sure to be gone": a result
    said to be certain (not "you are bound to have bad days", nor "sure to feel nervous")."""
    if token.lower_ not in ("certain", "sure") or token.dep_ != "acomp":
        return None
    verb, to = token.head, parse.to_clause(token)
    if to is None or verb.lemma_ != "be" or verb.tag_ not in ("VBZ", "VBP"):
        return None
    if parse.negated(verb) or parse.aux_words(verb) or parse.reported(verb):
        return None
    if token.lower_ == "sure" and _outcome(to[1]) is None:
        return None
    return parse.hit("promise", "claim", f"{token.lower_} to", token, to[0], None), token


def _outcome(verb: Token) -> Token | None:
    """The last word of the outcome the verb names, or None when it names none."""
    lemma = verb.lemma_.lower()
    not_again = _not_again(verb)
    if not_again is not None:
        return not_again
    if verb.lower_ in STATES and "be" in parse.aux_words(verb):
        return verb  # "will be gone", "will be healed"
    if lemma in ("be", "feel"):
        states = [c for c in verb.children if c.lower_ in STATES and "subj" not in c.dep_]
        states += [d for c in verb.children if c.dep_ == "acomp" for d in c.conjuncts]
        states = [s for s in states if s.lower_ in STATES]
        if states or lemma == "be" or _back(verb) is not None:
            return states[0] if states else _back(verb)
    if lemma == "work" and any(s.lower_ in OFFERED for s in parse.subjects(verb)):
        return verb  # "this treatment will work for you"
    if lemma in ("have", "feel"):  # "you will have no more symptoms", "…feel no guilt"
        gone = [
            c
            for c in verb.children
            if c.dep_ == "dobj"
            and c.lower_ in _TROUBLES
            and any(
                d.lower_ == "no" or (d.lower_ == "any" and parse.negated(verb)) for d in c.children
            )
        ]
        return gone[0] if gone else None
    if lemma == "happen":
        return verb if any(s.lower_ == "nothing" for s in parse.subjects(verb)) else None
    if lemma in ("return", "come"):
        back = [c for c in verb.children if c.lower_ == "back"]
        again = lemma == "return" or back
        ever = _never_again(verb) or parse.negated(verb)
        return (back or [verb])[0] if again and ever else None
    if lemma == "make":
        made = [c for c in verb.children if c.dep_ in ("ccomp", "xcomp", "acomp")]
        return made[0] if made and (_outcome(made[0]) or made[0].lower_ in STATES) else None
    if lemma in ("get", "become", "grow"):
        better = _better(verb)
        if better is not None:
            return better
    if lemma not in OUTCOMES:
        return None
    needed = OUTCOMES[lemma]
    if needed is None:
        return verb
    return next((c for c in verb.children if c.lower_ == needed), None)


def _back(verb: Token) -> Token | None:
    """ "You will be back to normal", "…back to your old self": the outcome's last word."""
    back = [c for c in verb.children if c.lower_ == "back"]
    to = [t for b in back for t in b.subtree if t.lower_ in ("normal", "self")]
    return to[0] if to else None


#: What "will get" promises: "it will get easier", "you will get through this".
IMPROVING = frozenset(_WORDS["improving"])


def _better(verb: Token) -> Token | None:
    """ "Your grief will get easier", "you will get through this": the outcome's last word."""
    said = [c for c in verb.children if c.dep_ in ("acomp", "oprd", "advmod", "attr")]
    better = [c for c in said if c.lower_ in IMPROVING]
    if better:
        return better[0]
    through = [c for c in verb.children if c.lower_ == "through" and c.dep_ in ("prep", "prt")]
    hard = [o for t in through for o in t.children if o.lower_ in ("this", "it", "that")]
    return hard[0] if verb.lemma_ == "get" and hard else None


#: What a reader is promised never to go through again: "you won't feel that again",
#: "you'll never crave a drink again", "you will never relapse".
_AGAIN = frozenset(_WORDS["never_again"])
#: Of those, what "never" alone promises away, with no "again": "you will never relapse".
_NEVER = frozenset(_WORDS["never"])


def _not_again(verb: Token) -> Token | None:
    """ "You won't ever feel that fear again": the last word of such a promise."""
    lemma = verb.lemma_.lower()
    inner = parse.to_clause(verb) if lemma == "have" else None
    if inner is not None and inner[1].lemma_.lower() in _AGAIN:
        lemma = inner[1].lemma_.lower()  # "you'll never have to feel this sad again"
    if lemma not in _AGAIN or not parse.negated(verb):
        return None
    again = next((t for t in verb.subtree if t.lower_ == "again" and t.i > verb.i), None)
    if again is None and lemma in _NEVER and _never_again(verb):
        return verb
    return again


def _never_again(verb: Token) -> bool:
    """ "It will never come back": a promise made by a denial."""
    return any(c.lower_ == "never" for c in verb.children)


def _with_rewrite(
    found: parse.Hit, sentence: Span, first: Token, last: Token, verb: Token
) -> parse.Hit:
    """ "Will go away" as "may go away", when nothing else in the sentence is certain."""
    lower = sentence.text.lower()
    if _never_again(verb) or parse.negated(verb) or verb.lemma_ == "happen":
        return found  # "may not come back" would still sound sure
    if any(w in lower for w in _ABSOLUTE):
        return found
    futures = [t for t in sentence if t.tag_ == "MD" and t.lower_ in ("will", "'ll")]
    if (
        len(futures) + sum(t.lower_ == "going" and parse.to_clause(t) is not None for t in sentence)
        > 1
    ):
        return found  # "it will lift and you'll be fine": one "may" would leave a promise
    new, until = "may", last
    if verb.lemma_.lower() == "fix" and verb.i == last.i + 1:
        new, until = "may help with", verb
    elif verb.lemma_.lower() == "cure" and verb.i == last.i + 1:
        new, until = "may ease", verb
    rewrite = f"\u201c{parse.respell(sentence, first, until, new)}\u201d"
    return parse.Hit(found.family, found.kind, found.phrase, found.said, found.start, rewrite)


def _safety(token: Token) -> tuple[parse.Hit, Token] | None:
    """ "You are safe now": safety promised to the reader."""
    if token.lower_ in ("hurt", "harm"):
        return _unharmed(token)
    if token.lemma_.lower() == "happen":
        return _nothing_happens(token)
    if token.lower_ in ("over", "gone", "past"):
        return _danger_over(token)
    if token.lower_ == "safe" and token.dep_ == "amod":
        return _safe_place(token)
    if token.lower_ != "safe" or token.dep_ != "acomp":
        return None
    verb = token.head
    if verb.lemma_ != "be" or verb.tag_ not in ("VBP", "VBZ") or parse.aux_words(verb):
        return None
    if parse.negated(verb) or any(c.dep_ == "xcomp" for c in token.children):
        return None  # "you are safe to stop at any time" gives leave, not a promise
    you = [s for s in parse.subjects(verb) if s.lower_ in parse.YOU]
    if not you:
        return None
    return parse.hit("promise", "safety", "you are safe", you[0], token, None), token


#: Places a handout can't promise are safe: "your bedroom is a safe place".
_PLACES = frozenset({"place", "space", "spot", "room", "home", "haven"})
#: Whose place: the reader's, or the one they are in.
_THEIRS = frozenset({"your", "this", "here", "home"})


def _safe_place(token: Token) -> tuple[parse.Hit, Token] | None:
    """ "Your bedroom is a safe place", "you are in a safe space now": safety promised
    of where the reader is, when many readers are not safe where they sleep."""
    place = token.head
    if place.lower_ not in _PLACES:
        return None
    verb = place.head.head if place.dep_ == "pobj" else place.head
    if place.dep_ not in ("attr", "pobj") or verb.lemma_ != "be" or verb.tag_ not in ("VBP", "VBZ"):
        return None
    if parse.aux_words(verb) or parse.negated(verb) or parse.conditional(verb):
        return None  # "it can be a safe place", "is not always", "if it is"
    said = parse.joined_subjects(verb)
    mine = [s for s in said if s.lower_ in _THEIRS or s.lower_ in parse.YOU]
    mine += [s for s in said for c in s.children if c.lower_ in _THEIRS]
    if not mine or parse.reported(verb):
        return None
    return parse.hit("promise", "safety", "a safe place", token, place, None), place


#: What a handout can't say is over: "the danger is over", "the threat is gone".
_DANGERS = frozenset({"danger", "dangers", "threat", "threats", "abuse"})


def _unharmed(verb: Token) -> tuple[parse.Hit, Token] | None:
    """ "Nothing can hurt you now", "the memories can't hurt you any more"."""
    said = parse.joined_subjects(verb)  # "they are not dangerous and cannot hurt you"
    nobody = [s for s in said if s.lower_ in ("nothing", "nobody", "no-one")]
    nobody += [s for s in said if any(c.lower_ == "no" for c in s.children)]
    phrase = "nothing can hurt you"
    if not nobody and parse.negated(verb) and parse.aux_words(verb) & {"can", "ca", "could"}:
        nobody, phrase = said, "can't hurt you"  # "the memories can't hurt you"
    if not nobody or not any(c.lower_ in parse.YOU for c in verb.children):
        return None
    if parse.conditional(verb) or parse.reported(verb):
        return None
    return parse.hit("promise", "safety", phrase, nobody[0], verb, None), verb


def _nothing_happens(verb: Token) -> tuple[parse.Hit, Token] | None:
    """ "Nothing bad can happen to you here": safety promised."""
    nothing = [s for s in parse.subjects(verb) if s.lower_ in ("nothing", "no-one", "nobody")]
    to_you = [
        p
        for p in verb.children
        if p.lower_ == "to" and any(o.lower_ in parse.YOU for o in p.children)
    ]
    if (
        not nothing
        or not to_you
        or not parse.aux_words(verb) & {"can", "ca", "could", "will", "'ll"}
    ):
        return None
    if parse.conditional(verb) or parse.reported(verb):
        return None
    return parse.hit(
        "promise", "safety", "nothing can happen to you", nothing[0], to_you[0], None
    ), verb


def _danger_over(token: Token) -> tuple[parse.Hit, Token] | None:
    """ "The danger is over": safety promised, when many readers still live with danger."""
    # "The danger is over" (over on "is"); "the threat is gone" ("is" a helper of "gone").
    verb = token.head if token.head.lemma_ == "be" else token
    if verb is token and "be" not in {a.lemma_ for a in token.children if a.dep_.startswith("aux")}:
        return None
    heads = [verb, *(c for c in token.children if c.dep_.startswith("aux"))]
    said = [s for h in heads for s in parse.subjects(h) if s.lower_ in _DANGERS]
    if not said or parse.negated(verb) or parse.aux_words(verb) & parse.OTHER_MODALS:
        return None
    if parse.conditional(verb):
        return None
    return parse.hit("promise", "safety", "the danger is over", said[0], token, None), token
