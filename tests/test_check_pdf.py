"""`handouts check --pdf`: what the layout engine says becomes findings, and progress is shown."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINIMAL, Project
from generator import progress
from generator.check.pdf import check_pdfs, layout_findings
from generator.config import find_project
from generator.images import explain
from generator.options import RenderOptions
from generator.pdf import LayoutStopped, PdfResult


@pytest.fixture(autouse=True)
def _reset() -> Iterator[None]:
    yield
    progress.configure(0, False)


def test_what_the_layout_engine_said_is_found() -> None:
    picture = "Failed to load image at 'data:image/png;base64,AAAA': broken data"
    result = PdfResult(
        data=b"",
        errors=(picture, "the structure tree has a figure without alt text"),
        warnings=("a warning is not a finding",),
        blocked=("https://example.org/a.png",),
        failed=(("file:///clinic/assets/x.css", "this is a folder, not a file"),),
    )
    found = [(f.rule, f.path, f.message) for f in layout_findings("h.yaml", result)]
    assert found == [
        ("pdf.image", "h.yaml", explain(picture)),
        ("pdf.accessibility", "h.yaml", "the structure tree has a figure without alt text"),
        ("pdf.accessibility", "h.yaml", "blocked https://example.org/a.png"),
        (
            "pdf.accessibility",
            "h.yaml",
            "can't use file:///clinic/assets/x.css: this is a folder, not a file",
        ),
    ]
    assert found[0][2].startswith(
        "a picture written into the page as a data: address could not be used as a picture "
        "(broken data)"
    )


def test_a_layout_given_up_is_a_finding(
    project: Project, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def given_up(call: object) -> PdfResult:
        raise LayoutStopped("laying it out took longer than 0.05 seconds")

    monkeypatch.setattr("generator.check.pdf.lay_out_one", given_up)
    project.add("h.yaml")
    result = cli("check", "h", "--pdf", "--json")
    assert result.exit_code == 1
    pdf = [f for f in json.loads(result.stdout)["findings"] if f["rule"].startswith("pdf.")]
    assert pdf == [
        {
            "path": "content/handouts/en/h.yaml",
            "line": None,
            "column": None,
            "rule": "pdf.layout",
            "severity": "error",
            "message": "laying it out took longer than 0.05 seconds",
            "suggestion": None,
        }
    ]


def four_handouts(project: Project) -> list[str]:
    ids = ["one", "two", "three", "four"]
    for name in ids:
        project.add(f"{name}.yaml", MINIMAL)
    assert len(ids) == progress.BAR_FROM  # just enough for a bar
    return ids


def test_no_bar_and_no_log_when_output_is_not_a_terminal(project: Project, cli) -> None:
    four_handouts(project)
    result = cli("check", "--pdf")
    assert result.exit_code == 0, result.stdout
    assert result.stderr == ""
    assert "Checking PDFs" not in result.stdout
    # Each: no key points, no sources, no picture and no tool (warnings); few sentences (a note).
    assert result.stdout.splitlines()[-1] == "16 warnings, 4 notes in 4 files (4 checked)."


def test_verbose_logs_each_stage_of_check_pdf(project: Project, cli) -> None:
    project.add("h.yaml")
    result = cli("-v", "check", "h", "--pdf")
    assert result.exit_code == 0, result.stdout
    stages = [re.sub(r"\d+\.\d\d s$", "N s", line) for line in result.stderr.splitlines()]
    assert stages == [
        "handouts: check 1 file: N s",
        "handouts: render 1 handout for the PDF checks: N s",
        "handouts: lay out 1 and take 0 from the build cache, inspect 1 PDF: N s",
    ]


class Terminal(io.StringIO):
    """Standard error as a terminal: bars show."""

    def isatty(self) -> bool:
        return True


def test_a_bar_on_a_terminal(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = four_handouts(project)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert check_pdfs(find_project(config=None), ids, RenderOptions()) == []
    shown = terminal.getvalue()
    assert "Checking PDFs  [####################################]  100%" in shown
    # One frame at the start and one after each PDF, at least.
    assert shown.count("Checking PDFs") >= 5


def test_check_pdf_takes_a_builds_layouts_from_the_cache_and_says_the_same(
    project: Project, cli
) -> None:
    """A build keeps each layout with how its pages break; `check --pdf` then lays out
    only what changed since, and finds what it found before, to the letter."""
    project.add("h.yaml")
    project.add("g.yaml", MINIMAL.replace("Noticing your breath", "Noticing the room"))
    cold = cli("-v", "check", "h", "g", "--pdf")
    assert cold.exit_code == 0, cold.stdout
    assert "lay out 2 and take 0 from the build cache, inspect 2 PDFs" in cold.stderr
    # Checking wrote nothing, the cache included.
    assert not (project.root / ".handouts-cache").exists()
    assert cli("build", "h", "g").exit_code == 0
    warm = cli("-v", "check", "h", "g", "--pdf")
    assert "lay out 0 and take 2 from the build cache, inspect 2 PDFs" in warm.stderr
    assert warm.stdout == cold.stdout
    # An edit since the build: that one is laid out again, the other still kept.
    project.add("g.yaml", MINIMAL.replace("Noticing your breath", "Noticing the sky"))
    again = cli("-v", "check", "h", "g", "--pdf")
    assert "lay out 1 and take 1 from the build cache, inspect 2 PDFs" in again.stderr
    # A kept layout whose notes are gone is laid out again, not trusted without them.
    for notes in (project.root / ".handouts-cache").glob("*.notes"):
        notes.unlink()
    bare = cli("-v", "check", "h", "g", "--pdf")
    assert "lay out 2 and take 0 from the build cache, inspect 2 PDFs" in bare.stderr
    assert bare.stdout == again.stdout


def test_every_characters_size_colour_and_place_are_read_as_pdfplumber_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check --pdf` reads characters with pdfium, ten times quicker than pdfplumber;
    on real pages, in large print and in a packet too, both read the same sizes,
    colours and places (the footer's edge is decided by the place)."""
    from collections import Counter

    import pdfplumber

    from conftest import invoke_in
    from generator.check.pdf import printed_characters

    monkeypatch.chdir(tmp_path)
    assert (
        invoke_in(tmp_path, "build", "withdrawal-response", "daily-check-in", "--large-print")[0]
        == 0
    )
    assert (
        invoke_in(tmp_path, "build", "window-of-tolerance", "--paper", "a4", "--language", "es")[0]
        == 0
    )
    pdfs = sorted((tmp_path / "output").rglob("*.pdf"))
    assert len(pdfs) >= 3  # English and Spanish, Letter and A4, normal and large print
    for path in pdfs:
        data = path.read_bytes()
        ours = [
            (c.page, c.text, round(c.size, 1), c.colour, round(c.top))
            for c in printed_characters(data)
        ]
        theirs = []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                for char in page.chars:
                    if char["text"].strip():
                        rgb = [round(float(v) * 255) for v in char["non_stroking_color"]]
                        colour = "#" + "".join(
                            f"{v:02x}" for v in (rgb * 3 if len(rgb) == 1 else rgb)
                        )
                        theirs.append(
                            (
                                page.page_number,
                                char["text"],
                                round(float(char["size"]), 1),
                                colour,
                                round(float(char["top"])),
                            )
                        )
        assert len(ours) > 500
        assert Counter(ours) == Counter(theirs), path.name
