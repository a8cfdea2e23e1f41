"""Content stage: read YAML with line marks, validate it, return models or problems."""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import re
import types
import typing
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from generator import files, images
from generator.errors import Problem, ProblemsError, counted, display_path
from generator.model import (
    BLOCK_TYPES,
    MAX_ITEMS,
    MAX_MARKUP_DEPTH,
    Handout,
    HandoutFile,
    Image,
    Packet,
    PacketFile,
    is_valid_id,
)

#: Larger files are refused before parsing: a handout is a few kilobytes.
MAX_FILE_BYTES = 2 * 1024 * 1024
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
HANDOUT_SUFFIXES = (".yaml", ".yml")

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Located:
    """A parsed YAML document together with its node tree, for line marks."""

    path: Path
    data: Any
    node: yaml.Node
    #: Problems found while reading (duplicate keys, aliases), reported
    #: together with the validation problems.
    problems: tuple[Problem, ...] = ()


class _Problems(Exception):
    """Internal: a file's problems, gathered while reading it."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems)
        self.problems = problems


# --- reading YAML ---------------------------------------------------------


def read_yaml(path: Path, *, empty_ok: bool = False) -> Located:
    """Parse one YAML file into data and nodes, or raise ProblemsError."""
    try:
        return _read_yaml(path, empty_ok)
    except _Problems as exc:
        raise ProblemsError(exc.problems) from None


def _read_yaml(path: Path, empty_ok: bool) -> Located:
    shown = display_path(path)

    def fail(message: str, line: int | None = None, column: int | None = None) -> _Problems:
        return _Problems([Problem(shown, line, column, "", message)])

    try:
        raw = files.read_bytes(path, MAX_FILE_BYTES)
    except files.FileProblem as exc:
        if exc.size is not None:
            raise fail(
                f"the file is {exc.size // 1024} KB; the limit is "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller handouts"
            ) from None
        if exc.message == "this is a folder, not a file":
            raise fail("this is a folder, not a YAML file") from None
        raise fail(exc.message) from None

    text = _decode(raw, fail)
    try:
        node = _compose(text)
    except _AliasFound as exc:
        raise fail(
            "anchors and aliases (& and *) are not supported here; write the text out in full",
            exc.mark.line + 1,
            exc.mark.column + 1,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        raise fail(
            f"this is not valid YAML: {what}. Check the indentation and quotes "
            "on this line and the one before it",
            line,
            column,
        ) from None
    except yaml.YAMLError as exc:
        raise fail(f"this is not valid YAML: {exc}") from None
    except RecursionError:
        raise fail("the YAML is nested too deeply to read") from None
    if node is None:
        if empty_ok:
            return Located(path, None, yaml.MappingNode("tag:yaml.org,2002:map", []))
        raise fail("the file is empty; a handout needs a title, purpose and blocks")
    with _no_cycle_collection():
        data, problems = _construct(node, shown)
    return Located(path, data, node, tuple(problems))


class _AliasFound(Exception):
    def __init__(self, mark: Any):
        super().__init__(mark)
        self.mark = mark


class _NoAliases:
    """Stops at the first alias: content is written out, and aliases are how a
    "billion laughs" file makes a small document expand without limit."""

    def compose_node(self: Any, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event: yaml.Event = self.peek_event()
            raise _AliasFound(event.start_mark)
        return yaml.composer.Composer.compose_node(self, parent, index)


class _NoAliasLoader(_NoAliases, yaml.SafeLoader):
    """PyYAML's own loader, in Python."""


_FAST: type[Any] | None = None
if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _FastNoAliasLoader(
        _NoAliases,
        yaml.composer.Composer,
        yaml.constructor.SafeConstructor,
        yaml.resolver.Resolver,
        CParser,
    ):
        """libyaml reads, scans and parses; PyYAML's composer makes the same nodes."""

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            yaml.composer.Composer.__init__(self)

    _FAST = _FastNoAliasLoader


