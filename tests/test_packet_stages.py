"""`packet -v` says each stage with its time, and never a participant's name."""

from __future__ import annotations

import re

import pytest

from conftest import Project
from generator import progress

TIMED = re.compile(r"^handouts: (.+): (\d+\.\d\d) s$")


@pytest.fixture(autouse=True)
def _reset() -> None:
    yield
    progress.configure(0, False)


def _stages(stderr: str) -> list[str]:
    """The stages logged, without their times; every line is a timed stage."""
    stages = []
    for line in stderr.splitlines():
        match = TIMED.match(line)
        assert match is not None, line
        stages.append(match.group(1))
    return stages


def test_packet_logs_each_stage_with_verbose(mini_packet: Project, cli) -> None:
    result = cli("-v", "packet", "mini", "-j", "1")
    assert result.exit_code == 0, result.output
    assert _stages(result.stderr) == [
        "compare every input and output with the last run's",
        "read and check 1 packet",
        "mini: render the parts and lay them out (or take them from the cache)",
        "mini: lay out the contents and the page numbers",
        "mini: lay out 1 cover",
        "mini: join the copy",
        "write the changed files",
    ]


def test_participants_copies_are_counted_not_named(mini_packet: Project, cli) -> None:
    people = mini_packet.root / "people.csv"
    people.write_text("name\nAlex Rivera\nSam Chen\n", encoding="utf-8")
    result = cli("-v", "packet", "mini", "--participants", str(people), "-j", "1")
    assert result.exit_code == 0, result.output
    assert _stages(result.stderr) == [
        "compare every input and output with the last run's",
        "read and check 1 packet",
        "mini: render the parts and lay them out (or take them from the cache)",
        "mini: lay out the contents and the page numbers",
        "mini: lay out 2 covers",
        "mini: join 2 copies",
        "put the copies in place",
    ]
    for name in ("Alex", "Rivera", "Sam", "Chen"):
        assert name not in result.stderr


def test_packet_says_no_stage_without_verbose(mini_packet: Project, cli) -> None:
    result = cli("packet", "mini", "-j", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
