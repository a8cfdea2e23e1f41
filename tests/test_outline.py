"""The page's outline and furniture: sections and subsections as a tree (tags and
bookmarks), an optional purpose, a subtitle and byline, a contact block, and
callouts labelled only by their author."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest

from conftest import Project, handout_text, tag_shape
from generator.blocks import BLOCKS, outline

HEADINGS = handout_text(
    "How talking therapy can help",
    "What happens in therapy, and two kinds you might hear about.",
    "  - type: paragraph\n    text: A few words before any heading.\n"
    "  - type: section\n    title: What therapy is\n"
    "  - type: paragraph\n    text: Therapy is time to talk with someone trained to help.\n"
    "  - type: section\n    title: Kinds of therapy\n"
    "  - type: subsection\n    title: Talking about thoughts\n"
    "  - type: paragraph\n    text: One kind looks at thoughts and what they lead to.\n"
    "  - type: subsection\n    title: Facing fears slowly\n"
    "  - type: paragraph\n    text: Another kind meets a fear a little at a time.\n"
    "  - type: section\n    title: Finding a therapist\n"
    "  - type: paragraph\n    text: You can ask your doctor who they know.\n",
)


def build(project: Project, cli: Any, name: str, text: str, *args: str) -> Path:
    project.add(f"{name}.yaml", text)
    result = cli("build", name, *args)
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[0])


def test_the_outline_of_a_list_of_blocks() -> None:
    kinds = ["paragraph", "section", "paragraph", "subsection"]
    kinds += ["paragraph", "subsection", "section", "subsection"]
    blocks = [BLOCKS.members[kind].model_construct(type=kind) for kind in kinds]
    assert [b.heading_level for b in blocks] == [0, 1, 0, 2, 0, 2, 1, 2]
    # Each heading ends the parts at its level or below; what is open at the end ends last.
    assert outline(blocks) == ([0, 0, 0, 0, 0, 1, 2, 0], 2)
    assert outline([]) == ([], 0)


@pytest.mark.parametrize("large_print", [False, True])
def test_subsections_nest_in_their_section_in_tags_and_bookmarks(
    project: Project, cli: Any, large_print: bool
) -> None:
    pdf_path = build(project, cli, "therapy", HEADINGS, *(["--large-print"] if large_print else []))
    tree = tag_shape(pdf_path)
    # A part per heading, a subsection's inside its section's; the paragraph
    # before any heading belongs to none.
    assert "NonStruct(H1 P) P Sect(H2 P) Sect(H2 Sect(H3 P) Sect(H3 P)) Sect(H2 P)" in tree
    # Subsection bookmarks hang under their section's.
    with pikepdf.open(pdf_path) as pdf, pdf.open_outline() as found:
        (title,) = found.root
        sections = {s.title: [c.title for c in s.children] for s in title.children}
    assert sections == {
        "What therapy is": [],
        "Kinds of therapy": ["Talking about thoughts", "Facing fears slowly"],
        "Finding a therapist": [],
    }


def _lines(pdf_path: Path) -> list[str]:
    with pdfplumber.open(pdf_path) as pdf:
        return [line for page in pdf.pages for line in (page.extract_text() or "").splitlines()]


def test_a_callout_has_the_label_its_author_gives_and_no_other(project: Project, cli: Any) -> None:
    blocks = (
        "  - type: callout\n    tone: safety\n    text: If you are not safe, call someone now.\n"
        "  - type: callout\n    tone: gentle\n    title: Go at your pace\n"
        "    text: You can stop at any time.\n"
    )
    lines = _lines(build(project, cli, "boxes", handout_text("Boxes", "Two boxes.", blocks)))
    first = lines.index("If you are not safe, call someone now.")
    # The untitled box opens with its own words; the titled one with its title.
    assert lines[first - 1] == "Two boxes."
    assert lines[lines.index("You can stop at any time.") - 1] == "Go at your pace"
    for invented in ("Your safety", "Go gently", "Good to know"):
        assert invented not in " ".join(lines)


def test_a_project_message_for_the_old_callout_labels_says_what_to_do(
    project: Project, cli: Any
) -> None:
    project.add("h.yaml", handout_text("Boxes", "One box.", "  - type: paragraph\n    text: Hi.\n"))
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text('care_note: "Ask us anything."\ncallout_safety: "Safety"\n')
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "templates/messages/en.yaml:2:17: callout_safety: is no longer used: a callout's "
        "label is now only the `title` its author gives it"
    )
    assert project.output_files() == {}


def test_a_subtitle_and_byline_go_under_the_title(project: Project, cli: Any) -> None:
    text = handout_text(
        "Sleep and stress",
        "How the two feed each other.",
        "  - type: paragraph\n    text: Rest helps.\n",
    )
    text = text.replace(
        "audience:",
        "subtitle: A guide for hard weeks\nbyline: Written by the Riverside team\naudience:",
    )
    lines = _lines(build(project, cli, "sleep", text))
    assert lines[:4] == [
        "Sleep and stress",
        "A guide for hard weeks",
        "How the two feed each other.",
        "Written by the Riverside team",
    ]


def test_a_client_handout_without_a_purpose_builds_and_the_check_asks_for_one(
    project: Project, cli: Any
) -> None:
    text = handout_text(
        "Breathing", "x", "  - type: paragraph\n    text: You might notice your breath.\n"
    )
    text = text.replace("purpose: x\n", "")
    pdf_path = build(project, cli, "breathing", text)
    lines = _lines(pdf_path)
    assert lines[:2] == ["Breathing", "You might notice your breath."]
    assert "None" not in " ".join(lines)
    with pikepdf.open(pdf_path) as pdf:
        assert str(pdf.docinfo.get("/Subject", "")) == ""
    report = json.loads(cli("check", "breathing", "--json").stdout)
    (finding,) = [f for f in report["findings"] if f["rule"] == "structure.no-purpose"]
    assert (finding["line"], finding["severity"]) == (1, "warning")
    # A clinician's handout may go without.
    project.add("guide.yaml", text.replace("audience: client", "audience: clinician"))
    report = json.loads(cli("check", "guide", "--json").stdout)
    assert not [f for f in report["findings"] if f["rule"] == "structure.no-purpose"]


def test_a_contact_block_prints_each_way_to_reach_someone(project: Project, cli: Any) -> None:
    blocks = (
        "  - type: contact\n    title: Where to find us\n    name: Lakeside Family Clinic\n"
        '    address: ["4 Hill Road", "Northbridge"]\n    phone: "555-0142"\n'
        "    email: desk@lakeside.example\n    website: https://lakeside.example/visit\n"
        "    hours: Weekdays, 8 to 6\n    note: Call ahead if you need a quiet room.\n"
    )
    pdf_path = build(
        project, cli, "visit", handout_text("Visiting us", "How to reach the clinic.", blocks)
    )
    lines = _lines(pdf_path)
    start = lines.index("Where to find us")
    assert lines[start : start + 9] == [
        "Where to find us",
        "Lakeside Family Clinic",
        "4 Hill Road",
        "Northbridge",
        "Phone: 555-0142",
        "Email: desk@lakeside.example",
        "Website: lakeside.example/visit",
        "Open: Weekdays, 8 to 6",
        "Call ahead if you need a quiet room.",
    ]
    with pikepdf.open(pdf_path) as pdf:
        links = [
            str(a.A.URI)
            for page in pdf.pages
            for a in page.get("/Annots", [])
            if "/A" in a and "/URI" in a.A
        ]
    assert links == ["mailto:desk@lakeside.example", "https://lakeside.example/visit"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("email", "desk at lakeside", "13:12: blocks[0].email: should be an email address"),
        ("website", "http://lakeside.example", "13:14: blocks[0].website: should be a full https"),
    ],
)
def test_a_contact_block_refuses_an_address_it_cannot_link(
    project: Project, cli: Any, field: str, value: str, says: str
) -> None:
    blocks = f"  - type: contact\n    name: Lakeside\n    {field}: {value}\n"
    project.add("bad.yaml", handout_text("Visiting", "How to reach us.", blocks))
    result = cli("build", "bad")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"content/handouts/en/bad.yaml:{says}")
    assert project.output_files() == {}
