"""errors.Problem: built by keyword, shown as file:line:column: field: message."""

from __future__ import annotations

from generator.errors import Problem


def test_a_problem_needs_only_the_file_and_the_message() -> None:
    problem = Problem(path="people.csv", message="there are no participants under the header row")
    assert problem == Problem(path="people.csv", message=problem.message)
    assert str(problem) == "people.csv: there are no participants under the header row"


def test_a_problem_takes_line_column_and_field_by_name() -> None:
    problem = Problem(path="a.yaml", message="is empty", line=4, column=7, field="name")
    assert (problem.line, problem.column, problem.field) == (4, 7, "name")
    assert str(problem) == "a.yaml:4:7: name: is empty"
