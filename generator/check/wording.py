"""Check stage, wording: text that orders, blames or promises, and the `allow:` lists.

Each family has its module (orders, labels, promises), reading spaCy's parse
of each sentence (parse); this one runs them over what a handout prints,
adds the project's own phrases, and honours `allow:`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.blocks import walk
from generator.check import blame, labels, orders, promises, spanish
from generator.check.orders import directives, heading_orders
from generator.check.parse import QUOTED, Hit, Voiced, parse, sentences, voiced, wording_data
from generator.check.report import Loc
from generator.check.rules import RULES, Rule
from generator.check.text import Passage, clip, others_words, printed
from generator.config import Project
from generator.errors import Problem
from generator.markup import inline_sources
from generator.model import HandoutFile
from generator.yamlfile import Located, read_yaml

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

#: What reads a sentence for orders, or None where nothing is read as one.
Orders = Callable[["Span", Voiced], Iterator[Hit]] | None

#: The wording families, each found by its rule. These are also the rules an
#: `allow:` list can switch off.
CATEGORIES: dict[str, Rule] = {
    "directive": RULES["wording.directive"],
    "shaming": RULES["wording.shaming"],
    "promise": RULES["wording.promise"],
}
#: The sequencing rules, which a practice may allow too.
SEQUENCING = tuple(rule for rule in RULES if rule.startswith("sequencing."))
#: Fields that hold a heading: "What You Need to Know" is a title, not an order.
_HEADINGS = ("title", "subtitle", "label")
#: A heading that opens with one of these names a topic ("When you need to stop",
#: "Cuándo debe ir a urgencias"); any other that orders ("You must calm down", "Never
#: give up", "No se rinda") is read as an order like the text under it.
_TOPIC_OPENERS = re.compile(
    r"(?:what|why|when|whenever|how|where|which|who|whom|whose|if|before|after|until|while"
    r"|once|whether|qu[eé]|por\s+qu[eé]|cu[aá]ndo|c[oó]mo|d[oó]nde|cu[aá]l(?:es)?|qui[eé]n(?:es)?"
    r"|si|antes|despu[eé]s|mientras|para\s+qu[eé]|hasta)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WordingRule:
    """One phrase of the project's own (`wording.extra`): its rule, and what to say instead."""

    phrase: str
    rule: Rule
    alternative: str | None


@dataclass(frozen=True)
class WordList:
    """What a project's wording check flags, what it lets be, and every name `allow:` may use."""

    #: The project's own phrases, matched as written.
    extras: tuple[tuple[re.Pattern[str], WordingRule], ...]
    #: Rule ids and triggers the project allows everywhere (`wording.allow`).
    allowed: frozenset[str]
    #: Every trigger an `allow:` may name.
    phrases: frozenset[str]


def wording_rules(project: Project) -> WordList:
    """The project's additions to the wording rules, and what it allows."""
    extras = {
        e.phrase.lower(): WordingRule(e.phrase.lower(), CATEGORIES[e.rule], e.suggestion)
        for e in project.config.wording.extra
    }
    return WordList(
        tuple(
            (
                re.compile(
                    r"(?<![\w-])" + re.escape(r.phrase).replace(r"\ ", r"\s+") + r"(?![\w-])",
                    re.IGNORECASE,
                ),
                r,
            )
            for r in sorted(extras.values(), key=lambda r: -len(r.phrase))
        ),
        frozenset(a.lower() for a in project.config.wording.allow),
        triggers() | frozenset(extras),
    )


def triggers() -> frozenset[str]:
    """Every trigger the built-in rules name in a finding, as `allow:` may name it."""
    es = spanish.data()
    spanish_words = {
        *es["directive"]["obligation"],
        *es["directive"]["commands"],
        *es["directive"]["states"],
        *es["directive"]["insisting"],
        *es["shaming"]["labels"],
        *es["register"]["tu_words"],
        *es["register"]["tu_verbs"],
        *es["register"]["usted_words"],
    }
    return (
        orders.TRIGGERS
        | labels.LABELS
        | blame.TRIGGERS
        | promises.TRIGGERS
        | frozenset(spanish_words)
    )


