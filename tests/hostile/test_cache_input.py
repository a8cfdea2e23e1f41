"""The cache is input like any other: nothing in it that does not verify reaches an output.

A project folder travels (a zip, a sync, a clone), so its `.handouts-cache/`
may hold anything: entries garbled, cut short, swapped, made on another
machine, or links to devices and to files outside. Every case builds with
the cache so spoiled and checks that the outputs are byte for byte those of
a build without any cache, that nothing was written outside the output
folder, and that the spoiled entry was replaced by a good one.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import generator.cache as cache_module
from conftest import MINIMAL, invoke_in
from generator.cache import CACHE_FOLDER

PACKET = (
    "title: A small packet\naudience: client\nlanguage: en\n"
    "sections:\n"
    "  - title: First part\n    handouts: [one, two]\n"
)


#: What each build prints: the files it wrote (in the project), and nothing else.
PRINTED = {
    "build": ["output/en/one.pdf", "output/en/two.pdf"],
    "packet": ["output/en/packets/mini.pdf"],
}


def _make(root: Path) -> None:
    handouts = root / "content/handouts/en"
    handouts.mkdir(parents=True)
    (handouts / "one.yaml").write_text(MINIMAL.replace("Noticing your breath", "Handout one"))
    (handouts / "two.yaml").write_text(MINIMAL.replace("Noticing your breath", "Handout two"))
    (root / "content/packets").mkdir()
    (root / "content/packets/mini.yaml").write_text(PACKET)


def _outputs(root: Path) -> dict[str, bytes]:
    out = root / "output"
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _outside(root: Path) -> set[Path]:
    """Every path beside the project (two levels up), the project itself left out."""
    around = root.parent.parent
    return {p for p in around.rglob("*") if not p.is_relative_to(root)}


# Every case starts from the module's warm project: one worker builds it once.
pytestmark = pytest.mark.xdist_group("spoiled-cache")


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A project built once with a cache, and its outputs from a build without one."""
    base = tmp_path_factory.mktemp("warm")
    cold = base / "cold"
    _make(cold)
    assert invoke_in(cold, "build", "one", "two", "-j", "1")[0] == 0
    assert invoke_in(cold, "packet", "mini", "-j", "1")[0] == 0
    shutil.rmtree(cold / CACHE_FOLDER)
    expected = _outputs(cold)
    project = base / "project"
    _make(project)
    assert invoke_in(project, "build", "one", "two", "-j", "1")[0] == 0
    assert invoke_in(project, "packet", "mini", "-j", "1")[0] == 0
    assert _outputs(project) == expected, "builds are reproducible, with or without a cache"
    shutil.rmtree(project / "output")
    return project, expected


@pytest.fixture
def spoil(
    warm: tuple[Path, dict[str, bytes]], tmp_path: Path
) -> Callable[[Callable[[list[Path], Path], None], str], Path]:
    """Copy the warm project, spoil its cache with `how`, build; return the copy."""
    project, expected = warm

    def run(how: Callable[[list[Path], Path], None], command: str) -> Path:
        # Two levels into the test's own folder: all that `_outside` watches is this
        # test's, not every earlier test's in this process (which took it seconds to read).
        root = tmp_path / "beside" / "clinic"
        shutil.copytree(project, root, symlinks=True)
        entries = sorted((root / CACHE_FOLDER).glob("*.pdf"))
        # The two handouts; the packet's cover, contents, divider, two parts and numbers.
        assert len(entries) == 8
        how(entries, root)
        before = _outside(root)
        args = ["build", "one", "two", "-j", "1"] if command == "build" else ["packet", "mini"]
        code, output = invoke_in(root, *args)
        assert (code, output) == (0, "".join(f"{root / p}\n" for p in PRINTED[command]))
        wanted = {k: v for k, v in expected.items() if ("packets" in k) == (command == "packet")}
        assert _outputs(root) == wanted
        # Nothing written beside the project by a cache that names a path.
        assert _outside(root) == before
        # The next build takes only good entries: the same outputs again.
        shutil.rmtree(root / "output")
        assert invoke_in(root, *args)[0] == 0
        assert _outputs(root) == wanted
        return root

    return run


def _flip(offset: float) -> Callable[[list[Path], Path], None]:
    def how(entries: list[Path], root: Path) -> None:
        for entry in entries:
            data = bytearray(entry.read_bytes())
            at = int(len(data) * offset) if offset < 1 else int(offset)
            data[at] ^= 0x20
            entry.write_bytes(bytes(data))

    return how


def _cut(keep: float) -> Callable[[list[Path], Path], None]:
    def how(entries: list[Path], root: Path) -> None:
        for entry in entries:
            data = entry.read_bytes()
            entry.write_bytes(data[: int(len(data) * keep)])

    return how


