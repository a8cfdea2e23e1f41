"""Check stage, wording: directives, the handout ordering its reader (`wording.directive`).

Two shapes order: "you" with an obligation in the present ("you should",
"you must", "you have to"), and an imperative that forbids, insists or
commands a feeling ("Don't…", "Never…", "Always…", "Just relax", "Stop
worrying"). A plain step ("Look around the room.") is an instruction the
reader can take or leave, and handouts need those.

Not orders: someone else as the subject ("a person must have symptoms"), a
thought reported ("it can feel like you should…"), an obligation denied ("you
do not have to"), a condition ("if you need to talk"), a hedge ("you might
need to"), the past or future ("you had to", "you will need to"), questions,
and what is in quotation marks or italics.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from generator.check.duties import (
    BANNED,
    KNOWING,
    REQUIRED,
    UNALLOWED,
    banned,
    guessed,
    necessity,
    passive_duty,
    required,
)
from generator.check.parse import (
    CONDITIONS,
    OTHER_MODALS,
    YOU,
    Hit,
    Voiced,
    aux_words,
    conditional,
    hit,
    in_noun_phrase,
    joined_subjects,
    negated,
    question,
    reported,
    respell,
    subjects,
    to_clause,
    wording_data,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

#: Modals of obligation, as `allow:` names them.
OBLIGING_MODALS = {"should": "should", "must": "must", "ought": "ought to"}
#: Verbs that take "to" and oblige in the present: "you have to", "you need to", "you've got to".
OBLIGING_VERBS = frozenset({"have", "need", "get"})
_WORDS = wording_data()["directive"]
#: Imperatives that command a feeling or a state of mind, with the word each needs.
STATES: dict[str, str | None] = _WORDS["states"]
#: "Be …" orders that command a state.
BE_STATES = frozenset(_WORDS["be"])
#: "Stay …" and "keep …" orders that command a state.
STAY_STATES = frozenset(_WORDS["stay"])
#: "Calm your mind", "clear your thoughts": orders that command a state of mind.
MIND_VERBS = frozenset(_WORDS["mind_verbs"])
MIND_OBJECTS = frozenset(_WORDS["mind_objects"])
#: Things a practice has the reader hold, and let go of.
HELD = frozenset(_WORDS["held"])
#: What makes a step an insistence: "…, no matter how you feel", "at all times".
INSISTING = tuple(_WORDS["insisting"])
#: Every trigger a directive finding names, as `allow:` may name it.
TRIGGERS = frozenset(
    {
        *OBLIGING_MODALS.values(),
        *(f"{verb} to" for verb in ("have", "need", "got")),
        "had better",
        "don't",
        "do not",
        "never",
        "always",
        "stop",
        "quit",
        "try to",
        "try harder",
        *INSISTING,
        *REQUIRED,
        *BANNED,
        *(f"not {word}" for word in UNALLOWED),
        "important",
        *(f"{verb} {word}" if word else verb for verb, word in STATES.items()),
        *(f"be {state}" for state in BE_STATES),
        *(f"{verb} {state}" for verb in ("stay", "keep") for state in STAY_STATES),
        *(f"{verb} your {thing}" for verb in MIND_VERBS for thing in MIND_OBJECTS),
        "make sure",
        *("essential", "vital", "crucial", "necessary", "imperative"),
        *("mandatory", "compulsory", "required", "obligatory"),
    }
)
#: "Stop" or "quit" with these after it is a way out offered, not an order.
OPT_OUTS = ("any time", "anytime", "at any point", "whenever", "if ", "when you need", "as needed")
#: What an obligation under "don't feel" or "always feel" takes away: "Don't feel
#: you have to…", "Always feel free to…" give leave.
_LEAVE = frozenset({"free", "have", "need", "must", "should", "obliged", "pressured", "bound"})


def directives(sentence: Span, voiced: Voiced) -> Iterator[Hit]:
    """Each order the sentence gives its reader."""
    if question(sentence):
        return
    for token in sentence:
        if voiced.inside(token):
            continue
        found = _obligation(sentence, token) or necessity(token) or required(token) or banned(token)
        if found is not None:
            yield found
    for verb in imperatives(sentence):
        if not voiced.inside(verb):
            found = _imperative_order(sentence, verb) or _insisting(sentence, verb)
            if found is not None:
                yield found
    misread = _misread_stop(sentence)
    if misread is not None and not voiced.inside(misread[0]):
        yield hit("directive", "state", misread[0].lower_, *misread, None)


def _misread_stop(sentence: Span) -> tuple[Token, Token] | None:
    """ "Quit worrying about it", with "Quit" tagged as a name: (the word, the doing)."""
    opener, doing = sentence[0], sentence[1] if len(sentence) > 1 else None
    if opener.lower_ not in ("stop", "quit") or opener.pos_ == "VERB" or doing is None:
        return None
    return (opener, doing) if _doing(doing) and not _opted_out(sentence) else None


def _doing(word: Token) -> bool:
    """A verb's -ing form, even where the tagger took it for a noun ("Quit dwelling…")."""
    if word.tag_ == "VBG":
        return True
    if not word.lower_.endswith("ing") or word.pos_ != "NOUN":
        return False
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word.lower_)


