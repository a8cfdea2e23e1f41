"""Check stage, wording: words that blame or label a person (`wording.shaming`).

"Broken", "weak", "a failure" label when said of a person, their body or
mind ("your broken nervous system", "you are weak"), or of what the person
does ("skipping it is a failure"). They don't when said of a thing ("a
broken arm heals", "the plan failed"), when the sentence rejects the label
("you are not crazy", "trauma does not make you weak"), or when it reports
how someone feels ("you may feel like a failure").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from generator.check.parse import (
    MIND,
    PEOPLE,
    YOU,
    Hit,
    Voiced,
    aux_words,
    denied_above,
    hit,
    negated,
    opens_an_order,
    reported,
    respell,
    subjects,
    wording_data,
)

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


_WORDS = wording_data()["shaming"]
#: Words that label, when said of a person.
LABELS = frozenset(_WORDS["labels"])
#: Labels that are always of a person ("victims of abuse").
PEOPLE_WORDS = frozenset(_WORDS["people_words"])
#: People named by a diagnosis ("schizophrenics"), and by an illness ("the mentally ill").
IDENTITY = frozenset(_WORDS["identity"])
#: What makes "abusers" a diagnosis: "drug abusers" (not "your abuser").
ABUSED = frozenset(_WORDS["abused"])
#: People, as the noun a diagnosis may stand before: "psychotic people".
_PEOPLE_NOUNS = frozenset(
    {"people", "person", "persons", "patients", "patient", "clients", "client", "individuals"}
    | {"children", "kids", "teens", "adults", "men", "women", "girls", "boys", "parents"}
)
NAMED_ILL = frozenset(_WORDS["named_ill"])
#: What a person feels or does: theirs when said with "your".
OWNED = frozenset(_WORDS["owned"])


def labels(sentence: Span, voiced: Voiced) -> Iterator[Hit]:
    """Each word in the sentence that labels a person."""
    for token in sentence:
        named = _identity(token)
        if named is not None and not voiced.inside(token) and not _in_a_name(token):
            yield hit("shaming", "identity", named[0], named[1], token, None)
            continue
        word = _word(token)
        if word is None or voiced.inside(token) or _in_a_name(token):
            continue
        first = token.doc[token.i - 2] if "-" in word else token
        if word not in PEOPLE_WORDS and "-" not in word and " " not in word and _compound(token):
            continue
        if denied_above(token, by_orders=False) or (reported(token) and not _labelled(token)):
            continue
        if _set_against(first):
            continue  # "a sign of strength, not weakness", "rather than a failure"
        if (
            word in PEOPLE_WORDS
            or _of_a_person(token)
            or _of_a_person(first)
            or _after_a_copula(first)
        ):
            yield hit("shaming", "label", word, first, token, _respelled(sentence, token))


def _identity(token: Token) -> tuple[str, Token] | None:
    """ "Schizophrenics", "a psychotic", "psychotic people", "the mentally ill": people
    named by a diagnosis (the word, and where it starts); not "a psychotic episode"."""
    lower = token.lower_
    doc = token.doc
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    before_people = after is not None and after.lower_ in _PEOPLE_NOUNS
    if lower in NAMED_ILL and token.i >= 1 and doc[token.i - 1].lower_ == "mentally":
        # "the mentally ill", "mentally ill people"; not "mentally ill health"
        nothing_after = after is None or after.pos_ not in ("NOUN", "PROPN")
        the = token.i >= 2 and doc[token.i - 2].lower_ == "the"
        if (the and nothing_after) or before_people:
            return f"mentally {lower}", doc[token.i - 1]
        return None
    if lower in ("abuser", "abusers"):
        used = [c for c in token.children if c.dep_ == "compound" and c.lower_ in ABUSED]
        return (f"{used[0].lower_} {lower}", used[0]) if used else None
    if lower in IDENTITY and before_people:
        return lower, token  # "psychotic people", "schizophrenic patients"
    plural = lower.endswith("s") and lower[:-1] in IDENTITY
    if not plural and lower not in IDENTITY:
        return None
    if not plural and (token.dep_ in ("amod", "compound", "acomp") or token.head.i == token.i + 1):
        return None  # "psychotic symptoms", "she was psychotic": a word for a state
    if not plural and not any(c.dep_ == "det" for c in token.children):
        return None
    return lower, token


#: What sets a word against the one before it: "strength, not weakness".
_AGAINST = (("not",), ("rather", "than"), ("instead", "of"), ("never",))


def _set_against(token: Token) -> bool:
    """Whether the label is what the sentence says something is not."""
    if any(c.dep_ == "neg" for c in token.children):
        return True
    doc, i = token.doc, token.i - 1
    while i >= token.sent.start and doc[i].dep_ == "det":
        i -= 1
    words = tuple(t.lower_ for t in doc[max(token.sent.start, i - 1) : i + 1])
    return any(words[-len(a) :] == a for a in _AGAINST)


def _labelled(token: Token) -> bool:
    """ "You are considered non-compliant", "you will be labelled resistant": a label put
    on the reader in the handout's own voice, not someone's view reported."""
    verb = token.head
    while verb.dep_ in ("oprd", "xcomp", "acomp") and verb.head.i != verb.i and verb.tag_ != "VBN":
        verb = verb.head
    if verb.tag_ != "VBN" or not {c.dep_ for c in verb.children} & {"auxpass"}:
        return False
    if any(c.dep_ == "agent" for c in verb.children) or negated(verb):
        return False  # "you may be called lazy by others": their word, reported
    if aux_words(verb) & {"may", "might", "can", "could", "would"}:
        return False
    return any(c.dep_ == "nsubjpass" and c.lower_ in YOU for c in verb.children)


def _word(token: Token) -> str | None:
    """The label a token ends, hyphenated words whole ("non-compliant"); None if none."""
    doc = token.doc
    if token.i + 1 < len(doc) and doc[token.i + 1].text == "-" and not token.whitespace_:
        return None  # the first part of "non-compliant": its last part is the word
    if token.i >= 2 and doc[token.i - 1].text == "-" and not doc[token.i - 1].whitespace_:
        whole = f"{doc[token.i - 2].lower_}-{token.lower_}"
        return whole if whole in LABELS else None  # "treatment-resistant" is a term
    if token.lower_ == "fail" and token.i > 0 and doc[token.i - 1].lower_ == "without":
        return None  # "every day without fail": an idiom, no one failing
    if token.lower_ in ("seeker", "seekers"):
        # "attention seekers" (not "asylum seekers")
        before = doc[token.i - 1] if token.i > 0 else None
        return (
            f"attention {token.lower_}"
            if before is not None and before.lower_ == "attention"
            else None
        )
    if token.lower_ == "difficult":
        # "are being difficult" labels; "this can be difficult" is how things are
        return "being difficult" if token.i > 0 and doc[token.i - 1].lower_ == "being" else None
    if token.lower_ in LABELS or token.lemma_.lower() in LABELS:
        return token.lower_
    return None


def _in_a_name(token: Token) -> bool:
    """Part of a proper name: "the Office for Victims of Crime" (but in a title, every
    word has a capital: "Supporting Victims of Grooming")."""
    if not token.text[:1].isupper() or _title_case(token.sent):
        return False
    if token.i > token.sent.start:
        return True
    # At the start every word has a capital: a name goes on in capitals ("Victim Support").
    after = token.doc[token.i + 1] if token.i + 1 < token.sent.end else None
    return after is not None and after.is_alpha and after.text[:1].isupper() and after.lower_ != "i"


def _title_case(sentence: Span) -> bool:
    """Whether a sentence is a title, its longer words all with capitals."""
    words = [t for t in sentence if t.is_alpha and len(t) > 3]
    return sum(t.text[:1].isupper() for t in words) >= 0.8 * len(words)


def _compound(token: Token) -> bool:
    """A part of a term: "heart failure", "kidney damage"."""
    return any(c.dep_ == "compound" for c in token.children)


def _of_a_person(token: Token) -> bool:
    """Whether the label is said of a person, their body or mind, or what they do."""
    if token.pos_ == "VERB" and _verb_of_a_person(token):
        return True
    if token.dep_ in ("amod", "compound") and token.head.pos_ == "ADJ":
        return _of_a_person(token.head)  # "pathetic and self-indulgent", taken as one
    if token.dep_ in ("amod", "compound"):
        # The words up to the head too: "your damaged nervous system" misread.
        between = token.doc[token.i + 1 : token.head.i]
        return _personal(token.head) or any(map(_personal, between))
    # "your failure to attend", "a weakness of character"
    if any(c.dep_ == "poss" and _personal(c) for c in token.children):
        return True
    for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ in ("of", "to")):
        if any(_personal(o) for o in prep.children):
            return True
    return _said_of_a_person(token)


def _verb_of_a_person(verb: Token) -> bool:
    """ "You failed", "trauma damaged your brain", "soldiers are damaged"; not "the plan failed"."""
    if verb.lemma_.lower() == "damage":
        done_to = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
        return any(_personal(o) for o in done_to)
    return any(_personal(s) for s in subjects(verb))


def _said_of_a_person(token: Token) -> bool:
    """Whether the clause the label completes is about a person ("you are weak") or their act
    ("skipping it is a failure", "it is pathetic to still be upset")."""
    said = [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]
    if said:
        return any(_personal(s) for s in said)  # "make you weak"
    for above in token.ancestors:
        if above.pos_ not in ("VERB", "AUX"):
            continue
        found = subjects(above)
        if not found:
            if opens_an_order(above) or (above.dep_ == "ROOT" and above.tag_ == "VB"):
                return True  # an order to the reader: "Don't be so dramatic"
            continue  # "stop being so lazy": the subject is further up
        act = [c for c in (*token.children, *above.children) if c.dep_ == "xcomp"]
        if any(s.lower_ == "it" for s in found) and act:
            return True  # "it is pathetic to still be upset": the act is the reader's
        objects = [o for o in above.children if o.dep_ == "dobj"]
        return any(_personal(s) or an_act(s) for s in found) or any(map(_personal, objects))
    return False


#: Words that make what follows a description of the subject ("is", "being"), and
#: words that may stand between them and the label ("is often just a bit lazy").
_COPULAS = frozenset(wording_data()["roles"]["copulas"])
_BETWEEN = frozenset(wording_data()["roles"]["between"])
_CLAUSE_BREAKS = frozenset({";", ":", "\u2014", "\u2013", "(", ")"})


def _after_a_copula(token: Token) -> bool:
    """ "… is often just being dramatic": the label said of whoever the clause is about,
    read from the words when a long sentence defeats the parser."""
    doc, start = token.doc, token.sent.start
    i = token.i - 1
    # "is often just a bit lazy", "is a moral failing"
    while i >= start and (
        doc[i].lower_ in _BETWEEN or (doc[i].head == token and doc[i].dep_ == "amod")
    ):
        i -= 1
    if i < start or doc[i].lower_ not in _COPULAS:
        return False
    for j in range(i - 1, start - 1, -1):
        if doc[j].text in _CLAUSE_BREAKS:
            return False
        if doc[j].dep_ == "poss" and j + 1 < i:
            continue  # "your phone battery is weak" is about the battery
        if _personal(doc[j]) or (j == start and an_act(doc[j])):
            return True
    return opens_an_order(doc[start]) or doc[start].lower_ in ("stop", "quit")


def an_act(word: Token) -> bool:
    """Something done, as the subject: "skipping it", "needing help"."""
    # The tagger takes a gerund at the start for a noun: "Crying is a sign of weakness".
    if word.tag_ == "VBG" or word.dep_ == "csubj":
        return True
    if word.pos_ != "NOUN" or not word.lower_.endswith("ing"):
        return False
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word.lower_)


def _personal(word: Token) -> bool:
    """A person, a person's body or mind ("your nervous system"), or someone's name."""
    lower = word.lower_
    if lower in PEOPLE or lower in MIND:
        return True
    if lower == "system":
        before = word.doc[word.i - 1] if word.i > 0 else None
        return any(c.lower_ == "nervous" for c in word.children) or (
            before is not None and before.lower_ == "nervous"
        )
    if lower in OWNED:  # "your reactions", not "irrational thoughts"
        return any(c.dep_ == "poss" and c.lower_ in PEOPLE for c in word.children)
    if any(c.dep_ == "relcl" and any(w.lower_ == "who" for w in c.children) for c in word.children):
        return True  # "teenagers who…": whoever "who" stands for is a person
    # A capital word the dictionary doesn't know is a name ("Maria", "Tomasz"); the
    # tagger takes any capital at the start for one, but "Trauma" is a word.
    if not word.text[:1].isupper() or word.pos_ not in ("PROPN", "NOUN"):
        return False
    from lemminflect import getAllLemmas  # it brings spaCy in: only once a sentence is parsed

    return not getAllLemmas(lower)


def _respelled(sentence: Span, token: Token) -> str | None:
    """ "Victims of abuse" as "People who have lived through abuse", when that is sure."""
    if token.lower_ not in PEOPLE_WORDS:
        return None
    prep = [c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"]
    if len(prep) != 1 or token.i + 1 != prep[0].i or not list(prep[0].children):
        return None
    det = [c for c in token.lefts]
    first = det[0] if det else token
    if token.lower_ == "victims" and not det:
        new = "people who have lived through"
    elif token.lower_ == "victim" and det and det[0].lower_ in ("a", "the") and len(det) == 1:
        new = f"{det[0].text.lower()} person who has lived through"
    else:
        return None
    if _title_case(sentence):
        new = " ".join(w if w in ("a", "the") else w.capitalize() for w in new.split())
    return f"\u201c{respell(sentence, first, prep[0], new)}\u201d"
