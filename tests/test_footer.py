"""The page footer, measured in built PDFs: full width, no dangling separators,
crisis lines broken only between sentences, clear of the page number."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.fonts import WIDTHS, body_font_files

# One worker runs this whole module, so its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("test_footer")

PRACTICE = """\
practice:
  name: Riverside Counselling and Family Therapy
  clinician: Dr. Alex Morgan
  credentials: PsyD
  phone: "555-0100"
  email: hello@riverside.example
  website: https://riverside.example
  address: 12 River Street, Springfield
footer_note: Questions? Ask at your next session.
"""
CONFIGS = {"default": "crisis: us\n", "practice": PRACTICE, "uk": "crisis: uk-ie\n"}

#: A workshop packet with every kind of page (cover, agenda, contents, front
#: pages, a knowledge check, the facilitator script, a divider with facilitator
#: notes, a client handout and a clinician one, notes, an evaluation and a
#: certificate), in few pages: the built-in workshop has over 70 in large
#: print, each read for its footer.
PACKET = """\
title: A short workshop
subtitle: Every kind of page once
audience: clinician
language: en
objectives: [Name the withdrawal response in plain words.]
agenda:
  - time: "9:00"
    minutes: 15
    title: Arriving and settling
    note: Introductions, and how to step out if you need to.
    script: [Welcome everyone, and show where the quiet room is.]
  - time: "9:15"
    minutes: 45
    title: The withdrawal response
pages:
  - title: Our group agreements
    items: [Share the process, not the content.]
knowledge_check:
  questions:
    - ask: When should a client hear how to stop a practice?
      choices: [Before the first step, After the last step]
      answer: 1
      why: Knowing the way out first is part of safety.
notes_pages: 1
evaluation:
  ratings: [The pace was right for me.]
  questions: [What would you change?]
certificate:
  hours: 1
sections:
  - title: The body's alarm and the withdrawal response
    intro: Fight, flight and freeze are automatic ways the body protects itself.
    handouts: [withdrawal-response, self-attunement-clinician-guide]
    facilitator_notes:
      - Open with a one-minute orienting exercise; anyone can skip it.
      - Ask how a client might hear the word *withdrawal*.
"""

US_CRISIS = "Call or text 988, the Suicide & Crisis Lifeline. In danger now, call 911."
PAGE_NUMBER = r"Page \d+ of \d+"


@dataclass
class Footer:
    """One page's footer: its text lines (page number left out) and the page number."""

    lines: list[dict[str, Any]]
    number: dict[str, Any] | None
    body_bottom: float
    width: float
    height: float


def footers(path: Path, *, large_print: bool, cover: bool = False) -> list[Footer]:
    """Every footed page's footer, told from the body by its size (10 pt, or 14 in
    large print; body text is 12 pt or more, 18 in large print). Every page has
    one, but a packet's cover and certificate, its first and last (`cover`)."""
    size = 14.0 if large_print else 10.0
    found = []
    bare = []
    with pdfplumber.open(path) as pdf:
        last = len(pdf.pages)
        for page in pdf.pages:

            def small(obj: dict[str, Any], size: float = size) -> bool:
                return obj["object_type"] == "char" and abs(obj["size"] - size) < 0.1

            footer = page.filter(small)
            if not footer.chars:
                bare.append(page.page_number)
                continue
            matches = footer.search(PAGE_NUMBER, regex=True)
            number = matches[-1] if matches else None

            def text(obj: dict[str, Any], number: Any = number) -> bool:
                return number is None or not _inside(obj, number)

            body = [c for c in page.chars if not small(c)]
            found.append(
                Footer(
                    lines=footer.filter(text).extract_text_lines(),
                    number=number,
                    body_bottom=max((c["bottom"] for c in body), default=0.0),
                    width=float(page.width),
                    height=float(page.height),
                )
            )
    assert bare == ([1, last] if cover else []), f"{path}: pages without a footer: {bare}"
    return found


def _inside(char: dict[str, Any], box: dict[str, Any]) -> bool:
    return (
        box["x0"] - 0.1 <= char["x0"]
        and char["x1"] <= box["x1"] + 0.1
        and (abs(char["top"] - box["top"]) < 0.5)
    )


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    # A hair of tolerance: glyph boxes of neighbouring lines may touch.
    return (
        a["x0"] < b["x1"] - 0.2
        and b["x0"] < a["x1"] - 0.2
        and a["top"] < b["bottom"] - 0.2
        and b["top"] < a["bottom"] - 0.2
    )


