"""Check stage, the rules: every rule's id, severity and description, in one registry.

The rules themselves are data (generator/data/rules.toml), one line each.
Every finding is made by its registered rule (`RULES[id].at(...)` or
`.finding(...)`), so a finding's id and severity are always a registered rule's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import cast, get_args

from generator.check.report import Loc
from generator.errors import Problem, ProblemsError, Severity, display_path
from generator.yamlfile import Located, locate, locate_text


@dataclass(frozen=True)
class Rule:
    """One check: its id (`family.name`), how much it matters, and what it finds."""

    id: str
    severity: Severity
    description: str

    def finding(
        self,
        path: str,
        message: str,
        suggestion: str | None = None,
        *,
        where: tuple[int | None, int | None] = (None, None),
    ) -> Problem:
        """A finding of this rule in a file, at a (line, column) if known."""
        line, column = where
        return Problem(
            path=path,
            message=message,
            line=line,
            column=column,
            rule=self.id,
            severity=self.severity,
            suggestion=suggestion,
        )

    def at(
        self,
        located: Located,
        loc: Loc,
        message: str,
        suggestion: str | None = None,
        *,
        text: str | None = None,
    ) -> Problem:
        """A finding of this rule at a field of a YAML file (at `text` in it, if given)."""
        where = locate_text(located, loc, text) if text else locate(located, loc)
        return self.finding(display_path(located.path), message, suggestion, where=where)


def registry(*rules: Rule) -> dict[str, Rule]:
    """Rules by id, in the order given; an id is registered once."""
    found: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in found:
            raise ValueError(f"the check rule {rule.id} is registered twice")
        found[rule.id] = rule
    return found


DATA = Path(__file__).resolve().parent.parent / "data"


def read_rules(path: Path) -> list[Rule]:
    """The rules a data file lists, each with a severity `handouts check` knows."""
    rules = []
    for entry in tomllib.loads(path.read_text(encoding="utf-8"))["rules"]:
        if entry["severity"] not in get_args(Severity):
            raise ValueError(f"{path}: the rule {entry['id']} has no known severity")
        rules.append(Rule(entry["id"], cast(Severity, entry["severity"]), entry["description"]))
    return rules


#: Every rule `handouts check` has, family by family, from data/rules.toml.
#: Each family's module (readability.py, wording.py...) reports its findings
#: through these.
RULES = registry(*read_rules(DATA / "rules.toml"))


def schema_findings(exc: ProblemsError) -> list[Problem]:
    """A file's problems (it can't be read, or doesn't match its format) as findings."""
    return [
        RULES["schema"].finding(
            p.path,
            f"{p.field}: {p.message}" if p.field else p.message,
            where=(p.line, p.column),
        )
        for p in exc.problems
    ]
