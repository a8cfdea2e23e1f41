"""Hostile edges: bytes that are not text, control characters, special files, full disks.

Each case ends in exit 0 with the right file, or in a clear message (exit 2
for a bad option value, naming the option; exit 1 otherwise), with no
traceback, no name repeated, and nothing new, partial or changed left behind.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from harness import Run

import generator.cache as cache_module
import generator.copies as copies_module
import generator.output as output_module
import generator.stylecache as stylecache
from conftest import BREATH_PACKET, MINIMAL

NOT_UTF8 = "the name is not valid text (it has bytes that are not UTF-8); retype it"
CONTROL = "the name has hidden control characters; retype it"
LIMIT_ADVICE = (
    "A limit on how large a file this program may write stopped it "
    "(see `ulimit -f`); raise the limit, or ask whoever set it"
)
FILE_SIZE_LIMIT = f"File too large. {LIMIT_ADVICE}"


def make_clinic(root: Path) -> Path:
    """A project with one handout (breath) and one packet (mini)."""
    (root / "content" / "handouts" / "en").mkdir(parents=True)
    (root / "content" / "packets").mkdir()
    (root / "content" / "handouts" / "en" / "breath.yaml").write_text(MINIMAL, encoding="utf-8")
    (root / "content" / "handouts" / "en" / "sleep.yaml").write_text(
        MINIMAL.replace("Noticing your breath", "Sleep"), encoding="utf-8"
    )
    (root / "content" / "packets" / "mini.yaml").write_text(BREATH_PACKET, encoding="utf-8")
    (root / "people.csv").write_text("name\nAnn Quorn\nBo Quorn\n", encoding="utf-8")
    return root


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project, in tmp_path/clinic (where `hostile` runs), as the current folder."""
    root = make_clinic(tmp_path / "clinic")
    monkeypatch.chdir(root)
    return root


