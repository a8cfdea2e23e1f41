"""Columns of blocks, comparisons of two to four sides, and tables that stack when their
columns would be too narrow to read (large print)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from conftest import Project, handout_text, tag_shape

TRIAGE = handout_text(
    "When worry gets big",
    "How to tell a hard day from a crisis, and what to do for each.",
    """\
  - type: columns
    title: A hard day, or a crisis?
    columns:
      - blocks:
          - type: paragraph
            text: "**On a hard day** things can feel heavy, and still be something you get through."
          - type: list
            items: [Worry that comes and goes, Trouble sleeping for a night or two]
          - type: callout
            tone: gentle
            text: Rest, and try one small step from your plan.
      - blocks:
          - type: paragraph
            text: "**In a crisis** you may feel you might not be safe."
          - type: list
            items: [Thoughts of harming yourself, Feeling you cannot stay safe]
          - type: callout
            tone: safety
            title: Get help now
            text: Call or text your crisis line, or go to an emergency room.
  - type: columns
    columns:
      - blocks:
          - {type: definition, term: Stress, meaning: How your body answers a demand.}
      - blocks:
          - {type: definition, term: Worry, meaning: Thoughts that circle round what might go wrong.}
      - blocks:
          - {type: definition, term: Panic, meaning: A sudden rush of fear and a racing heart.}
  - type: compare
    title: Three ways to answer worry
    columns:
      - {label: Push it away, items: [Quick relief, Often comes back]}
      - {label: Get lost in it, items: [Feels urgent, Hard to stop]}
      - {label: Notice it, items: [Slower, Leaves room to choose]}
  - type: table
    header: [When, What you notice, What might help]
    rows:
      - [Morning, A tight chest, A slow breath out]
      - [Evening, Racing thoughts, Writing them down]
""",
)


def shape(pdf_path: Path) -> str:
    """The tag tree, and the NonStruct runs bold words make inside a paragraph left out."""
    return re.sub(r"\((?:NonStruct |Span ?)*\)", "", tag_shape(pdf_path))


def words_at(pdf_path: Path) -> dict[str, tuple[int, float, float]]:
    """Each word's first place: (page, left, top)."""
    found: dict[str, tuple[int, float, float]] = {}
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for word in page.extract_words():
                found.setdefault(word["text"], (page.page_number, word["x0"], word["top"]))
    return found


@pytest.fixture
def triage(project: Project) -> Project:
    project.add("triage.yaml", TRIAGE)
    return project


def build(cli: Any, *args: str) -> Path:
    result = cli("build", "triage", "--strict", *args)
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[0])


def test_columns_stand_side_by_side_and_read_in_order(triage: Project, cli: Any) -> None:
    pdf_path = build(cli)
    tree = shape(pdf_path)
    # One Div per column, the first column's blocks before the second's.
    item = "LI(Lbl LBody)"
    assert (
        f"Div(H3 Div(Div(P Div(L({item} {item})) NonStruct(P)) Div(P Div(L({item} {item})) NonStruct(P P))))"
        in tree
    )
    assert (
        "Div(Div(Div(L(LI(LBody) LI(LBody))) Div(L(LI(LBody) LI(LBody))) Div(L(LI(LBody) LI(LBody)))))"
        in tree
    )
    at = words_at(pdf_path)
    # Side by side: the second column starts level with the first, to its right.
    # ("On" starts the first column, "In" the second: neither is anywhere else.)
    assert at["In"][0] == at["On"][0]
    assert at["In"][1] > at["On"][1] + 150
    assert abs(at["In"][2] - at["On"][2]) < 1
    # Three definitions in a row; a comparison of three sides; a table of three.
    assert (
        at["Stress"][2] == pytest.approx(at["Panic"][2], abs=1)
        and at["Panic"][1] > at["Worry"][1] > at["Stress"][1]
    )
    assert (
        f"Table(THead(TR(TH TH TH)) TBody(TR(TD(L({item} {item})) TD(L({item} {item})) TD(L({item} {item})))))"
        in tree
    )
    assert "Table(THead(TR(TH TH TH)) TBody(TR(TD TD TD) TR(TD TD TD)))" in tree


