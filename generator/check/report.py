"""Check stage, the report: findings located in a file, and how a run shows them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from generator.errors import Problem, counted, printable

Loc = tuple[str | int, ...]

#: The fields of a finding in `check --json`, in order (a load error's `field` is in its message).
JSON_FIELDS = ("path", "line", "column", "rule", "severity", "message", "suggestion")


@dataclass
class Report:
    """Every finding of one `handouts check` run, and what was checked."""

    findings: list[Problem] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def failed(self, strict: bool) -> bool:
        """Errors fail; under --strict, warnings do too. Notes never do."""
        failing = ("error", "warning") if strict else ("error",)
        return any(f.severity in failing for f in self.findings)

    def counts(self) -> dict[str, int]:
        """How many findings of each severity."""
        return {
            s: sum(f.severity == s for f in self.findings) for s in ("error", "warning", "note")
        }

    def as_json(self) -> str:
        """The report for machines: findings and counts."""
        text = json.dumps(
            {
                "findings": [{k: getattr(f, k) for k in JSON_FIELDS} for f in self.findings],
                "counts": self.counts(),
                "checked": self.checked,
            },
            indent=2,
            ensure_ascii=False,
        )
        # A name typed in bytes that are not UTF-8 reaches here as lone surrogates:
        # escaped, the report stays UTF-8 (a raw byte would make it unreadable JSON).
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

    def as_text(self) -> str:
        """The report for people: grouped by file, then a one-line summary."""
        lines: list[str] = []
        order = sorted(self.findings, key=lambda f: (f.path, f.line or 0, f.column or 0, f.rule))
        current = None
        for finding in order:
            if finding.path != current:
                current = finding.path
                lines.append(("\n" if lines else "") + finding.path)
            lines.append(
                f"  {finding.where:<7} {finding.severity:<7} {finding.rule:<28} {finding.message}"
            )
            if finding.suggestion:
                lines.append(f"  {'':<7} {'':<7} {'':<28} Instead: {finding.suggestion}")
        counts = self.counts()
        files = len({f.path for f in self.findings})
        checked = counted(len(self.checked), "file")
        if not self.findings:
            summary = f"No problems found in {checked}."
        else:
            parts = [counted(n, kind) for kind, n in counts.items() if n]
            summary = (
                f"{', '.join(parts)} in {counted(files, 'file')} ({len(self.checked)} checked)."
            )
        return printable("\n".join([*lines, "", summary]).lstrip("\n"))


_SURROGATE = re.compile("[\ud800-\udfff]")
