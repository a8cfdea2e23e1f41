"""The project itself: lint and types clean, set-up commands honest, wheel complete."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_ruff_lint_is_clean() -> None:
    result = run("ruff", "check", "generator", "tests", "scripts", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = run("ruff", "format", "--check", "generator", "tests", "scripts", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash)?\n(.*?)```", section, re.S)
    assert block, "the Quick start needs a code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quick_start_is_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "pip install ." in commands[0]
    # In a virtual environment: a plain pip install is refused on Debian and Ubuntu.
    # The test command first gets Chromium for the browser tests, where it can.
    assert commands[0].startswith("python3 -m venv .venv && .venv/bin/")
    assert commands[1].startswith("sh scripts/chromium.sh; python3 -m venv .venv && .venv/bin/")
    assert "build" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quick_start_commands()[1] in ci


def test_wheel_ships_the_builtin_library(tmp_path: Path) -> None:
    result = run("pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), ".")
    assert result.returncode == 0, result.stdout + result.stderr
    wheel = next(tmp_path.glob("handouts-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in [
        *(ROOT / "content").rglob("*.yaml"),
        *(p for p in (ROOT / "templates").rglob("*") if p.is_file()),
    ]:
        packed = "generator/builtin/" + str(path.relative_to(ROOT))
        assert packed in names, f"{packed} is missing from the wheel"
    assert "generator/cli.py" in names
    # The server's own pages, style and script ship too.
    for path in (ROOT / "generator" / "serve").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert str(path.relative_to(ROOT)) in names, path
