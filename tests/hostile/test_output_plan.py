"""Output is never lost: a run that cannot write every file it plans changes none.

Each case starts from a project whose outputs were built before, puts
something in the way of one target (a folder, a pipe, a link to a device, a
file where a folder goes) or asks for two targets with one name, and checks
that the run stops with a message, that every earlier output is byte for
byte as it was, and that no new or temporary file appeared.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINIMAL, invoke_in

PACKET = (
    "title: {title}\naudience: client\nlanguage: en\n"
    "sections:\n"
    "  - title: First part\n    handouts: [one, two]\n"
)


def _make(root: Path) -> None:
    handouts = root / "content/handouts/en"
    handouts.mkdir(parents=True)
    for name in ("one", "two"):
        (handouts / f"{name}.yaml").write_text(MINIMAL.replace("breath", f"breath ({name})"))
    packets = root / "content/packets"
    packets.mkdir()
    for name in ("mini", "maxi"):
        (packets / f"{name}.yaml").write_text(PACKET.format(title=name))
    (root / "people.csv").write_text("name\nAlex Rivera\nSam Okafor\nAlex Rivera\n")


def _state(root: Path) -> dict[str, bytes | str]:
    """Every path under the output folders, with a regular file's bytes."""
    found: dict[str, bytes | str] = {}
    for folder in ("output", "elsewhere"):
        for path in sorted((root / folder).rglob("*")) if (root / folder).exists() else []:
            name = str(path.relative_to(root))
            if path.is_symlink():
                found[name] = f"link to {os.readlink(path)}"
            elif path.is_file():
                found[name] = path.read_bytes()
            else:
                found[name] = "not a regular file" if not path.is_dir() else "folder"
    return found


