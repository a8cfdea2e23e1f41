"""A project's own templates: every fault is `template path:line: message`, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Project


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "<p>\n{% if %}\n</p>\n",
            "templates/blocks/paragraph.html:2: template error: Expected an expression, got "
            "'end of statement block' in `{% if %}`",
        ),
        (
            "<p>\n{{ block.no_such_field.x }}\n</p>\n",
            "templates/blocks/paragraph.html:2: template error: 'generator.blocks.Paragraph "
            "object' has no attribute 'no_such_field' in `{{ block.no_such_field.x }}`",
        ),
        (
            "<p>{{ nothing_by_this_name }}</p>\n",
            "templates/blocks/paragraph.html:1: template error: 'nothing_by_this_name' is "
            "undefined in `<p>{{ nothing_by_this_name }}</p>`",
        ),
        (
            "{% include 'blocks/missing.html' %}\n",
            "templates/blocks/paragraph.html:1: template error: there is no template "
            "`blocks/missing.html` in `{% include 'blocks/missing.html' %}`",
        ),
        (
            "{{ block.text|no_such_filter }}\n",
            "templates/blocks/paragraph.html:1: template error: No filter named "
            "'no_such_filter'. in `{{ block.text|no_such_filter }}`",
        ),
        (
            "{{ fill(messages.part, num=2) }}\n",
            "templates/blocks/paragraph.html:1: template error: the message 'Part {number}' "
            "uses {number}, which is not given in `{{ fill(messages.part, num=2) }}`",
        ),
        (
            "{{ messages.care_note|page_counter }}{{ 'Page {count}'|page_counter }}\n",
            "templates/blocks/paragraph.html:1: template error: the page message 'Page {count}' "
            "may use only {page} and {pages} in",
        ),
        (
            "{{ 1 / 0 }}\n",
            "templates/blocks/paragraph.html:1: template error: division by zero in `{{ 1 / 0 }}`",
        ),
    ],
)
def test_template_faults_are_located(project: Project, cli, template: str, expected: str) -> None:
    project.add("h.yaml")
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "paragraph.html").write_text(template)
    result = cli("build", "h")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(expected), first
    assert first.endswith(
        "; fix the template, or delete it to use the built-in one "
        "(while building content/handouts/en/h.yaml)"
    )
    assert project.output_files() == {}


def test_packet_template_faults_are_located(project: Project, cli) -> None:
    project.add("h.yaml")
    (project.root / "content" / "packets").mkdir(parents=True)
    (project.root / "content" / "packets" / "mini.yaml").write_text(
        "title: Mini\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    handouts: [h]\n"
    )
    (project.root / "templates").mkdir()
    (project.root / "templates" / "packet_divider.html").write_text(
        "{% extends 'base.html' %}\n{% block body %}{{ packet.nope.x }}{% endblock %}\n"
    )
    result = cli("packet", "mini")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "templates/packet_divider.html:2: template error: 'generator.model.Packet object' "
        "has no attribute 'nope'"
    )


def test_compiled_templates_follow_their_source(tmp_path: Path) -> None:
    """Templates are compiled once per process; an edit, another project's file of the
    same name, or a fault added later is still seen at once."""
    from generator.errors import ProblemsError
    from generator.templating import Templates

    first, second = tmp_path / "first", tmp_path / "second"
    for folder, text in ((first, "first {{ n }}"), (second, "second {{ n }}")):
        folder.mkdir()
        (folder / "page.html").write_text(text)
    source = tmp_path / "h.yaml"

    def render(folder: Path) -> str:
        return Templates([folder], [tmp_path]).template("page.html", {"n": 1}, source)

    assert render(first) == "first 1"
    assert render(second) == "second 1"
    (first / "page.html").write_text("edited {{ n + 1 }}")
    assert render(first) == "edited 2"
    (first / "page.html").write_text("{% if %}")
    with pytest.raises(ProblemsError) as raised:
        render(first)
    assert str(raised.value.problems[0]).startswith(f"{first / 'page.html'}:1: ")
    (first / "page.html").write_text("edited {{ n + 1 }}")
    assert render(first) == "edited 2"
