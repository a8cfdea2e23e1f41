"""Hostile input, text off the page: long words in every place a word can go, and fonts.

Every long word wraps inside its box: each case builds with --strict (so any
warning fails it), then checks that every character of the PDF lies inside
the page and that the word is all there. What a project's own template still
pushes off the page, and text set in a font neither the tool nor the project
bundles, is a warning naming the content's file and line, and under --strict
an error with nothing written.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from click.testing import Result

HEAD = """\
title: {title}
purpose: {purpose}
audience: {audience}
language: en
version: {version}
reviewed:
  date: 2026-11-01
  by: Clinical reviewer
sources: {sources}
blocks:
"""
PARAGRAPH = "  - type: paragraph\n    text: You might notice your breath for a moment.\n"
HANDOUT = Path("content/handouts/en/h.yaml")


def q(text: str) -> str:
    """Text as a YAML scalar, quoted (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


def handout(
    blocks: str = PARAGRAPH,
    *,
    title: str = "Noticing your breath",
    purpose: str = "A short way to notice how you are breathing.",
    version: str = "1.0",
    audience: str = "client",
    sources: str = "[]",
) -> str:
    head = HEAD.format(
        title=q(title), purpose=q(purpose), audience=audience, version=q(version), sources=sources
    )
    return head + blocks


def repeat(seed: str, length: int) -> str:
    return (seed * (length // len(seed) + 1))[:length]


#: Long words of several kinds: (seed, left to right).
WORDS = {
    "latin": ("Qzwxvkjyh", True),
    # Hyphen-free German compounds, as written.
    "german": ("Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz", True),
    "url": ("https://example.org/very/long/path/segment-", True),
    "email": ("someone.with.a.very.long.name+tag", True),
    "digits": ("0123456789", True),
    "greek": ("Αναπνοήκαιπροσοχή", True),
    "cyrillic": ("Дыханиеивнимание", True),
    "arabic": ("تنفسببطءوانتبه", False),
}


def word(kind: str, length: int) -> str:
    seed, _ = WORDS[kind]
    if kind == "email":
        return repeat(seed, length - len("@example.org")) + "@example.org"
    return repeat(seed, length)


@dataclass
class Laid:
    """The characters of a built PDF: all of its text, and any outside the page."""

    #: Every character, page by page, in the order drawn.
    text: str
    #: The same without the footers (told by their size), so that a word
    #: broken across pages reads on.
    body: str
    outside: list[dict[str, Any]]
    pages: int


def laid_out(path: Path) -> Laid:
    text: list[str] = []
    body: list[str] = []
    outside: list[dict[str, Any]] = []
    with pdfplumber.open(path) as pdf:
        sizes = [round(c["size"], 1) for page in pdf.pages for c in page.chars]
        # The footer's size: 10 pt, or 14 pt in large print (body text is larger).
        footer = 14.0 if 10.0 not in sizes else 10.0
        for page in pdf.pages:
            for char in page.chars:
                text.append(char["text"])
                if round(char["size"], 1) != footer:
                    body.append(char["text"])
                if (
                    char["x0"] < -0.5
                    or char["x1"] > page.width + 0.5
                    or char["top"] < -0.5
                    or char["bottom"] > page.height + 0.5
                ):
                    outside.append(char)
        pages = len(pdf.pages)
    return Laid("".join(text), "".join(body), outside, pages)


def assert_on_the_page(path: Path, *words: str, left_to_right: bool = True) -> Laid:
    """Every character inside the page, and every word all there (none lost)."""
    laid = laid_out(path)
    assert not laid.outside, f"{len(laid.outside)} characters outside the page"
    for expected in words:
        if left_to_right:
            # Broken between lines and pages, a word's pieces follow each other
            # (in the body, or in the footer for the footer's fields).
            found = (re.sub(r"\s", "", text) for text in (laid.body, laid.text))
            assert any(expected in flat for flat in found), f"{expected[:20]}... is lost"
        else:
            # Right to left, and the font draws several letters with one glyph
            # (which text extraction names by one of them): count the script's.
            scripts = {unicodedata.name(c).split()[0] for c in expected}
            have = sum(1 for c in laid.text if unicodedata.name(c, "").split()[:1] == [*scripts])
            assert have >= len(expected), f"{have} of {len(expected)} characters laid out"
    return laid


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The line (from 1) of a needle's n-th occurrence in a file's text."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1


def built(project: Any, cli: Callable[..., Result], text: str, *args: str) -> Path:
    """Build h.yaml with --strict; it must pass, and the PDF is returned."""
    project.add("h.yaml", text)
    result = cli("build", "h", "--strict", *args)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output
    return Path(result.stdout.strip().splitlines()[0])


PROFILES = {
    "letter": (),
    "a4": ("--paper", "a4"),
    "large": ("--large-print",),
    "a4-large": ("--paper", "a4", "--large-print"),
    "clinician": ("--edition", "clinician"),
    "fillable": ("--fillable",),
}


# --- long words in every place, built under --strict -------------------------------


def in_block(kind: str, long: str) -> str:
    """A handout's blocks with the long word in one place (`kind`)."""
    w = q(long)
    blocks = {
        "section": f"  - type: section\n    title: {w}\n",
        "paragraph": f"  - type: paragraph\n    text: {q('Start ' + long + ' end.')}\n",
        "list": f"  - type: list\n    title: {w}\n    items: [{w}, short]\n",
        "steps": f"  - type: steps\n    items: [{w}]\n",
        "callout": f"  - type: callout\n    tone: safety\n    title: {w}\n    text: {w}\n",
        "key_points": f"  - type: key_points\n    items: [{w}]\n",
        "definition": f"  - type: definition\n    term: {w}\n    meaning: {w}\n",
        "quote": f"  - type: quote\n    text: {w}\n    who: {w}\n",
        "list_group": (
            f"  - type: list_group\n    lists:\n      - title: {w}\n        items: [{w}]\n"
            "      - title: B\n        items: [short]\n"
        ),
        "compare": (
            f"  - type: compare\n    left:\n      label: {w}\n      items: [{w}]\n"
            "    right:\n      label: Right\n      items: [fine words]\n"
        ),
        "table-2": f"  - type: table\n    header: [A, {w}]\n    rows:\n      - [x, {w}]\n",
        "caption": (
            f"  - type: table\n    caption: {w}\n    header: [A, B]\n    rows:\n      - [x, y]\n"
        ),
        "scale": (
            "  - type: worksheet\n    prompts:\n      - kind: scale\n"
            f"        text: {w}\n        low: {w}\n        high: {w}\n"
        ),
        "checkboxes": (
            "  - type: worksheet\n    prompts:\n      - kind: checkboxes\n"
            f"        text: {w}\n        options: [{w}, b]\n"
        ),
        "lines": (
            f"  - type: worksheet\n    title: {w}\n    intro: {w}\n    prompts:\n"
            f"      - kind: lines\n        text: {w}\n"
        ),
        "clinician_note": f"  - type: clinician_note\n    title: {w}\n    text: {w}\n",
    }
    return blocks[kind]


# (place, word kind, length, profile)
BLOCK_CASES = [
    ("section", "latin", 300, "letter"),
    ("section", "german", 300, "a4-large"),
    ("paragraph", "latin", 1200, "letter"),
    ("paragraph", "url", 900, "a4"),
    ("paragraph", "email", 400, "large"),
    ("paragraph", "digits", 700, "clinician"),
    ("paragraph", "greek", 500, "letter"),
    ("paragraph", "cyrillic", 500, "a4-large"),
    ("paragraph", "arabic", 400, "letter"),
    ("paragraph", "arabic", 300, "large"),
    ("list", "german", 300, "letter"),
    ("list", "url", 300, "large"),
    ("steps", "digits", 300, "a4"),
    ("callout", "latin", 300, "a4-large"),
    ("callout", "cyrillic", 300, "letter"),
    ("key_points", "email", 300, "a4"),
    ("definition", "german", 300, "large"),
    ("quote", "latin", 300, "letter"),
    ("quote", "greek", 300, "a4-large"),
    ("list_group", "latin", 300, "letter"),
    ("list_group", "digits", 300, "a4-large"),
    ("compare", "german", 300, "letter"),
    ("compare", "url", 300, "large"),
    ("table-2", "latin", 300, "letter"),
    ("table-2", "arabic", 300, "a4"),
    ("table-2", "german", 1000, "a4-large"),
    ("caption", "url", 300, "letter"),
    ("scale", "latin", 300, "letter"),
    ("scale", "german", 300, "a4-large"),
    ("scale", "digits", 300, "fillable"),
    ("checkboxes", "email", 300, "letter"),
    ("checkboxes", "latin", 300, "fillable"),
    ("lines", "cyrillic", 300, "large"),
    ("clinician_note", "url", 300, "clinician"),
]
#: A sample of each kind of place that runs with the fast tests; the rest are
#: slow (other scripts load the large bundled fallback fonts, long texts take
#: long to lay out).
FAST_BLOCKS = {
    "section-latin-300-letter",
    "paragraph-email-400-large",
    "list-url-300-large",
    "steps-digits-300-a4",
    "key_points-email-300-a4",
    "definition-german-300-large",
    "quote-latin-300-letter",
    "compare-url-300-large",
    "caption-url-300-letter",
    "scale-latin-300-letter",
    "scale-digits-300-fillable",
    "clinician_note-url-300-clinician",
}


def marked(case: tuple[str, str, int, str]) -> Any:
    fast = case_id(case) in FAST_BLOCKS
    return case if fast else pytest.param(case, marks=pytest.mark.slow)


def case_id(case: tuple[object, ...]) -> str:
    return "-".join(str(part) for part in case)


@pytest.mark.parametrize("case", [marked(case) for case in BLOCK_CASES], ids=case_id)
def test_a_long_word_in_a_block_stays_on_the_page(
    project: Any, cli: Callable[..., Result], case: tuple[str, str, int, str]
) -> None:
    place, kind, length, profile = case
    long = word(kind, length)
    pdf = built(project, cli, handout(in_block(place, long)), *PROFILES[profile])
    assert_on_the_page(pdf, long, left_to_right=WORDS[kind][1])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "profile"), [("latin", "letter"), ("german", "a4-large"), ("url", "large")]
)
def test_a_5000_character_word_stays_on_the_page(
    project: Any, cli: Callable[..., Result], kind: str, profile: str
) -> None:
    long = word(kind, 5000)
    blocks = f"  - type: paragraph\n    text: {q(long)}\n"
    pdf = built(project, cli, handout(blocks), *PROFILES[profile])
    assert_on_the_page(pdf, long)


def table(columns: int, header: str, cell: str) -> str:
    return (
        f"  - type: table\n    header: [{', '.join([q(header)] * columns)}]\n"
        f"    rows:\n      - [{', '.join([q(cell)] * columns)}]\n"
        f"      - [{', '.join(['ok'] * columns)}]\n"
    )


@pytest.mark.parametrize(
    ("columns", "kind", "length", "profile"),
    [
        (8, "german", 40, "letter"),
        pytest.param(8, "latin", 30, "a4-large", marks=pytest.mark.slow),
        pytest.param(8, "digits", 25, "large", marks=pytest.mark.slow),
    ],
)
def test_eight_columns_of_long_words_fit_the_page(
    project: Any, cli: Callable[..., Result], columns: int, kind: str, length: int, profile: str
) -> None:
    long = word(kind, length)
    pdf = built(project, cli, handout(table(columns, long, long)), *PROFILES[profile])
    assert_on_the_page(pdf, long)


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "profile"), [("german", "letter"), ("latin", "a4-large")])
def test_twenty_columns_of_long_words_fit_the_page(
    project: Any, cli: Callable[..., Result], kind: str, profile: str
) -> None:
    long = word(kind, 36)
    pdf = built(project, cli, handout(table(20, long, long)), *PROFILES[profile])
    assert_on_the_page(pdf, long)


