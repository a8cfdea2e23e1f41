"""Findings: what the quality checks (content and PDF) report, located in a file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """One thing a check found, located as precisely as the file allows."""

    path: str
    line: int | None
    column: int | None
    rule: str
    severity: Severity
    message: str
    suggestion: str | None = None

    @property
    def where(self) -> str:
        """`line:column`, or what there is of it."""
        if self.line is None:
            return "-"
        return f"{self.line}:{self.column}" if self.column else str(self.line)
