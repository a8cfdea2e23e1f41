"""No sentence of the built-in library breaks across pages with one line alone, and no
heading is left at a page's foot, in either edition, on Letter or A4, normal or large
print, in English and Spanish (pagequality, read from the laid-out boxes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import find_project
from generator.content import load_handouts
from generator.layout import allowed_folders
from generator.options import RenderOptions
from generator.pdf import html_to_pdf
from generator.render import Renderer

pytestmark = pytest.mark.xdist_group("test_breaks")

PROFILES = [
    ("client", "letter", False),
    ("clinician", "letter", False),
    ("client", "a4", True),
    ("clinician", "a4", True),
]


@pytest.mark.parametrize(("edition", "paper", "large_print"), PROFILES)
def test_the_library_breaks_its_pages_well(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edition: str, paper: str, large_print: bool
) -> None:
    monkeypatch.chdir(tmp_path)  # no project here: the built-in library alone
    project = find_project(tmp_path)
    renderer = Renderer(project)
    options = RenderOptions(
        edition=edition,  # type: ignore[arg-type]
        paper=paper,  # type: ignore[arg-type]
        large_print=large_print,
    ).resolved(project.config)
    allowed = allowed_folders(project)
    found = []
    # The Spanish client editions are checked whole, `check --strict --pdf`, in
    # tests/test_spanish.py; their clinician editions here.
    languages = ["en", "es"] if edition == "clinician" else ["en"]
    handouts = load_handouts(project.roots, (), languages)
    assert len(handouts) >= 14 * len(languages)
    for item in handouts:
        rendered = renderer.render(item, options)
        result = html_to_pdf(rendered.html, rendered.base_url, allowed, quality=True)
        found += [
            (item.id, note.kind, note.page, note.field, note.text)
            for note in result.page_notes
            if note.kind in ("lone-line", "stranded-heading", "near-footer")
        ]
    assert found == []


def test_the_trainers_packet_passes_the_page_checks_in_large_print_on_a4(tmp_path: Path) -> None:
    # The participants' edition on Letter is checked with the whole library
    # (test_check.test_the_builtin_library_passes_strict_with_pdf).
    import json

    from conftest import invoke_in

    flags = ("--edition", "clinician", "--paper", "a4", "--large-print")
    code, output = invoke_in(
        tmp_path, "check", "self-attunement-workshop", "--pdf", "--strict", "--json", *flags
    )
    report = json.loads(output)
    assert [Path(p).name for p in report["checked"]] == ["self-attunement-workshop.yaml"]
    assert [f for f in report["findings"] if f["rule"].startswith("pdf.")] == []
    assert code == 0, output