@pytest.mark.parametrize(
    ("field", "kind", "length", "profile"),
    [
        ("title", "latin", 300, "letter"),
        pytest.param("title", "german", 300, "a4-large", marks=pytest.mark.slow),
        pytest.param("title", "arabic", 200, "a4", marks=pytest.mark.slow),
        ("purpose", "url", 300, "large"),
        pytest.param("purpose", "digits", 300, "letter", marks=pytest.mark.slow),
        pytest.param("version", "digits", 30, "a4-large", marks=pytest.mark.slow),
        ("version", "latin", 30, "letter"),
    ],
)
def test_a_long_word_in_the_title_area_and_footer_stays_on_the_page(
    project: Any, cli: Callable[..., Result], field: str, kind: str, length: int, profile: str
) -> None:
    long = word(kind, length)
    pdf = built(project, cli, handout(**{field: long}), *PROFILES[profile])
    assert_on_the_page(pdf, long, left_to_right=WORDS[kind][1])


@pytest.mark.slow
def test_a_long_source_title_and_address_stay_on_the_page(
    project: Any, cli: Callable[..., Result]
) -> None:
    title, url = word("german", 300), "https://" + word("latin", 400)
    sources = f"\n  - title: {q(title)}\n    url: {q(url)}"
    pdf = built(project, cli, handout(sources=sources), "--large-print")
    assert_on_the_page(pdf, title, url)