def everything(root: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and folder under a root, to see that nothing changed."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            found[key] = "folder"
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "special"
    return found


def said_nothing_of(result: Result | Run, *words: str) -> None:
    text = result.output if isinstance(result, Result) else result.text
    assert "Traceback" not in text, text
    for word in words:
        assert word not in text, text


# --- names on the command line: bytes that are not UTF-8 (a real argv) -----------------


PATTERN_NOT_UTF8 = "it has bytes that are not UTF-8 text; retype it"
SLOW = pytest.mark.slow
COPIES_OF_MINI = ["packet", "mini", "-j", "1", "--participants", "people.csv"]


@pytest.mark.parametrize(
    ("args", "option", "message"),
    [
        pytest.param(
            ["build", "breath", "--client-name", b"Ann\xffQuorn"],
            "--client-name",
            NOT_UTF8,
            id="ff",
        ),
        pytest.param(
            ["build", "breath", "--client-name", b"Ann \xed\xa0\x80Quorn"],
            "--client-name",
            NOT_UTF8,
            id="encoded surrogate",
            marks=SLOW,
        ),
        pytest.param(
            ["build", "breath", "--client-name", b"Zo\xeb Quorn"],
            "--client-name",
            NOT_UTF8,
            id="latin-1",
        ),
        pytest.param(
            ["packet", "mini", "-j", "1", "--client-name", b"\xc3Quorn"],
            "--client-name",
            NOT_UTF8,
            id="packet, cut short",
            marks=SLOW,
        ),
        pytest.param(
            ["build", "breath", "--client-name", b"\x1b]0;Quorn\x07"],
            "--client-name",
            CONTROL,
            id="terminal escape",
        ),
        pytest.param(
            ["build", "breath", "--client-name", b"Ann\x1cQuorn"],
            "--client-name",
            CONTROL,
            id="separator",
            marks=SLOW,
        ),
        pytest.param(
            ["build", "breath", "--out-name", b"Quorn\xff.pdf"],
            "--out-name",
            PATTERN_NOT_UTF8,
            id="out-name",
        ),
        pytest.param(
            [*COPIES_OF_MINI, "--name-pattern", b"{n}-Quorn\xfe"],
            "--name-pattern",
            PATTERN_NOT_UTF8,
            id="name-pattern",
            marks=SLOW,
        ),
    ],
)
def test_argv_that_is_not_text_is_refused_by_option(
    tmp_path: Path, hostile: Callable[..., Run], args: list[str | bytes], option: str, message: str
) -> None:
    clinic = make_clinic(tmp_path / "clinic")
    before = everything(clinic)
    run = hostile(*args)
    run.assert_refused()
    assert run.code == 2
    assert run.err.splitlines()[-1] == f"Error: Invalid value for {option}: {message}"
    said_nothing_of(run, "Quorn", "\x1b", "\ufffd")
    assert everything(clinic) == before


@pytest.mark.slow
def test_a_message_about_a_name_is_plain_ascii(tmp_path: Path, hostile: Callable[..., Run]) -> None:
    # A terminal that takes only ASCII still gets the whole message, not a traceback.
    make_clinic(tmp_path / "clinic")
    run = hostile(
        b"build", b"breath", b"--client-name", b"Ann\xffQuorn", env={"PYTHONIOENCODING": "ascii"}
    )
    run.assert_refused()
    assert run.err.splitlines()[-1] == f"Error: Invalid value for --client-name: {NOT_UTF8}"


def test_a_folder_not_named_in_utf8_is_written_to(
    tmp_path: Path, hostile: Callable[..., Run]
) -> None:
    # Not a name: a folder the computer has, whatever its bytes.
    clinic = make_clinic(tmp_path / "clinic")
    run = hostile(b"build", b"breath", b"--format", b"html", b"--out", b"out-\xff")
    run.assert_clean(code=0)
    written = Path(os.fsdecode(b"out-\xff")) / "en" / "breath.html"
    assert (clinic / written).read_bytes().startswith(b"<!DOCTYPE html>")


# --- names on the command line: control characters and white space --------------------


@pytest.mark.parametrize(
    "char",
    [*"\x00\x01\x07\x08\x0e\x1b\x1c\x1d\x1e\x1f\x7f\x80\x9b\x9f"],
    ids=lambda c: f"U+{ord(c):04X}",
)
def test_a_control_character_in_a_client_name(
    clinic: Path, cli: Callable[..., Result], char: str
) -> None:
    result = cli("build", "breath", "--client-name", f"Ann{char}Quorn")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for --client-name: {CONTROL}"
    said_nothing_of(result, "Quorn", char)
    assert not (clinic / "output").exists()


@pytest.mark.parametrize(
    "name", ["", "   ", "\u2028", "\t\n\r"], ids=["empty", "spaces", "u2028", "breaks"]
)
def test_an_empty_client_name(clinic: Path, cli: Callable[..., Result], name: str) -> None:
    result = cli("build", "breath", "--client-name", name)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for --client-name: the name is empty (only spaces); give a name, "
        "or leave the option out"
    )
    assert not (clinic / "output").exists()


@pytest.mark.parametrize(
    "name",
    ["Ann\nQuorn", "Ann\r\nQuorn", "Ann\u2028Quorn", "Ann\x85Quorn", "\tAnn\x0b\x0c Quorn \u2029"],
    ids=["lf", "crlf", "u2028", "nel", "mixed"],
)
def test_white_space_in_a_client_name_is_one_space(
    clinic: Path, cli: Callable[..., Result], name: str
) -> None:
    result = cli("build", "breath", "--format", "html", "--client-name", name)
    assert result.exit_code == 0, result.output
    said_nothing_of(result, "Quorn")
    html = (clinic / "output" / "personal" / "en" / "breath.html").read_text(encoding="utf-8")
    assert "Ann Quorn" in html
    assert html.count("Quorn") == 1


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--out-name", "breath\x1b[2J.pdf"),
        ("--out-name", "breath\x00.pdf"),
        ("--out-name", "\x7fbreath"),
        ("--name-pattern", "{n}\x1f"),
        ("--name-pattern", "\x85{n}"),
        ("--name-pattern", "{n}\x07{id}"),
    ],
)
def test_a_control_character_in_a_file_name(
    clinic: Path, cli: Callable[..., Result], option: str, value: str
) -> None:
    command = ["build", "breath"] if option == "--out-name" else ["packet", "mini", "-j", "1"]
    if option == "--name-pattern":
        command += ["--participants", "people.csv"]
    result = cli(*command, option, value)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: Invalid value for {option}: it has hidden control characters; retype it"
    )
    assert not (clinic / "output").exists()