# Every test starts from the module's built project: one worker builds it once.
pytestmark = pytest.mark.xdist_group("output-plan")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with every output of every command below built once."""
    root = tmp_path_factory.mktemp("built") / "clinic"
    _make(root)
    for args in (
        ("build", "-j", "1"),
        ("build", "--format", "html"),
        ("build", "one", "--edition", "clinician", "-j", "1"),
        ("packet", "mini", "maxi", "-j", "1"),
    ):
        code, output = invoke_in(root, *args)
        assert code == 0, output
    return root


def _copy(built: Path, tmp_path: Path) -> Path:
    root = tmp_path / "clinic"
    shutil.copytree(built, root, symlinks=True)
    # Every input changes, so a run that got as far as writing would change every output.
    for name in ("one", "two"):
        path = root / f"content/handouts/en/{name}.yaml"
        path.write_text(path.read_text().replace("for a moment", "for a while"))
    return root


def _folder(path: Path) -> None:
    path.mkdir()
    (path / "keep.txt").write_text("the clinician's own file")


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    # A socket's address is short: bound by its name, from its folder.
    previous = Path.cwd()
    os.chdir(path.parent)
    try:
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(path.name)
        listener.close()
    finally:
        os.chdir(previous)


def _link_to_dev_null(path: Path) -> None:
    path.symlink_to("/dev/null")


def _link_to_dev_full(path: Path) -> None:
    path.symlink_to("/dev/full")


def _link_to_folder(path: Path) -> None:
    (path.parent / "real-folder").mkdir()
    path.symlink_to(path.parent / "real-folder")


OBSTACLES: dict[str, Callable[[Path], None]] = {
    "folder": _folder,
    "fifo": _fifo,
    "socket": _socket,
    "link-to-dev-null": _link_to_dev_null,
    "link-to-dev-full": _link_to_dev_full,
    "link-to-folder": _link_to_folder,
}

#: (command, the target one obstacle is put in place of, relative to the project)
RUNS: dict[str, tuple[tuple[str, ...], str]] = {
    "build-all": (("build", "-j", "1"), "output/en/two.pdf"),
    "build-html": (("build", "--format", "html"), "output/en/two.html"),
    "build-clinician": (
        ("build", "one", "two", "--edition", "clinician"),
        "output/en/two-clinician.pdf",
    ),
    "packet": (("packet", "mini", "maxi", "-j", "1"), "output/en/packets/maxi.pdf"),
    "packet-copies": (
        ("packet", "mini", "--participants", "people.csv", "-j", "1"),
        "output/personal/en/packets/mini-003.pdf",
    ),
}


#: Run with the slow cases (scripts/hostile.py): a packet lays out more.
SLOW_RUNS = ("build-clinician", "packet", "packet-copies")


@pytest.mark.parametrize("obstacle", list(OBSTACLES))
@pytest.mark.parametrize(
    "command",
    [c if c not in SLOW_RUNS else pytest.param(c, marks=pytest.mark.slow) for c in RUNS],
)
def test_something_in_the_way_changes_nothing(
    built: Path, tmp_path: Path, command: str, obstacle: str
) -> None:
    root = _copy(built, tmp_path)
    args, target = RUNS[command]
    path = root / target
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    OBSTACLES[obstacle](path)
    before = _state(root)
    code, output = invoke_in(root, *args)
    assert code == 1, output
    assert "Traceback" not in output
    assert str(path) in output or target in output, output
    assert "nothing was written" in output
    assert _state(root) == before
    assert not [p for p in root.rglob("*.tmp")]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--name-pattern", "copy-{n}"), "add {id}"),
        (("--name-pattern", "copy"), "the same name"),
        (("--name-pattern", "{name}"), "the same file name (rows 2 and 4 of the list)"),
        (("--name-pattern", "{id}-{name}"), "the same file name (rows 2 and 4 of the list)"),
        (("--name-pattern", "{id}"), "the same name"),
    ],
)
def test_two_copies_with_one_name_are_refused_before_any_work(
    built: Path, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    root = _copy(built, tmp_path)
    before = _state(root)
    code, output = invoke_in(root, "packet", "mini", "maxi", "--participants", "people.csv", *args)
    assert code == 2, output
    assert says in output
    # Not even as a file name would spell it ("alex-rivera.pdf").
    assert not {"alex", "rivera", "sam", "okafor"} & set(re.findall(r"[a-z]+", output.lower()))
    assert _state(root) == before


GIVE_A_FOLDER = "give a folder to write into (it is made if it is missing)"


@pytest.mark.parametrize("kind", ["file", "fifo", "dev-null", "under-a-file"])
@pytest.mark.parametrize("command", ["build", "packet"])
def test_an_out_folder_that_is_not_a_folder(
    built: Path, tmp_path: Path, kind: str, command: str
) -> None:
    root = _copy(built, tmp_path)
    (root / "elsewhere").mkdir()
    out = root / "elsewhere" / "out"
    if kind == "file":
        out.write_text("a clinician's notes")
    elif kind == "fifo":
        os.mkfifo(out)
    elif kind == "dev-null":
        out.symlink_to("/dev/null")
    else:
        (root / "elsewhere" / "notes.txt").write_text("notes")
        out = root / "elsewhere" / "notes.txt" / "out"
    before = _state(root)
    args = ("build", "one") if command == "build" else ("packet", "mini")
    code, output = invoke_in(root, *args, "--out", str(out), "-j", "1")
    usage = (
        "main build [OPTIONS] [IDS]..." if command == "build" else "main packet [OPTIONS] IDS..."
    )
    why = {
        "file": f"this is a file, not a folder; {GIVE_A_FOLDER}",
        "fifo": f"this is a pipe (FIFO), not a folder; {GIVE_A_FOLDER}",
        "dev-null": f"this is a device, not a folder; {GIVE_A_FOLDER}",
        "under-a-file": f"{out.parent} is a file, not a folder; {GIVE_A_FOLDER}",
    }[kind]
    assert (code, output) == (
        2,
        f"Usage: {usage}\nTry 'main {command} --help' for help.\n\n"
        f"Error: Invalid value for '--out': {why}\n",
    )
    assert _state(root) == before


@pytest.mark.parametrize(
    "clashing",
    [
        "one-clinician",
        "one-a4",
        "one-large-print",
        "one-fillable",
        "one-ink-saver",
        "one-clinician-large-print",
        "one-a4-fillable-ink-saver",
    ],
)
def test_an_id_that_is_another_handouts_variant_writes_nothing(
    built: Path, tmp_path: Path, clashing: str
) -> None:
    root = _copy(built, tmp_path)
    (root / f"content/handouts/en/{clashing}.yaml").write_text(MINIMAL)
    before = _state(root)
    code, output = invoke_in(root, "build", "-j", "1")
    assert code == 1, output
    assert f"content/handouts/en/{clashing}.yaml" in output
    assert _state(root) == before