def _wipe_middle(entries: list[Path], root: Path) -> None:
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[:200] + b"\0" * (len(data) - 400) + data[-200:])


def _spaces_middle(entries: list[Path], root: Path) -> None:
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[:300] + b" " * (len(data) - 600) + data[-300:])


def _append(entries: list[Path], root: Path) -> None:
    for entry in entries:
        entry.write_bytes(entry.read_bytes() + b"\n%%EOF\n1 0 obj << /JS (app.alert(1)) >> endobj")


def _empty(entries: list[Path], root: Path) -> None:
    for entry in entries:
        entry.write_bytes(b"")


def _rotate(entries: list[Path], root: Path) -> None:
    """Every entry holds the next one's bytes: another handout's pages under this key."""
    contents = [e.read_bytes() for e in entries]
    for entry, data in zip(entries, contents[1:] + contents[:1], strict=True):
        entry.write_bytes(data)


def _bare_pdf(entries: list[Path], root: Path) -> None:
    """A plain PDF with no seal, as an older version or another tool would leave."""
    start = entries[0].read_bytes().index(b"%PDF-")
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[start:])


def _other_machine(entries: list[Path], root: Path) -> None:
    """Entries sealed with another secret: made on another machine, or by someone else."""
    start = entries[0].read_bytes().index(b"%PDF-")
    for entry, other in zip(entries, entries[1:] + entries[:1], strict=True):
        data = other.read_bytes()[start:]
        seal = cache_module._seal(b"x" * 32, entry.name, data)
        entry.write_bytes(cache_module._MAGIC + seal + b"\n" + data)


def _reseal_with_wrong_key(entries: list[Path], root: Path) -> None:
    """Each entry re-signed as another's: right secret, wrong key."""
    start = entries[0].read_bytes().index(b"%PDF-")
    secret = cache_module.user_secret()
    assert secret is not None
    contents = [e.read_bytes()[start:] for e in entries]
    for entry, other, data in zip(entries, entries[1:] + entries[:1], contents, strict=True):
        seal = cache_module._seal(secret, other.name, data)
        entry.write_bytes(cache_module._MAGIC + seal + b"\n" + data)


def _link_to(target: str) -> Callable[[list[Path], Path], None]:
    def how(entries: list[Path], root: Path) -> None:
        for entry in entries:
            entry.unlink()
            entry.symlink_to(target)

    return how


def _link_outside(entries: list[Path], root: Path) -> None:
    outside = root.parent / "outside.pdf"
    outside.write_bytes(entries[0].read_bytes())
    for entry in entries:
        entry.unlink()
        entry.symlink_to(outside)


def _fifo(entries: list[Path], root: Path) -> None:
    for entry in entries:
        entry.unlink()
        os.mkfifo(entry)


def _folder(entries: list[Path], root: Path) -> None:
    for entry in entries:
        entry.unlink()
        entry.mkdir()
        (entry / "x").write_text("x")


def _hints_elsewhere(entries: list[Path], root: Path) -> None:
    """Hints naming paths: they are only ever keys, so nothing is read or written there."""
    for hint in (root / CACHE_FOLDER).glob("*.next"):
        hint.write_text("../../../outside\n")
    for entry in entries:
        entry.unlink()


def _hints_absolute(entries: list[Path], root: Path) -> None:
    for hint in (root / CACHE_FOLDER).glob("*.next"):
        hint.write_text(str(root.parent / "abs") + "\n")


def _hints_fifo(entries: list[Path], root: Path) -> None:
    for hint in (root / CACHE_FOLDER).glob("*.next"):
        hint.unlink()
        os.mkfifo(hint)


def _hints_huge(entries: list[Path], root: Path) -> None:
    for hint in (root / CACHE_FOLDER).glob("*.next"):
        hint.write_bytes(b"a" * 3_000_000)


def _hints_zero(entries: list[Path], root: Path) -> None:
    for hint in (root / CACHE_FOLDER).glob("*.next"):
        hint.unlink()
        hint.symlink_to("/dev/zero")


def _cache_is_a_link_out(entries: list[Path], root: Path) -> None:
    """The whole cache folder a link to somewhere else: neither read nor written."""
    elsewhere = root.parent / "elsewhere"
    shutil.copytree(root / CACHE_FOLDER, elsewhere)
    for entry in elsewhere.glob("*.pdf"):
        entry.write_bytes(entry.read_bytes()[:400])
    shutil.rmtree(root / CACHE_FOLDER)
    (root / CACHE_FOLDER).symlink_to(elsewhere)


def _cache_is_a_file(entries: list[Path], root: Path) -> None:
    shutil.rmtree(root / CACHE_FOLDER)
    (root / CACHE_FOLDER).write_text("not a folder")