def _compose(text: str) -> yaml.Node | None:
    """The file's node tree: read by libyaml where it is installed, a few times
    faster than PyYAML's own reader, which takes seconds for a 2 MB file.

    A file libyaml refuses is read again by PyYAML, whose messages say more
    (they quote the character that can't start a token, for one).
    """
    with _no_cycle_collection():
        if _FAST is not None:
            try:
                return typing.cast(yaml.Node | None, _FAST(text).get_single_node())
            except yaml.YAMLError:
                pass
        return _NoAliasLoader(text).get_single_node()


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's collector of reference cycles paused while a file's nodes are made.

    The nodes hold no cycles, and the collector, run again and again over
    their growing number, would make reading a large file take more than
    twice as long per node as a small one.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _decode(raw: bytes, fail: Any) -> str:
    head = raw[:400]
    # UTF-16 text without a byte-order mark has a NUL in every other byte.
    utf16 = len(head) >= 4 and (
        head[0::2].count(0) > len(head) * 0.4 or head[1::2].count(0) > len(head) * 0.4
    )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16:
        raise fail("the file is saved as UTF-16; save it as UTF-8 instead")
    if b"\x00" in raw:
        raise fail("this looks like a binary file, not YAML text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise fail(
            "the file is not valid UTF-8 text; save it as UTF-8 "
            "(your editor's Save As or Encoding menu can do that)",
            line,
            column,
        ) from None


def _construct(root: yaml.Node, shown: str) -> tuple[Any, list[Problem]]:
    """Build plain data from nodes, noting duplicate keys as problems.

    Each problem's field path is known where it is found: looking it up
    afterwards, per problem, would take time growing with the square of
    the file's size for a file of many duplicate keys.
    """
    constructor = yaml.SafeLoader("")
    problems: list[Problem] = []

    def at(node: yaml.Node, message: str, trail: Sequence[str | int] = ()) -> None:
        mark = node.start_mark
        field = format_field(trail)
        problems.append(Problem(shown, mark.line + 1, mark.column + 1, field, message))

    def build(node: yaml.Node, depth: int, trail: list[str | int]) -> Any:
        if depth > 50:
            at(node, "the YAML is nested too deeply (more than 50 levels)")
            return None
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    at(key_node, "a key must be a plain word")
                    continue
                key = build(key_node, depth + 1, trail)
                if not isinstance(key, str):
                    key = str(key)
                if key in result or key in first_line:
                    at(
                        key_node,
                        f"duplicate key `{key}` (first at line {first_line[key]}); keep only one",
                        [*trail, str(key_node.value)],
                    )
                    continue
                first_line[key] = key_node.start_mark.line + 1
                result[key] = build(value_node, depth + 1, [*trail, str(key_node.value)])
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                build(item, depth + 1, [*trail, index]) for index, item in enumerate(node.value)
            ]
        try:
            return constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            at(
                node,
                f"this value can't be read ({exc.problem or exc.context}); check it",
            )
            return None
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            reason = " ".join(str(exc).split())
            at(node, f"this value can't be read ({reason}); check it")
            return None

    return build(root, 0, []), problems


_FIELD_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def parse_field(text: str) -> list[str | int]:
    """("blocks", 2, "items") from `blocks[2].items`: `format_field` undone."""
    return [int(index) if index else name for index, name in _FIELD_PART.findall(text)]


def format_field(loc: Sequence[str | int]) -> str:
    """`blocks[2].items` from ("blocks", 2, "items")."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


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
    node, _ = _node_at(root, loc)
    if error["type"] == "extra_forbidden" and isinstance(loc[-1], str):
        node = _key_node(root, loc) or node
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


def _node_at(root: yaml.Node, loc: Sequence[str | int]) -> tuple[yaml.Node, bool]:
    """The deepest node on the way to loc, and whether it is loc itself."""
    node = root
    for item in loc:
        child = _child(node, item)
        if child is None:
            return node, False
        node = child
    return node, True


def _child(node: yaml.Node, item: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(item, str):
        found = _keys(node).get(item)
        return found[1] if found is not None else None
    if (
        isinstance(node, yaml.SequenceNode)
        and isinstance(item, int)
        and 0 <= item < len(node.value)
    ):
        return typing.cast(yaml.Node, node.value[item])
    return None


#: Each mapping's keys, looked up by name: a search along the mapping for
#: every problem would take time growing with the square of its length.
_KEYS: weakref.WeakKeyDictionary[yaml.Node, dict[str, tuple[yaml.Node, yaml.Node]]] = (
    weakref.WeakKeyDictionary()
)


def _keys(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping's (key node, value node) by key text, the first of a repeated key."""
    keys = _KEYS.get(node)
    if keys is None:
        keys = {}
        for key_node, value_node in node.value:
            value = getattr(key_node, "value", None)
            if isinstance(value, str):
                keys.setdefault(value, (key_node, value_node))
        _KEYS[node] = keys
    return keys