def _opted_out(sentence: Span) -> bool:
    """Whether the sentence offers a way out ("Stop reading if this is too much")."""
    return any(o in sentence.text.lower() for o in OPT_OUTS)


# --- "you should", "you have to" ---------------------------------------------------


def _obligation(sentence: Span, token: Token) -> Hit | None:
    """An obligation on "you" in the present, with this token as its modal or verb."""
    found = _obliging(sentence, token)
    if found is None:
        return None
    phrase, first, last, verb = found
    # "…must be completed by you": the one obliged is the agent of a passive.
    agents = [o for a in verb.children if a.dep_ == "agent" for o in a.children]
    if not any(s.lower_ in YOU for s in (*joined_subjects(verb), *agents)) and not (
        not agents and passive_duty(verb)
    ):
        return None
    if conditional(verb) or reported(verb) or in_noun_phrase(verb):
        return None
    return hit(
        "directive", "obligation", phrase, first, last, _invitation(sentence, phrase, first, last)
    )


def _obliging(sentence: Span, token: Token) -> tuple[str, Token, Token, Token] | None:
    """(phrase, its first and last token, the verb it obliges) where the token obliges."""
    doc = sentence.doc
    if token.tag_ == "MD" and token.lower_ in OBLIGING_MODALS:
        if token.lower_ == "should" and token.i == _first_word(sentence).i:
            return None  # "Should you wish to stop, just say so": a condition
        verb = token.head
        if verb.tag_ == "VBN" and "have" in aux_words(verb):
            return None  # "you must have felt alone": a guess about the past
        if token.lower_ == "must" and guessed(verb):
            return None  # "you must be tired", "you must be wondering": a guess
        if verb.lemma_ == "have" and to_clause(verb) and negated(verb):
            return None  # "you shouldn't have to carry this alone" takes a weight off
        last = doc[token.i + 1] if token.lower_ == "ought" and token.i + 1 < len(doc) else token
        return OBLIGING_MODALS[token.lower_], token, last, verb
    if token.lower_ == "better" and token.i > 0 and doc[token.i - 1].lower_ in ("had", "'d"):
        return "had better", doc[token.i - 1], token, token.head
    if token.lemma_ not in OBLIGING_VERBS or (to := to_clause(token)) is None:
        return None
    if token.lemma_ == "get":
        if token.lower_ != "got" or not aux_words(token) & {"have", "'ve", "has", "'s"}:
            return None
        first = next(c for c in token.lefts if c.lower_ in ("have", "'ve", "has", "'s"))
        return "got to", first, to[0], token
    if token.tag_ not in ("VBP", "VBZ") or aux_words(token) & OTHER_MODALS or negated(token):
        return None  # "you had to", "you may have to", "you do not have to"
    return f"{token.lemma_} to", token, to[0], token


def _first_word(sentence: Span) -> Token:
    return next((t for t in sentence if not (t.is_punct or t.is_space)), sentence[0])


#: What an obligation says, put without ordering: advice helps, a need matters.
REPHRASED = {
    "should": "it can help to",
    "ought to": "it can help to",
    "had better": "it can help to",
    "must": "it's important to",
    "have to": "it's important to",
    "need to": "it's important to",
    "got to": "it's important to",
}


#: Verbs after which an obligation is an expectation of a feeling, not advice.
_STATES_OF_MIND = frozenset({"be", "feel", "seem"})


def _invitation(sentence: Span, phrase: str, first: Token, last: Token) -> str | None:
    """ "You should talk to someone" as "It can help to talk to someone", when that is sure:
    "you" just before, the verb just after, nothing denied."""
    doc = sentence.doc
    you = doc[first.i - 1] if first.i > sentence.start else None
    if you is None or you.lower_ != "you" or last.i + 1 >= sentence.end:
        return None
    action = doc[last.i + 1]
    if action.tag_ != "VB" or negated(action) or negated(first.head):
        return None  # "you must not skip it": a rewrite would turn it around
    if action.lemma_ in _STATES_OF_MIND:
        return None  # "you should be over it by now" is pressure, not advice to reword
    return f"\u201c{respell(sentence, you, last, REPHRASED[phrase])}\u201d"


