"""Rich text: paragraphs and lists inside boxes, cells, items and prompts; and markup that
would print as typed, found and located."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from conftest import MINIMAL, Project, tag_shape
from generator.markup import literal, pieces, plain, rich

# --- in the PDF: the tag tree and the page ----------------------------------------


@pytest.fixture
def built(project: Project, cli: Any) -> Path:
    project.add_data("rich-blocks.yaml")
    result = cli("build", "rich-blocks", "--strict")
    assert result.exit_code == 0, result.output
    return project.root / "output" / "en" / "rich-blocks.pdf"


def test_lists_and_paragraphs_are_tagged_where_they_stand(built: Path) -> None:
    tree = tag_shape(built)
    # Four paragraphs in the box, after its label: not one run-on paragraph.
    assert "NonStruct(P P P P P)" in tree
    # A list in each of the table's three cells.
    item = "LI(Lbl LBody)"
    assert (
        f"TBody(TR(TD(L({item} {item})) TD(L({item} {item} {item})) TD(L({item} {item}))))" in tree
    )
    # The eight-item list under its lead-in (WeasyPrint puts a nested list beside
    # its item, as PDF 2.0 allows, not inside it).
    assert f"L(LI(Lbl P) L({' '.join([item] * 8)}) {item})" in tree
    # A numbered list in a definition's meaning, and a list in a worksheet prompt.
    assert f"LBody(P L({item} {item}))" in tree
    assert f"Div(Div(P L({item} {item}))" in tree


def test_lists_and_paragraphs_are_on_the_page(built: Path) -> None:
    with pdfplumber.open(built) as pdf:
        lines = [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]
    # Each item is behind its marker; outside the table, on a line of its own,
    # as each paragraph is.
    row = next(line for line in lines if "Comes with a clear demand" in line)
    assert row.split(" • ") == [
        "• Comes with a clear demand",
        "Tight shoulders",
        "Stays with no clear",
    ]
    for expected in (
        "– being watched while you eat",
        "– starting a conversation",
        "1. naming things you can see",
        "2. feeling your feet on the floor",
        "• what your body did",
        "Worry that lasts can stay even when nothing is asking anything of you.",
        "Both can show up in your body, your sleep and your mood.",
    ):
        assert any(line.strip().startswith(expected) for line in lines), (expected, lines)
    # No Markdown is left on the page.
    assert not [line for line in lines if re.match(r"\s*- |\s*\|", line)]


# --- the model: how deep lists go --------------------------------------------------


def test_lists_nest_two_deep_at_most(project: Project, cli: Any) -> None:
    three = "    text: |-\n      - one\n        - two\n          - three\n"
    project.add("deep.yaml", MINIMAL + "  - type: callout\n" + three)
    item = "    items:\n      - |-\n        Lead-in:\n        - one\n          - two\n"
    project.add("item.yaml", MINIMAL.replace("breath", "breathing") + "  - type: list\n" + item)
    result = cli("build")
    assert result.exit_code == 1
    assert "deep.yaml:14:11: blocks[1].text: has lists nested 3 deep; at most 2" in result.stderr
    assert (
        "item.yaml:15:9: blocks[1].items[0]: has lists nested 2 deep inside a list item; "
        "at most 2 levels fit a page in all" in result.stderr
    )
    assert project.output_files() == {}


# --- markup that would print as typed ----------------------------------------------

#: (where, the YAML of a block, the warning's line and column, what it says):
#: each a different kind of pasted markup, in a place that does not render it.
LITERAL = [
    (
        "blank line in a quote",
        '  - type: quote\n    text: "First thought.\\n\\nSecond thought."\n',
        (14, 11),
        "a blank line does not start a new paragraph here",
    ),
    (
        "dash lines in a quote",
        "  - type: quote\n    text: |-\n      I can:\n      - rest\n      - ask\n",
        (16, 7),
        "lines starting with - or 1. print inline here",
    ),
    (
        "br in a table cell",
        '  - type: table\n    header: ["When", "What"]\n    rows:\n'
        '      - ["Morning", "Water<br>A stretch"]\n',
        (16, 27),
        "the HTML tag <br> prints as typed; for a new line, start a new paragraph",
    ),
    (
        "heading in a callout",
        "  - type: callout\n    text: |-\n      ### Take care\n      Rest when you can.\n",
        (15, 7),
        "a line starting with # prints as typed, not as a heading",
    ),
    (
        "entity in a definition",
        "  - type: definition\n    term: Rest &amp; sleep\n    meaning: Time to recharge.\n",
        (14, 16),
        "the HTML entity &amp; prints as typed; type & itself",
    ),
    (
        "pasted bullets in a paragraph",
        "  - type: paragraph\n    text: |-\n      Try:\n      • a walk\n      • a call\n",
        (16, 7),
        "lines starting with a pasted bullet (•) print as one run-on paragraph",
    ),
    (
        "a table drawn with bars",
        "  - type: paragraph\n    text: |-\n      | Day | Plan |\n      | Mon | Walk |\n",
        (15, 7),
        "a table drawn with | prints as typed; use a `table` block",
    ),
    (
        "bold tag in a list item",
        "  - type: list\n    items:\n      - <b>Notice</b> your breath\n",
        (15, 9),
        "the HTML tag <b> prints as typed; write **bold** instead",
    ),
]


@pytest.mark.parametrize(
    ("block", "where", "says"), [c[1:] for c in LITERAL], ids=[c[0] for c in LITERAL]
)
def test_markup_that_would_print_as_typed_is_a_located_warning(
    project: Project, cli: Any, block: str, where: tuple[int, int], says: str
) -> None:
    project.add("h.yaml", MINIMAL + block)
    result = cli("build", "h")
    assert result.exit_code == 0, result.output
    (warning,) = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warning.startswith(f"content/handouts/en/h.yaml:{where[0]}:{where[1]}: "), warning
    assert says in warning
    # The same in `handouts check`, as its own rule.
    checked = cli("check", "h").output
    assert re.search(rf"^ +{where[0]}:{where[1]} +warning markup\.literal ", checked, re.M), checked
    # Under --strict it stops the build, before anything is written.
    output = project.root / "output"
    before = sorted(output.rglob("*"))
    strict = cli("build", "h", "--strict")
    assert strict.exit_code == 1
    assert "warning treated as an error (--strict)" in strict.stderr
    assert sorted(output.rglob("*")) == before


def test_lists_and_paragraphs_where_they_render_say_nothing(project: Project, cli: Any) -> None:
    project.add_data("rich-blocks.yaml")
    result = cli("build", "rich-blocks")
    assert result.exit_code == 0
    assert "warning" not in result.stderr
    assert "markup.literal" not in cli("check", "rich-blocks").output


def test_a_block_may_allow_its_markup(project: Project, cli: Any) -> None:
    block = "  - type: quote\n    allow: [markup.literal]\n    text: Type <br> to break a line.\n"
    project.add("h.yaml", MINIMAL + block)
    assert "markup.literal" not in cli("check", "h").output


def test_packet_text_is_looked_at_too(project: Project, cli: Any) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "day.yaml").write_text(
        "title: A day\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    intro: First<br>then\n    handouts: [breath]\n",
        encoding="utf-8",
    )
    result = cli("packet", "day")
    assert result.exit_code == 0, result.output
    assert "day.yaml:6:17: sections[0].intro: warning: the HTML tag <br>" in result.stderr


# --- the text itself ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("One *paragraph*.", "<p>One <em>paragraph</em>.</p>"),
        ("First.\n\nSecond.", "<p>First.</p><p>Second.</p>"),
        ("- a\n- b", "<ul><li>a</li><li>b</li></ul>"),
        ("3. c\n4. d", '<ol start="3"><li>c</li><li>d</li></ol>'),
        ("Lead:\n- a\n  - b", "<p>Lead:</p><ul><li>a<ul><li>b</li></ul></li></ul>"),
        ("A <b> & [x](javascript:y)", "<p>A &lt;b&gt; &amp; [x](javascript:y)</p>"),
    ],
)
def test_rich_text_becomes_paragraphs_and_lists(text: str, html: str) -> None:
    assert rich(text) == html


def test_one_paragraph_is_the_inline_text_when_bare() -> None:
    assert rich("A **bold** start", bare=True) == "A <strong>bold</strong> start"


def test_readability_reads_paragraphs_whole_and_items_as_sentences_only() -> None:
    text = "It helps. Try it.\n\n- a short item\n- A whole sentence.\n  - nested bit"
    assert pieces(text) == [
        ("It helps. Try it.", False),
        ("a short item", True),
        ("A whole sentence.", True),
        ("nested bit", True),
    ]
    assert plain(text) == "It helps. Try it. a short item A whole sentence. nested bit"


@pytest.mark.parametrize(
    "text",
    ["R&D; costs", "Fish & chips", "5 < 6 > 4", "Rest - then go", "#1 tip", "Use 2-3 times"],
)
def test_ordinary_text_is_not_taken_for_markup(text: str) -> None:
    assert literal(text, rich=False) is None
    assert literal(text, rich=True) is None
