"""A project's own templates: every fault is `template path:line: message`, no traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import Project


def _built_with(project: Project, cli, template: str):  # type: ignore[no-untyped-def]
    """`handouts build h`, with the project's paragraph template replaced by `template`."""
    project.add("h.yaml")
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "paragraph.html").write_text(template)
    return cli("build", "h")


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
    result = _built_with(project, cli, template)
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


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ('{{ "x" * 4000000000 }}\n', "`* 4000000000` would make 4,000,000,000"),
        ("{{ [1, 2] * 900000 }}\n", "`* 900000` would make 1,800,000"),
        ('{% set s = "x" * 900000 %}{{ s + s }}\n', "joining these would make too long"),
        ("{{ 10 ** 10000000 }}\n", "`10 ** 10000000` is too large a number"),
        ('{{ "%999999999d" % 1 }}\n', "a format may pad to at most 10,000"),
        ('{{ "%*d" % (999999999, 1) }}\n', "a format may pad to at most 10,000"),
        ('{{ "{:>999999999}".format(1) }}\n', "a format may pad to at most 10,000"),
        ('{{ "{0:{1}}".format(1, 999999999) }}\n', "a format may pad to at most 10,000"),
        ('{{ "x".ljust(1000000000) }}\n', "`ljust` may pad to at most 10,000"),
        ('{{ "x"|center(1000000000) }}\n', "`center` may pad to at most 10,000"),
        ('{{ "x"|indent(999999999, true) }}\n', "`indent` may pad to at most 10,000"),
        ('{{ "%9999999s"|format("x") }}\n', "a format may pad to at most 10,000"),
        ('{{ "ab".replace("", "x" * 900000) }}\n', "this replace would make too long"),
        ('{{ "abb"|replace("b", "x" * 990000) }}\n', "this replace would make too long"),
        # Doubling in a loop: each step is small, the sum is not.
        ('{% set s = "x" * 999999 %}{{ (s ~ s)|length }}\n', "this would join too long"),
        (
            '{% set ns = namespace(s="x" * 999999) %}{% for i in range(40) %}'
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}\n",
            "this would join too long",
        ),
        (
            '{% set ns = namespace(s="x" * 999999) %}{% for i in range(40) %}'
            "{% set ns.s = [ns.s, ns.s]|join %}{% endfor %}{{ ns.s|length }}\n",
            "this would join too long",
        ),
        (
            '{% set s = "x" * 600000 %}{{ [s, s]|map("upper")|join("-")|length }}\n',
            "this would join too long",
        ),
        ('{% set s = "x" * 999999 %}{{ "".join([s, s])|length }}\n', "this would join too long"),
        ('{% set s = "x" * 999999 %}{{ "{}{}".format(s, s) }}\n', "this format would make too"),
        ('{% set s = "x" * 600000 %}{{ "{0}{0}".format(s) }}\n', "this format would make too"),
    ],
)
def test_a_template_may_not_make_a_value_too_large_to_hold(
    project: Project, cli, template: str, says: str
) -> None:
    """Refused before the value is made: "x" * 4000000000 once took 8 GB, then failed
    naming the wrong file."""
    result = _built_with(project, cli, template)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("templates/blocks/paragraph.html:1: template error: "), first
    assert says in first, first
    assert project.output_files() == {}


def test_a_page_that_writes_too_much_in_all_is_refused(project: Project, cli) -> None:
    # Each piece is allowed; a page of 100 GB is not, and is refused as it is joined.
    result = _built_with(
        project, cli, '{% set b = "x" * 1000000 %}{% for i in range(100000) %}{{ b }}{% endfor %}\n'
    )
    assert result.exit_code == 1
    assert "it writes more than 20,000,000 characters" in result.stderr
    assert project.output_files() == {}


@pytest.mark.parametrize(
    "template",
    [
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        # No call inside the loops: only a limit from outside the template can stop it.
        "{% set r = range(100000) %}\n{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}\n",
    ],
)
def test_a_template_that_runs_too_long_is_stopped_at_its_line(
    project: Project, cli, monkeypatch: pytest.MonkeyPatch, template: str
) -> None:
    import generator.sandbox

    monkeypatch.setattr(generator.sandbox, "RENDER_SECONDS", 0.5)
    result = _built_with(project, cli, template)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    first = result.stderr.splitlines()[0]
    line = template.count("\n")
    assert first.startswith(f"templates/blocks/paragraph.html:{line}: template error: it ran "), (
        first
    )
    assert "more than 0.5 seconds and was stopped" in first
    assert project.output_files() == {}
    # The limit is gone once the render is: nothing is raised into what runs next.
    time.sleep(0.7)
    assert cli("build", "h").exit_code == 1


def test_the_render_limit_stops_a_loop_in_any_thread_and_nothing_after_it() -> None:
    """The preview server renders in worker threads, where no signal reaches."""
    import threading

    from generator.sandbox import OutOfRenderTime, render_time_limit

    outcome: list[str] = []

    def spin() -> None:
        try:
            with render_time_limit(0.3):
                while True:
                    pass
        except OutOfRenderTime:
            outcome.append("stopped")
        with render_time_limit(0.3):
            pass  # ends in time: nothing raised later
        try:
            time.sleep(0.6)
            outcome.append("quiet after")
        except OutOfRenderTime:
            outcome.append("raised after the block")

    worker = threading.Thread(target=spin)
    worker.start()
    worker.join(10)
    assert outcome == ["stopped", "quiet after"]


def test_joining_and_formatting_within_bounds_print_as_ever(project: Project, cli) -> None:
    """The bounds cost nothing to what a template means: `~`, `join` and `format` as ever."""
    template = (
        '{{ block.text ~ " (more)" }}|{{ ["a", "b"]|join(", ") }}|{{ ["c", "d"]|map("lower")|join }}'
        '|{{ "{} and {}".format("e", "f") }}|{{ "-".join(["g", "h"]) }}\n'
    )
    result = _built_with(project, cli, template)
    assert result.exit_code == 0, result.output
    (path,) = (project.root / "output" / "en").glob("*.pdf")
    text = " ".join(PdfReader(path).pages[0].extract_text().split())
    assert "(more)|a, b|cd|e and f|g-h" in text