def wording_findings(item: HandoutFile, located: Located, words: WordList) -> list[Problem]:
    """Each order, label or promise the handout prints, with a better sentence where sure."""
    quotes = others_words(item.handout)
    passages = [
        p
        for p in printed(item.handout, "clinician")
        if not any(p.loc[: len(q)] == q for q in quotes) and p.loc[-1] != "who"
    ]
    pieces = [(p, v) for p in passages for v in map(voiced, inline_sources(p.source))]
    if item.handout.language.split("-")[0].lower() == "es":
        return _spanish_findings(located, pieces, words)
    findings: list[Problem] = []
    for (passage, piece), doc in zip(pieces, parse([v.text for _, v in pieces]), strict=True):
        allowed = words.allowed | {a.lower() for a in passage.allow}
        findings.extend(_finding(located, passage, h) for h in _hits(passage, piece, doc, allowed))
        findings.extend(_extra_findings(located, passage, piece.text, words, allowed))
    return findings


def _hits(passage: Passage, piece: Voiced, doc: Doc, allowed: frozenset[str]) -> Iterator[Hit]:
    return judged(doc, piece, orders=_orders(passage, piece), allowed=allowed)


def _orders(passage: Passage, piece: Voiced) -> Orders:
    """How a passage is read for orders: not at all in a clinician's note or a heading
    that names a topic, as a heading in any other heading, as text elsewhere."""
    if passage.for_clinician:
        return None
    topic = _TOPIC_OPENERS.match(piece.text.lstrip(" \u00bf\u00a1\"'")) is not None
    if passage.loc[-1] not in _HEADINGS:
        # A line set as a title where text goes ("What you should know about PTSD").
        return None if topic and _title_like(piece.text) else directives
    return None if topic else heading_orders


def _title_like(text: str) -> bool:
    """A short line with no stop and no comma: written as a title is."""
    line = text.strip()
    return (
        "\n" not in line and not re.search(r"[.!?,;\u2026]\W*$|,", line) and len(line.split()) <= 12
    )


def judged(
    doc: Doc, piece: Voiced, *, orders: Orders = directives, allowed: frozenset[str] = frozenset()
) -> Iterator[Hit]:
    """A parsed text's hits, the first of each family in each sentence, less those allowed."""
    for sentence in sentences(doc):
        found: dict[str, Hit] = {}
        hits = [
            *(orders(sentence, piece) if orders else ()),
            *labels.labels(sentence, piece),
            *blame.blames(sentence, piece),
            *promises.promises(sentence, piece),
        ]
        for h in hits:
            if CATEGORIES[h.family].id not in allowed and h.phrase not in allowed:
                found.setdefault(h.family, h)
        yield from sorted((piece.as_typed(h) for h in found.values()), key=lambda h: h.start)


def judge(texts: Sequence[str], *, heading: bool = False) -> list[list[Hit]]:
    """The hits in each of some texts (inline Markdown), as the check finds them in a handout."""
    pieces = [voiced(t) for t in texts]
    docs = parse([p.text for p in pieces])
    where = Passage(("title",) if heading else ("text",), "")
    return [list(judged(d, p, orders=_orders(where, p))) for p, d in zip(pieces, docs, strict=True)]


def _spanish_findings(
    located: Located, pieces: Sequence[tuple[Passage, Voiced]], words: WordList
) -> list[Problem]:
    """A Spanish handout's orders, labels, promises and changes of tú and usted."""
    register = spanish.register_of([piece for _, piece in pieces])
    findings: list[Problem] = []
    for passage, piece in pieces:
        allowed = words.allowed | {a.lower() for a in passage.allow}
        for found in _spanish_hits(passage, piece, register):
            rule = RULES["wording.register"] if found.family == "register" else None
            rule = rule or CATEGORIES[found.family]
            if rule.id in allowed or found.phrase in allowed:
                continue
            findings.append(_spanish_finding(located, passage, found, rule, register))
        findings.extend(_extra_findings(located, passage, piece.text, words, allowed))
    return findings


