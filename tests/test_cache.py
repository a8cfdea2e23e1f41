"""The build cache: unchanged handouts are not laid out again; personal builds are never kept."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from conftest import MINIMAL, Project, loaded_by
from generator.cache import CACHE_FOLDER


def texts(path: Path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(path).pages]


def test_only_what_changed_is_laid_out_again(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    for name in ("one", "two", "three"):
        project.add(f"{name}.yaml")
    assert cli("build", "one", "two", "three", "-j", "1").exit_code == 0
    assert len(laid_out) == 3
    first = (project.root / "output/en/two.pdf").stat().st_mtime_ns

    laid_out.clear()
    assert cli("build", "one", "two", "three", "-j", "1").exit_code == 0
    assert laid_out == []
    # An unchanged file is not even rewritten.
    assert (project.root / "output/en/two.pdf").stat().st_mtime_ns == first

    project.add("two.yaml", MINIMAL.replace("for a moment", "for a little while"))
    result = cli("build", "one", "two", "three", "-j", "1")
    assert result.exit_code == 0
    assert len(laid_out) == 1
    assert "for a little while" in laid_out[0][0]
    assert "for a little while" in texts(project.root / "output/en/two.pdf")[0]
    assert len(result.stdout.splitlines()) == 3


def test_a_template_change_lays_everything_out_again(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    project.add("one.yaml")
    project.add("two.yaml")
    assert cli("build", "one", "two", "-j", "1").exit_code == 0
    laid_out.clear()
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text('care_note: "A new care note."\n')
    assert cli("build", "one", "two", "-j", "1").exit_code == 0
    assert len(laid_out) == 2
    assert "A new care note." in texts(project.root / "output/en/one.pdf")[0]


def test_options_are_part_of_the_key(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    project.add("one.yaml")
    assert cli("build", "one", "-j", "1").exit_code == 0
    assert cli("build", "one", "--large-print", "-j", "1").exit_code == 0
    assert cli("build", "one", "--large-print", "-j", "1").exit_code == 0
    assert len(laid_out) == 2


def test_a_deleted_output_comes_back_from_the_cache(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    project.add("one.yaml")
    assert cli("build", "one", "-j", "1").exit_code == 0
    before = (project.root / "output/en/one.pdf").read_bytes()
    (project.root / "output/en/one.pdf").unlink()
    assert cli("build", "one", "-j", "1").exit_code == 0
    assert len(laid_out) == 1
    assert (project.root / "output/en/one.pdf").read_bytes() == before


def test_a_client_name_is_never_cached(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    project.add("one.yaml")
    for _ in range(2):
        assert cli("build", "one", "--client-name", "Alex Rivera", "-j", "1").exit_code == 0
    assert len(laid_out) == 2
    cache = project.root / CACHE_FOLDER
    kept = list(cache.iterdir()) if cache.exists() else []
    assert all(b"Rivera" not in p.read_bytes() for p in kept)
    assert kept == []


def test_a_render_with_warnings_is_not_kept(project: Project, cli) -> None:
    project.add("one.yaml")
    css = project.root / "templates" / "css"
    css.mkdir(parents=True)
    (css / "ink-saver.css").write_text("p { colour: red; }\n")
    assert cli("build", "one", "--ink-saver").exit_code == 0
    strict = cli("build", "one", "--ink-saver", "--strict")
    assert strict.exit_code == 1
    assert "warning treated as an error (--strict)" in strict.stderr


def test_a_rebuild_from_the_cache_never_imports_weasyprint(project: Project) -> None:
    project.add("one.yaml")
    command = [sys.executable, "-m", "generator", "build", "one"]
    assert subprocess.run(command, cwd=project.root, check=False).returncode == 0
    # With its output gone the run is not replayed (test_rerun): every layout comes
    # from the cache, and WeasyPrint is left to the worker, which is stopped unused.
    shutil.rmtree(project.root / "output")
    out, _, loaded = loaded_by(project.root, ["build", "one"], ("weasyprint",))
    assert loaded == []
    assert out.strip().endswith("output/en/one.pdf")
    assert (project.root / "output" / "en" / "one.pdf").is_file()


def test_parallel_and_serial_builds_agree(project: Project, cli) -> None:
    for name in ("one", "two", "three"):
        project.add(f"{name}.yaml", MINIMAL.replace("breath", f"breath ({name})"))
    assert cli("build", "--out", "serial", "-j", "1", "one", "two", "three").exit_code == 0
    (project.root / CACHE_FOLDER).rename(project.root / "old-cache")
    assert cli("build", "--out", "parallel", "-j", "2", "one", "two", "three").exit_code == 0
    for name in ("one", "two", "three"):
        assert texts(project.root / f"serial/en/{name}.pdf") == texts(
            project.root / f"parallel/en/{name}.pdf"
        )


def test_a_damaged_cache_entry_is_laid_out_again(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    project.add("one.yaml")
    assert cli("build", "one", "-j", "1").exit_code == 0
    (entry,) = (project.root / CACHE_FOLDER).glob("*.pdf")
    entry.write_bytes(entry.read_bytes()[:500])
    (project.root / "output/en/one.pdf").unlink()
    assert cli("build", "one", "-j", "1").exit_code == 0
    assert len(laid_out) == 2
    assert texts(project.root / "output/en/one.pdf")[0].startswith("Noticing your breath")


def test_a_change_to_the_tool_itself_lays_out_again(
    project: Project, cli, laid_out: list[tuple[str, str]], monkeypatch
) -> None:
    """An edited layout rule in generator/ must not bring back PDFs made by the old one."""
    import generator.cache as cache_module

    project.add("one.yaml")
    assert cli("build", "one").exit_code == 0
    laid_out.clear()
    assert cli("build", "one").exit_code == 0
    assert laid_out == []
    monkeypatch.setattr(cache_module, "_code_digest", lambda: b"another version of the code")
    assert cli("build", "one").exit_code == 0
    assert len(laid_out) == 1


def test_a_hint_never_decides_an_output(
    project: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    """The early-start hints may be wrong or garbled: the outputs come from the HTML."""
    project.add("one.yaml")
    project.add("two.yaml", MINIMAL.replace("for a moment", "for a while"))
    assert cli("build", "one", "two").exit_code == 0
    hints = sorted((project.root / CACHE_FOLDER).glob("*.next"))
    assert len(hints) == 2
    # Each hint now points at the other handout's layout.
    _, second = (h.read_text() for h in hints)
    hints[0].write_text(second)
    hints[1].write_text("not a key")
    (project.root / "output").rename(project.root / "before")
    assert cli("build", "one", "two").exit_code == 0
    assert len(laid_out) == 2  # the first build's two, none since
    for name in ("one", "two"):
        assert (project.root / f"output/en/{name}.pdf").read_bytes() == (
            project.root / f"before/en/{name}.pdf"
        ).read_bytes()