def _key_node(root: yaml.Node, loc: Sequence[str | int]) -> yaml.Node | None:
    parent, exact = _node_at(root, loc[:-1])
    if exact and isinstance(parent, yaml.MappingNode) and isinstance(loc[-1], str):
        found = _keys(parent).get(loc[-1])
        return found[0] if found is not None else None
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


# --- handouts -----------------------------------------------------------------


def load_handout(path: Path, root: Path) -> HandoutFile:
    """Read and validate one handout file found under a content root."""
    located = read_yaml(path)
    handout = validate(located, Handout)
    problems = _check_handout(located, handout, root) + markup_problems(located)
    if problems:
        raise ProblemsError(problems)
    return HandoutFile(id=path.stem, path=path, root=root, handout=handout)


def _check_handout(located: Located, handout: Handout, root: Path) -> list[Problem]:
    """Checks that need the file's place on disk, not just its fields."""
    shown = display_path(located.path)
    problems: list[Problem] = []
    stem = located.path.stem
    if not is_valid_id(stem):
        problems.append(
            Problem(
                shown,
                None,
                None,
                "",
                f"the file name `{stem}` is not a valid "
                "handout id; use lowercase letters, digits and hyphens, like "
                "`withdrawal-response.yaml`",
            )
        )
    folder = located.path.parent.name
    if folder != handout.language:
        node, _ = _node_at(located.node, ["language"])
        mark = node.start_mark
        problems.append(
            Problem(
                shown,
                mark.line + 1,
                mark.column + 1,
                "language",
                f"is `{handout.language}` but the file is in the `{folder}` folder; "
                f"move it to content/handouts/{handout.language}/ or fix the tag",
            )
        )
    for index, block in enumerate(handout.blocks):
        if isinstance(block, Image):
            message = image_problem(block.src, located.path.parent, root)
            if message:
                loc: list[str | int] = ["blocks", index, "src"]
                node, _ = _node_at(located.node, loc)
                mark = node.start_mark
                problems.append(
                    Problem(
                        shown,
                        mark.line + 1,
                        mark.column + 1,
                        format_field(loc),
                        message,
                    )
                )
    return problems


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


def asset_folders(root: Path) -> tuple[Path, ...]:
    """The folders of a project that may hold files a handout shows, where they really are.

    A folder that is itself a link to somewhere else is not one of them
    (see `files.own_folders`).
    """
    return files.own_folders(root)


def roots_folders(roots: Iterable[Path]) -> tuple[Path, ...]:
    """Every folder files may be read from: each root's content, assets and templates."""
    return tuple(folder for root in roots for folder in files.own_folders(root))


def image_problem(src: str, base: Path, root: Path) -> str | None:
    """Why an image path can't be used, or None when it is fine."""
    if "://" in src or src.startswith(("data:", "file:", "//")):
        return "must be a path to a file in the project, not a web address"
    candidate = Path(src)
    if candidate.is_absolute():
        return "must be a path relative to the handout's folder, not an absolute path"
    path = base / candidate
    # Judged by where it really is, links followed: a link (or a folder that
    # is one) may lead anywhere.
    target = files.inside(path, asset_folders(root))
    if target is None:
        link = files.link_out(path)
        if link is not None and files.outside_message(path).startswith("is a link that leads"):
            return f"`{src}` {files.outside_message(path)}"
        how = f" through the link {display_path(link)}" if link is not None else ""
        return (
            f"`{src}` points outside the project{how}; put the image in the project's "
            "content/ or assets/ folder"
        )
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return "should be a PNG, JPEG, GIF, SVG or WebP image"
    try:
        files.check_file(target, files.MAX_ASSET_BYTES)
    except files.FileProblem as exc:
        if exc.message.startswith("file not found"):
            return f"no image at `{src}`; check the file name and folder"
        if exc.size is not None:
            return f"`{src}`: {exc.message} for a picture; make it smaller (fewer pixels, or JPEG)"
        return f"`{src}`: {exc.message}; use an image file"
    return images.check_file(target, display_path(target))


