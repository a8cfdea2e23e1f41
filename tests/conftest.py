"""Shared fixtures: a throwaway project folder, sample handouts, a CLI runner."""

from __future__ import annotations

import ast
import os
import re
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from generator.cli import main

# The hostile-input suite's harness, importable by its tests as `harness`.
sys.path.insert(0, str(Path(__file__).parent / "hostile"))

from harness import Run, run

DATA = Path(__file__).parent / "data"
CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def handout_text(title: str, purpose: str, blocks: str) -> str:
    """A valid client handout's YAML: this title and purpose, then `blocks` (list items)."""
    return (
        f"title: {title}\npurpose: {purpose}\naudience: client\nlanguage: en\n"
        'version: "1.0"\nreviewed:\n  date: 2026-11-01\n  by: Clinical reviewer\n'
        f"sources: []\nblocks:\n{blocks}"
    )


MINIMAL = handout_text(
    "Noticing your breath",
    "A short way to notice how you are breathing.",
    "  - type: paragraph\n    text: You might notice your breath for a moment.\n",
)


#: A packet of the one handout `breath` (MINIMAL saved as breath.yaml).
BREATH_PACKET = (
    "title: A small packet\n"
    "audience: client\n"
    "language: en\n"
    "sections:\n"
    "  - title: One\n"
    "    handouts: [breath]\n"
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked with one `xdist_group` go to one worker, as `--dist loadgroup` promises.

    pytest-xdist (3.8) groups them by appending "@group" to each test's node id
    through `item._nodeid`, which pytest 9.2 no longer reads: each test then went
    to any worker, an expensive module fixture was built on both, and tests
    that time things raced each other. Where xdist's own renaming took, this
    does nothing.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted(
            {
                str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                for m in item.iter_markers("xdist_group")
            }
        )
        nodeid = item.nodeid
        if not names or nodeid.rfind("@") > nodeid.rfind("]"):
            continue
        grouped = f"{nodeid}@{'_'.join(names)}"
        current = getattr(item, "_id", None)
        if current is not None and not isinstance(current, str):
            item._id = type(current).parse(grouped)  # pytest >= 9.2: a structured NodeId
        else:
            item._nodeid = grouped
    # Should a later pytest move the id again, fail here rather than lose the groups.
    assert all("@" in i.nodeid for i in items if i.get_closest_marker("xdist_group")), (
        "could not put the xdist_group tests in their groups"
    )


@pytest.fixture(scope="session", autouse=True)
def engine_loaded() -> None:
    """WeasyPrint loaded once in each test process, as a long-running process has it.

    A build of one or two documents then lays them out in the test process
    rather than forking a worker that imports WeasyPrint again and lays out
    with cold caches (about half a second more per build). The workers
    themselves are tested with three documents or more, and in fresh processes
    (`test_workers`, `test_engine`, the hostile suite), where a command starts
    the way a person's does.
    """
    from generator.engine import load_engine

    load_engine()


def tag_shape(pdf_path: Path) -> str:
    """A PDF's structure tree as `S(child child)`: structure elements only, and the
    Spans WeasyPrint marks each run of text with left out, so the shape shows."""
    import pikepdf

    def tags(node: Any) -> str:
        kids = node.get("/K")
        children = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        inner = [tags(k) for k in children if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        name = str(node.get("/S", "/Root"))[1:]
        return f"{name}({' '.join(inner)})" if inner else name

    with pikepdf.open(pdf_path) as pdf:
        return re.sub(r"\(Span(?: Span)*\)", "", tags(pdf.Root.StructTreeRoot))


def tiny_png() -> bytes:
    """A valid 2x2 grey PNG, made here so the tests need no binary files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80\x80" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


class Project:
    """A project folder in tmp_path, with helpers to add handouts to it."""

    def __init__(self, root: Path):
        self.root = root
        self.handouts = root / "content" / "handouts" / "en"
        self.handouts.mkdir(parents=True)

    def add(self, name: str, text: str = MINIMAL, language: str = "en") -> Path:
        folder = self.root / "content" / "handouts" / language
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        return path

    def add_data(self, name: str) -> Path:
        """Copy a sample from tests/data in as a handout of the same name."""
        return self.add(name, (DATA / name).read_text(encoding="utf-8"))

    def output_files(self) -> dict[str, bytes]:
        out = self.root / "output"
        if not out.exists():
            return {}
        return {
            str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
        }


@pytest.fixture
def tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh folder for each test, named t0, t1, ... rather than after the test.

    Builds started by the tests keep the fork server's socket in a TMPDIR under
    this folder, and a socket's path must stay within 107 bytes: pytest's own
    name (up to 31 characters of the test's name) plus pytest-xdist's folder per
    worker left too little room.
    """
    return tmp_path_factory.mktemp("t")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """An empty project, with the current folder inside it."""
    root = tmp_path / "clinic"
    root.mkdir()
    monkeypatch.chdir(root)
    return Project(root)


@pytest.fixture
def mini_packet(project: Project) -> Project:
    """A project with the breath handout and `mini`, a packet of it alone."""
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "mini.yaml").write_text(BREATH_PACKET, encoding="utf-8")
    return project


@pytest.fixture
def image_project(project: Project) -> Project:
    """A project with a small picture under content/images/."""
    images = project.root / "content" / "images"
    images.mkdir()
    (images / "calm.png").write_bytes(tiny_png())
    return project


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run the handouts command in-process and return its result."""
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


@pytest.fixture
def laid_out(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(html, base URL) of every document WeasyPrint lays out.

    With it, builds start no workers, so every layout happens here and is seen.
    The engine is loaded first, as a worker loads it before any layout: a short
    time limit that rang during its first import would leave this process (a
    pytest-xdist worker that runs many tests) with half-imported modules.
    """
    import generator.layout as layout_module
    from generator.engine import load_engine

    load_engine()

    calls: list[tuple[str, str]] = []
    real = layout_module.lay_out_one

    def counting(call):  # type: ignore[no-untyped-def]
        calls.append((call.html, call.base_url))
        return real(call)

    monkeypatch.setattr(layout_module, "lay_out_one", counting)
    monkeypatch.setattr(layout_module.WorkerPool, "start", lambda self: None)
    monkeypatch.setattr(layout_module.WorkerPool, "submit", lambda self, function, argument: None)
    return calls


@pytest.fixture
def hostile(tmp_path: Path) -> Callable[..., Run]:
    """Run `handouts` in a subprocess in tmp_path/clinic, with its own TMPDIR each time."""
    counter = [0]

    def go(*args: str, cwd: Path | None = None, **options: Any) -> Run:
        counter[0] += 1
        return run(args, cwd or tmp_path / "clinic", tmp=tmp_path / f"tmp{counter[0]}", **options)

    return go


def loaded_by(root: Path, args: list[str], modules: tuple[str, ...]) -> tuple[str, str, list[str]]:
    """Run the command in a fresh Python in `root`: its output, its errors, and which
    of `modules` it imported."""
    import subprocess

    code = (
        "import sys\n"
        "from generator.cli import main\n"
        "try:\n"
        f"    main({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {modules!r} if m in sys.modules), file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    *said, loaded = result.stderr.strip().splitlines()
    return result.stdout, "\n".join(said), ast.literal_eval(loaded)


def invoke_in(root: Path, *args: str) -> tuple[int, str]:
    """Run the command in-process with `root` as the current folder: (exit code, output).

    For module-scoped fixtures, which can't use the `cli` fixture or monkeypatch.
    """
    previous = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(previous)
    return result.exit_code, result.output
