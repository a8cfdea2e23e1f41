"""Check stage, sequencing: a practice's order, as the content guide asks.

A practice (a `steps` block, a worksheet's prompts, or any block marked
`practice: true`) starts outward, not inward: for a person with complex
trauma, attention to the breath, heartbeat or body can raise alarm or deepen
shutdown, so the first step that turns attention anywhere turns it to the
room, unless an outward option is offered beside it. And a practice that
turns inward at all tells the reader how to stop before its steps, where an
overwhelmed reader still meets it, not after them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml

from generator.blocks import BlockModel, walk
from generator.check.report import Loc
from generator.check.rules import RULES
from generator.errors import Problem
from generator.markup import plain
from generator.model import HandoutFile
from generator.yamlfile import Located


@functools.cache
def _patterns(language: str = "en") -> dict[str, re.Pattern[str]]:
    """The patterns for a language: its own section of the file, or the English ones."""
    path = Path(__file__).resolve().parent.parent / "data" / "sequencing.yaml"
    data: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = language.split("-", maxsplit=1)[0].lower()
    section = data.get(base) if isinstance(data.get(base), dict) else data
    assert isinstance(section, dict)
    return {
        kind: re.compile("|".join(f"(?:{p})" for p in section[kind]), re.I)
        for kind in ("inward", "outward", "stop")
    }


def inward(text: str, language: str = "en") -> re.Match[str] | None:
    """Where a text turns attention inward (the breath, the body), if it does."""
    return _patterns(language)["inward"].search(text)


def outward(text: str, language: str = "en") -> bool:
    """Whether a text turns attention outward (the room, what you see or hear)."""
    return _patterns(language)["outward"].search(text) is not None


def tells_how_to_stop(text: str, language: str = "en") -> bool:
    """Whether a text tells the reader how to stop, pause or skip."""
    return _patterns(language)["stop"].search(text) is not None


def sequencing_findings(item: HandoutFile, located: Located) -> list[Problem]:
    """Practices that start inward, or tell the reader how to stop only after the steps."""
    findings: list[Problem] = []
    for siblings, at in _block_lists(item.handout.blocks):
        for index, block in enumerate(siblings):
            if block.is_practice():
                findings.extend(
                    _practice_findings(
                        located, siblings, index, (*at, index), item.handout.language
                    )
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


def _practice_findings(
    located: Located, siblings: Sequence[BlockModel], index: int, at: Loc, language: str
) -> Iterator[Problem]:
    block = siblings[index]
    steps = [(loc, plain(text)) for loc, text in block.practice_steps()]
    allowed = set(block.allow)
    first = next(
        ((loc, t) for loc, t in steps if inward(t, language) or outward(t, language)), None
    )
    if first is not None and "sequencing.body-first" not in allowed:
        loc, text = first
        turned = inward(text, language)
        if turned is not None and not outward(text, language):
            yield RULES["sequencing.body-first"].at(
                located,
                (*at, *loc),
                f"the practice starts inside the body (\u201c{turned.group(0)}\u201d): for "
                "someone with trauma, the breath or body can raise alarm, so start with the room",
                "start outward (\u201cLook around and name three things you can see\u201d, "
                "\u201cFeel your feet on the floor\u201d) and offer the body later, "
                "\u201cif it feels okay\u201d",
            )
    if "sequencing.stop-after" in allowed or not any(inward(t, language) for _, t in steps):
        return
    before = [plain(t) for _, t in block.lead_in()] + [steps[0][1]]
    before += [plain(t) for _, t in _since_heading(siblings, index)]
    if not any(tells_how_to_stop(t, language) for t in before):
        later = steps[1:] + list(_until_heading(siblings, index))
        where = (
            "only after the steps"
            if any(tells_how_to_stop(t, language) for _, t in later)
            else "nowhere"
        )
        yield RULES["sequencing.stop-after"].at(
            located,
            at,
            f"the way to stop is printed {where}: a reader who is overwhelmed at a step "
            "needs it before they start",
            "put it above the steps: \u201cYou can stop at any step, open your eyes, or look "
            "around the room.\u201d",
        )


def _since_heading(siblings: Sequence[BlockModel], index: int) -> Iterator[tuple[Loc, str]]:
    """The text of the blocks between the last heading and the practice."""
    for block in reversed(siblings[:index]):
        if block.heading_level:
            return
        yield from _texts(block)


def _until_heading(siblings: Sequence[BlockModel], index: int) -> Iterator[tuple[Loc, str]]:
    """The text of the blocks after the practice, up to the next heading."""
    for block in siblings[index + 1 :]:
        if block.heading_level:
            return
        yield from ((loc, plain(t)) for loc, t in _texts(block))


def _texts(block: BlockModel) -> Iterator[tuple[Loc, str]]:
    yield from block.prose()
    yield from block.fragments()
