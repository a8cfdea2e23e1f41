"""The package's shape: no import cycles, only the CLI imports the orchestrators, small parts."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"

#: Modules that run a whole command: only the CLI starts them.
ORCHESTRATORS = {"build", "packet"}

#: No module longer than this many lines, and no function longer than FUNCTION_LINES.
MODULE_LINES = 450
FUNCTION_LINES = 60

#: Modules and functions still over those sizes, each named with why ("issue 15:
#: being split"); a split that lands takes its name out (see the test below).
EXEMPT: set[str] = set()

#: Functions that are plain tables of data, which may be long.
DATA_TABLES: set[str] = set()


def _name(path: Path) -> str:
    """A module's name inside the package: `cli`, `check` (its __init__), `check.pdf`."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _imports(me: str, source: str, modules: set[str]) -> set[str]:
    """The generator modules that module `me` imports, anywhere in it (lazy imports too).

    Importing `generator.check.pdf` runs the package `check` (its __init__)
    first: an import of both, but for a module of that package, for which
    the package is already running.
    """
    names: set[str] = set()
    for node in _nodes(ast.parse(source, me)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            targets = [
                full if full.removeprefix("generator.") in modules else node.module
                for full in (f"{node.module}.{a.name}" for a in node.names)
            ]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            pytest.fail(f"{me}: relative import; import from generator.<module>")
        else:
            continue
        for target in targets:
            parts = target.split(".")
            if parts[0] != "generator" or len(parts) < 2:
                continue
            names.add(".".join(parts[1:]))
            names.update(
                package
                for end in range(2, len(parts))
                if not me.startswith((package := ".".join(parts[1:end])) + ".")
            )
    names.discard(me)
    return names & modules


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
    modules = _modules()
    return {name: _imports(name, _source(path), set(modules)) for name, path in modules.items()}


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


def test_the_graph_sees_modules_in_subpackages() -> None:
    graph = _graph()
    assert {"check.pdf", "check.rules", "check.report"} <= set(graph)
    # The package's modules import each other, never their own __init__ ...
    assert "check" not in graph["check.pdf"]
    assert {"check.rules", "errors"} <= graph["check.pdf"]
    # ... but when they name it ...
    assert _imports("check.rules", "from generator.check import all_rules\n", set(graph)) == {
        "check"
    }
    # ... and a module outside imports the package's __init__ with a part of it.
    assert _imports_of("from generator.check.rules import RULES\n") == {"check", "check.rules"}
    assert _imports_of("import generator.check.pdf\n") == {"check", "check.pdf"}
    assert _imports_of("from generator.check import pdf, CheckRequest\n") == {
        "check",
        "check.pdf",
    }


def _imports_of(source: str) -> set[str]:
    return _imports("an_example", source, set(_modules()))


def test_a_cycle_is_found() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


# --- sizes ----------------------------------------------------------------------------


def _module_sizes() -> dict[str, int]:
    return {
        p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def _function_sizes() -> dict[str, int]:
    """Every function and method, as `file.py:Class.name`, with its length in lines."""
    sizes: dict[str, int] = {}

    def walk(node: ast.AST, where: str, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = prefix + child.name
                sizes[f"{where}:{name}"] = (child.end_lineno or child.lineno) - child.lineno + 1
                walk(child, where, name + ".")
            elif isinstance(child, ast.ClassDef):
                walk(child, where, prefix + child.name + ".")
            else:
                walk(child, where, prefix)

    for path in sorted(PACKAGE.rglob("*.py")):
        walk(ast.parse(path.read_text(encoding="utf-8")), path.relative_to(PACKAGE).as_posix(), "")
    return sizes


def test_no_module_is_over_450_lines() -> None:
    over = {name: n for name, n in _module_sizes().items() if n > MODULE_LINES}
    assert set(over) - EXEMPT == set(), over


def test_no_function_is_over_60_lines() -> None:
    over = {name: n for name, n in _function_sizes().items() if n > FUNCTION_LINES}
    assert set(over) - EXEMPT - DATA_TABLES == set(), over


def test_every_exemption_is_still_needed() -> None:
    # A module or function split below the limit leaves the list, so it stays true.
    over = {n for n, size in _module_sizes().items() if size > MODULE_LINES}
    over |= {n for n, size in _function_sizes().items() if size > FUNCTION_LINES}
    assert EXEMPT - over == set()


def test_function_sizes_are_measured_with_their_class() -> None:
    sizes = _function_sizes()
    assert sizes["errors.py:Problem.where"] == 5
    assert sizes["progress.py:configure"] == 12


# --- private names --------------------------------------------------------------------


def _private_uses(me: str, source: str, modules: set[str]) -> list[str]:
    """Names starting with one `_` that module `me` takes from another generator module."""
    aliases: dict[str, str] = {}  # local name -> generator module it stands for
    found: list[str] = []
    tree = ast.parse(source, me)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "generator":
            package = (node.module or "").removeprefix("generator").lstrip(".")
            for alias in node.names:
                full = f"{package}.{alias.name}".lstrip(".")
                if full in modules:
                    aliases[alias.asname or alias.name] = full
                elif _private(alias.name) and package != me:
                    found.append(f"{me}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("generator.") and alias.asname:
                    aliases[alias.asname] = alias.name.removeprefix("generator.")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and aliases.get(node.value.id, me) != me
        ):
            found.append(f"{me}: {node.value.id}.{node.attr}")
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_module_uses_another_modules_private_names() -> None:
    modules = _modules()
    found = [
        use
        for name, path in modules.items()
        for use in _private_uses(name, _source(path), set(modules))
    ]
    assert found == []


def test_private_uses_are_found() -> None:
    source = (
        "from generator import render\n"
        "from generator.render import _locale, Renderer\n"
        "render._strings(1)\n"
        "from generator.check import text\n"
        "text.plain('x')\n"
    )
    assert _private_uses("check.an_example", source, set(_modules())) == [
        "check.an_example: from generator.render import _locale",
        "check.an_example: render._strings",
    ]
