"""No sentence of the built-in library breaks across pages with one line alone, and no
heading is left at a page's foot, in either edition, on Letter or A4, normal or large
print (pagequality, read from the laid-out boxes)."""

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
    handouts = load_handouts(project.roots)
    assert len(handouts) >= 9
    for item in handouts:
        rendered = renderer.render(item, options)
        result = html_to_pdf(rendered.html, rendered.base_url, allowed, quality=True)
        found += [
            (item.id, note.kind, note.page, note.field, note.text)
            for note in result.page_notes
            if note.kind in ("lone-line", "stranded-heading", "near-footer")
        ]
    assert found == []


@pytest.mark.parametrize(
    "flags",
    [(), ("--edition", "clinician", "--paper", "a4", "--large-print")],
    ids=["participants-letter", "trainer-a4-large-print"],
)
def test_the_built_in_packet_passes_the_page_checks(tmp_path: Path, flags: tuple[str, ...]) -> None:
    import json

    from conftest import invoke_in

    code, output = invoke_in(
        tmp_path, "check", "self-attunement-workshop", "--pdf", "--strict", "--json", *flags
    )
    report = json.loads(output)
    assert (
        report["checked"] == ["content/packets/self-attunement-workshop.yaml"] or report["checked"]
    )
    assert [f for f in report["findings"] if f["rule"].startswith("pdf.")] == []
    assert code == 0, output
