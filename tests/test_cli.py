"""The `handouts` command: thin, forgiving, and honest in its exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import MINIMAL, Project


def test_build_prints_each_written_path(project: Project, cli) -> None:
    project.add("breath.yaml")
    result = cli("build", "breath")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [str(project.root / "output" / "en" / "breath.pdf")]
    assert (project.root / "output/en/breath.pdf").is_file()


def test_build_without_ids_builds_project_and_builtins(project: Project, cli) -> None:
    project.add("breath.yaml")
    result = cli("build")
    assert result.exit_code == 0, result.output
    names = {Path(line).name for line in result.stdout.splitlines()}
    assert {"breath.pdf", "withdrawal-response.pdf"} <= names


def test_variants_get_their_own_names(project: Project, cli) -> None:
    project.add("breath.yaml")
    assert cli("build", "breath", "--paper", "a4").stdout.strip().endswith("en/breath-a4.pdf")
    assert (
        cli("build", "breath", "--edition", "clinician")
        .stdout.strip()
        .endswith("en/breath-clinician.pdf")
    )
    assert cli("build", "breath", "--format", "html").stdout.strip().endswith("en/breath.html")
    assert sorted(project.output_files()) == [
        "en/breath-a4.pdf",
        "en/breath-clinician.pdf",
        "en/breath.html",
    ]


def test_html_format_writes_the_exact_html(project: Project, cli) -> None:
    project.add("breath.yaml")
    out = project.root / "elsewhere"
    result = cli("build", "breath", "--format", "html", "--out", str(out))
    assert result.exit_code == 0
    html = (out / "en" / "breath.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<h1 data-field="title">Noticing your breath</h1>' in html


def test_three_problems_exit_1_and_write_nothing(image_project: Project, cli) -> None:
    image_project.add("breath.yaml")
    assert cli("build", "breath").exit_code == 0
    before = image_project.output_files()
    image_project.add_data("three-problems.yaml")
    result = cli("build")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "content/handouts/en/three-problems.yaml:1:1: titel: "
        "unknown field `titel`; did you mean `title`?",
        "content/handouts/en/three-problems.yaml:13:5: blocks[0].text: "
        "duplicate key `text` (first at line 12); keep only one",
        "content/handouts/en/three-problems.yaml:14:5: blocks[1].alt: "
        "required field is missing; add `alt:`",
        "3 problems in 1 file; nothing was written.",
    ]
    assert image_project.output_files() == before


def test_unknown_id_is_exit_1(project: Project, cli) -> None:
    result = cli("build", "no-such-handout")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "no-such-handout: no handout with this id; `handouts list` shows them all"
    )


def test_usage_errors_are_exit_2(project: Project, cli) -> None:
    result = cli("build", "--paper", "legal")
    assert result.exit_code == 2
    assert "'legal' is not one of 'letter', 'a4'" in result.stderr


def test_list_shows_id_language_audience_title(project: Project, cli) -> None:
    project.add("breath.yaml", MINIMAL)
    result = cli("list")
    assert result.exit_code == 0
    assert "breath\ten\tclient\tNoticing your breath\tproject" in result.stdout.splitlines()
    assert (
        "withdrawal-response\ten\tclient\tThe withdrawal response\tbuilt-in"
        in result.stdout.splitlines()
    )


def test_list_reports_broken_files(project: Project, cli) -> None:
    project.add("broken.yaml", "title: [\n")
    result = cli("list")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/handouts/en/broken.yaml:2:1: this is not valid YAML")


def test_version(cli) -> None:
    from generator import __version__

    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"handouts, version {__version__}"


def test_strict_fails_on_layout_warnings(project: Project, cli) -> None:
    from generator.config import builtin_root

    # A project stylesheet with a misspelt property: WeasyPrint warns, for
    # every handout that uses it.
    builtin = (builtin_root() / "templates" / "css" / "print.css").read_text("utf-8")
    css = project.root / "templates" / "css" / "print.css"
    css.parent.mkdir(parents=True)
    css.write_text(builtin + "\nh1 { colour: red; }\n", encoding="utf-8")
    project.add("breath.yaml")
    project.add("grounding.yaml")
    lenient = cli("build", "breath", "grounding")
    assert lenient.exit_code == 0
    for name in ("breath", "grounding"):
        assert f"content/handouts/en/{name}.yaml: warning: Ignored `colour: red`" in lenient.stderr
    strict = cli("build", "breath", "--strict", "--out", "strict-out")
    assert strict.exit_code == 1
    assert (
        "content/handouts/en/breath.yaml: warning treated as an error (--strict): "
        "Ignored `colour: red`" in strict.stderr
    )
    assert not (project.root / "strict-out").exists()


def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_python_dash_m_generator_matches_the_command(tmp_path: Path) -> None:
    result = run_module("-m", "generator", "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: python -m generator [OPTIONS] COMMAND")
    assert "build" in result.stdout
    assert "list" in result.stdout


def test_help_does_not_import_weasyprint(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from generator.cli import main\n"
        "CliRunner().invoke(main, ['build', '--help'])\n"
        "print('weasyprint' in sys.modules)\n"
    )
    result = run_module("-c", code, cwd=tmp_path)
    assert result.stdout.strip() == "False", result.stderr


def test_bad_input_shows_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    folder = tmp_path / "content" / "handouts" / "en"
    folder.mkdir(parents=True)
    (folder / "bad.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    result = run_module("-m", "generator", "build", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("content/handouts/en/bad.yaml:2:1: ")
    assert not (tmp_path / "output").exists()


def test_builds_from_any_folder_with_the_builtin_library(tmp_path: Path) -> None:
    result = run_module("-m", "generator", "build", "withdrawal-response", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "en" / "withdrawal-response.pdf").is_file()


def test_unwritable_output_is_a_clean_error(project: Project, cli) -> None:
    project.add("breath.yaml")
    blocker = project.root / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    result = cli("build", "breath", "--out", str(blocker / "out"))
    # A bad option value: refused before anything is read, naming the option.
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for '--out': {blocker} is a file, not a folder; give a folder "
        "to write into (it is made if it is missing)"
    )


# --- built-in or the project's own, wherever the command runs ------------------------


def fake_install(folder: Path, monkeypatch) -> Path:
    """A built-in library inside `folder`, as a virtual environment there would hold it."""
    import generator.config
    import generator.roots

    builtin = folder / ".venv" / "lib" / "site-packages" / "generator" / "builtin"
    (builtin / "content" / "handouts" / "en").mkdir(parents=True)
    (builtin / "content" / "handouts" / "en" / "shipped.yaml").write_text(
        MINIMAL.replace("Noticing your breath", "A shipped handout"), encoding="utf-8"
    )
    monkeypatch.setattr(generator.config, "builtin_root", lambda: builtin)
    monkeypatch.setattr(generator.roots, "builtin_root", lambda: builtin)
    return builtin


def test_builtins_are_built_in_when_the_project_holds_the_install(
    project: Project, cli, monkeypatch
) -> None:
    fake_install(project.root, monkeypatch)
    (project.root / "handouts.yaml").write_text("paper: letter\n", encoding="utf-8")
    project.add("own.yaml")
    assert cli("list").stdout.splitlines() == [
        "own\ten\tclient\tNoticing your breath\tproject",
        "shipped\ten\tclient\tA shipped handout\tbuilt-in",
    ]
    report = json.loads(cli("check", "--json").stdout)
    assert report["checked"] == ["handouts.yaml", "content/handouts/en/own.yaml"]
    assert not any(".venv" in f["path"] for f in report["findings"])


def test_builtins_are_built_in_in_a_folder_that_holds_the_install(
    tmp_path: Path, cli, monkeypatch
) -> None:
    fake_install(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    # The library declares the languages it is written in (here English alone).
    assert cli("list").stdout.splitlines() == [
        "shipped\ten\tclient\tA shipped handout\tbuilt-in\tsource"
    ]
    # Outside any project the built-in library is what `check` checks.
    report = json.loads(cli("check", "--json").stdout)
    assert report["checked"] == [
        ".venv/lib/site-packages/generator/builtin/content/handouts/en/shipped.yaml"
    ]


def test_builtins_are_built_in_from_the_root_folder(cli, monkeypatch) -> None:
    monkeypatch.chdir("/")
    origins = {line.split("\t")[4] for line in cli("list").stdout.splitlines()}
    assert origins == {"built-in"}


# --- what the commands say after an error ----------------------------------------------


def test_only_commands_that_write_say_nothing_was_written(project: Project, cli) -> None:
    project.add("broken.yaml", "title: [\n")
    assert cli("list").stderr.splitlines()[-1] == "1 problem in 1 file."
    (project.root / "content/handouts/en/broken.yaml").unlink()
    (project.root / "handouts.yaml").write_text("paper: legal\n", encoding="utf-8")
    for command in ("list", "check"):
        result = cli(command)
        assert result.exit_code == 1
        assert result.stderr.splitlines()[-1] == "1 problem in 1 file.", command
    for args in (["build"], ["new", "x"], ["packet", "p"], ["template", "copy", "css/print.css"]):
        result = cli(*args)
        assert result.stderr.splitlines()[-1] == "1 problem in 1 file; nothing was written."


def test_init_here_leaves_out_the_cd(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    here = cli("init", ".")
    assert here.exit_code == 0, here.output
    assert here.stderr.strip() == (
        "Next: fill in handouts.yaml, then `handouts new my-handout` to start a handout "
        "and `handouts build` to make the PDFs."
    )
    there = cli("init", "clinic")
    assert there.stderr.strip() == (
        "Next: cd clinic, fill in handouts.yaml, then `handouts new my-handout` to start a "
        "handout and `handouts build` to make the PDFs."
    )
