"""Validation: a file's data checked against its model, each problem a located, plain message."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.errors import Problem, ProblemsError, counted, display_path
from generator.model import MAX_MARKUP_DEPTH
from generator.registry import Family
from generator.yamlfile import (
    Located,
    M,
    format_field,
    key_node,
    locate,
    locate_text,
    node_at,
    problem_at,
)

# --- validating against a model ---------------------------------------------


def _first_fields(model: type[M]) -> list[str]:
    """A model's first three fields, those it needs first: a hint at what the file holds."""
    fields = model.model_fields
    return sorted(fields, key=lambda name: not fields[name].is_required())[:3]


def validate(located: Located, model: type[M]) -> M:
    """Validate parsed data against a model; every error carries file and line."""
    shown = display_path(located.path)
    if not isinstance(located.data, dict):
        mark = located.node.start_mark
        raise ProblemsError(
            [
                *located.problems,
                Problem(
                    path=shown,
                    message="the file must be a set of `field: value` lines "
                    f"({', '.join(_first_fields(model))}, ...)",
                    line=mark.line + 1,
                    column=mark.column + 1,
                ),
            ]
        )
    _suggestion.cache_clear()  # a cache for this file's unknown fields only
    try:
        result = model.model_validate(located.data)
    except ValidationError as exc:
        errors = _drop_misspelled_missing(model, exc.errors())
        problems = _merge_alternatives(
            [_problem(shown, located.node, model, error) for error in errors]
        )
        # A value that could not be read is left empty: that is not a second mistake.
        unread = {p.field for p in located.problems if p.field}
        problems = [p for p in problems if p.field not in unread]
        raise ProblemsError([*located.problems, *problems]) from None
    if located.problems:
        raise ProblemsError(located.problems)
    return result


def markup_problems(located: Located) -> list[Problem]:
    """Texts whose bold, italics and links nest deeper than a page can lay out.

    Only a text with enough `*` and `_` marks to nest that deep is parsed:
    each level takes a mark either side, and a link can't hold another.
    """
    from generator.markup import markup_depth  # Markdown is loaded only where needed

    problems: list[Problem] = []

    def walk(value: object, loc: list[str | int]) -> None:
        if isinstance(value, str):
            marks = (value.count("*") + value.count("_")) // 2 + ("[" in value)
            if marks > MAX_MARKUP_DEPTH and (depth := markup_depth(value)) > MAX_MARKUP_DEPTH:
                problems.append(
                    problem_at(
                        located,
                        loc,
                        f"has bold, italics or links nested {depth} deep; at most "
                        f"{MAX_MARKUP_DEPTH} levels are allowed. Remove some of the * and _ "
                        "marks, or put a \\ before each one that should print as it is",
                    )
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, [*loc, str(key)])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, [*loc, index])

    walk(located.data, [])
    return problems


#: Fields whose values are names and settings, not text a reader sees.
_NOT_TEXT = frozenset({"type", "kind", "tone", "allow", "src", "language", "audience"})


def literal_markup(located: Located, model: BaseModel) -> list[Problem]:
    """Texts where markup would print as typed, by accident: each a warning at its place.

    A rich text (`fields.RichText`) renders paragraphs and lists; every other
    text renders neither. See `markup.literal` for what is looked for.
    """
    from generator.fields import RichText
    from generator.markup import literal

    found: list[Problem] = []

    def walk(value: object, loc: list[str | int]) -> None:
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                if name not in _NOT_TEXT:
                    walk(getattr(value, name), [*loc, name])
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                walk(item, [*loc, index])
        elif isinstance(value, str) and (hit := literal(value, rich=isinstance(value, RichText))):
            what, shown, advice = hit
            line, column = locate_text(located, loc, shown) if shown else locate(located, loc)
            found.append(
                Problem(
                    path=display_path(located.path),
                    message=f"{what}; {advice}",
                    line=line,
                    column=column,
                    field=format_field(loc),
                )
            )

    walk(model, [])
    return found


def _merge_alternatives(problems: list[Problem]) -> list[Problem]:
    """One line per field: a value that fits no branch of a union is one mistake."""
    merged: dict[tuple[int | None, int | None, str], Problem] = {}
    for problem in problems:
        key = (problem.line, problem.column, problem.field)
        if key in merged and problem.field:
            first = merged[key]
            merged[key] = Problem(
                path=first.path,
                message=f"{first.message}; or it {problem.message}",
                line=first.line,
                column=first.column,
                field=first.field,
            )
        else:
            merged[key] = problem
    return list(merged.values())