# --- "Don't…", "Never…", "Always…", "Just relax" -----------------------------------


#: Words an imperative may open with: "Just relax", "Please don't…", "Never…".
_OPENERS = frozenset({"just", "simply", "please", "now", "so", "then", "and", "do", "n't", "not"})


def imperatives(sentence: Span) -> list[Token]:
    """The verbs the sentence uses to tell the reader to do something."""
    root = sentence.root
    verbs = [root, *(c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"))]
    # An order before a colon or a comma can hang off what follows ("Be brave: the
    # fear will fade"): the word that opens the sentence counts too.
    opener = _opening_word(sentence)
    if opener is not None and opener not in verbs:
        verbs.insert(0, opener)
    return [v for v in verbs if _is_imperative(v, opener)]


def _opening_word(sentence: Span) -> Token | None:
    for token in sentence:
        if token.lower_ not in _OPENERS and token.lower_ not in ("never", "always"):
            return token if token.is_alpha else None
    return None


def _is_imperative(verb: Token, opener: Token | None) -> bool:
    if subjects(verb) or aux_words(verb) - {"do", "n't", "not", "let"}:
        return False
    if verb.tag_ == "VB" and (verb.dep_ == "ROOT" or verb.i == getattr(opener, "i", -1)):
        return True
    if verb.dep_ == "conj" and verb.tag_ == "VB":
        # "Take a breath and stop worrying", not "feelings can arrive… and stay", nor
        # "get help if they talk of death, stop eating…" (the list is the condition's).
        between = verb.doc[verb.head.i + 1 : verb.i]
        if any(t.lower_ in CONDITIONS and t.dep_ == "mark" for t in between):
            return False
        return _is_imperative(verb.head, opener)
    # The tagger can take a lone "Relax." for an interjection, "calm" for an adjective
    # (but "Letting go…" opening a sentence is its subject, not an order).
    if verb.tag_.startswith("VB") or opener is None or verb.i != opener.i:
        return False
    return verb.lemma_.lower() in STATES or _misread_after_never(verb)


def _misread_after_never(word: Token) -> bool:
    """ "Never nap during the day", with "nap" taken for a noun: a word that can be a
    verb, right after an opening "Never" or "Don't"."""
    before = word.doc[word.i - 1] if word.i > word.sent.start else None
    if before is None or before.lower_ not in ("never", "n't", "not") or word.tag_ != "NN":
        return False
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word.lower_)


def _imperative_order(sentence: Span, verb: Token) -> Hit | None:
    first = min((c for c in verb.lefts if c.dep_ in ("neg", "aux", "advmod")), default=verb)
    lefts = {c.lower_ for c in verb.lefts}
    if verb.lemma_ == "feel" and any(t.lower_ in _LEAVE for t in verb.subtree if t.i > verb.i):
        return None  # "Don't feel you have to…", "Always feel free to…": leave given
    if "never" in lefts or (negated(verb) and "do" in aux_words(verb)):
        phrase = "never" if "never" in lefts else "do not" if "not" in lefts else "don't"
        return hit("directive", "prohibition", phrase, first, verb, None)
    if "always" in lefts:
        return hit("directive", "always", "always", first, verb, None)
    harder = next((c for c in verb.children if c.lower_ == "harder"), None)
    if verb.lemma_ == "try" and harder is not None:
        return hit("directive", "always", "try harder", first, harder, None)
    sure = next((c for c in verb.children if c.lower_ == "sure"), None)
    if verb.lemma_ == "make" and sure is not None and not _opted_out(sentence):
        return hit("directive", "obligation", "make sure", first, sure, None)
    state = _state(sentence, verb)
    if state is not None:
        phrase, last = state
        return hit("directive", "state", phrase, first, last, None)
    return None


def _state(sentence: Span, verb: Token) -> tuple[str, Token] | None:
    """(phrase, its last token) when the imperative commands a feeling or a state of mind."""
    lemma = verb.lemma_.lower()
    if lemma == "go" and any(c.lower_ == "let" for c in verb.lefts):
        if _let_go_of_a_thing(verb):
            return None  # "Let go of the stone when you are ready": a step
        return "let go", verb  # "Let go of the past": "let" taken for a helper verb
    if lemma == "try":
        inner = next((c for c in verb.children if c.dep_ == "xcomp"), None)
        if inner is not None and (negated(inner) or _state(sentence, inner)):
            return "try to", inner
        return None
    if lemma in ("stop", "quit"):
        doing = [c for c in verb.children if _doing(c) and c.dep_ in ("xcomp", "dobj")]
        if doing and not _opted_out(sentence):
            return lemma, doing[0]
        return None
    if lemma == "be":
        states = [c for c in verb.children if c.dep_ == "acomp" and c.lower_ in BE_STATES]
        return (f"be {states[0].lower_}", states[0]) if states else None
    if lemma in ("stay", "keep"):
        said = ("acomp", "oprd", "dobj")
        states = [c for c in verb.children if c.dep_ in said and c.lower_ in STAY_STATES]
        return (f"{lemma} {states[0].lower_}", states[0]) if states else None
    if lemma in MIND_VERBS:
        minds = [c for c in verb.children if c.dep_ == "dobj" and c.lower_ in MIND_OBJECTS]
        if minds and any(c.lower_ == "your" for c in minds[0].children):
            return f"{lemma} your {minds[0].lower_}", minds[0]
    if lemma not in STATES:
        return None
    needed = STATES[lemma]
    if lemma == "let" and _let_go_of_a_thing(verb):
        return None
    if needed is None:
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.lower_ != "yourself"]
        # "Relax your shoulders" is a step; "Just relax" and "Forget the past" are not.
        return (lemma, verb) if lemma in ("forget", "forgive") or not objects else None
    part = next((c for c in verb.rights if c.lower_.startswith(needed)), None)
    if part is None or (lemma == "move" and part.nbor(1).lower_ == "to"):
        return None
    return f"{lemma} {needed}", part