def test_in_large_print_columns_and_narrow_tables_stack(triage: Project, cli: Any) -> None:
    pdf_path = build(cli, "--large-print")
    tree = shape(pdf_path)
    at = words_at(pdf_path)
    # The second column follows the first, at the same left edge.
    first, second = at["On"], at["In"]
    assert (second[0], second[2]) > (first[0], first[2])
    assert second[1] == pytest.approx(first[1], abs=1)
    # No table is left: each row of the three-column table is a record, every
    # cell under its column's heading, and the comparison's sides follow each other.
    assert "Table" not in tree
    assert "L(LI(LBody) LI(LBody) LI(LBody) LI(LBody) LI(LBody) LI(LBody))" in tree
    with pdfplumber.open(pdf_path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert (
        "When\nMorning\nWhat you notice\nA tight chest\nWhat might help\nA slow breath out" in text
    )
    assert "Push it away\n• Quick relief" in text


@pytest.mark.parametrize(
    ("sides", "says"),
    [
        ("    columns:\n      - {label: One, items: [a]}\n", "a comparison needs two to 4"),
        (
            "".join(f"      - {{label: S{n}, items: [a]}}\n" for n in range(5)).join(
                ["    columns:\n", ""]
            ),
            "blocks[0].columns: has too many items; at most 4 are allowed",
        ),
        (
            "    left: {label: One, items: [a]}\n    right: {label: Two, items: [b]}\n"
            "    columns:\n      - {label: Three, items: [c]}\n      - {label: Four, items: [d]}\n",
            "give `left` and `right`, or `columns`, not both",
        ),
        ("    left: {label: One, items: [a]}\n", "give both `left` and `right`"),
    ],
    ids=["one side", "five sides", "both ways", "left alone"],
)
def test_a_comparison_has_two_to_four_sides(
    project: Project, cli: Any, sides: str, says: str
) -> None:
    project.add("h.yaml", handout_text("Sides", "How many sides.", "  - type: compare\n" + sides))
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/handouts/en/h.yaml:"), result.stderr
    assert says in result.stderr
    assert project.output_files() == {}


@pytest.mark.parametrize("inside", ["section", "subsection", "worksheet", "columns"])
def test_headings_worksheets_and_columns_stay_out_of_columns(
    project: Project, cli: Any, inside: str
) -> None:
    blocks = {
        "section": "{type: section, title: A heading}",
        "subsection": "{type: subsection, title: A heading}",
        "worksheet": "{type: worksheet, prompts: [{kind: lines, text: Write here}]}",
        "columns": "{type: columns, columns: [{blocks: [{type: paragraph, text: a}]}, {blocks: [{type: paragraph, text: b}]}]}",
    }
    text = handout_text(
        "Columns",
        "What goes in a column.",
        "  - type: columns\n    columns:\n      - blocks:\n          - {type: paragraph, text: One.}\n"
        f"      - blocks:\n          - {blocks[inside]}\n",
    )
    project.add("h.yaml", text)
    result = cli("build", "h")
    assert result.exit_code == 1
    assert f"columns[1].blocks[0] is a `{inside}`, which can't go in a column" in result.stderr
    assert result.stderr.startswith("content/handouts/en/h.yaml:11:5: blocks[0]")


def test_what_is_in_a_column_is_checked_like_any_block(project: Project, cli: Any) -> None:
    long_list = "[" + ", ".join(f"Item {n}" for n in range(9)) + "]"
    text = handout_text(
        "Columns",
        "What goes in a column.",
        "  - type: columns\n    columns:\n      - blocks:\n          - {type: paragraph, text: One.}\n"
        f"      - blocks:\n          - type: list\n            items: {long_list}\n",
    )
    project.add("h.yaml", text)
    report = json.loads(cli("check", "h", "--json").stdout)
    lengths = [
        (f["line"], f["column"]) for f in report["findings"] if f["rule"] == "structure.list-length"
    ]
    assert lengths == [(17, 20)]
    image = "          - {type: image, src: ../../../../outside.png, alt: A calm lake at dawn}\n"
    project.add("h.yaml", text + image)
    result = cli("build", "h")
    assert result.exit_code == 1
    assert "h.yaml:18:32: blocks[0].columns[1].blocks[1].src:" in result.stderr
