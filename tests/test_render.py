"""Render stage: templates turn every block into HTML, and content stays data."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from conftest import MINIMAL, Project
from generator.config import find_project
from generator.content import load_handout
from generator.markup import inline
from generator.messages import page_counter_content
from generator.options import RenderOptions
from generator.render import Renderer

GOLDEN = Path(__file__).parent / "golden"


def render(project: Project, name: str, **options: str) -> str:
    item = load_handout(project.handouts / name, project.root)
    return Renderer(find_project()).render(item, RenderOptions(**options)).html  # type: ignore[arg-type]


def body(html: str) -> str:
    match = re.search(r"<body>.*</body>", html, re.S)
    assert match
    return match.group(0)


@pytest.mark.parametrize("edition", ["client", "clinician"])
def test_every_block_type_matches_golden_html(image_project: Project, edition: str) -> None:
    image_project.add_data("all-blocks.yaml")
    html = body(render(image_project, "all-blocks.yaml", edition=edition))
    # The image URL is absolute (packets join many handouts in one document).
    html = html.replace(image_project.root.resolve().as_uri(), "file:///PROJECT")
    # A diagram's drawing is compared in test_diagrams, as SVG, not here as base64.
    html = re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "data:image/svg+xml;DRAWING", html)
    golden = GOLDEN / f"all-blocks-{edition}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")


def test_every_block_type_appears(image_project: Project) -> None:
    from generator.blocks import BLOCKS

    image_project.add_data("all-blocks.yaml")
    item = load_handout(image_project.handouts / "all-blocks.yaml", image_project.root)
    assert {b.type for b in item.handout.blocks} == set(BLOCKS.tags())


def test_clinician_notes_only_in_clinician_edition(image_project: Project) -> None:
    image_project.add_data("all-blocks.yaml")
    note = "Only the clinician edition shows this."
    assert note not in render(image_project, "all-blocks.yaml")
    clinician = render(image_project, "all-blocks.yaml", edition="clinician")
    assert note in clinician
    assert "Clinician edition" in clinician


def test_head_carries_language_title_and_purpose(project: Project) -> None:
    project.add("h.yaml")
    html = render(project, "h.yaml")
    assert '<html lang="en">' in html
    assert "<title>Noticing your breath</title>" in html
    assert (
        '<meta name="description" content="A short way to notice how you are breathing.">' in html
    )
    assert "@page { size: letter; }" in html
    assert "@page { size: A4; }" in render(project, "h.yaml", paper="a4")


def test_content_is_never_a_template_or_html(project: Project) -> None:
    text = MINIMAL.replace(
        "You might notice your breath for a moment.",
        "'{{ 7*7 }} {% if true %}x{% endif %} <script>alert(1)</script> <b>raw</b>'",
    )
    project.add("h.yaml", text)
    html = render(project, "h.yaml")
    assert "{{ 7*7 }} {% if true %}x{% endif %}" in html
    assert "49" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;raw&lt;/b&gt;" in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("**bold** and *soft*", "<strong>bold</strong> and <em>soft</em>"),
        ("[help](https://example.org/x)", '<a href="https://example.org/x">help</a>'),
        (
            "[mail](mailto:care@example.org)",
            '<a href="mailto:care@example.org">mail</a>',
        ),
        ("[bad](javascript:alert(1))", "[bad](javascript:alert(1))"),
        ("[file](file:///etc/passwd)", "[file](file:///etc/passwd)"),
        ("[plain](http://example.org)", "[plain](http://example.org)"),
        ("# not a heading", "# not a heading"),
        # Image syntax is off: the "!" stays literal and only the link remains.
        (
            "`code` and ![img](https://example.org/a.png)",
            '`code` and !<a href="https://example.org/a.png">img</a>',
        ),
        ("<em>html</em>", "&lt;em&gt;html&lt;/em&gt;"),
        ("line one\nline two", "line one line two"),
    ],
)
def test_inline_markdown_subset(source: str, expected: str) -> None:
    assert str(inline(source)) == expected


def test_page_counter_message_becomes_css() -> None:
    assert str(page_counter_content("Page {page} of {pages}")) == (
        '"Page " counter(page) " of " counter(pages)'
    )
    assert str(page_counter_content('Seite {page}/{pages} "x"')) == (
        '"Seite " counter(page) "/" counter(pages) " \\22 x\\22 "'
    )


def test_a_language_without_messages_is_a_clear_error(project: Project) -> None:
    from generator.errors import HandoutError

    project.add("h.yaml", MINIMAL.replace("language: en", "language: eo"), language="eo")
    item = load_handout(project.root / "content/handouts/eo/h.yaml", project.root)
    with pytest.raises(HandoutError) as caught:
        Renderer(find_project()).render(item, RenderOptions())
    assert caught.value.message == (
        "there are no template messages for the language `eo`; add "
        "templates/messages/eo.yaml (copy en.yaml and translate it)"
    )


def test_regional_language_falls_back_to_base_messages(project: Project) -> None:
    project.add("h.yaml", MINIMAL.replace("language: en", "language: en-GB"), language="en-GB")
    item = load_handout(project.root / "content/handouts/en-GB/h.yaml", project.root)
    html = Renderer(find_project()).render(item, RenderOptions()).html
    assert '<html lang="en-GB">' in html
    # British English date order comes from Babel, not from the template.
    assert "Reviewed 1 November 2026" in html


def test_the_shared_style_is_the_same_for_every_handout(project: Project) -> None:
    # The head's first <style> is parsed once per process (stylecache.py), so it must
    # not depend on the handout: only the second, the margins, may.
    project.add("short.yaml", MINIMAL.replace("Noticing your breath", "Breath"))
    long_title = "Noticing your breath, slowly, when the day has been long and loud " * 2
    project.add("long.yaml", MINIMAL.replace("Noticing your breath", long_title.strip()))
    styles = [
        re.findall(r"<style>(.*?)</style>", render(project, name), re.S)
        for name in ("short.yaml", "long.yaml")
    ]
    assert [len(found) for found in styles] == [2, 2]
    assert styles[0][0] == styles[1][0]
    # The footer of the long title wraps to more lines: a deeper bottom margin.
    margins = [re.search(r"@page \{ margin: ([^;]+);", found[1]) for found in styles]
    assert margins[0] and margins[1]
    assert margins[0].group(1) != margins[1].group(1)
