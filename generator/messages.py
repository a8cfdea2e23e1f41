"""Render stage, the template messages: every word the templates print themselves.

Built-in messages per language, with a project's own on top, key by key;
and the {name} slots they are filled in by.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from pydantic import Field

from generator import files
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fields import Line, Model
from generator.validation import validate
from generator.yamlfile import problem_at, read_yaml

_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


class CrisisEntry(Model):
    """The crisis note for one region, and when its numbers were last checked."""

    text: Line
    verified: dt.date
    #: Where the number and its services were checked: a web page, or who was asked.
    source: Line | None = None


class Messages(Model):
    """Every word the templates print themselves, for one language."""

    page: Line = Field(description="Footer page numbers, with {page} and {pages}.")
    care_note: Line
    version: Line
    reviewed: Line
    prepared_for: Line
    key_points: Line
    sources: Line
    clinician_note: Line
    clinician_edition: Line
    contact_phone: Line
    contact_email: Line
    contact_website: Line
    contact_hours: Line
    scale_hint: Line
    scale_hint_fillable: Line
    checkbox_hint: Line
    card_cut_hint: Line
    crisis: dict[str, CrisisEntry]
    contents: Line
    agenda: Line
    agenda_time: Line
    agenda_what: Line
    part: Line
    facilitator: Line
    facilitator_notes: Line
    trainer_edition: Line
    agenda_length: Line
    agenda_ends: Line
    objectives: Line
    facilitator_script: Line
    knowledge_check: Line
    knowledge_choice: Line
    knowledge_start: Line
    knowledge_end: Line
    knowledge_answer: Line
    evaluation: Line
    evaluation_statement: Line
    #: The five points of an evaluation's rating scale, from the lowest.
    rating_scale: list[Line] = Field(min_length=5, max_length=5)
    notes: Line
    certificate: Line
    certificate_certifies: Line
    certificate_took_part: Line
    certificate_hours: Line
    certificate_hour: Line = Field(description="The same for exactly one hour: {hours}.")
    certificate_date: Line
    certificate_signed: Line
    diagram_zones: Line = Field(description="A zones diagram's alt text begins so, with {count}.")
    diagram_cascade: Line
    diagram_ladder: Line
    diagram_loop: Line
    diagram_paths: Line
    diagram_start: Line
    diagram_or: Line


#: The messages with {name} slots, and the slots each is filled with.
SLOTS: dict[str, tuple[str, ...]] = {
    "page": ("page", "pages"),
    "version": ("version",),
    "reviewed": ("date",),
    "prepared_for": ("name",),
    "part": ("number",),
    "facilitator": ("name",),
    "agenda_length": ("minutes",),
    "agenda_ends": ("time",),
    "knowledge_answer": ("choice",),
    "certificate_hours": ("hours",),
    "certificate_hour": ("hours",),
    "diagram_zones": ("count",),
    "diagram_cascade": ("count",),
    "diagram_ladder": ("count",),
    "diagram_loop": ("count",),
    "diagram_paths": ("count",),
    "diagram_start": ("label",),
}


def fill(message: str, **values: object) -> str:
    """Put values into a message's {name} slots (no attribute access, unlike format)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            # Messages are checked against SLOTS when read, so this is a template
            # asking for the wrong slots; the template error names its line.
            raise ValueError(f"the message {message!r} uses {{{name}}}, which is not given")
        return str(values[name])

    return _PLACEHOLDER_RE.sub(replace, message)


def fill_name(message: str, name: str) -> Markup:
    """A message with a person's name in its {name} slot, marked as personal text.

    The name is isolated for right-to-left scripts and set in the fonts that
    cover every script (see fonts.py); the rest of the message is escaped.
    """
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(message):
        parts.append(escape(message[position : match.start()]))
        if match.group(1) != "name":
            # As in `fill`: the template error names the template's line.
            slot = match.group(1)
            raise ValueError(f"the message {message!r} uses {{{slot}}}, which is not given")
        parts.append(Markup('<bdi class="personal">{}</bdi>').format(name))
        position = match.end()
    parts.append(escape(message[position:]))
    return Markup("".join(parts))


#: The slot a message must use: without it, what the user gave (a client's name, a
#: date) would silently not be printed.
REQUIRED = {
    "prepared_for": "name",
    "facilitator": "name",
    "certificate_hours": "hours",
    "certificate_hour": "hours",
    "part": "number",
    "reviewed": "date",
}
#: Anything in braces, or a brace on its own.
_BRACES = re.compile(r"\{[^{}]*\}|[{}]")