# --- the footer's fields: they wrap, and have limits that fit ------------------------

FOOTER_FIELDS = {
    # field: (its config lines, given the text; its limit)
    "practice.name": ("practice:\n  name: {}\n", 80),
    "practice.clinician": ("practice:\n  name: Clinic\n  clinician: {}\n", 80),
    "practice.credentials": ("practice:\n  name: Clinic\n  credentials: {}\n", 40),
    "practice.phone": ("practice:\n  name: Clinic\n  phone: {}\n", 30),
    "practice.email": ("practice:\n  name: Clinic\n  email: {}\n", 80),
    "practice.website": ("practice:\n  name: Clinic\n  website: {}\n", 80),
    "practice.address": ("practice:\n  name: Clinic\n  address: {}\n", 120),
    "footer_note": ("footer_note: {}\n", 160),
}


def footer_value(field: str, length: int) -> str:
    if field.endswith("email"):
        return word("email", length)
    if field.endswith("website"):
        return "https://" + word("latin", length - len("https://"))
    if field.endswith("phone"):
        return word("digits", length)
    return word("german", length)


@pytest.mark.parametrize(
    ("field", "profile"),
    [
        pytest.param("practice.name", "a4-large", marks=pytest.mark.slow),
        pytest.param("practice.clinician", "letter", marks=pytest.mark.slow),
        ("practice.phone", "large"),
        ("practice.email", "a4-large"),
        pytest.param("practice.website", "a4-large", marks=pytest.mark.slow),
        pytest.param("practice.website", "letter", marks=pytest.mark.slow),
        pytest.param("practice.address", "a4", marks=pytest.mark.slow),
        pytest.param("footer_note", "a4-large", marks=pytest.mark.slow),
    ],
)
def test_a_footer_field_at_its_limit_stays_on_the_page(
    project: Any, cli: Callable[..., Result], field: str, profile: str
) -> None:
    lines, limit = FOOTER_FIELDS[field]
    value = footer_value(field, limit)
    (project.root / "handouts.yaml").write_text(lines.format(q(value)), encoding="utf-8")
    pdf = built(project, cli, handout(), *PROFILES[profile])
    assert_on_the_page(pdf, value)


