"""-q prints only errors; -v says each stage with its time; bars only on a terminal."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from conftest import MINIMAL, Project
from generator import progress


@pytest.fixture(autouse=True)
def _reset() -> None:
    yield
    progress.configure(0, False)


def test_quiet_prints_no_paths_but_still_errors(project: Project, cli) -> None:
    project.add("breath.yaml")
    quiet = cli("-q", "build", "breath", "-j", "1")
    assert quiet.exit_code == 0
    assert quiet.stdout == ""
    assert quiet.stderr == ""
    assert (project.root / "output/en/breath.pdf").is_file()
    project.add("broken.yaml", "title: [unclosed\n")
    failed = cli("-q", "build", "broken", "-j", "1")
    assert failed.exit_code == 1
    assert failed.stderr.startswith("content/handouts/en/broken.yaml:")


def test_without_quiet_the_paths_are_printed(project: Project, cli) -> None:
    project.add("breath.yaml")
    result = cli("build", "breath", "-j", "1")
    assert result.stdout.strip().endswith("output/en/breath.pdf")


def test_verbose_logs_each_stage_with_its_time() -> None:
    progress.configure(1, False)
    stream = io.StringIO()
    (handler,) = progress.LOGGER.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    with progress.stage("render 3 handouts"):
        pass
    line = stream.getvalue().strip()
    assert line.startswith("handouts: render 3 handouts: ")
    assert line.endswith(" s")
    assert float(line.removeprefix("handouts: render 3 handouts: ").removesuffix(" s")) < 1


def test_stages_say_nothing_without_verbose() -> None:
    progress.configure(0, False)
    assert progress.LOGGER.handlers == []
    assert not progress.LOGGER.isEnabledFor(logging.INFO)


def test_no_bar_when_output_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with progress.bar(100, "Copies") as advance:
        for _ in range(100):
            advance(1)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out == ""


class _Terminal(io.StringIO):
    """Standard error as a terminal: bars show."""

    def isatty(self) -> bool:
        return True


FOUR = ["one", "two", "three", "four"]


def _four(project: Project) -> None:
    for name in FOUR:
        project.add(f"{name}.yaml", MINIMAL)
    assert len(FOUR) == progress.BAR_FROM  # just enough for a bar


def test_building_many_handouts_shows_a_bar_on_a_terminal(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.cli import main

    _four(project)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    main(["build", *FOUR], standalone_mode=False)
    shown = terminal.getvalue()
    assert "Laying out  [####################################]  100%" in shown
    assert shown.count("Laying out") >= 5  # a frame at the start and one after each PDF
    assert sorted(p.name for p in (project.root / "output" / "en").iterdir()) == [
        "four.pdf",
        "one.pdf",
        "three.pdf",
        "two.pdf",
    ]


def test_building_many_handouts_shows_no_bar_elsewhere(project: Project, cli) -> None:
    _four(project)
    result = cli("build", *FOUR)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == len(FOUR)
    assert "Laying out" not in result.output
    assert result.stderr == ""
