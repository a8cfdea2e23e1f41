"""Check stage, what every page's footer prints: crisis lines and example practice details."""

from __future__ import annotations

import datetime as dt

from generator.check.report import Loc
from generator.check.rules import RULES, schema_findings
from generator.check.structure import STALE_AFTER
from generator.config import Project
from generator.errors import HandoutError, Problem, ProblemsError
from generator.yamlfile import Located, read_yaml


def crisis_findings(project: Project) -> list[Problem]:
    """Crisis numbers last checked more than 12 months ago."""
    config = project.config
    if isinstance(config.crisis, list) and project.config_path is not None:
        located = read_yaml(project.config_path)
        return [
            finding
            for index, entry in enumerate(config.crisis)
            if (
                finding := _stale(
                    located,
                    ("crisis", index, "verified"),
                    f"this crisis line was last checked on {entry.verified.isoformat()}",
                    entry.verified,
                    "call or look it up",
                )
            )
        ]
    findings: list[Problem] = []
    for language in project.languages:
        try:
            found = _region_findings(project, str(config.crisis), language)
        except ProblemsError as exc:
            found = schema_findings(exc)
        except HandoutError:
            continue  # no messages for the language: every build says so
        # "en-CA" and "en" may print from the same file: one finding each.
        findings += [f for f in found if f not in findings]
    return findings


def _region_findings(project: Project, region: str, language: str) -> list[Problem]:
    """The region's crisis line, from the message file the pages take it from."""
    from generator.render import Renderer

    paths = Renderer(project).message_files(language)
    # The last file that has the region is the one the pages print it from.
    for path in reversed(paths):
        located = read_yaml(path)
        entry = (located.data or {}).get("crisis", {}).get(region)
        if isinstance(entry, dict) and isinstance(entry.get("verified"), dt.date):
            verified: dt.date = entry["verified"]
            stale = _stale(
                located,
                ("crisis", region, "verified"),
                f"the `{region}` crisis line was last checked on {verified.isoformat()}",
                verified,
                "check the number",
            )
            return [stale] if stale else []
    return []


def _stale(
    located: Located, loc: Loc, checked: str, verified: dt.date, advice: str
) -> Problem | None:
    """A finding when a crisis line was last checked more than 12 months ago."""
    if dt.date.today() - verified <= STALE_AFTER:
        return None
    message = f"{checked}; {advice}, then update the date"
    return RULES["structure.crisis-verified"].at(located, loc, message)


def placeholder_findings(project: Project) -> list[Problem]:
    """Practice details still as `handouts init`'s example: they print on every page."""
    practice = project.config.practice
    if practice is None or project.config_path is None:
        return []
    from generator.scaffold import practice_placeholders

    located = read_yaml(project.config_path)
    examples = practice_placeholders()
    return [
        RULES["config.placeholder"].at(
            located,
            ("practice", name),
            f"\u201c{value}\u201d is the example from `handouts init`, and it prints at "
            "the foot of every page; put in your own, or delete the line",
        )
        for name, value in practice.model_dump(exclude_none=True).items()
        if examples.get(name) == value
    ]
