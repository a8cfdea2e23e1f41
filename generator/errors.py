"""The one exception family: every error here is for the person at the keyboard."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Literal

import click

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True, kw_only=True)
class Problem:
    """One located message: an error that stops a command, or a check's finding.

    Loading and building report errors (`rule` empty, `severity` "error");
    `handouts check` reports every rule's findings with the same type, so a
    file's errors and its findings are located and shown alike.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    field: str = ""
    #: The check rule that found it (`check --rules`); empty for a load or build error.
    rule: str = ""
    severity: Severity = "error"
    #: A rewrite to offer, for a check's finding.
    suggestion: str | None = None

    @property
    def where(self) -> str:
        """`line:column`, or what there is of it."""
        if self.line is None:
            return "-"
        return f"{self.line}:{self.column}" if self.column else str(self.line)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return printable(
            f"{where}: {self.field}: {self.message}" if self.field else (f"{where}: {self.message}")
        )


#: What a terminal acts on rather than shows: control characters (but line breaks
#: and tabs) and the marks that reorder text. A message quotes what a file holds.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text to print for people, a control character in it shown as `\\x1b` (an escape
    sequence in a value would otherwise retitle or recolour the terminal)."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


def display_path(path: Path) -> str:
    """Show a path relative to the current folder when it is inside it."""
    # abspath, not resolve: a link is shown where it is, not where it leads.
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (ValueError, OSError):
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except (ValueError, OSError):
            return str(path)


class HandoutError(click.ClickException):
    """Root of every user-facing error; Click prints it without a traceback."""

    exit_code = 1

    def format_message(self) -> str:
        return printable(super().format_message())


class ProblemsError(HandoutError):
    """Every problem found in the files a command touched, reported at once."""

    def __init__(self, problems: Sequence[Problem], *, wrote_nothing: bool = True):
        self.problems = sorted(dict.fromkeys(problems), key=_problem_order)
        files = {p.path for p in self.problems}
        summary = f"{counted(len(self.problems), 'problem')} in {counted(len(files), 'file')}"
        if wrote_nothing:
            summary += "; nothing was written"
        self.summary = summary + "."
        super().__init__("\n".join([*map(str, self.problems), self.summary]))

    def read_only(self) -> ProblemsError:
        """The same problems, from a command that never writes: no "nothing was written"."""
        return ProblemsError(self.problems, wrote_nothing=False)

    def show(self, file: IO[Any] | None = None) -> None:
        """Print one problem a line, then the count, with no "Error:" prefix."""
        click.echo(self.format_message(), file=file, err=True)


def counted(number: int, noun: str) -> str:
    """`1 file`, `2 files`: a count with its noun in the right number."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _problem_order(problem: Problem) -> tuple[str, int, int, str]:
    return (problem.path, problem.line or 0, problem.column or 0, problem.field)


def warnings_or_errors(found: Sequence[Problem], *, strict: bool) -> tuple[str, ...]:
    """Warnings as a command shows them; under --strict, raised as problems instead."""
    if strict and found:
        prefix = "warning treated as an error (--strict): "
        raise ProblemsError([replace(p, message=prefix + p.message) for p in found])
    return tuple(dict.fromkeys(str(replace(p, message=f"warning: {p.message}")) for p in found))
