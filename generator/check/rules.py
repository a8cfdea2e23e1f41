"""Check stage, the rules: each one registered once, with its id, severity and description.

Every finding is made by its rule (`Rule.at`, `Rule.finding`), so a finding's
id and severity are always those of a registered rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.check.report import Finding, Loc, Severity
from generator.errors import ProblemsError, display_path
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
        line: int | None = None,
        column: int | None = None,
    ) -> Finding:
        """A finding of this rule in a file, at a line and column if known."""
        return Finding(path, line, column, self.id, self.severity, message, suggestion)

    def at(
        self,
        located: Located,
        loc: Loc,
        message: str,
        suggestion: str | None = None,
        *,
        text: str | None = None,
    ) -> Finding:
        """A finding of this rule at a field of a YAML file (at `text` in it, if given)."""
        line, column = locate_text(located, loc, text) if text else locate(located, loc)
        return self.finding(
            display_path(located.path), message, suggestion, line=line, column=column
        )


_REGISTERED: dict[str, Rule] = {}


def rule(id: str, severity: Severity, description: str) -> Rule:
    """Register a rule (each id once) and return it, for its family's module to report with."""
    if id in _REGISTERED:
        raise ValueError(f"the check rule {id} is registered twice")
    made = Rule(id, severity, description)
    _REGISTERED[id] = made
    return made


def registered() -> tuple[Rule, ...]:
    """The rules registered so far, in the order their modules registered them."""
    return tuple(_REGISTERED.values())


def find(id: str) -> Rule | None:
    """The registered rule with this id, if there is one."""
    return _REGISTERED.get(id)


#: Any family reports a file it can't read as this rule: nothing else is checked in it.
SCHEMA = rule("schema", "error", "the file does not match the handout, packet or config format")


def schema_findings(exc: ProblemsError) -> list[Finding]:
    """A file's problems (it can't be read, or doesn't match its format) as findings."""
    return [
        SCHEMA.finding(
            p.path,
            f"{p.field}: {p.message}" if p.field else p.message,
            line=p.line,
            column=p.column,
        )
        for p in exc.problems
    ]
