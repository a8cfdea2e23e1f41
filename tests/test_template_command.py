"""`handouts template list` and `copy`: a project starts its own templates from the built-ins."""

from __future__ import annotations

from pathlib import Path

from conftest import Project
from generator.config import builtin_root


def test_list_names_every_template_a_project_can_replace(cli) -> None:
    result = cli("template", "list")
    assert result.exit_code == 0
    names = result.stdout.splitlines()
    assert names == sorted(names)
    assert {"handout.html", "blocks/quote.html", "css/print.css", "messages/en.yaml"} <= set(names)
    templates = builtin_root() / "templates"
    on_disk = {
        p.relative_to(templates).as_posix()
        for p in templates.rglob("*")
        if p.suffix in (".html", ".css", ".yaml")
    }
    assert set(names) == on_disk


def test_copy_puts_the_builtin_at_the_same_path(project: Project, cli) -> None:
    result = cli("template", "copy", "css/print.css", "blocks/quote.html")
    assert result.exit_code == 0, result.output
    copies = [
        project.root / "templates/css/print.css",
        project.root / "templates/blocks/quote.html",
    ]
    assert result.stdout.splitlines() == [str(p) for p in copies]
    for copy in copies:
        name = copy.relative_to(project.root / "templates")
        assert copy.read_bytes() == (builtin_root() / "templates" / name).read_bytes()


def test_copy_never_overwrites_unless_forced(project: Project, cli) -> None:
    own = project.root / "templates" / "messages" / "en.yaml"
    own.parent.mkdir(parents=True)
    own.write_text('care_note: "Ours."\n', encoding="utf-8")
    refused = cli("template", "copy", "messages/en.yaml", "css/print.css")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "templates/messages/en.yaml: already exists; edit it, or pass --force to replace it "
        "with the built-in one",
        "1 problem in 1 file; nothing was written.",
    ]
    assert own.read_text(encoding="utf-8") == 'care_note: "Ours."\n'
    assert not (project.root / "templates" / "css").exists()
    forced = cli("template", "copy", "messages/en.yaml", "--force")
    assert forced.exit_code == 0, forced.output
    assert "page:" in own.read_text(encoding="utf-8")


def test_unknown_and_escaping_names(project: Project, cli, tmp_path: Path) -> None:
    result = cli("template", "copy", "css/prnt.css", "../x.html", "/etc/passwd", "nothing")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "../x.html: name a template as `handouts template list` shows it, like "
        "css/print.css, not a path outside the templates folder",
        "/etc/passwd: name a template as `handouts template list` shows it, like "
        "css/print.css, not a path outside the templates folder",
        "css/prnt.css: no built-in template by this name; did you mean `css/print.css`? "
        "`handouts template list` shows them all",
        "nothing: no built-in template by this name; `handouts template list` shows them all",
        "4 problems in 4 files; nothing was written.",
    ]
    assert not (project.root / "templates").exists()
    assert not (tmp_path / "x.html").exists()


def test_a_typed_templates_folder_is_forgiven(project: Project, cli) -> None:
    result = cli("template", "copy", "templates/css/print.css")
    assert result.exit_code == 0, result.output
    copied = (project.root / "templates/css/print.css").read_bytes()
    assert copied == (builtin_root() / "templates/css/print.css").read_bytes()


def test_copy_outside_a_project_is_refused(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("template", "copy", "css/print.css")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: there is no project here to copy templates into (no handouts.yaml or "
        "content/ folder in this folder or above); make one with `handouts init FOLDER`, "
        "or run this inside yours\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_new_project_readme_shows_the_commands(tmp_path: Path, cli, monkeypatch) -> None:
    cli("init", str(tmp_path / "clinic"))
    readme = (tmp_path / "clinic" / "templates" / "README.txt").read_text(encoding="utf-8")
    assert "built-in templates folder" not in readme
    commands = [line.strip().split("  ")[0] for line in readme.splitlines() if "handouts " in line]
    assert commands == [
        "handouts template list",
        "handouts template copy css/print.css",
        "handouts template copy messages/en.yaml",
    ]
    monkeypatch.chdir(tmp_path / "clinic")
    for command in commands:
        assert cli(*command.split()[1:]).exit_code == 0, command
    copied = (tmp_path / "clinic" / "templates" / "messages" / "en.yaml").read_bytes()
    assert copied == (builtin_root() / "templates/messages/en.yaml").read_bytes()
