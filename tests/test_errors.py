"""generator/errors.py: how problems are ordered, counted and shown."""

from __future__ import annotations

from generator.errors import Problem, ProblemsError


def test_problems_are_sorted_by_place_and_keep_the_order_found_within_one() -> None:
    found = [Problem(path="b.yaml", line=3, column=1, field="title", message="b3")] + [
        Problem(path="a.yaml", line=None, column=None, field="", message=f"unlocated {n}")
        for n in range(8)
    ]
    found += [
        Problem(path="a.yaml", line=2, column=5, field="blocks[0]", message="a2"),
        found[1],
    ]  # and one twice
    error = ProblemsError(found)
    # Problems at one place came in a different order on each run (a set's order).
    assert [p.message for p in error.problems] == [
        *(f"unlocated {n}" for n in range(8)),
        "a2",
        "b3",
    ]
    assert error.summary == "10 problems in 2 files; nothing was written."
    assert error.format_message().splitlines()[:2] == [
        "a.yaml: unlocated 0",
        "a.yaml: unlocated 1",
    ]
    assert error.format_message().splitlines()[-3:] == [
        "a.yaml:2:5: blocks[0]: a2",
        "b.yaml:3:1: title: b3",
        "10 problems in 2 files; nothing was written.",
    ]
    assert error.read_only().summary == "10 problems in 2 files."