def _drop_misspelled_missing(
    model: type[BaseModel], errors: list[ErrorDetails]
) -> list[ErrorDetails]:
    """A misspelled field is one mistake, not also a missing one: report it once."""
    suggested: set[tuple[tuple[str | int, ...], str]] = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            place = _resolve(model, error["loc"])
            close = _suggestion(str(place.loc[-1]), place.parent)
            if close:
                suggested.add((tuple(place.loc[:-1]), close))
    kept = []
    for error in errors:
        if error["type"] == "missing":
            loc = _resolve(model, error["loc"]).loc
            if (tuple(loc[:-1]), str(loc[-1])) in suggested:
                continue
        kept.append(error)
    return kept


@functools.cache
def _suggestion(name: str, parent: type[BaseModel] | None) -> str | None:
    """The field of `parent` that `name` is most likely a misspelling of.

    Asked twice for each unknown field (to drop its "missing" twin, then for
    the message): a file of thousands of unknown fields pays once for each.
    """
    allowed = sorted(parent.model_fields) if parent else []
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def _problem(shown: str, root: yaml.Node, model: type[BaseModel], error: ErrorDetails) -> Problem:
    place = _resolve(model, error["loc"])
    node, exact = node_at(root, place.loc)
    if error["type"] == "extra_forbidden" and isinstance(place.loc[-1], str):
        node = key_node(root, place.loc) or node
    mark = node.start_mark
    # The value as typed, for a message to quote (YAML may have read `1.50` as 1.5).
    typed = node.value if exact and isinstance(node, yaml.ScalarNode) else None
    message = _message(error, place, typed)
    return Problem(
        path=shown,
        message=message,
        line=mark.line + 1,
        column=mark.column + 1,
        field=format_field(place.loc),
    )


@dataclass(frozen=True)
class _Place:
    """Where an error is: its field path in the file, and the models around it."""

    loc: list[str | int]
    #: The model whose field the path ends in (for unknown and missing fields).
    parent: type[BaseModel] | None
    #: The family of block types or prompt kinds the path ends at, if any.
    family: Family[Any] | None = None


def _unwrap(annotation: Any) -> tuple[Any, Family[Any] | None]:
    """Strip Annotated and Optional down to the type that matters, and the family it holds."""
    family = None
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *metadata = typing.get_args(annotation)
            family = next((m for m in metadata if isinstance(m, Family)), family)
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation, family
            annotation = args[0]
        else:
            return annotation, family


def _resolve(model: type[BaseModel], loc: Sequence[int | str]) -> _Place:
    """Drop pydantic's union branches from an error location; find the models there.

    A family's branch is named by its tag (`("blocks", 2, "list", "items")`);
    a plain union's branch by a label, followed by the path inside it.
    """
    current: Any = model
    parent: type[BaseModel] | None = model
    path: list[str | int] = []
    for index, item in enumerate(loc):
        current, family = _unwrap(current)
        origin = typing.get_origin(current)
        if family is not None and item in family.members:
            current = parent = family.members[item]
        elif origin in (typing.Union, types.UnionType):
            current = _union_branch(typing.get_args(current), loc[index + 1 :])
        elif isinstance(item, int) and origin is list:
            path.append(item)
            current = typing.get_args(current)[0]
        elif _is_model(current) and isinstance(item, str):
            parent = current
            path.append(item)
            field = current.model_fields.get(item)
            current = field.annotation if field is not None else None
        else:
            path.append(item)
            current = None
    return _Place(path, parent, _unwrap(current)[1])


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _union_branch(members: Sequence[Any], rest: Sequence[int | str]) -> Any:
    """The member of a plain union that the rest of an error's location goes into.

    A list index leads into the list, a field name into the model; an error
    on the value itself needs no member.
    """
    for member in members:
        inner, _ = _unwrap(member)
        if rest and isinstance(rest[0], int) and typing.get_origin(inner) is list:
            return member
        if rest and isinstance(rest[0], str) and _is_model(inner):
            return member
    return None


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.datetime):
        return "a date and time"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return "text"


def _unknown_field(name: str, parent: type[BaseModel] | None) -> str:
    close = _suggestion(name, parent)
    if close:
        return f"unknown field `{name}`; did you mean `{close}`?"
    allowed = sorted(parent.model_fields) if parent else []
    return f"unknown field `{name}`; the fields allowed here are: " + ", ".join(
        f"`{a}`" for a in allowed
    )


def _unknown_tag(kind: str, tag: str, family: Family[Any]) -> str:
    """`tag` as `_shown` quotes it."""
    field = family.field
    listing = ", ".join(family.tags())
    if kind == "union_tag_not_found":
        return f"this item has no `{field}`; add `{field}:` with one of: {listing}"
    if not tag.startswith("`"):
        return f"`{field}` should be one of: {listing}; not {tag}"
    near = difflib.get_close_matches(tag.strip("`"), family.tags(), n=1, cutoff=0.6)
    hint = f"did you mean `{near[0]}`? " if near else ""
    return f"unknown {field} {tag}; {hint}the choices are: {listing}"


