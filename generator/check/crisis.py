"""Check stage, what every page's footer prints: crisis lines and example practice details."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from generator.check.report import Loc
from generator.check.rules import RULES, schema_findings
from generator.check.structure import STALE_AFTER
from generator.config import Project
from generator.errors import HandoutError, Problem, ProblemsError
from generator.yamlfile import Located, read_yaml

#: Digits in groups, as a number to call or text is written: "988", "9-8-8",
#: "116 123", "+1 (555) 010-0199", "741741". Not part of a word, a time (9:00),
#: "24/7", a decimal or an amount ($100, 50%).
_DIGITS = re.compile(r"(?<![\w/:.,$€£-])\+?\s?\(?\d+\)?(?:[ .\-]\(?\d+\)?)*(?![\w/:%$€£]|[.,]\d)")
#: A count of something, not a number to dial: "open 24 hours", "for 100 days".
_UNIT = re.compile(
    r"\s*(hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|am|pm|a\.m\.|p\.m\.|"
    r"percent|per cent|horas?|minutos?|d[ií]as?|semanas?|meses|mes|a[ñn]os?)\b",
    re.IGNORECASE,
)
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{2,4}")
#: Time zones put "today" a day apart: a date one day ahead is not yet a mistake.
_AHEAD = dt.timedelta(days=1)


def has_number(text: str) -> bool:
    """Whether a crisis line's text gives a number to call or text (3 to 15 digits).

    A year (1990, 2024), a date, a time and a count ("24 hours") are not numbers
    to dial; a short code of three digits ("988", "000", "112") is.
    """
    for match in _DIGITS.finditer(text):
        said = match.group(0).strip()
        digits = re.sub(r"\D", "", said)
        if not 3 <= len(digits) <= 15 or _DATE.fullmatch(said):
            continue
        if said.isdigit() and len(said) == 4 and said[:2] in ("19", "20"):
            continue  # a year
        if _UNIT.match(text, match.end()):
            continue
        return True
    return False


def crisis_findings(project: Project) -> list[Problem]:
    """A client page with no crisis line; a line with no number, a date ahead, or stale."""
    config = project.config
    if isinstance(config.crisis, list) and project.config_path is not None:
        located = read_yaml(project.config_path)
        if not config.crisis:
            return [
                RULES["structure.no-crisis"].at(
                    located,
                    ("crisis",),
                    "no crisis line: client handouts would print none; every client "
                    "handout needs one",
                    "name a region (`crisis: us`, ca, uk-ie or au), or list your own "
                    "lines, each with `text` and the date it was `verified`",
                )
            ]
        return [
            finding
            for index, entry in enumerate(config.crisis)
            for finding in _entry_findings(
                located,
                ("crisis", index),
                (entry.text, entry.verified),
                ("this crisis line", "call or look it up"),
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
            return list(
                _entry_findings(
                    located,
                    ("crisis", region),
                    (str(entry.get("text", "")), entry["verified"]),
                    (f"the `{region}` crisis line", "check the number"),
                )
            )
    if not paths:
        return []
    # Building stops here too; the check says where to add the line.
    return [
        RULES["structure.no-crisis"].at(
            read_yaml(paths[-1]),
            ("crisis",),
            f"no crisis line for the region `{region}` in the `{language}` messages, so "
            f"{language} client handouts have none to print",
            f"add `{region}` here (its `text` and `verified` date), or set `crisis:` in "
            "handouts.yaml to a region these messages have, or to your own lines",
        )
    ]


def _entry_findings(
    located: Located, at: Loc, entry: tuple[str, dt.date], said: tuple[str, str]
) -> Iterator[Problem]:
    """One crisis line's findings: no number to call, a date ahead, a date too old."""
    (text, verified), (name, advice) = entry, said
    if not has_number(text):
        yield RULES["structure.crisis-number"].at(
            located,
            (*at, "text"),
            f"{name} gives no number to call or text: \u201c{text}\u201d",
            "put in the number as it is dialled, like \u201cCall or text 988\u201d or "
            "\u201cCall Samaritans on 116 123\u201d",
        )
    if verified - dt.date.today() > _AHEAD:
        yield RULES["structure.crisis-date"].at(
            located,
            (*at, "verified"),
            f"{name} was checked on {verified.isoformat()}, a date still to come",
            "put the date you last called the number or looked it up",
        )
    elif dt.date.today() - verified > STALE_AFTER:
        yield RULES["structure.crisis-verified"].at(
            located,
            (*at, "verified"),
            f"{name} was last checked on {verified.isoformat()}; {advice}, then update the date",
        )


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