@pytest.mark.slow
def test_a_name_with_every_kind_of_break_prints_as_one_line(
    clinic: Path, cli: Callable[..., Result]
) -> None:
    name = "Ελένη\r\n\u2028Παπα\x85δοπούλου\x0c"
    result = cli("build", "breath", "--client-name", name, "-j", "1")
    assert result.exit_code == 0, result.output
    said_nothing_of(result, "Ελένη")
    text = subprocess.run(
        ["pdftotext", str(clinic / "output/personal/en/breath.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Prepared for Ελένη Παπα δοπούλου" in text


# --- paths a user gives: special files where a folder or a file is expected --------------


def special(root: Path, kind: str) -> str:
    """A path of the given kind, made in root."""
    if kind == "fifo":
        os.mkfifo(root / "fifo")
        return "fifo"
    if kind == "file":
        (root / "a-file").write_text("not a folder\n")
        return "a-file"
    if kind == "under a file":
        (root / "a-file").write_text("not a folder\n")
        return "a-file/out"
    if kind == "link to a fifo":
        os.mkfifo(root / "fifo")
        (root / "link").symlink_to(root / "fifo")
        return "link"
    if kind == "link to a device":
        (root / "link").symlink_to("/dev/null")
        return "link"
    if kind == "folder":
        (root / "a-folder").mkdir()
        return "a-folder"
    return kind  # a device's own path


OUT_KINDS = [
    "fifo",
    "file",
    "under a file",
    "link to a fifo",
    "link to a device",
    "/dev/null",
    "/dev/full",
    "/dev/zero",
]


@pytest.mark.parametrize("kind", OUT_KINDS)
@pytest.mark.parametrize(
    "command", [["build", "breath"], ["packet", "mini", "-j", "1"]], ids=["build", "packet"]
)
def test_out_must_be_a_folder(
    clinic: Path, cli: Callable[..., Result], kind: str, command: list[str]
) -> None:
    out = special(clinic, kind)
    before = everything(clinic)
    result = cli(*command, "--out", out)
    assert result.exit_code == 2, result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith("Error: Invalid value for '--out': ")
    assert last.endswith(
        ", not a folder; give a folder to write into (it is made if it is missing)"
    )
    said_nothing_of(result)
    assert everything(clinic) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_out_in_a_read_only_folder(clinic: Path, cli: Callable[..., Result]) -> None:
    locked = clinic / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = cli("build", "breath", "--format", "html", "--out", "locked/out")
    assert result.exit_code == 1
    assert "Permission denied" in result.stderr
    assert list(locked.iterdir()) == []


CONFIG_IS = {
    "/dev/null": "/dev/null: this is a device, not a file",
    "link to a device": "link: this is a device, not a file",
    "fifo": "fifo: this is a pipe (FIFO), not a file",
    "/dev/zero": "/dev/zero: this is a device, not a file",
    "link to a fifo": "link: this is a pipe (FIFO), not a file",
}


def test_config_that_is_a_folder(clinic: Path, cli: Callable[..., Result]) -> None:
    config = special(clinic, "folder")
    result = cli("build", "breath", "--config", config)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--config': File 'a-folder' is a directory."
    )
    assert not (clinic / "output").exists()


@pytest.mark.parametrize("kind", ["/dev/null", "link to a device"])
def test_config_that_is_a_device(clinic: Path, cli: Callable[..., Result], kind: str) -> None:
    config = special(clinic, kind)
    result = cli("build", "breath", "--config", config)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == CONFIG_IS[kind]
    assert not (clinic / "output").exists()


@pytest.mark.parametrize("kind", ["fifo", "/dev/zero", "link to a fifo"])
def test_config_that_would_never_end_is_refused(
    tmp_path: Path, hostile: Callable[..., Run], kind: str
) -> None:
    # In a process of its own: a read that never ended would be seen, and stopped.
    clinic = make_clinic(tmp_path / "clinic")
    config = special(clinic, kind)
    run = hostile("build", "breath", "--config", config)
    run.assert_refused()
    assert run.code == 1
    assert run.err.splitlines()[0] == CONFIG_IS[kind]
    assert not (clinic / "output").exists()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_participants_that_would_never_end(
    tmp_path: Path, hostile: Callable[..., Run], kind: str
) -> None:
    clinic = make_clinic(tmp_path / "clinic")
    people = special(clinic, kind)
    run = hostile("packet", "mini", "--participants", people, "-j", "1")
    run.assert_refused()
    assert run.code == 1
    assert run.err.splitlines()[0].endswith(", not a file")
    assert not (clinic / "output").exists()


def test_an_output_that_is_a_fifo_is_not_opened(
    tmp_path: Path, hostile: Callable[..., Run]
) -> None:
    clinic = make_clinic(tmp_path / "clinic")
    (clinic / "output" / "en").mkdir(parents=True)
    os.mkfifo(clinic / "output" / "en" / "breath.html")
    before = everything(clinic)
    run = hostile("build", "breath", "sleep", "--format", "html")
    run.assert_refused()
    assert "breath.html is not a regular file" in run.err
    assert everything(clinic) == before


def test_an_output_linked_to_a_huge_file_is_not_read(
    tmp_path: Path, hostile: Callable[..., Run]
) -> None:
    clinic = make_clinic(tmp_path / "clinic")
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as stream:
        stream.truncate(3 * 1024**3)  # sparse: takes no disk
    (clinic / "output" / "en").mkdir(parents=True)
    (clinic / "output" / "en" / "breath.html").symlink_to(huge)
    run = hostile("build", "breath", "--format", "html")
    run.assert_clean(code=0)
    assert (clinic / "output" / "en" / "breath.html").read_bytes().startswith(b"<!DOCTYPE html>")
    assert huge.stat().st_size == 3 * 1024**3


# --- a file-size limit (EFBIG), for real ---------------------------------------------


def limited(size: int) -> dict[int, int]:
    return {resource.RLIMIT_FSIZE: size}


def no_temporary_files(root: Path) -> None:
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_a_file_size_limit_when_writing_output(tmp_path: Path, hostile: Callable[..., Run]) -> None:
    clinic = make_clinic(tmp_path / "clinic")
    run = hostile("build", "breath", "sleep", "--format", "html", rlimits=limited(1024))
    run.assert_refused()
    assert run.code == 1
    assert run.err.strip() == (
        f"Error: could not write to {clinic}/output/en/breath.html: {FILE_SIZE_LIMIT}; "
        "no file was changed"
    )
    # Not even the folders it made are left.
    assert not (clinic / "output").exists()


def test_a_file_size_limit_changes_no_output(tmp_path: Path, hostile: Callable[..., Run]) -> None:
    clinic = make_clinic(tmp_path / "clinic")
    (clinic / "output" / "en").mkdir(parents=True)
    (clinic / "output" / "en" / "sleep.html").write_text("an earlier build\n")
    before = everything(clinic)
    run = hostile("build", "breath", "sleep", "--format", "html", rlimits=limited(2048))
    run.assert_refused()
    assert FILE_SIZE_LIMIT in run.err
    assert everything(clinic) == before


@pytest.mark.parametrize(
    "command",
    [
        ["init", "new-clinic"],
        ["new", "my-handout"],
        ["template", "copy", "css/print.css", "messages/en.yaml"],
    ],
    ids=["init", "new", "template copy"],
)
def test_a_file_size_limit_when_making_project_files(
    tmp_path: Path, hostile: Callable[..., Run], command: list[str]
) -> None:
    clinic = make_clinic(tmp_path / "clinic")
    before = everything(clinic)
    run = hostile(*command, rlimits=limited(1024))
    run.assert_refused()
    assert run.code == 1
    assert FILE_SIZE_LIMIT in run.err
    assert everything(clinic) == before


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["build", "breath"],
        ["build", "breath", "sleep", "-j", "2"],
        ["packet", "mini", "--participants", "people.csv", "-j", "2"],
    ],
    ids=["one worker", "fork server", "packet"],
)
def test_a_file_size_limit_during_layout(
    tmp_path: Path, hostile: Callable[..., Run], command: list[str]
) -> None:
    # WeasyPrint writes the fonts a page uses to temporary files, in the workers.
    clinic = make_clinic(tmp_path / "clinic")
    before = everything(clinic)
    run = hostile(*command, rlimits=limited(8192))
    run.assert_refused()
    assert run.code == 1
    (line,) = run.err.splitlines()
    assert line.startswith("Error: could not lay out a PDF: a temporary file in ")
    assert line.endswith(
        f"could not be written (File too large). {LIMIT_ADVICE}; no file was written"
    )
    said_nothing_of(run, "Quorn", "worker", "Exception")
    after = everything(clinic)
    after.pop(".handouts-cache", None)  # a cache that can't be written is only slower
    assert after == before


