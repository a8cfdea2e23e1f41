"""Check stage, sequencing: a practice's order, as the content guide asks.

A practice (a `steps` block, a worksheet's prompts, any block marked
`practice: true`, or a client handout's list or paragraph of instructions)
starts outward, not inward: for a person with complex trauma, attention to
the breath, heartbeat or body can raise alarm or deepen shutdown, so the
first step that turns attention anywhere turns it to the room, unless an
outward option comes first or is offered beside it. A practice that turns
inward at all tells the reader how to stop before its steps, where an
overwhelmed reader still meets it, not after them. And touch or being held
comes only with an opt-in, as a choice.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.blocks import BlockModel, walk
from generator.check.report import Loc
from generator.check.rules import RULES
from generator.check.text import sentences
from generator.errors import Problem
from generator.markup import plain
from generator.model import HandoutFile
from generator.yamlfile import Located

#: The kinds of cue sequencing.yaml lists, each a list of patterns.
_KINDS = ("inward", "outward", "sense", "alternative", "stop", "touch", "opt_in", "neutral")


@functools.cache
def section(language: str = "en") -> dict[str, Any]:
    """The data for a language: its own section of sequencing.yaml, or the English one."""
    path = Path(__file__).resolve().parent.parent / "data" / "sequencing.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = language.split("-", maxsplit=1)[0].lower()
    found = data.get(base)
    return found if isinstance(found, dict) else data


@functools.cache
def _patterns(language: str = "en") -> dict[str, re.Pattern[str]]:
    """The patterns for a language, one per kind of cue, and what ends a clause."""
    data = section(language)
    found = {kind: re.compile("|".join(f"(?:{p})" for p in data[kind]), re.I) for kind in _KINDS}
    found["clause"] = re.compile(data["clause"], re.I)
    return found


def inward(text: str, language: str = "en") -> re.Match[str] | None:
    """Where a text turns attention inward (the breath, the body), if it does."""
    return _patterns(language)["inward"].search(text)


def _outward_at(text: str, language: str) -> list[int]:
    """Where a text turns attention outward. Seeing or hearing counts only when
    what is seen or heard is not inside ("the sound of your breath" is inward)."""
    p = _patterns(language)
    found = [m.start() for m in p["outward"].finditer(text)]
    for match in p["sense"].finditer(text):
        if not p["inward"].search(_clause(text, match, p["clause"])):
            found.append(match.start())
    return sorted(found)


def _clause(text: str, match: re.Match[str], ends: re.Pattern[str]) -> str:
    """The clause a match stands in: from the last break before it to the next after it."""
    start = max((m.end() for m in ends.finditer(text, 0, match.start())), default=0)
    after = ends.search(text, match.end())
    return text[start : after.start() if after else len(text)]


def outward(text: str, language: str = "en") -> bool:
    """Whether a text turns attention outward (the room, what you see or hear)."""
    return bool(_outward_at(text, language))


def starts_inward(text: str, language: str = "en") -> re.Match[str] | None:
    """The inward cue a step opens with, unless an outward one comes before it or
    is offered beside it as another way ("Notice your breath, or look around")."""
    turned = inward(text, language)
    if turned is None:
        return None
    choice = _patterns(language)["alternative"]
    for at in _outward_at(text, language):
        if at < turned.start() or choice.search(text, turned.end(), at):
            return None
    return turned


def tells_how_to_stop(text: str, language: str = "en") -> bool:
    """Whether a text gives the reader a way to stop, pause or skip."""
    return _patterns(language)["stop"].search(text) is not None


def touches(text: str, language: str = "en") -> re.Match[str] | None:
    """Where a text invites self-touch or being held, if it does (not holding an object)."""
    return _patterns(language)["touch"].search(text)


def opted_in(text: str, language: str = "en") -> bool:
    """Whether a text gives the reader the choice first ("if touch feels okay")."""
    return _patterns(language)["opt_in"].search(text) is not None


def sequencing_findings(item: HandoutFile, located: Located) -> list[Problem]:
    """Practices that start inward, tell how to stop only after the steps, or touch unasked."""
    language = item.handout.language
    client = item.handout.audience == "client"
    findings: list[Problem] = []
    for siblings, at in _block_lists(item.handout.blocks):
        for index, block in enumerate(siblings):
            if block.is_practice():
                steps = [(loc, plain(text)) for loc, text in block.practice_steps()]
            else:
                # A clinician's guide tells the clinician what to do, not the reader.
                steps = instructions(block, language) if client else []
            if steps:
                findings.extend(
                    _practice_findings(located, siblings, index, (*at, index), language, steps)
                )
    return findings


def _block_lists(
    blocks: Sequence[BlockModel], at: Loc = ("blocks",)
) -> Iterator[tuple[Sequence[BlockModel], Loc]]:
    """The handout's blocks, then each list of blocks inside one (a column's)."""
    yield blocks, at
    for loc, block in walk(blocks, at):
        for field, inside in block.inner():
            yield inside, (*loc, *field)


@functools.cache
def _instruction(language: str) -> tuple[re.Pattern[str], frozenset[str], frozenset[str]]:
    """What opens an instruction: a verb, then a word that shows it is one; and the
    verbs that count only beside a tú word."""
    data = section(language)
    verbs = "|".join(sorted({*data["imperatives"], *data.get("tu_imperatives", [])}))
    opening = re.compile(rf"\s*(?:{data['openers']})*(?P<verb>{verbs})\s+(?P<next>\w+)", re.I)
    return opening, frozenset(data["not_after"]), frozenset(data.get("tu_imperatives", []))


def instruction(text: str, language: str = "en", *, tu: bool = False) -> bool:
    """Whether a text opens as an instruction to the reader ("Close your eyes."),
    after a short bold label ("Notice.") if it has one; a question is not one. A
    regular tú command counts in a text that says tú elsewhere (`tu`) or itself."""
    if text.rstrip().endswith("?"):
        return False
    opening, not_after, tu_only = _instruction(language)
    label = re.match(r"\s*(?:\w+\W*){1,4}?[.:]\s+", text)
    for start in (text, text[label.end() :] if label else ""):
        found = opening.match(start)
        if found is None or found["next"].lower() in not_after:
            continue
        if found["verb"].lower() not in tu_only:
            return True
        if tu or _says_tu(text, language):
            return True
    return False


def _says_tu(text: str, language: str) -> bool:
    pattern = section(language).get("tu_words")
    return bool(pattern and re.search(pattern, text, re.I))


def instructions(block: BlockModel, language: str = "en") -> list[tuple[Loc, str]]:
    """A list or a paragraph that is a practice in all but name, as its steps: at
    least two of its items or sentences, and more than half, are instructions.
    A list of signs ("Your heart beats fast") is not."""
    if block.type == "list":
        pieces = [(loc, plain(text)) for loc, text in block.practice_steps()]
    elif block.type == "paragraph":
        pieces = [(loc, s) for loc, text in block.prose() for s in sentences(plain(text))]
    else:
        return []
    tu = _says_tu(" ".join(text for _, text in pieces), language)
    said = sum(instruction(text, language, tu=tu) for _, text in pieces)
    return pieces if said >= 2 and said * 2 > len(pieces) else []


def _practice_findings(
    located: Located,
    siblings: Sequence[BlockModel],
    index: int,
    at: Loc,
    language: str,
    steps: Sequence[tuple[Loc, str]],
) -> Iterator[Problem]:
    block = siblings[index]
    allowed = set(block.allow)
    if "sequencing.body-first" not in allowed:
        yield from _body_first(located, at, steps, language)
    if "sequencing.stop-after" not in allowed:
        # Any practice that prints a way to stop prints it first; one that turns
        # inward must print one.
        needed = any(inward(t, language) for _, t in steps)
        yield from _stop_after(located, siblings, index, at, (steps, language), needed=needed)
    if "sequencing.touch-choice" not in allowed:
        yield from _touch_choice(located, at, block, steps, language)


def _body_first(
    located: Located, at: Loc, steps: Sequence[tuple[Loc, str]], language: str
) -> Iterator[Problem]:
    """The first step that turns attention anywhere, if it turns it inward first."""
    first = next(
        ((loc, t) for loc, t in steps if inward(t, language) or outward(t, language)), None
    )
    turned = starts_inward(first[1], language) if first else None
    if first is not None and turned is not None:
        yield RULES["sequencing.body-first"].at(
            located,
            (*at, *first[0]),
            f"the practice starts inside the body (\u201c{turned.group(0)}\u201d): for "
            "someone with trauma, the breath or body can raise alarm, so start with the room",
            "start outward (\u201cLook around and name three things you can see\u201d, "
            "\u201cFeel your feet on the floor\u201d) and offer the body later, "
            "\u201cif it feels okay\u201d",
        )


def _stop_after(
    located: Located,
    siblings: Sequence[BlockModel],
    index: int,
    at: Loc,
    practice: tuple[Sequence[tuple[Loc, str]], str],
    *,
    needed: bool,
) -> Iterator[Problem]:
    """A practice with its way to stop printed only after its first step; or, one that
    turns inward (`needed`), with none printed at all."""
    steps, language = practice
    before = [plain(t) for _, t in siblings[index].lead_in()] + [steps[0][1]]
    before += [plain(t) for _, t in _above(siblings, index)]
    if any(tells_how_to_stop(t, language) for t in before):
        return
    later = [*steps[1:], *_until_heading(siblings, index)]
    where = (
        "only after the steps"
        if any(tells_how_to_stop(t, language) for _, t in later)
        else "nowhere"
    )
    if where == "nowhere" and not needed:
        return  # looking around the room needs no way out printed
    yield RULES["sequencing.stop-after"].at(
        located,
        at,
        f"the way to stop is printed {where}: a reader who is overwhelmed at a step "
        "needs it before they start",
        "put it above the steps: \u201cYou can stop at any step, open your eyes, or look "
        "around the room.\u201d",
    )


def _touch_choice(
    located: Located,
    at: Loc,
    block: BlockModel,
    steps: Sequence[tuple[Loc, str]],
    language: str,
) -> Iterator[Problem]:
    """Steps that invite self-touch or being held with no choice given in them or just
    before them (the last sentence of the step before, or the practice's title)."""
    lead_in = " ".join(plain(t) for _, t in block.lead_in())
    before = lead_in
    # A way that needs no touch may be anywhere in the practice: "Hold a cushion"
    # as the step beside it, or "If not, hold something cool" in the same one.
    neutral = _patterns(language)["neutral"]
    beside = [t for t in (lead_in, *(t for _, t in steps)) if neutral.search(t)]
    for loc, text in steps:
        found = touches(text, language)
        if found is not None and not (opted_in(text, language) or opted_in(before, language)):
            yield RULES["sequencing.touch-choice"].at(
                located,
                (*at, *loc),
                f"touch with no choice first (\u201c{found.group(0)}\u201d): self-touch, "
                "being held or wrapped up can be a reminder for survivors of abuse, so it "
                "is only ever an option, with a neutral way beside it",
                _NO_TOUCH_WAY,
            )
        elif found is not None and not beside:
            yield RULES["sequencing.touch-choice"].at(
                located,
                (*at, *loc),
                f"touch is offered as a choice (\u201c{found.group(0)}\u201d), but with no "
                "way beside it that needs no touch, for a reader who says no to it",
                _NO_TOUCH_WAY,
            )
        before = (sentences(text) or [""])[-1]


_NO_TOUCH_WAY = (
    "offer it as a choice, with a way that needs no touch: \u201cIf touch feels "
    "okay, rest a hand on your arm. If not, hold a cushion or something cool.\u201d"
)


def _above(siblings: Sequence[BlockModel], index: int) -> Iterator[tuple[Loc, str]]:
    """The text above the practice in its part of the page and, past its heading,
    the part above that: a way to stop printed just above a heading such as
    "The steps" still comes before them."""
    crossed = False
    for block in reversed(siblings[:index]):
        if block.heading_level:
            if crossed:
                return
            crossed = True
        yield from _texts(block)


def _until_heading(siblings: Sequence[BlockModel], index: int) -> Iterator[tuple[Loc, str]]:
    """The text of the blocks after the practice, up to the next heading."""
    for block in siblings[index + 1 :]:
        if block.heading_level:
            return
        yield from ((loc, plain(t)) for loc, t in _texts(block))


def _texts(block: BlockModel) -> Iterator[tuple[Loc, str]]:
    yield from block.lead_in() if block.heading_level else ()
    yield from block.prose()
    yield from block.fragments()