@pytest.mark.parametrize("profile", ["letter", pytest.param("a4-large", marks=pytest.mark.slow)])
def test_a_crisis_line_of_the_projects_own_with_a_long_word_stays_on_the_page(
    project: Any, cli: Callable[..., Result], profile: str
) -> None:
    # A crisis line breaks between its sentences, and inside a word only if
    # the word is wider than a line.
    long = word("digits", 120)
    crisis = f"Call {long}. In danger now, call 911."
    config = f"crisis:\n  - text: {q(crisis)}\n    verified: 2026-01-01\n"
    (project.root / "handouts.yaml").write_text(config, encoding="utf-8")
    pdf = built(project, cli, handout(), *PROFILES[profile])
    assert_on_the_page(pdf, long)


@pytest.mark.parametrize(
    ("field", "over"), [("practice.website", 300), ("practice.name", 81), ("footer_note", 161)]
)
def test_a_footer_field_over_its_limit_is_a_located_error(
    project: Any, cli: Callable[..., Result], field: str, over: int
) -> None:
    lines, limit = FOOTER_FIELDS[field]
    text = lines.format(q(footer_value(field, over)))
    (project.root / "handouts.yaml").write_text(text, encoding="utf-8")
    project.add("h.yaml", handout())
    result = cli("build", "h")
    assert result.exit_code == 1
    line = text.count("\n")
    column = text.splitlines()[line - 1].index('"') + 1
    assert result.output.startswith(
        f"handouts.yaml:{line}:{column}: {field}: is {over} characters; it is printed in the "
        f"footer of every page, which has room for at most {limit}. Shorten it\n"
    ), result.output
    assert not (project.root / "output").exists()