#: A sentence that tenses or grips something: "squeeze your fists, then let go" is a step.
_GRIPPING = frozenset({"squeeze", "tense", "clench", "tighten", "grip", "curl", "press"})
_TENSED = frozenset({"hands", "fists", "fist", "shoulders", "jaw", "muscles", "toes", "grip"})


def _let_go_of_a_thing(verb: Token) -> bool:
    """ "Let go of the object", "squeeze your fists, then let them go": what is let go
    of is a thing held, or a grip the same sentence made."""
    held = [t for t in verb.subtree if t.dep_ == "pobj" and t.head.lower_ == "of"]
    if held:
        return any(t.lemma_.lower() in HELD for t in held)  # not "let go of the past"
    # "Let go, and notice how your hands feel": the grip just made, let go.
    return any(t.lemma_.lower() in _GRIPPING or t.lower_ in _TENSED for t in verb.sent)


def _insisting(sentence: Span, verb: Token) -> Hit | None:
    """ "Get up at seven, no matter how you feel", "Keep busy at all times": a step
    made an insistence. Not in a clause of its own ("Remember that help is there at
    all times"), nor where the sentence offers a way out."""
    lower = sentence.text.lower()
    said = next((p for p in INSISTING if p in lower), None)
    if said is None or _opted_out(sentence):
        return None
    start = sentence.start_char + lower.index(said)
    words = [t for t in sentence if start <= t.idx < start + len(said)]
    if not words or verb not in words[0].ancestors:
        return None
    path = [a for a in words[0].ancestors if verb in a.ancestors]
    if any(subjects(a) for a in path if a.pos_ in ("VERB", "AUX")):
        return None
    return hit("directive", "always", said, words[0], words[-1], None)


# --- headings ------------------------------------------------------------------------


def heading_orders(sentence: Span, voiced: Voiced) -> Iterator[Hit]:
    """The orders a heading gives: "You must calm down", "Five things you must do",
    "Never give up". Not a topic ("Five things you must know", "Questions you
    should ask"), nor the catchphrase before a subtitle ("Don't panic: understanding
    panic attacks"), as titles are written."""
    if question(sentence):
        return
    words = [t for t in sentence if not t.is_punct]
    to_you = bool(words) and words[0].lower_ in YOU
    for token in sentence:
        found = None if voiced.inside(token) else _obliging(sentence, token)
        if found is None:
            continue
        phrase, first, last, verb = found
        action = to[1] if verb is token and (to := to_clause(verb)) else verb
        if (
            any(s.lower_ in YOU for s in subjects(verb))
            and not (conditional(verb) or reported(verb))
            and action.lemma_ not in KNOWING
            and (to_you or phrase != "should")
        ):
            yield hit("directive", "obligation", phrase, first, last, None)
    if ":" not in sentence.text:
        yield from (h for h in directives(sentence, voiced) if h.kind != "obligation")