def _shown(value: Any, typed: str | None) -> str:
    """A value as a message quotes it: as typed, and never as Python writes a list."""
    if isinstance(value, list):
        return f"a list of {counted(len(value), 'item')}"
    if isinstance(value, dict):
        return f"a set of {counted(len(value), 'field')}"
    if value is None:
        return "empty"
    text = " ".join((typed if typed is not None else str(value)).split())
    return f"`{text[:40]}...`" if len(text) > 40 else f"`{text}`"


def _not_text(value: Any, typed: str | None) -> str:
    if value is None:
        return "is empty; write the text, or remove the line"
    if isinstance(value, (int, float, bool, dt.date)):
        kind = _describe(value)
        # `yes`, 1.50 or 2026-01-01 unquoted is read as what it looks like.
        read = f"{kind} (YAML reads it as one)" if isinstance(value, dt.date) else kind
        return f'should be text, not {read}; put it in quotes, like "{typed or value}"'
    return f"should be text, not {_describe(value)}"


#: A number in exponent form, which YAML 1.1 reads as text unless it has a point: 1e300.
_EXPONENT = re.compile(r"[-+]?\d+(?:\.\d*)?[eE][-+]?\d+")


def _quoted(typed: str | None) -> bool:
    return typed is not None and typed.lstrip()[:1] in ("'", '"')


def _not_a_number(value: Any, typed: str | None, *, whole: bool) -> str:
    """Why a value is not the number a field takes, and how to write one."""
    wanted, like = ("a whole number", "2") if whole else ("a number", "1.5")
    if isinstance(value, bool):
        return (
            f"should be {wanted}, not {_shown(value, typed)} (YAML reads yes, no, true "
            f"and false as a choice, not a number); write the number, like {like}"
        )
    if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()) and not _quoted(typed):
        return (
            f"should be {wanted}; YAML reads `{value.strip()}` as text, not a number: write "
            f"it in plain digits, like {like}"
        )
    if isinstance(value, str):
        return f"should be {wanted}, not text; write it without quotes, like {like}"
    if isinstance(value, float) and whole:
        return f"should be a whole number, not {_shown(value, typed)}"
    return f"should be {wanted}, not {_describe(value)}"


def _message(error: ErrorDetails, place: _Place, typed: str | None) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    name = place.loc[-1] if place.loc else ""
    if kind == "missing":
        return f"required field is missing; add `{name}:`"
    if kind == "extra_forbidden":
        return _unknown_field(str(name), place.parent)
    if kind in ("union_tag_invalid", "union_tag_not_found") and place.family is not None:
        tag = value.get(place.family.field) if isinstance(value, dict) else None
        return _unknown_tag(kind, _shown(tag, None), place.family)
    if kind == "string_type":
        return _not_text(value, typed)
    if kind == "string_too_short":
        return "is empty; write the text, or remove the line"
    if kind == "string_too_long":
        size = len(value) if isinstance(value, str) else "too many"
        return (
            f"is {size} characters; at most {ctx.get('max_length')} fit in one field. "
            "Split it into several shorter ones"
        )
    if kind == "string_pattern_mismatch":
        if "@" in str(ctx.get("pattern", "")):
            return "should be an email address like name@example.org"
        return "should be a full https:// web address"
    if kind == "literal_error":
        return f"should be one of {ctx.get('expected', '')}, not {_shown(value, typed)}"
    if kind == "list_type":
        return f'should be a list (one "- item" a line), not {_describe(value)}'
    if kind == "too_short":
        return f"needs at least {counted(ctx.get('min_length', 1), 'item')}"
    if kind == "too_long":
        return f"has too many items; at most {ctx.get('max_length')} are allowed"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a set of `field: value` lines, not {_describe(value)}"
    if kind.startswith("date"):
        return "should be a date written like 2026-11-29"
    if kind.startswith(("int", "float")):
        return _not_a_number(value, typed, whole=kind.startswith("int"))
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return "should be a number, not .nan or .inf"  # nan compares as out of every range
    if kind.startswith("bool"):
        return f"should be true or false, not {_shown(value, typed)}"
    if kind == "multiple_of":
        step = ctx.get("multiple_of")
        return f"should be a multiple of {step}, like {step} or {float(step or 1) * 14:g}"
    if kind == "greater_than":
        return f"should be more than {ctx.get('gt')}"
    if kind == "less_than":
        return f"should be less than {ctx.get('lt')}"
    if kind == "greater_than_equal":
        return f"should be {ctx.get('ge')} or more"
    if kind == "less_than_equal":
        return f"should be {ctx.get('le')} or less"
    if kind in ("value_error", "assertion_error"):
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])