def _spanish_finding(
    located: Located, passage: Passage, found: Hit, rule: Rule, register: str
) -> Problem:
    if found.family == "register":
        other = "tú" if register == "usted" else "usted"
        explanation = (
            f"speaks to the reader as {other}, where the rest of this handout says "
            f"{register}; keep to one form (docs/content-guide-es.md)"
        )
    else:
        explanation = wording_data()[found.family]["kinds"][found.kind]["explanation"]
    return rule.at(
        located,
        passage.loc,
        f"\u201c{found.said}\u201d {explanation}",
        _spanish_pattern(found, register),
        text=found.said,
    )


def _spanish_pattern(found: Hit, register: str) -> str:
    """What to write instead: for a change of form, the form the handout mostly speaks in."""
    patterns: dict[str, str] = spanish.data()["patterns"]
    if found.family == "register":
        return patterns["register_tu" if register == "tú" else "register"]
    return patterns[found.kind if found.family == "directive" else found.family]


def _spanish_hits(passage: Passage, piece: Voiced, register: str) -> list[Hit]:
    """A Spanish passage's hits; in a heading, only the orders a title can give."""
    orders = _orders(passage, piece)
    hits = spanish.spanish_hits(piece, orders=orders is not None, register=register)
    if _title_like(piece.text) and orders is directives:
        # "Lo que debe saber sobre…" set where text goes: a topic, as in a heading.
        hits = [h for h in hits if not spanish.names_a_topic(piece.text, h)]
    if orders is heading_orders:
        return [h for h in hits if spanish.orders_in_heading(piece.text, h)]
    return hits


def judge_spanish(
    texts: Sequence[str], *, heading: bool = False, register: str = "usted"
) -> list[list[Hit]]:
    """The hits in each of some Spanish texts, as the check finds them in a handout."""
    where = Passage(("title",) if heading else ("text",), "")
    return [_spanish_hits(where, voiced(t), register) for t in texts]


def _finding(located: Located, passage: Passage, found: Hit) -> Problem:
    kind = wording_data()[found.family]["kinds"][found.kind]
    return CATEGORIES[found.family].at(
        located,
        passage.loc,
        f"\u201c{found.said}\u201d {kind['explanation']}",
        found.rewrite or kind["pattern"],
        text=found.said,
    )


def _extra_findings(
    located: Located, passage: Passage, text: str, words: WordList, allowed: frozenset[str]
) -> Iterator[Problem]:
    """The project's own phrases, wherever the handout prints them outside quotes."""
    taken: list[tuple[int, int]] = []
    for pattern, extra in words.extras:
        if extra.rule.id in allowed or extra.phrase in allowed:
            continue
        if extra.rule.id == "wording.directive" and passage.for_clinician:
            continue
        for match in pattern.finditer(QUOTED.sub(lambda m: " " * len(m.group(0)), text)):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append((match.start(), match.end()))
            yield extra.rule.at(
                located,
                passage.loc,
                f"\u201c{match.group(0)}\u201d "
                + wording_data()[extra.rule.id.removeprefix("wording.")]["explanation"],
                _rewrite(text, match, extra.alternative),
                text=match.group(0),
            )


def _rewrite(text: str, match: re.Match[str], alternative: str | None) -> str | None:
    """The sentence the phrase sits in, with the project's own wording put in."""
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
    wording = [
        *(r.id for r in CATEGORIES.values()),
        RULES["wording.register"].id,
        RULES["wording.real-danger"].id,
    ]
    ids = [*wording, *SEQUENCING, RULES["markup.literal"].id]
    said = entry.lower()
    if said in ids or said in phrases:
        return None
    if said in RULES:
        return (
            f"`{entry}` is a check rule that `allow:` can't switch off; it takes the wording "
            f"rules ({', '.join(wording)}), the sequencing rules, markup.literal or a "
            "phrase on the word list"
        )
    family = [r.id for r in CATEGORIES.values() if r.id.endswith(f".{said}")]
    close = family or difflib.get_close_matches(said, [*ids, *sorted(phrases)], n=1)
    hint = (
        f"did you mean `{close[0]}`?"
        if close
        else "`handouts check --rules` lists the rules, and docs/wording.md what each flags"
    )
    return f"`{entry}` is neither a wording rule nor a phrase on the word list; {hint}"