@pytest.mark.slow
def test_a_file_size_limit_after_layout(tmp_path: Path, hostile: Callable[..., Run]) -> None:
    # The first build lays out and keeps the PDF; the second writes it, and may not.
    clinic = make_clinic(tmp_path / "clinic")
    hostile("build", "breath").assert_clean(code=0)
    (clinic / "output" / "en" / "breath.pdf").write_bytes(b"an earlier build\n")
    before = everything(clinic)
    run = hostile("build", "breath", rlimits=limited(4096))
    run.assert_refused()
    assert FILE_SIZE_LIMIT in run.err
    assert everything(clinic) == before


@pytest.mark.parametrize("zipped", [[], ["--zip"]], ids=["files", "zip"])
def test_a_file_size_limit_as_copies_are_written(
    tmp_path: Path, hostile: Callable[..., Run], zipped: list[str]
) -> None:
    # Room for the fonts WeasyPrint copies as it lays the covers out (under 40 KB
    # each), not for a copy (about 70 KB): the workers' writes fail, mid-run.
    clinic = make_clinic(tmp_path / "clinic")
    hostile("packet", "mini").assert_clean(code=0)
    before = everything(clinic)
    run = hostile(*COPIES_OF_MINI, *zipped, rlimits=limited(64 * 1024))
    run.assert_refused()
    assert run.code == 1
    assert run.err.splitlines() == [
        f"Error: could not write to {clinic}/output/personal/en/packets: {FILE_SIZE_LIMIT}; "
        "no file was changed"
    ]
    said_nothing_of(run, "Quorn", "worker", "Exception")
    # No copy, no hidden folder, not even the folders made for them.
    after = everything(clinic)
    after.pop(".handouts-cache", None)
    before.pop(".handouts-cache", None)
    assert after == before