def _entry_named_like_a_path(entries: list[Path], root: Path) -> None:
    """Files in the cache that no key can name are never read."""
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:100])
    (root / CACHE_FOLDER / "..pdf").write_bytes(b"%PDF-1.7\n%%EOF")
    (root / CACHE_FOLDER / "en").mkdir()
    (root / CACHE_FOLDER / "en/one.pdf").write_bytes(b"%PDF-1.7\n%%EOF")


SPOILS: dict[str, Callable[[list[Path], Path], None]] = {
    "flip-first-byte": _flip(0),
    "flip-in-seal": _flip(30),
    "flip-pdf-header": _flip(82),
    "flip-at-tenth": _flip(0.1),
    "flip-mid": _flip(0.5),
    "flip-at-nine-tenths": _flip(0.9),
    "flip-near-end": _flip(0.999),
    "cut-to-header": _cut(0.01),
    "cut-half": _cut(0.5),
    "cut-last-bytes": _cut(0.995),
    "wipe-middle-keep-ends": _wipe_middle,
    "spaces-in-middle": _spaces_middle,
    "trailing-garbage": _append,
    "empty": _empty,
    "swapped": _rotate,
    "unsealed-pdf": _bare_pdf,
    "sealed-elsewhere": _other_machine,
    "sealed-for-another-key": _reseal_with_wrong_key,
    "link-to-dev-zero": _link_to("/dev/zero"),
    "link-to-dev-null": _link_to("/dev/null"),
    "link-to-etc-passwd": _link_to("/etc/passwd"),
    "link-to-missing": _link_to("/nonexistent/handout.pdf"),
    "link-outside-project": _link_outside,
    "fifo": _fifo,
    "folder": _folder,
    "hints-name-paths": _hints_elsewhere,
    "hints-absolute": _hints_absolute,
    "hints-fifo": _hints_fifo,
    "hints-huge": _hints_huge,
    "hints-dev-zero": _hints_zero,
    "cache-folder-links-out": _cache_is_a_link_out,
    "cache-folder-is-a-file": _cache_is_a_file,
    "entries-named-like-paths": _entry_named_like_a_path,
}

#: Packets join cached parts with pikepdf: the spoils most likely to upset it.
PACKET_SPOILS = (
    "flip-mid",
    "swapped",
    "fifo",
    "sealed-for-another-key",
    "flip-near-end",
    "cut-half",
    "wipe-middle-keep-ends",
    "trailing-garbage",
    "unsealed-pdf",
    "link-to-dev-zero",
    "cache-folder-links-out",
)


@pytest.mark.parametrize("name", list(SPOILS))
def test_a_spoiled_cache_never_reaches_a_handout(name: str, spoil) -> None:  # type: ignore[no-untyped-def]
    spoil(SPOILS[name], "build")


@pytest.mark.parametrize(
    "name",
    [
        # The first few in every run; the rest with the slow cases (scripts/hostile.py).
        name if index < 4 else pytest.param(name, marks=pytest.mark.slow)
        for index, name in enumerate(PACKET_SPOILS)
    ],
)
def test_a_spoiled_cache_never_reaches_a_packet(name: str, spoil) -> None:  # type: ignore[no-untyped-def]
    spoil(SPOILS[name], "packet")


def test_a_spoiled_entry_is_replaced_by_a_good_one(spoil) -> None:  # type: ignore[no-untyped-def]
    root = spoil(_flip(0.5), "build")
    project = cache_module.BuildCache.__new__(cache_module.BuildCache)
    project.folder = root / CACHE_FOLDER
    project.secret = cache_module.user_secret()
    sealed = [e for e in (root / CACHE_FOLDER).glob("*.pdf") if project.get(e.stem) is not None]
    # The two handouts built again; the packet's six parts, not built, stay spoiled.
    assert len(sealed) == 2


def test_without_a_place_for_the_secret_nothing_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No writable home: builds work, and no entry is read or written."""
    monkeypatch.setattr(cache_module, "_user_cache", lambda: Path("/proc/no-such-place"))
    cache_module.user_secret.cache_clear()
    try:
        root = tmp_path / "clinic"
        _make(root)
        assert invoke_in(root, "build", "one", "-j", "1")[0] == 0
        assert not list((root / CACHE_FOLDER).glob("*.pdf"))
    finally:
        cache_module.user_secret.cache_clear()


def test_a_damaged_secret_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "_user_cache", lambda: tmp_path / "home-cache")
    (tmp_path / "home-cache").mkdir()
    (tmp_path / "home-cache" / cache_module.SECRET_NAME).write_bytes(b"short")
    cache_module.user_secret.cache_clear()
    try:
        assert cache_module.user_secret() is None
        cache_module.user_secret.cache_clear()
        secret = cache_module.user_secret()
        assert secret is not None and len(secret) == 32
        assert (tmp_path / "home-cache" / cache_module.SECRET_NAME).stat().st_mode & 0o077 == 0
    finally:
        cache_module.user_secret.cache_clear()