@dataclass(frozen=True)
class HandoutSource:
    """A handout file that exists, before it is read."""

    id: str
    language: str
    path: Path
    root: Path


def discover(roots: Sequence[Path]) -> tuple[list[HandoutSource], list[Problem]]:
    """Every handout file in the content roots, the first root winning an id."""
    chosen: dict[tuple[str, str], HandoutSource] = {}
    problems: list[Problem] = []
    seen_roots: set[Path] = set()
    allowed = roots_folders(roots)
    for root in roots:
        resolved = root.resolve()
        if resolved in seen_roots:
            continue
        seen_roots.add(resolved)
        base = root / "content" / "handouts"
        if not base.is_dir():
            continue
        in_this_root: dict[tuple[str, str], Path] = {}
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if path.suffix not in HANDOUT_SUFFIXES:
                    continue
                unusable = _unusable(path, allowed, "handout")
                if unusable is not None:
                    problems.append(unusable)
                    continue
                key = (folder.name, path.stem.lower())
                if key in in_this_root:
                    other = display_path(in_this_root[key])
                    problems.append(
                        Problem(
                            display_path(path),
                            None,
                            None,
                            "",
                            f"the handout id `{path.stem}` is also used by {other}; "
                            "rename or remove one of them",
                        )
                    )
                    continue
                in_this_root[key] = path
        for (language, _), path in in_this_root.items():
            chosen.setdefault(
                (language, path.stem),
                HandoutSource(path.stem, language, path, root),
            )
    problems.extend(_variant_clashes(chosen.values()))
    return sorted(chosen.values(), key=lambda s: (s.language, s.id)), problems


#: What a build adds to a handout's id in its file name, in order (see
#: `build.output_name`): an id that is another's id plus some of these would
#: share a file name with one of that handout's editions.
VARIANT_SUFFIXES = ("-clinician", "-a4", "-large-print", "-fillable", "-ink-saver")


def _variant_clashes(found: Iterable[HandoutSource]) -> list[Problem]:
    sources = list(found)
    ids = {(s.language, s.id) for s in sources}
    problems: list[Problem] = []
    for source in sources:
        base = source.id
        for suffix in reversed(VARIANT_SUFFIXES):
            base = base.removesuffix(suffix)
            if base != source.id and (source.language, base) in ids:
                problems.append(
                    Problem(
                        display_path(source.path),
                        None,
                        None,
                        "",
                        f"the id `{source.id}` is `{base}` with `{source.id[len(base) :]}` "
                        f"added, which is how a variant of `{base}` is named "
                        f"({source.id}.pdf); rename this file, so that neither file "
                        "replaces the other",
                    )
                )
                break
    return problems


def unknown_id(name: str, known: Iterable[str], what: str, where: str) -> Problem:
    """An id that names nothing, with the closest real one offered."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return Problem(name, None, None, "", f"no {what} with this id; {hint}{where}")


def select(
    roots: Sequence[Path], ids: Sequence[str] = ()
) -> tuple[list[HandoutSource], list[Problem]]:
    """The handout files for the given ids (all when none), and any problems finding them."""
    sources, problems = discover(roots)
    if ids:
        known = sorted({s.id for s in sources})
        wanted = set(ids)
        for name in ids:
            if name not in known:
                problems.append(
                    unknown_id(name, known, "handout", "`handouts list` shows them all")
                )
        sources = [s for s in sources if s.id in wanted]
    return sources, problems


def load_handouts(roots: Sequence[Path], ids: Sequence[str] = ()) -> list[HandoutFile]:
    """Load and validate the named handouts (all when none), reporting every problem."""
    sources, problems = select(roots, ids)
    return load_sources(sources, problems)


def load_sources(
    sources: Sequence[HandoutSource], problems: Sequence[Problem] = ()
) -> list[HandoutFile]:
    """Load and validate handout files, reporting every problem at once."""
    problems = list(problems)
    handouts: list[HandoutFile] = []
    for source in sources:
        try:
            handouts.append(load_handout(source.path, source.root))
        except ProblemsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ProblemsError(problems)
    return handouts


# --- packets ------------------------------------------------------------------


def locate(located: Located, loc: Sequence[str | int]) -> tuple[int, int]:
    """The line and column of a field path (or of the nearest part of it that exists)."""
    node, _ = _node_at(located.node, loc)
    return node.start_mark.line + 1, node.start_mark.column + 1


def locate_text(located: Located, loc: Sequence[str | int], needle: str) -> tuple[int, int]:
    """Where some words of a field's text stand in the file (a long text spans lines)."""
    node, exact = _node_at(located.node, loc)
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if not exact or not needle.strip():
        return line, column
    source = _source_lines(located)
    if source is None:
        return line, column
    words = needle.split()
    # A folded YAML text may break a phrase across lines: look for its first word
    # when the whole phrase is not on one line.
    for probe in (" ".join(words), words[0]):
        pattern = re.compile(r"(?<![\w-])" + re.escape(probe) + r"(?![\w-])", re.IGNORECASE)
        for number in range(node.start_mark.line, min(node.end_mark.line + 1, len(source))):
            text = source[number]
            start = node.start_mark.column if number == node.start_mark.line else 0
            match = pattern.search(text, start)
            if match:
                return number + 1, match.start() + 1
    return line, column