@pytest.mark.slow
def test_a_file_size_signal_is_ignored(tmp_path: Path, hostile: Callable[..., Run]) -> None:
    # SIGXFSZ would end the process; it is ignored, so the write fails with EFBIG instead.
    make_clinic(tmp_path / "clinic")
    run = hostile("build", "breath", "sleep", send=(0.0, signal.SIGXFSZ), after_start="forkserver")
    run.assert_clean(code=0)


# --- a full disk (ENOSPC), the write made to fail here -----------------------------------


class _Filling:
    """A file on a disk with `room` bytes left: writing more fails as a full disk does."""

    def __init__(self, stream: Any, room: list[int]):
        self.stream = stream
        self.room = room

    def write(self, data: Any) -> int:
        data = bytes(data)
        if len(data) > self.room[0]:
            self.stream.write(data[: self.room[0]])
            self.room[0] = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room[0] -= len(data)
        return int(self.stream.write(data))

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return int(self.stream.fileno())

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> _Filling:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def full_disk(monkeypatch: pytest.MonkeyPatch, module: types.ModuleType, room: int) -> None:
    """Make one module's writes fail once `room` bytes are written."""
    fake = types.ModuleType("os")
    fake.__dict__.update(os.__dict__)
    left = [room]
    fake.fdopen = lambda fd, *a, **k: _Filling(os.fdopen(fd, *a, **k), left)  # type: ignore[attr-defined]
    monkeypatch.setattr(module, "os", fake)


FULL = (
    "No space left on device. The disk (or your quota) is full; free some space, or use "
    "--out for a folder on another disk; no file was changed"
)


@pytest.mark.parametrize("room", [0, 100, 12_000], ids=["at once", "mid-file", "second file"])
def test_a_full_disk_when_writing_output(
    clinic: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, room: int
) -> None:
    full_disk(monkeypatch, output_module, room)
    result = cli("build", "breath", "sleep", "--format", "html")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: could not write to ")
    assert result.stderr.strip().endswith(FULL)
    assert not (clinic / "output").exists()


