"""Validation problems for people: a pydantic error turned into a located, plain message."""

from __future__ import annotations

import difflib
import functools
import types
import typing
from collections.abc import Iterable, Sequence
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator.errors import Problem, ProblemsError, counted, display_path
from generator.model import (
    BLOCK_TYPES,
)
from generator.yamlfile import Located, M, format_field, key_node, node_at

# --- validating against a model ---------------------------------------------


def validate(located: Located, model: type[M]) -> M:
    """Validate parsed data against a model; every error carries file and line."""
    shown = display_path(located.path)
    if not isinstance(located.data, dict):
        mark = located.node.start_mark
        raise ProblemsError(
            [
                *located.problems,
                Problem(
                    shown,
                    mark.line + 1,
                    mark.column + 1,
                    "",
                    "the file must be a set of `field: value` lines "
                    "(title, purpose, audience, ...)",
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
        raise ProblemsError([*located.problems, *problems]) from None
    if located.problems:
        raise ProblemsError(located.problems)
    return result


def _merge_alternatives(problems: list[Problem]) -> list[Problem]:
    """One line per field: a value that fits no branch of a union is one mistake."""
    merged: dict[tuple[int | None, int | None, str], Problem] = {}
    for problem in problems:
        key = (problem.line, problem.column, problem.field)
        if key in merged and problem.field:
            first = merged[key]
            merged[key] = Problem(
                first.path,
                first.line,
                first.column,
                first.field,
                f"{first.message}; or it {problem.message}",
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
            loc, parent = _resolve(model, error["loc"])
            close = _suggestion(str(loc[-1]), parent)
            if close:
                suggested.add((tuple(loc[:-1]), close))
    kept = []
    for error in errors:
        if error["type"] == "missing":
            loc, _ = _resolve(model, error["loc"])
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
    loc, parent = _resolve(model, error["loc"])
    node, _ = node_at(root, loc)
    if error["type"] == "extra_forbidden" and isinstance(loc[-1], str):
        node = key_node(root, loc) or node
    mark = node.start_mark
    message = _message(error, loc, parent)
    return Problem(shown, mark.line + 1, mark.column + 1, format_field(loc), message)


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated and Optional down to the type that matters."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            else:
                return annotation
        else:
            return annotation


def _tag_of(member: type[BaseModel]) -> tuple[str, str] | None:
    for name in ("type", "kind"):
        field = member.model_fields.get(name)
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            return name, typing.get_args(field.annotation)[0]
    return None


def _resolve(
    model: type[BaseModel], loc: Iterable[int | str]
) -> tuple[list[str | int], type[BaseModel] | None]:
    """Drop pydantic's union tags from an error location; find the model there."""
    current: Any = model
    parent: type[BaseModel] | None = model
    path: list[str | int] = []
    for item in loc:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if isinstance(item, int) and origin is list:
            path.append(item)
            current = typing.get_args(current)[0]
            continue
        if origin in (typing.Union, types.UnionType) and isinstance(item, str):
            members = [m for m in typing.get_args(current) if isinstance(m, type)]
            chosen = [m for m in members if (t := _tag_of(m)) and t[1] == item]
            if chosen:
                current = chosen[0]
                parent = chosen[0]
                continue
            branch = _union_branch(typing.get_args(current), item)
            if branch is not None:
                current = branch
                continue
        if isinstance(current, type) and issubclass(current, BaseModel) and isinstance(item, str):
            parent = current
            path.append(item)
            field = current.model_fields.get(item)
            current = field.annotation if field is not None else None
            continue
        path.append(item)
        current = None
    return path, parent


def _union_branch(members: Sequence[Any], label: str) -> Any:
    """The member of a plain union that pydantic names `label` in an error location."""
    for member in members:
        origin = typing.get_origin(_unwrap(member))
        if origin is typing.Literal and label.startswith("literal["):
            return member
        if origin is list and label.startswith("list["):
            return member
        if isinstance(member, type) and label == member.__name__.lower():
            return member
        if isinstance(member, type) and label == member.__name__:
            return member
    return None


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "yes/no"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of fields"
    return "text"


def _message(
    error: ErrorDetails,
    loc: Sequence[str | int],
    parent: type[BaseModel] | None,
) -> str:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    name = loc[-1] if loc else ""
    if kind == "missing":
        return f"required field is missing; add `{name}:`"
    if kind == "extra_forbidden":
        allowed = sorted(parent.model_fields) if parent else []
        close = _suggestion(str(name), parent)
        if close:
            return f"unknown field `{name}`; did you mean `{close}`?"
        return f"unknown field `{name}`; the fields allowed here are: " + ", ".join(
            f"`{a}`" for a in allowed
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field = str(ctx.get("discriminator", "'type'")).strip("'")
        choices = BLOCK_TYPES if field == "type" else ("lines", "checkboxes", "scale")
        listing = ", ".join(choices)
        if kind == "union_tag_not_found":
            return f"this item has no `{field}`; add `{field}:` with one of: {listing}"
        tag = ctx.get("tag", "")
        near = difflib.get_close_matches(str(tag), choices, n=1, cutoff=0.6)
        hint = f"did you mean `{near[0]}`? " if near else ""
        return f"unknown {field} `{tag}`; {hint}the choices are: {listing}"
    if kind == "string_type":
        if value is None:
            return "is empty; write the text, or remove the line"
        if isinstance(value, (int, float, bool)):
            kind_of = _describe(value)
            return f'should be text, not {kind_of}; put it in quotes, like "{value}"'
        return f"should be text, not {_describe(value)}"
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
        return f"should be one of {ctx.get('expected', '')}, not `{value}`"
    if kind == "list_type":
        return f'should be a list (one "- item" a line), not {_describe(value)}'
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"needs at least {counted(least, 'item')}"
    if kind == "too_long":
        return f"has too many items; at most {ctx.get('max_length')} are allowed"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"should be a set of `field: value` lines, not {_describe(value)}"
    if kind.startswith("date"):
        return "should be a date written like 2026-11-29"
    if kind.startswith("int"):
        return "should be a whole number"
    if kind == "greater_than_equal":
        return f"should be {ctx.get('ge')} or more"
    if kind == "less_than_equal":
        return f"should be {ctx.get('le')} or less"
    if kind in ("value_error", "assertion_error"):
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])
