"""The package's shape: no import cycles, and only the CLI imports the orchestrators."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

#: Modules that run a whole command: only the CLI starts them.
ORCHESTRATORS = {"build", "packet"}


def _imports(path: Path) -> set[str]:
    """The generator modules a file imports, anywhere in it (lazy imports too)."""
    names: set[str] = set()
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    for node in _nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "generator" and len(parts) > 1:
                    names.add(parts[1])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] != "generator":
                continue
            if len(parts) > 1:
                names.add(parts[1])
            else:  # from generator import files
                names.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            pytest.fail(f"{path.name}: relative import; import from generator.<module>")
    names.discard(path.stem)
    return names


def _nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node of a module, at any depth, but those under `if TYPE_CHECKING:`.

    Imports for type hints only never run: the program has no such edge.
    """
    yield node
    if isinstance(node, ast.If) and _type_checking(node.test):
        children: list[ast.AST] = [node.test, *node.orelse]
    else:
        children = list(ast.iter_child_nodes(node))
    for child in children:
        yield from _nodes(child)


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _graph() -> dict[str, set[str]]:
    return {p.stem: _imports(p) for p in sorted(PACKAGE.glob("*.py"))}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in the graph, as the modules along it, or None."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            found = visit(imported)
            if found:
                return found
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        found = visit(module)
        if found:
            return found
    return None


def test_the_package_has_no_import_cycles() -> None:
    assert _cycle(_graph()) is None


def test_only_the_cli_imports_the_orchestrators() -> None:
    importers = {
        (module, orchestrator)
        for module, imported in _graph().items()
        for orchestrator in imported & ORCHESTRATORS
    }
    assert importers <= {("cli", "build"), ("cli", "packet")}


def test_the_graph_sees_lazy_imports() -> None:
    # cli imports nearly everything inside its commands, for a fast --help.
    assert {"build", "packet", "check", "scaffold", "lifecycle"} <= _graph()["cli"]


def test_a_cycle_is_found() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
