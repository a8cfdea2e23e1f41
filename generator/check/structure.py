"""Check stage, structure: what makes a handout easy to use (PEMAT-P, CDC Clear Communication)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from generator.blocks import Diagram, Image, walk
from generator.check.orders import imperatives
from generator.check.parse import parse
from generator.check.rules import RULES
from generator.check.text import prose, strings
from generator.errors import Problem
from generator.markup import plain
from generator.model import Handout, HandoutFile
from generator.yamlfile import Located

#: Words between headings before a chunk is too long to take in at once.
CHUNK_WORDS = 150
#: Lists longer than this are hard to hold in mind (PEMAT-P).
MAX_LIST_ITEMS = 7
#: A review or a crisis number older than this is due a fresh look.
STALE_AFTER = dt.timedelta(days=365)
PURPOSE_WORDS = 25

#: An invitation to do something: "you might try", "it can help to", "try".
_ACTION = re.compile(
    r"\b(you (might|can|could|may)|try|it (can|may|might) help to|some people find)\b\s+\w+",
    re.IGNORECASE,
)
_GENERIC_ALT = {
    "image",
    "picture",
    "photo",
    "photograph",
    "graphic",
    "logo",
    "img",
    "figure",
    "diagram",
    "icon",
    "illustration",
}


def structure_findings(item: HandoutFile, located: Located) -> list[Problem]:
    """Purpose, key points, chunks, lists, alt text, something to do, sources and review date."""
    handout = item.handout
    return [
        *_summary_findings(handout, located),
        *_chunk_findings(item, located),
        *_block_findings(handout, located),
        *_action_findings(handout, located),
        *_picture_and_tool_findings(handout, located),
        *_upkeep_findings(handout, located),
    ]


def _summary_findings(handout: Handout, located: Located) -> Iterator[Problem]:
    if handout.purpose is None:
        if handout.audience == "client":
            yield RULES["structure.no-purpose"].at(
                located,
                ("title",),
                "there is no purpose line; one plain line under the title tells the reader "
                "at once what this handout is for",
                "add `purpose:` after the title",
            )
    elif len(handout.purpose.split()) > PURPOSE_WORDS:
        yield RULES["structure.purpose"].at(
            located,
            ("purpose",),
            f"the purpose is {len(handout.purpose.split())} words; one plain line of "
            f"{PURPOSE_WORDS} words or fewer tells the reader at once what this is for",
        )
    if not any(b.type == "key_points" for _, b in walk(handout.blocks)):
        yield RULES["structure.key-points"].at(
            located,
            ("blocks",),
            "there are no key points; a short summary helps the reader take the main ideas away",
            "add a `key_points` block with two to five items",
        )


def _block_findings(handout: Handout, located: Located) -> Iterator[Problem]:
    for at, block in walk(handout.blocks):
        for loc, items in block.item_lists():
            if len(items) > MAX_LIST_ITEMS:
                yield RULES["structure.list-length"].at(
                    located,
                    (*at, *loc),
                    f"this list has {len(items)} items; seven or fewer are easier to hold in mind",
                    "split it into two lists, or group it",
                )
        alt = block.alt if isinstance(block, Image | Diagram) else None
        if alt is not None:
            words = alt.lower().strip(" .").split()
            stem = Path(block.src).stem.lower() if isinstance(block, Image) else None
            if len(words) < 3 or " ".join(words) in _GENERIC_ALT or alt.strip() == stem:
                yield RULES["structure.image-alt"].at(
                    located,
                    (*at, "alt"),
                    f"the alt text \u201c{alt}\u201d does not say what the picture shows",
                    "describe it in a short sentence, as you would to someone on the phone"
                    + (
                        " (or leave `alt` out: the labels are read in order)"
                        if stem is None
                        else ""
                    ),
                )


def _action_findings(handout: Handout, located: Located) -> Iterator[Problem]:
    if handout.audience != "client" or any(b.action for _, b in walk(handout.blocks)):
        return
    if not _offers_something_to_do(handout):
        yield RULES["structure.action"].at(
            located,
            ("blocks",),
            "there is nothing for the reader to do; handouts that offer one concrete "
            "step are easier to use",
            "add a `steps` block of small things to try",
        )


def _picture_and_tool_findings(handout: Handout, located: Located) -> Iterator[Problem]:
    """A client handout needs a picture that carries its idea and a tool to use
    (PEMAT-P items 15 and 23, the CDC index's visual)."""
    if handout.audience != "client":
        return
    blocks = [block for _, block in walk(handout.blocks)]
    if not any(block.visual for block in blocks):
        yield RULES["structure.visual"].at(
            located,
            ("blocks",),
            "there is no diagram or picture; one that carries the main idea makes a "
            "handout easier to understand and remember",
            "add a `diagram` (zones, cascade, ladder, loop or paths) of the main idea",
        )
    if not any(block.tool for block in blocks):
        yield RULES["structure.tool"].at(
            located,
            ("blocks",),
            "there is no tool to use: nothing to fill in or keep",
            "add a short `worksheet` (a few prompts) or a `pocket_card` of the steps",
        )


def _offers_something_to_do(handout: Handout) -> bool:
    """An invitation ("you might try…") or a plain step ("Seek professional help.") in
    the text or a list."""
    texts = [p.text for p in prose(handout)]
    texts += [plain(t) for _, b in walk(handout.blocks) for _, t in b.fragments()]
    if _ACTION.search(" ".join(texts)):
        return True
    return any(imperatives(s) for doc in parse(texts) for s in doc.sents)


def _upkeep_findings(handout: Handout, located: Located) -> Iterator[Problem]:
    if not handout.sources:
        yield RULES["structure.sources"].at(
            located,
            ("sources",),
            "no sources are cited; say where the ideas come from (author, title, year)",
        )
    if dt.date.today() - handout.reviewed.date > STALE_AFTER:
        yield RULES["structure.reviewed"].at(
            located,
            ("reviewed", "date"),
            f"last reviewed on {handout.reviewed.date.isoformat()}, over 12 months ago; "
            "review it and update the date",
        )


def _chunk_findings(item: HandoutFile, located: Located) -> list[Problem]:
    """A flag where more than ~150 words run on without a heading."""
    findings: list[Problem] = []
    start: int | None = None
    words = 0
    flagged = False
    for index, block in enumerate(item.handout.blocks):
        if block.starts_chunk():
            start, words, flagged = None, 0, False
        if not block.chunked:
            continue
        if start is None:
            start = index
        words += sum(
            len(text.split())
            for _, text in strings((), block.model_dump(exclude={"type", "allow", "src"}))
        )
        if words > CHUNK_WORDS and not flagged:
            flagged = True
            findings.append(
                RULES["structure.chunk"].at(
                    located,
                    ("blocks", start),
                    f"about {words} words run on from here without a heading; short chunks "
                    f"under headings (about {CHUNK_WORDS} words) are easier to read",
                    "add a `section` block with a heading that says what comes next",
                )
            )
    return findings