def test_a_version_over_its_limit_is_a_located_error(
    project: Any, cli: Callable[..., Result]
) -> None:
    project.add("h.yaml", handout(version=word("digits", 300)))
    result = cli("build", "h", "--strict")
    assert result.exit_code == 1
    assert result.output.startswith(
        "content/handouts/en/h.yaml:5:10: version: is 300 characters; it is printed in the "
        "footer of every page, which has room for at most 30. Shorten it\n"
    ), result.output
    assert not (project.root / "output").exists()


def test_a_footer_too_tall_for_the_page_is_an_error(
    project: Any, cli: Callable[..., Result]
) -> None:
    # Every field at its limit, each fitting the footer alone: together with a
    # long title, too much for large print.
    config = "practice:\n" + "".join(
        f"  {field.removeprefix('practice.')}: {q(footer_value(field, limit))}\n"
        for field, (_, limit) in FOOTER_FIELDS.items()
        if field.startswith("practice.")
    )
    config += f"footer_note: {q(footer_value('footer_note', 160))}\n"
    (project.root / "handouts.yaml").write_text(config, encoding="utf-8")
    project.add("h.yaml", handout(title=word("german", 300)))
    result = cli("build", "h", "--large-print", "--paper", "a4")
    assert result.exit_code == 1
    assert "the page footer would be" in result.output
    assert "(A4 paper, large print), more than half the page" in result.output
    assert "in handouts.yaml, or the title (300 characters)" in result.output
    assert "Traceback" not in result.output
    assert not (project.root / "output").exists()


# --- packets: covers, dividers, contents --------------------------------------------

PACKET = """\
title: {title}
subtitle: {subtitle}
audience: client
language: en
organisation: {organisation}
facilitator: {facilitator}
date: 2026-11-01
agenda:
  - time: {time}
    title: {agenda}
    note: {note}
sections:
  - title: {section}
    intro: {intro}
    handouts: [h]
    facilitator_notes: [{notes}]
"""