#: Each file's lines, read once however many findings are placed in it.
_LINES: weakref.WeakKeyDictionary[yaml.Node, list[str] | None] = weakref.WeakKeyDictionary()


def _source_lines(located: Located) -> list[str] | None:
    if located.node not in _LINES:
        try:
            raw = files.read_bytes(located.path, MAX_FILE_BYTES)
            _LINES[located.node] = raw.decode("utf-8-sig").splitlines()
        except (files.FileProblem, UnicodeDecodeError):
            _LINES[located.node] = None
    return _LINES[located.node]


def problem_at(located: Located, loc: Sequence[str | int], message: str) -> Problem:
    """A problem placed at the YAML node for a field path."""
    line, column = locate(located, loc)
    return Problem(display_path(located.path), line, column, format_field(loc), message)


def _unusable(path: Path, allowed: Sequence[Path], what: str) -> Problem | None:
    """Why a file found in a content folder can't be read: it leads outside, or is no file.

    Found by its name, it is meant as content: a link out of the project, a
    pipe or a folder there is an error, not something to pass over in silence.
    """
    shown = display_path(path)
    real = files.inside(path, allowed)
    if real is None:
        return Problem(shown, None, None, "", files.outside_message(path))
    try:
        files.check_file(real, MAX_FILE_BYTES)
    except files.FileProblem as exc:
        if exc.size is not None:
            return None  # reported with the file's size when it is read
        if exc.message.startswith("file not found"):
            message = "is a link to a file that does not exist; fix the link or remove it"
        else:
            message = f"{exc.message}; a {what} is a YAML file: move this out of the folder"
        return Problem(shown, None, None, "", message)
    return None


def discover_packets(roots: Sequence[Path]) -> dict[str, Path]:
    """Every packet manifest in the content roots, the first root winning an id.

    A manifest that links outside the project, or is no file, is found here
    all the same and reported by `load_packets`.
    """
    found: dict[str, Path] = {}
    for root in roots:
        folder = root / "content" / "packets"
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in HANDOUT_SUFFIXES:
                found.setdefault(path.stem, path)
    return found


def load_packets(roots: Sequence[Path], ids: Sequence[str]) -> list[PacketFile]:
    """Load the named packets and every handout they use; report every problem."""
    manifests = discover_packets(roots)
    problems: list[Problem] = []
    for name in ids:
        if name not in manifests:
            problems.append(
                unknown_id(name, manifests, "packet", "packets live in content/packets/<id>.yaml")
            )
    sources, discovery_problems = discover(roots)
    problems.extend(discovery_problems)
    resolver = _HandoutResolver({(s.language, s.id): s for s in sources}, problems)
    packets: list[PacketFile] = []
    allowed = roots_folders(roots)
    for name in dict.fromkeys(ids):
        if name not in manifests:
            continue
        unusable = _unusable(manifests[name], allowed, "packet")
        if unusable is not None:
            problems.append(unusable)
            continue
        try:
            located = read_yaml(manifests[name])
        except ProblemsError as exc:
            problems.extend(exc.problems)
            continue
        try:
            packet = validate(located, Packet)
        except ProblemsError as exc:
            problems.extend(exc.problems)
            # The handout ids are checked too, so that one run names every problem
            # (unless the language they are looked up in is itself wrong).
            language, raw_sections = _raw_sections(located.data)
            if language is not None and all(p.field != "language" for p in exc.problems):
                resolver.resolve(located, language, raw_sections)
            continue
        problems.extend(markup_problems(located))
        handouts = resolver.resolve(located, packet.language, [s.handouts for s in packet.sections])
        sections = tuple(zip(packet.sections, handouts, strict=True))
        packets.append(PacketFile(name, manifests[name], packet, sections))
    if problems:
        raise ProblemsError(problems)
    return packets