def slot_problem(key: str, message: str) -> str | None:
    """Why a message's {name} slots don't fit the key it is for, or None."""
    allowed = SLOTS.get(key)
    if allowed is None:
        return None
    choices = " and ".join(f"{{{name}}}" for name in allowed)
    for found in _BRACES.finditer(message):
        if not _PLACEHOLDER_RE.fullmatch(found.group(0)):
            return (
                f"writes `{found.group(0)}`, which is not a slot; this message may use only "
                f"{choices}, written exactly so"
            )
    unknown = [name for name in _PLACEHOLDER_RE.findall(message) if name not in allowed]
    if unknown:
        return (
            f"uses {{{unknown[0]}}}, which is not filled in here; this message may use only "
            f"{choices}, written exactly so"
        )
    needed = REQUIRED.get(key)
    if needed is not None and f"{{{needed}}}" not in message:
        return f"leaves out {{{needed}}}, so it would not be printed; put {{{needed}}} in it"
    return None


def css_string(text: str) -> Markup:
    """Quote text as a CSS string literal, safe inside an HTML <style> element."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\<>&' else f"\\{ord(ch):x} " for ch in text
    )
    return Markup(f'"{escaped}"')


def page_counter_content(message: str) -> Markup:
    """CSS `content` for a message like "Page {page} of {pages}"."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(message):
        if match.start() > position:
            parts.append(str(css_string(message[position : match.start()])))
        if match.group(1) not in SLOTS["page"]:
            # The page message is checked when read; another text is a template's mistake.
            raise ValueError(f"the page message {message!r} may use only {{page}} and {{pages}}")
        parts.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(message):
        parts.append(str(css_string(message[position:])))
    return Markup(" ".join(parts))


def load_messages(
    template_dirs: Sequence[Path], allowed: Sequence[Path], language: str
) -> Messages:
    """Built-in messages with the project's own on top, key by key."""
    return _merge_messages(message_files(template_dirs, allowed, language))


def message_files(
    template_dirs: Sequence[Path], allowed: Sequence[Path], language: str
) -> list[Path]:
    """The message files for a language, built-in first, falling back from "fr-CA" to "fr".

    One that leads out of the `allowed` folders is an error.
    """
    candidates = [language]
    if "-" in language:
        candidates.append(language.split("-", maxsplit=1)[0])
    for name in candidates:
        # Whatever is there (a pipe, a folder, a broken link) is read and
        # reported, not passed over for the built-in file.
        found = [
            folder / "messages" / f"{name}.yaml"
            for folder in reversed(template_dirs)
            if os.path.lexists(folder / "messages" / f"{name}.yaml")
        ]
        for path in found:
            if files.inside(path, allowed) is None:
                raise ProblemsError(
                    [Problem(path=display_path(path), message=files.outside_message(path))]
                )
        if found:
            return found
    raise HandoutError(
        f"there are no template messages for the language `{language}`; "
        f"add templates/messages/{candidates[-1]}.yaml "
        "(copy en.yaml and translate it)"
    )


#: Messages no template prints any more, and what to do instead.
RETIRED = {
    f"callout_{tone}": "a callout's label is now only the `title` its author gives it "
    "(an untitled callout prints none); delete this line, and give a callout a title "
    "where it needs one"
    for tone in ("info", "gentle", "safety")
}


def _merge_messages(paths: Sequence[Path]) -> Messages:
    """The message files merged in order, each key checked in the file that sets it."""
    merged: dict[str, Any] = {}
    located = None
    problems: list[Problem] = []
    for path in paths:
        located = read_yaml(path)
        if not isinstance(located.data, dict):
            return validate(located, Messages)  # reports the file's shape
        for key, value in located.data.items():
            if key in RETIRED:
                problems.append(problem_at(located, [key], f"is no longer used: {RETIRED[key]}"))
                continue
            if key == "crisis" and isinstance(value, dict):
                merged["crisis"] = {**merged.get("crisis", {}), **value}
            else:
                merged[key] = value
            # Checked in the file that sets the key, so the error names that file.
            wrong = slot_problem(key, value) if isinstance(value, str) else None
            if wrong:
                problems.append(problem_at(located, [key], wrong))
    assert located is not None
    try:
        # Other problems are placed in the last (the project's) file.
        messages = validate(replace(located, data=merged), Messages)
    except ProblemsError as exc:
        raise ProblemsError([*problems, *exc.problems]) from None
    if problems:
        raise ProblemsError(problems)
    return messages