def packet(long: str, places: str = "") -> str:
    """A packet manifest with the long word in the places named."""
    fields = dict.fromkeys(
        ("title", "subtitle", "organisation", "facilitator", "agenda", "note", "section"),
        "Plain words",
    )
    fields |= {"intro": "Plain words", "notes": "Plain words", "time": "9:00"}
    fields |= dict.fromkeys(places.split(), long)
    return PACKET.format(**{name: q(value) for name, value in fields.items()})


@pytest.mark.parametrize(
    ("places", "kind", "length", "profile"),
    [
        pytest.param("title subtitle", "german", 120, "letter", marks=pytest.mark.slow),
        ("organisation facilitator", "latin", 150, "a4-large"),
        pytest.param("section intro", "url", 300, "letter", marks=pytest.mark.slow),
        pytest.param("agenda note notes", "german", 300, "a4-large", marks=pytest.mark.slow),
        pytest.param("section", "arabic", 200, "a4", marks=pytest.mark.slow),
    ],
)
def test_long_words_in_a_packet_stay_on_its_pages(
    project: Any,
    cli: Callable[..., Result],
    laid_out: list[tuple[str, str]],
    places: str,
    kind: str,
    length: int,
    profile: str,
) -> None:
    long = word(kind, length)
    project.add("h.yaml", handout())
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "p.yaml").write_text(packet(long, places), encoding="utf-8")
    result = cli("packet", "p", "--edition", "trainer", "--strict", *PROFILES[profile])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert_on_the_page(Path(result.stdout.strip()), long, left_to_right=WORDS[kind][1])


def test_a_cover_longer_than_a_page_is_a_clear_error(
    project: Any, cli: Callable[..., Result], laid_out: list[tuple[str, str]]
) -> None:
    project.add("h.yaml", handout())
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    long = word("german", 300)
    (packets / "p.yaml").write_text(
        packet(long, "title subtitle organisation facilitator"), encoding="utf-8"
    )
    result = cli("packet", "p", "--edition", "trainer")
    assert result.exit_code == 1
    assert result.output.startswith("Error: content/packets/p.yaml: the cover takes "), (
        result.output
    )
    assert result.output.endswith(
        "but a cover must fit on one; shorten the packet's title, subtitle, organisation "
        "or facilitator\n"
    )
    assert not (project.root / "output").exists()


def test_an_agenda_time_too_long_for_its_line_is_a_located_error(
    project: Any, cli: Callable[..., Result]
) -> None:
    project.add("h.yaml", handout())
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    text = packet("x").replace('time: "9:00"', f"time: {q(word('digits', 40))}")
    (packets / "p.yaml").write_text(text, encoding="utf-8")
    result = cli("packet", "p")
    assert result.exit_code == 1
    assert result.output.startswith(
        "content/packets/p.yaml:9:11: agenda[0].time: is 40 characters; a time is kept on one "
        "line, which has room for at most 24, like 9:00-10:30\n"
    ), result.output


# --- what a project's template still lays off the page: a located warning -----------


def custom_paragraph(project: Any, style: str) -> None:
    """A project paragraph template that sets a style on the paragraph."""
    folder = project.root / "templates" / "blocks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "paragraph.html").write_text(
        f'<p data-field="{{{{ block_field }}}}" style="{style}">{{{{ block.text|md }}}}</p>\n',
        encoding="utf-8",
    )


OFF_PAGE = [
    # (the paragraph's style, what the warning says happened)
    ("white-space: nowrap", "text runs off page 1: about "),
    ("position: relative; left: -300px", "text runs off page 1: about "),
    ("margin-left: -80px", "text runs to the edge of page 1, where a printer may cut off about "),
    ("position: relative; top: 780px", "text runs below the text area of page 1, over the footer"),
    ("height: 12px; overflow: hidden", "text is cut off by the box it is in on page 1: about "),
]