def _raw_sections(data: object) -> tuple[str | None, list[list[object]]]:
    """A manifest's language and section handout ids, read from data that failed validation.

    A list longer than the model allows is left out: it is reported as too
    long, and a huge one must not cost a problem per entry.
    """
    if not isinstance(data, dict):
        return None, []
    language = data.get("language")
    sections = data.get("sections")
    found: list[list[object]] = []
    if isinstance(sections, list) and len(sections) <= MAX_ITEMS:
        for section in sections:
            handouts = section.get("handouts") if isinstance(section, dict) else None
            if isinstance(handouts, list) and len(handouts) <= MAX_ITEMS:
                found.append(handouts)
            else:
                found.append([])
    return (language if isinstance(language, str) else None), found


#: Most "did you mean" suggestions for unknown handout ids in one run.
MAX_SUGGESTIONS = 20


@dataclass
class _HandoutResolver:
    """Turns a packet's handout ids into loaded handouts, noting problems."""

    available: dict[tuple[str, str], HandoutSource]
    problems: list[Problem]

    def __post_init__(self) -> None:
        self.loaded: dict[Path, HandoutFile | None] = {}
        self.known: dict[str, list[str]] = {}
        # Finding the closest id costs a look at every handout: a manifest of
        # thousands of unknown ids gets a suggestion for the first few only.
        self.suggestions_left = MAX_SUGGESTIONS

    def resolve(
        self, located: Located, language: str, sections: Sequence[Sequence[object]]
    ) -> list[tuple[HandoutFile, ...]]:
        """The handouts of each section, in order; ids that aren't text are skipped."""
        first_seen: dict[str, list[str | int]] = {}
        result = []
        for s_index, handout_ids in enumerate(sections):
            items: list[HandoutFile] = []
            for h_index, raw in enumerate(handout_ids):
                if not isinstance(raw, str):
                    continue
                handout_id = raw.strip()
                loc: list[str | int] = ["sections", s_index, "handouts", h_index]
                if handout_id in first_seen:
                    first = first_seen[handout_id]
                    line, _ = locate(located, first)
                    self.problems.append(
                        problem_at(
                            located,
                            loc,
                            f"`{handout_id}` is already in {format_field(first[:2])} "
                            f"(line {line}); a handout appears once in a packet",
                        )
                    )
                    continue
                first_seen[handout_id] = loc
                item = self.handout(located, loc, language, handout_id)
                if item is not None:
                    items.append(item)
            result.append(tuple(items))
        return result

    def handout(
        self, located: Located, loc: list[str | int], language: str, handout_id: str
    ) -> HandoutFile | None:
        source = self.available.get((language, handout_id))
        if source is None:
            hint = ""
            if self.suggestions_left > 0:
                self.suggestions_left -= 1
                if language not in self.known:
                    self.known[language] = sorted(
                        i for (lang, i) in self.available if lang == language
                    )
                close = difflib.get_close_matches(handout_id, self.known[language], n=1)
                hint = f"did you mean `{close[0]}`? " if close else ""
            self.problems.append(
                problem_at(
                    located,
                    loc,
                    f"no `{language}` handout with the id `{handout_id}`; "
                    f"{hint}`handouts list` shows them all",
                )
            )
            return None
        if source.path not in self.loaded:
            try:
                self.loaded[source.path] = load_handout(source.path, source.root)
            except ProblemsError as exc:
                self.problems.extend(exc.problems)
                self.loaded[source.path] = None
        return self.loaded[source.path]
