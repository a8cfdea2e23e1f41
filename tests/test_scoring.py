"""docs/scoring.md: every client handout scored item by item, each score right and on target."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.config import builtin_root
from generator.content import load_handouts

SCORING = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"
#: Each table's heading, its items, and its target (per cent, or index points).
TABLES = {
    "PEMAT-P: understandability": ([*range(1, 13), *range(15, 20)], 90),
    "PEMAT-P: actionability": (list(range(20, 27)), 80),
    "CDC Clear Communication Index": (list(range(1, 21)), 90),
}
CLIENT = sorted(
    h.id for h in load_handouts([builtin_root()], (), ["en"]) if h.handout.audience == "client"
)


def table(heading: str) -> tuple[list[int], dict[str, list[str]], dict[str, str]]:
    """A section's table: its item numbers, each handout's cells, and its score cell."""
    section = SCORING.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    head = [cell.strip() for cell in rows[0].strip("|").split("|")]
    cells: dict[str, list[str]] = {}
    scores: dict[str, str] = {}
    for row in rows[2:]:
        values = [cell.strip() for cell in row.strip("|").split("|")]
        name = values[0].strip("`")
        cells[name] = values[1:-1]
        scores[name] = values[-1]
    return [int(item) for item in head[1:-1]], cells, scores


@pytest.mark.parametrize("heading", TABLES)
def test_every_client_handout_is_scored_on_every_item(heading: str) -> None:
    items, cells, _ = table(heading)
    assert items == TABLES[heading][0]
    assert sorted(cells) == CLIENT
    for name, values in cells.items():
        assert len(values) == len(items), name
        assert set(values) <= {"0", "1", "–"}, name


@pytest.mark.parametrize("heading", TABLES)
def test_each_score_is_its_row_and_meets_the_target(heading: str) -> None:
    _, cells, scores = table(heading)
    target = TABLES[heading][1]
    for name, values in cells.items():
        applicable = [int(v) for v in values if v != "–"]
        points, out_of = sum(applicable), len(applicable)
        score = round(100 * points / out_of)
        found = re.fullmatch(r"(\d+)/(\d+) = (\d+)%?", scores[name])
        assert found, (name, scores[name])
        assert tuple(map(int, found.groups())) == (points, out_of, score), name
        assert 100 * points / out_of >= target, f"{name}: {score} under {target}"
