"""-q prints only errors; -v says each stage with its time; bars only on a terminal."""

from __future__ import annotations

import io
import logging

import pytest

from conftest import Project
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
