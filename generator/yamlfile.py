"""YAML with positions: read a file (bounded, regular files only) into data and the node tree.

Every later problem is placed on its file, line and column from these nodes.
"""

from __future__ import annotations

import contextlib
import gc
import re
import typing
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from generator import files
from generator.errors import Problem, ProblemsError, display_path
from generator.files import MAX_FILE_BYTES
from generator.halves import escaped, half_message, whole_characters, written_at
from generator.yamltext import a_handout, control_character, decode
from generator.yamlvalues import PLAIN_COLLECTIONS, scalar_value, tag_message

#: Larger files are refused before parsing: a handout is a few kilobytes.

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
        return _Problems([Problem(path=shown, message=message, line=line, column=column)])

    try:
        raw = files.read_bytes(path, MAX_FILE_BYTES)
    except files.FileProblem as exc:
        if exc.size is not None:
            raise fail(
                f"the file is {exc.size // 1024} KB; the limit is "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller "
                + ("handouts" if a_handout(path) else "files")
            ) from None
        if exc.message == "this is a folder, not a file":
            raise fail("this is a folder, not a YAML file") from None
        raise fail(exc.message) from None

    text = decode(raw, fail)
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
    except yaml.reader.ReaderError as exc:
        raise fail(*control_character(text, exc)) from None
    except yaml.YAMLError as exc:
        raise fail(f"this is not valid YAML: {exc}") from None
    except RecursionError:
        raise fail("the YAML is nested too deeply to read") from None
    if node is None:
        if empty_ok:
            return Located(path, None, yaml.MappingNode("tag:yaml.org,2002:map", []))
        needs = (
            "a handout needs a title, purpose and blocks"
            if a_handout(path)
            else ("write its `field: value` lines, or delete it")
        )
        raise fail(f"the file is empty; {needs}")
    with _no_cycle_collection():
        data, problems = _construct(node, shown, text)
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


def _construct(root: yaml.Node, shown: str, text: str) -> tuple[Any, list[Problem]]:
    """Build plain data from nodes, noting duplicate keys and half characters as problems.

    Each problem's field path is known where it is found: looking it up
    afterwards, per problem, would take time growing with the square of
    the file's size for a file of many duplicate keys.
    """
    builder = _Builder(shown, text)
    return builder.build(root, 0, []), builder.problems


class _Builder:
    """A file's plain data, built from its nodes, and the problems met on the way."""

    def __init__(self, shown: str, text: str):
        self.shown = shown
        self.text = text
        self.lines: list[str] = []  # the file's lines, split once a problem needs them
        self.constructor = yaml.SafeLoader("")
        self.problems: list[Problem] = []

    def at(
        self,
        node: yaml.Node,
        message: str,
        trail: Sequence[str | int] = (),
        place: tuple[int, int] | None = None,
    ) -> None:
        line, column = place or (node.start_mark.line + 1, node.start_mark.column + 1)
        field = format_field(trail)
        self.problems.append(
            Problem(path=self.shown, message=message, line=line, column=column, field=field)
        )

    def whole(self, node: yaml.ScalarNode, trail: Sequence[str | int]) -> bool:
        """Whether a scalar holds whole characters, once each pair of halves in it is joined."""
        node.value, half = whole_characters(node.value)
        if half:
            self.lines.extend(() if self.lines else self.text.splitlines())
            start, end = node.start_mark, node.end_mark
            place = written_at(half, self.lines, start.line, start.column, end.line)
            self.at(node, half_message(half), trail, place)
        return not half

    def problems_at(self, node: yaml.Node) -> bool:
        """Whether a problem was already found at this node (a key that can't be read)."""
        place = (node.start_mark.line + 1, node.start_mark.column + 1)
        return any((p.line, p.column) == place for p in self.problems[-1:])

    def build(self, node: yaml.Node, depth: int, trail: list[str | int]) -> Any:
        if depth > 50:
            self.at(node, "the YAML is nested too deeply (more than 50 levels)")
            return None
        if isinstance(node, yaml.CollectionNode) and node.tag not in PLAIN_COLLECTIONS:
            self.at(node, tag_message(node.tag), trail)
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth, trail)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, depth + 1, [*trail, index])
                for index, item in enumerate(node.value)
            ]
        if not self.whole(typing.cast(yaml.ScalarNode, node), trail):
            return None
        value, unread = scalar_value(self.constructor, node)
        if unread:
            self.at(node, unread, trail)
        return value

    def mapping(self, node: yaml.MappingNode, depth: int, trail: list[str | int]) -> Any:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.at(key_node, "a key must be a plain word")
                continue
            if not self.whole(key_node, [*trail, escaped(key_node.value)]):
                continue
            key = self.build(key_node, depth + 1, trail)
            if key is None or (isinstance(key, str) and not key.strip()):
                if not self.problems_at(key_node):  # a tag that can't be read, say
                    self.at(key_node, "a key with no name; write the field's name before the colon")
                continue
            if not isinstance(key, str):
                # As written: `yes:` is the word yes here, not True.
                key = key_node.value
            if key in result or key in first_line:
                self.at(
                    key_node,
                    f"duplicate key `{key}` (first at line {first_line[key]}); keep only one",
                    [*trail, str(key_node.value)],
                )
                continue
            first_line[key] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, depth + 1, [*trail, str(key_node.value)])
        return result


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


def node_at(root: yaml.Node, loc: Sequence[str | int]) -> tuple[yaml.Node, bool]:
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


def key_node(root: yaml.Node, loc: Sequence[str | int]) -> yaml.Node | None:
    parent, exact = node_at(root, loc[:-1])
    if exact and isinstance(parent, yaml.MappingNode) and isinstance(loc[-1], str):
        found = _keys(parent).get(loc[-1])
        return found[0] if found is not None else None
    return None


# --- places in a file ---------------------------------------------------------


def locate(located: Located, loc: Sequence[str | int]) -> tuple[int, int]:
    """The line and column of a field path (or of the nearest part of it that exists)."""
    node, _ = node_at(located.node, loc)
    return node.start_mark.line + 1, node.start_mark.column + 1


def locate_text(located: Located, loc: Sequence[str | int], needle: str) -> tuple[int, int]:
    """Where some words of a field's text stand in the file (a long text spans lines)."""
    node, exact = node_at(located.node, loc)
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
        # Whole words only, where the probe starts or ends with one ("<br>" may touch them).
        before = r"(?<![\w-])" if re.match(r"\w", probe) else ""
        after = r"(?![\w-])" if re.search(r"\w$", probe) else ""
        pattern = re.compile(before + re.escape(probe) + after, re.IGNORECASE)
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
    return Problem(
        path=display_path(located.path),
        message=message,
        line=line,
        column=column,
        field=format_field(loc),
    )
