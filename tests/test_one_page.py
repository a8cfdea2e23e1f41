"""Worksheets meant to fit one page (`one_page: true`): every build says where one
runs over, and a clinician edition keeps the client's page whole, its notes after."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from conftest import Project, handout_text, invoke_in

#: One writing prompt, repeated to fill as much of a page as a test needs.
PROMPT = "      - kind: lines\n        text: Something you noticed ({n})\n        lines: {lines}\n"


def worksheet(prompts: int, lines: int, *, one_page: bool = True, note: str = "") -> str:
    body = "".join(PROMPT.format(n=n, lines=lines) for n in range(prompts))
    blocks = "  - type: worksheet\n    title: Your turn\n    prompts:\n" + body + note
    text = handout_text("A check-in", "Room to write, one sheet.", blocks)
    return text.replace("blocks:", "one_page: true\nblocks:") if one_page else text


def pages_text(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def test_a_worksheet_that_runs_over_is_a_located_warning(project: Project, cli: Any) -> None:
    project.add("long.yaml", worksheet(6, 6))
    result = cli("build", "long")
    assert result.exit_code == 0
    # At the worksheet, with the words that went over.
    assert result.stderr.startswith("content/handouts/en/long.yaml:12:5: blocks[0]: warning: ")
    assert (
        "meant to fit one page (`one_page: true`), and runs onto page 2 from \u201cSomething you noticed"
        in (result.stderr)
    )
    written = project.output_files()
    # --strict refuses it, and leaves the last good PDF as it was.
    strict = cli("build", "long", "--strict")
    assert strict.exit_code == 1
    assert "warning treated as an error (--strict)" in strict.stderr
    assert project.output_files() == written


def test_a_worksheet_inside_a_longer_handout_is_not_held_to_one_page(
    project: Project, cli: Any
) -> None:
    project.add("long.yaml", worksheet(6, 6, one_page=False))
    result = cli("build", "long", "--strict")
    assert result.exit_code == 0, result.stderr
    assert "one page" not in result.stderr


def test_large_print_is_never_held_to_one_page(project: Project, cli: Any) -> None:
    project.add("long.yaml", worksheet(6, 6))
    result = cli("build", "long", "--large-print", "--strict")
    assert result.exit_code == 0, result.stderr


def test_a_clinician_edition_keeps_the_clients_page_and_sets_its_notes_after(
    project: Project, cli: Any
) -> None:
    note = "  - type: clinician_note\n    text: " + "Go at the client's pace. " * 30 + "\n"
    project.add("sheet.yaml", worksheet(4, 2, note=note))
    result = cli("build", "sheet", "--edition", "clinician", "--strict")
    assert result.exit_code == 0, result.stderr
    first, *rest = pages_text(Path(result.stdout.strip()))
    # Page 1 is the client's page: no label, no note; the notes follow, labelled.
    assert "Something you noticed (3)" in first
    assert "Clinician edition" not in first and "pace" not in first
    assert rest and rest[0].startswith("Clinician edition\nNote for the clinician")
    # A handout not meant for one page keeps its label at the top, its notes in place.
    project.add("plain.yaml", worksheet(4, 2, one_page=False, note=note))
    result = cli("build", "plain", "--edition", "clinician", "--strict")
    assert pages_text(Path(result.stdout.strip()))[0].startswith("Clinician edition\n")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("t") / "library"


@pytest.mark.parametrize("edition", ["client", "clinician"])
@pytest.mark.parametrize(
    "profile", [(), ("--fillable",), ("--paper", "a4"), ("--paper", "a4", "--fillable")]
)
def test_the_built_in_worksheets_fit_a_page_in_every_profile(
    library: Path, edition: str, profile: tuple[str, ...]
) -> None:
    library.mkdir(exist_ok=True)
    ids = ("daily-check-in", "early-signs-and-supports")
    code, output = invoke_in(
        library, "build", *ids, "--edition", edition, "--out", "out", "--strict", *profile
    )
    assert code == 0, output
    paths = output.strip().splitlines()
    # In English and in Spanish.
    assert sorted(Path(p).parent.name for p in paths) == ["en", "en", "es", "es"]
    for path in paths:
        pages = pages_text(library / path)
        # The client's page alone, or the client's page and then the clinician's.
        assert len(pages) == (2 if edition == "clinician" else 1), path
        sources = {"en": "Where these ideas come from", "es": "De dónde vienen estas ideas"}
        assert sources[Path(path).parent.name] in pages[0], path


def test_check_pdf_finds_a_packets_part_that_runs_over_on_the_packets_page(
    project: Project, cli: Any
) -> None:
    import json

    project.add("long.yaml", worksheet(6, 6))
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "pair.yaml").write_text(
        "title: A pair\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    handouts: [long]\n",
        encoding="utf-8",
    )
    result = cli("check", "pair", "--pdf", "--json")
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "pdf.spilled"]
    # The cover is page 1, the contents page 2, the divider page 3: the
    # worksheet starts on page 4 and runs onto page 5.
    assert [(f["path"], f["line"]) for f in found] == [("content/handouts/en/long.yaml", 12)]
    # Said of the packet's page, and of which packet (the handout's own file has its own).
    assert "runs onto page 5 of the packet `pair` from" in found[0]["message"]
    assert cli("check", "pair", "--pdf", "--strict").exit_code == 1
    # Checked in memory: no output, and no cache either.
    assert sorted(p.name for p in project.root.iterdir()) == ["content"]


def test_a_short_worksheet_moves_whole_to_the_next_page(project: Project, cli: Any) -> None:
    # Text that leaves less of page 1 than four short prompts need.
    filler = "  - type: paragraph\n    text: " + "Some words to read before you start. " * 45 + "\n"
    body = "".join(PROMPT.format(n=n, lines=2) for n in range(4))
    blocks = filler + "  - type: worksheet\n    title: Your turn\n    prompts:\n" + body
    project.add("split.yaml", handout_text("A check-in", "Room to write.", blocks))
    result = cli("build", "split", "--strict")
    assert result.exit_code == 0, result.stderr
    pages = pages_text(Path(result.stdout.strip()))
    holding = [i for i, text in enumerate(pages) if "Something you noticed" in text]
    # On page 2, whole; page 1 had room for some of it, not all.
    assert holding == [1] and "Your turn" in pages[1]
    assert all(f"Something you noticed ({n})" in pages[holding[0]] for n in range(4))


def test_a_worksheet_longer_than_a_page_still_breaks_between_its_prompts(
    project: Project, cli: Any
) -> None:
    project.add("long.yaml", worksheet(6, 6, one_page=False))
    result = cli("build", "long", "--strict")
    first, *_ = pages_text(Path(result.stdout.strip()))
    # It starts where it stands on page 1, not on a page of its own.
    assert "Your turn" in first and "Something you noticed (0)" in first