def _build(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, [*args, "--strict", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[0])


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Project configs: the default; a long practice block and a footer note; the
    UK crisis line. Each is a project of its own, with a build cache of its own,
    and the short workshop packet."""
    folder = tmp_path_factory.mktemp("configs")
    paths = {}
    for name, text in CONFIGS.items():
        (folder / name / "content" / "packets").mkdir(parents=True)
        (folder / name / "content" / "packets" / "workshop.yaml").write_text(PACKET)
        paths[name] = folder / name / "handouts.yaml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


# (what, config, paper, large print)
CASES = [
    ("withdrawal-response", "default", "letter", False),
    ("withdrawal-response", "default", "letter", True),
    ("withdrawal-response", "default", "a4", False),
    ("withdrawal-response", "default", "a4", True),
    ("self-attunement-clinician-guide", "default", "letter", False),
    ("self-attunement-clinician-guide", "default", "a4", True),
    ("withdrawal-response", "practice", "letter", False),
    ("withdrawal-response", "practice", "letter", True),
    ("withdrawal-response", "practice", "a4", True),
    ("withdrawal-response", "uk", "letter", True),
    ("packet", "default", "letter", False),
    ("packet", "practice", "a4", True),
]


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, configs: dict[str, Path]
) -> dict[tuple[str, str, str, bool], Path]:
    """Each case built once."""
    out = tmp_path_factory.mktemp("out")
    paths = {}
    for case in CASES:
        what, config, paper, large_print = case
        args = ["--paper", paper]
        args += ["--config", str(configs[config])]
        if large_print:
            args.append("--large-print")
        if what == "packet":
            # The trainer edition's footer adds "· Trainer edition".
            args = ["packet", "workshop", "--edition", "trainer", *args]
        else:
            args = ["build", what, *args]
        paths[case] = _build(out / str(len(paths)), *args)
    return paths


def case_id(case: tuple[str, str, str, bool]) -> str:
    what, config, paper, large_print = case
    return "-".join([what, config, paper, "large" if large_print else "normal"])


@pytest.fixture(scope="module")
def measured(built: dict[Any, Path]) -> dict[Any, list[Footer]]:
    """Each case's footers, read once (reading a packet's pages takes a while)."""
    return {
        case: footers(path, large_print=case[3], cover=case[0] == "packet")
        for case, path in built.items()
    }


@pytest.fixture(params=CASES, ids=case_id)
def case(
    request: pytest.FixtureRequest, measured: dict[Any, list[Footer]]
) -> tuple[Any, list[Footer]]:
    return request.param, measured[request.param]


def text_area(case: tuple[str, str, str, bool], page_width: float) -> tuple[float, float]:
    """The left and right edges of the text area."""
    side = 72.0 if case[3] else 0.9 * 72
    return side, page_width - side


def test_no_line_starts_or_ends_with_a_separator(case: tuple[Any, list[Footer]]) -> None:
    _, pages = case
    for footer in pages:
        for line in footer.lines:
            text = line["text"].strip()
            assert not text.startswith("·"), text
            assert not text.endswith("·"), text


UK_CRISIS = (
    "Call Samaritans free on 116 123, day or night. In danger now, call 999 (UK) or 112 (Ireland)."
)
CRISIS = {"default": US_CRISIS, "practice": US_CRISIS, "uk": UK_CRISIS}


def client_pages(setup: tuple[str, str, str, bool], pages: list[Footer]) -> list[int]:
    """The footed pages of the client handout: all of a handout's, a packet's
    whose footer names the handout (its other pages name the packet or the
    clinician's guide)."""
    if setup[0] != "packet":
        return list(range(len(pages))) if setup[0] == "withdrawal-response" else []
    found = [
        index
        for index, footer in enumerate(pages)
        if any(line["text"].startswith("The withdrawal response") for line in footer.lines)
    ]
    # The handout's pages, one run of them, somewhere in the packet's middle.
    assert len(found) >= 2 and found == list(range(found[0], found[-1] + 1)), found
    assert found[0] > 0 and found[-1] < len(pages) - 1
    return found


def test_crisis_lines_break_only_between_sentences(case: tuple[Any, list[Footer]]) -> None:
    setup, pages = case
    _, config, _, _ = setup
    client = client_pages(setup, pages)
    bold = [
        [
            line["text"].strip()
            for line in footer.lines
            if all("Bold" in c["fontname"] for c in line["chars"])
        ]
        for footer in pages
    ]
    # A client handout's every page has its region's crisis line; no other page has one.
    assert [" ".join(lines) for lines in bold] == [
        CRISIS[config] if index in client else "" for index in range(len(pages))
    ]
    for text in (text for lines in bold for text in lines):
        assert re.search(r"[.!?]$", text), f"the crisis line breaks mid-sentence: {text!r}"


def test_nothing_overlaps_or_leaves_the_text_area(case: tuple[Any, list[Footer]]) -> None:
    setup, pages = case
    for footer in pages:
        left, right = text_area(setup, footer.width)
        assert footer.number is not None
        assert footer.number["x1"] <= right + 0.5
        chars = [c for line in footer.lines for c in line["chars"]]
        for char in chars:
            assert left - 0.5 <= char["x0"] and char["x1"] <= right + 0.5, char["text"]
            assert char["bottom"] <= footer.height
            assert char["top"] > footer.body_bottom, "the footer runs into the body"
            assert not _overlaps(char, footer.number), f"{char['text']!r} overlaps the number"


def test_the_page_number_sits_beside_the_last_line(case: tuple[Any, list[Footer]]) -> None:
    # The bottom margin is sized from an estimate of the wrapped footer; if it
    # were short, lines would run under the number, if long, leave it alone.
    _, pages = case
    for footer in pages:
        assert footer.number is not None
        last = footer.lines[-1]
        assert abs(last["bottom"] - footer.number["bottom"]) < 1.0
        # ...and no line above the last reaches beside it.
        assert all(line["bottom"] < footer.number["top"] + 0.5 for line in footer.lines[:-1])


@pytest.mark.parametrize("setup", [c for c in CASES if c[1] == "practice"], ids=case_id)
def test_lines_break_between_the_practice_details(
    measured: dict[Any, list[Footer]], setup: tuple[str, str, str, bool]
) -> None:
    details = [
        "Riverside Counselling and Family Therapy",
        "Dr. Alex Morgan, PsyD",
        "555-0100",
        "hello@riverside.example",
        "https://riverside.example",
        "12 River Street, Springfield",
        "Questions? Ask at your next session.",
    ]
    for footer in measured[setup]:
        texts = [line["text"] for line in footer.lines]
        for detail in details:
            assert any(detail in text for text in texts), f"{detail!r} is split: {texts}"


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_large_print_footer_uses_the_text_width(
    measured: dict[Any, list[Footer]], paper: str
) -> None:
    setup = ("withdrawal-response", "default", paper, True)
    for footer in measured[setup]:
        left, right = text_area(setup, footer.width)
        extent = max(line["x1"] for line in footer.lines) - left
        assert extent > 0.9 * (right - left)
        texts = [line["text"] for line in footer.lines]
        if paper == "letter":
            # The whole crisis line fits on one line at 14 pt on Letter paper,
            # and the title and the version share none with the page number.
            assert texts == [
                US_CRISIS,
                "This handout supports, and does not replace, care from a qualified",
                "professional.",
                "The withdrawal response",
                "Version 1.2 · Reviewed November 30, 2026",
            ]
        else:
            assert texts[:2] == [
                "Call or text 988, the Suicide & Crisis Lifeline.",
                "In danger now, call 911.",
            ]


def font_widths() -> dict[str, Any]:
    """The body face's advance widths, read from its font files."""
    from fontTools.ttLib import TTFont

    tables: dict[str, Any] = {
        "about": "Advance widths of the body face, regular (400) and bold (700), in "
        "thousandths of an em. Written by UPDATE_GOLDEN=1 pytest tests/test_footer.py."
    }
    for path, weight, style in body_font_files():
        if style == "normal":
            face = TTFont(path)
            assert face["head"].unitsPerEm == 1000
            advances = face["hmtx"].metrics
            tables[str(weight)] = {
                chr(code): advances[glyph][0]
                for code, glyph in sorted(face.getBestCmap().items())
                if code >= 0x20
            }
    return tables


def test_the_width_table_matches_the_font() -> None:
    expected = font_widths()
    if os.environ.get("UPDATE_GOLDEN"):
        text = json.dumps(expected, ensure_ascii=False, indent=1, sort_keys=True)
        WIDTHS.write_text(text + "\n", encoding="utf-8")
    assert json.loads(WIDTHS.read_text(encoding="utf-8")) == expected