def test_a_full_disk_changes_no_output(
    clinic: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("build", "breath", "sleep", "--format", "html").exit_code == 0
    (clinic / "content/handouts/en/breath.yaml").write_text(MINIMAL.replace("moment", "while"))
    (clinic / "content/handouts/en/sleep.yaml").write_text(MINIMAL.replace("moment", "night"))
    before = everything(clinic)
    full_disk(monkeypatch, output_module, 12_000)
    result = cli("build", "breath", "sleep", "--format", "html")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(FULL)
    assert everything(clinic) == before


def test_a_full_disk_on_fsync(
    clinic: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some file systems only find the disk full when the data is flushed to it.
    fake = types.ModuleType("os")
    fake.__dict__.update(os.__dict__)

    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    fake.fsync = fsync  # type: ignore[attr-defined]
    monkeypatch.setattr(output_module, "os", fake)
    result = cli("build", "breath", "--format", "html", "--out", "elsewhere/deep")
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(FULL)
    assert not (clinic / "elsewhere").exists()


@pytest.mark.parametrize(
    ("command", "room"),
    [
        (["init", "new-clinic"], 0),
        (["init", "new-clinic"], 40),
        (["init", "."], 40),
        (["new", "my-handout"], 100),
        (["template", "copy", "css/print.css", "messages/en.yaml"], 10_000),
    ],
    ids=["init", "init mid-way", "init here", "new", "template copy, second file"],
)
def test_a_full_disk_when_making_project_files(
    clinic: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    room: int,
) -> None:
    if command == ["init", "."]:
        monkeypatch.chdir(clinic / "content" / "packets")  # an empty folder, kept
    before = everything(clinic)
    full_disk(monkeypatch, output_module, room)
    result = cli(*command)
    assert result.exit_code == 1, result.output
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert everything(clinic) == before


def test_a_full_disk_when_making_a_folder(
    clinic: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Path.mkdir

    def mkdir(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name == "assets":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    before = everything(clinic)
    result = cli("init", "deep/new-clinic")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: could not create the project in deep/new-clinic: could not make "
        "deep/new-clinic/assets: No space left on device; check that you may write there "
        "and that the disk has space"
    )
    assert everything(clinic) == before


@pytest.fixture
def in_process(laid_out: list[tuple[str, str]]) -> Iterator[None]:
    """Layout in this process (so the failures made here reach it), its style cache empty."""
    saved = dict(stylecache._STYLES)
    stylecache._STYLES.clear()
    yield
    stylecache._STYLES.clear()
    stylecache._STYLES.update(saved)


def test_a_full_cache_is_only_slower(
    clinic: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, in_process: None
) -> None:
    # The user's secret first: made in a full disk, there would be no cache at all.
    assert cache_module.user_secret() is not None
    full_disk(monkeypatch, cache_module, 0)
    result = cli("build", "breath")
    assert result.exit_code == 0, result.output
    assert (clinic / "output/en/breath.pdf").read_bytes().startswith(b"%PDF-")
    cache = clinic / ".handouts-cache"
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_full_disk_during_layout(
    clinic: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, in_process: None
) -> None:
    import weasyprint.text.fonts as weasyprint_fonts

    class FullPath(type(Path())):  # type: ignore[misc]
        def write_bytes(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(weasyprint_fonts, "Path", FullPath)
    before = everything(clinic)
    result = cli("build", "breath", "--client-name", "Ann Quorn")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: could not lay out a PDF: a temporary file in ")
    assert line.endswith(
        "could not be written (No space left on device). The disk (or your quota) is full; "
        "free some space, or set TMPDIR to a folder on a disk with space; no file was written"
    )
    said_nothing_of(result, "Quorn")
    assert everything(clinic) == before


@pytest.mark.slow
def test_a_full_disk_when_writing_copies(
    clinic: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, in_process: None
) -> None:
    # Room for the first copy, not the second: neither is left. Each copy is
    # written where it is made, into the run's hidden folder beside the output.
    before = everything(clinic)
    left = [100_000]  # a copy is about 75 KB

    def filling(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        stream = open(path, mode, *args, **kwargs)  # noqa: SIM115 (the caller closes it)
        return _Filling(stream, left) if "b" in mode and "r" not in mode else stream

    monkeypatch.setattr(copies_module, "open", filling, raising=False)
    result = cli("packet", "mini", "--participants", "people.csv")
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().endswith(FULL)
    said_nothing_of(result, "Quorn")
    after = everything(clinic)
    after = {k: v for k, v in after.items() if not k.startswith(".handouts-cache")}
    assert after == before