@pytest.mark.parametrize(("style", "said"), OFF_PAGE, ids=[s for s, _ in OFF_PAGE])
def test_text_a_template_lays_off_the_page_is_a_located_warning(
    project: Any, cli: Callable[..., Result], style: str, said: str
) -> None:
    custom_paragraph(project, style)
    text = handout(
        PARAGRAPH + f"  - type: paragraph\n    text: {q('Words ' + word('latin', 400))}\n"
    )
    project.add("h.yaml", text)
    line = line_of(text, "  - type: paragraph", 2)
    result = cli("build", "h")
    assert result.exit_code == 0, result.output
    where = f"content/handouts/en/h.yaml:{line}:5: blocks[1]: warning: "
    assert f"{where}{said}" in result.output, result.output
    assert (
        "; shorten it or break up its longest words, or check a project template that sets "
        "its size or place\n"
    ) in result.output
    pdf = project.root / "output" / "en" / "h.pdf"
    assert pdf.is_file()


@pytest.mark.parametrize("style", ["white-space: nowrap", "height: 12px; overflow: hidden"])
def test_under_strict_text_off_the_page_is_an_error_and_nothing_changes(
    project: Any, cli: Callable[..., Result], style: str
) -> None:
    text = handout(f"  - type: paragraph\n    text: {q('Words ' + word('german', 400))}\n")
    project.add("h.yaml", text)
    assert cli("build", "h", "--strict").exit_code == 0
    before = project.output_files()
    custom_paragraph(project, style)
    result = cli("build", "h", "--strict")
    assert result.exit_code == 1
    line = line_of(text, "  - type: paragraph")
    assert result.output.startswith(
        f"content/handouts/en/h.yaml:{line}:5: blocks[0]: warning treated as an error "
        "(--strict): text "
    ), result.output
    assert result.output.endswith("1 problem in 1 file; nothing was written.\n")
    assert project.output_files() == before


@pytest.mark.slow
def test_a_table_header_taller_than_a_page_is_a_located_warning(
    project: Any, cli: Callable[..., Result]
) -> None:
    # Words that fit their columns, so the table is not crowded: its header is
    # repeated on each page, and one taller than a page is left out.
    header = " ".join(["calm"] * 900)
    blocks = f"  - type: table\n    header: [A, {q(header)}]\n    rows:\n      - [x, y]\n"
    text = handout(blocks)
    project.add("h.yaml", text)
    result = cli("build", "h", "--large-print")
    assert result.exit_code == 0
    line = line_of(text, "  - type: table")
    assert (
        f"content/handouts/en/h.yaml:{line}:5: blocks[0]: warning: a table's header row does "
        "not fit on a page with the rows under it, so the layout left it out"
    ) in result.output, result.output


# --- fonts: only bundled ones, or a located warning --------------------------------


def installed_family() -> str:
    """A font family this computer has (fontconfig's list), preferring DejaVu Sans."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list is not installed")
    listed = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False
    ).stdout
    families = sorted({line.split(",")[0].strip() for line in listed.splitlines() if line})
    if not families:
        pytest.skip("this computer has no fonts")
    return "DejaVu Sans" if "DejaVu Sans" in families else families[0]


def pdf_fonts(path: Path) -> set[str]:
    with pdfplumber.open(path) as pdf:
        return {c["fontname"].split("+", 1)[-1] for page in pdf.pages for c in page.chars}


@pytest.mark.parametrize("family", ["installed", "Handouts Test Font That Is Nowhere"])
def test_a_template_naming_a_font_not_bundled_is_a_located_warning(
    project: Any, cli: Callable[..., Result], family: str
) -> None:
    name = installed_family() if family == "installed" else family
    custom_paragraph(project, f"font-family: '{name}', sans-serif")
    text = handout()
    project.add("h.yaml", text)
    result = cli("build", "h")
    assert result.exit_code == 0
    line = line_of(text, "  - type: paragraph")
    assert f"content/handouts/en/h.yaml:{line}:5: blocks[0]: warning: Latin script set in " in (
        result.output
    ), result.output
    assert (
        "a font on this computer that neither handouts nor the project bundles, so the PDF "
        f'would look different when built elsewhere; the style asks for "{name}" '
        "(templates/blocks/paragraph.html:1): use the bundled fonts"
    ) in result.output
    strict = cli("build", "h", "--strict")
    assert strict.exit_code == 1
    assert "warning treated as an error (--strict): Latin script set in" in strict.output
    assert "nothing was written" in strict.output


@pytest.mark.slow
def test_a_font_the_project_bundles_is_used_without_a_warning(
    project: Any, cli: Callable[..., Result]
) -> None:
    import fontpkg

    # A font file of the project's own, in its assets, declared with @font-face.
    (project.root / "assets").mkdir()
    source = next(f.path for f in fontpkg.family("noto-sans").files if f.style == "normal")
    shutil.copy(source, project.root / "assets" / "clinic.ttf")
    folder = project.root / "templates" / "blocks"
    folder.mkdir(parents=True)
    (folder / "paragraph.html").write_text(
        "<style>@font-face { font-family: 'Clinic Sans'; "
        "src: url('{{ asset_base }}../../../assets/clinic.ttf'); }</style>\n"
        '<p data-field="{{ block_field }}" style="font-family: \'Clinic Sans\'">'
        "{{ block.text|md }}</p>\n",
        encoding="utf-8",
    )
    pdf = built(project, cli, handout())
    assert "Clinic-Sans" in pdf_fonts(pdf)


@pytest.mark.slow
@pytest.mark.parametrize("text", ["Дыхание и внимание", "Ανάσα και προσοχή", "تنفس ببطء"])
def test_content_in_a_script_the_body_font_lacks_uses_the_bundled_fallbacks(
    project: Any, cli: Callable[..., Result], text: str
) -> None:
    blocks = f"  - type: paragraph\n    text: {q(text)}\n"
    pdf = built(project, cli, handout(blocks, title=text))
    fonts = pdf_fonts(pdf)
    assert fonts and all(f.startswith(("Atkinson-", "Handouts-Noto-Sans")) for f in fonts), fonts


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("נשימה איטית ושקטה", "Hebrew script"),
        ("慢慢地呼吸注意你的身体", "Chinese, Japanese or Korean"),
    ],
)
def test_content_no_bundled_font_has_is_a_located_warning(
    project: Any, cli: Callable[..., Result], text: str, kind: str
) -> None:
    # Set in a font of this computer's, or in none (empty boxes): either way
    # it is said where.
    blocks = PARAGRAPH + f"  - type: paragraph\n    text: {q(text)}\n"
    source = handout(blocks)
    project.add("h.yaml", source)
    line = line_of(source, "  - type: paragraph", 2)
    strict = cli("build", "h", "--strict")
    assert strict.exit_code == 1
    assert strict.output.startswith(
        f"content/handouts/en/h.yaml:{line}:5: blocks[1]: warning treated as an error "
        f"(--strict): {kind}"
    ), strict.output
    assert not (project.root / "output").exists()
    result = cli("build", "h")
    assert result.exit_code == 0
    assert f"content/handouts/en/h.yaml:{line}:5: blocks[1]: warning: {kind}" in result.output
    # One warning where the text is, not one for each character.
    assert ".notdef" not in result.output
    assert result.output.count("warning") == 1


def test_a_name_in_a_script_no_bundled_font_has_uses_the_computers_font_silently(
    project: Any, cli: Callable[..., Result]
) -> None:
    # Personal text may fall back to the computer's fonts (fonts.py), and is
    # never named in a message.
    name = "דוד כהן"
    project.add("h.yaml", handout())
    result = cli("build", "h", "--strict", "--client-name", name)
    if result.exit_code == 2:
        pytest.skip("no font on this computer has Hebrew letters")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert name not in result.output
