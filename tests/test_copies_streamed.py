"""Participants' copies are made a batch at a time and written as they are finished:
the same files as all at once, in one zip if asked, and nothing written unless all are."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from conftest import BREATH_PACKET, Project
from generator import assemble, copies

NAMES = [
    "Alex Rivera",
    "Sam O'Neill",
    "Zoë Chen",
    "Priya Natarajan",
    "Tomás Ortega",
    "Kofi Mensah",
    "Ingrid Solberg",
    "Mai Tran",
]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three covers laid out at a time and two copies in the workers' hands: eight
    names are three batches, and copies are collected while others are made."""
    monkeypatch.setattr(assemble, "PERSONAL_BATCH", 3)
    monkeypatch.setattr(copies, "IN_FLIGHT", 2)


def people(project: Project, names: list[str]) -> Path:
    path = project.root / "people.csv"
    path.write_text("name\n" + "".join(f'"{name}"\n' for name in names), encoding="utf-8")
    return path


def page_texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


def hidden(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".")]


def assert_each_copy_is_its_own(files: list[bytes]) -> None:
    assert len(files) == len(NAMES)
    for data, name in zip(files, NAMES, strict=True):
        assert_only_named(data, name)
        pages = page_texts(data)
        # The name is on its cover only; no one else's is anywhere in the copy.
        assert not any(name in page for page in pages[1:])
        others = [other for other in NAMES if other != name]
        assert not any(other in page for other in others for page in pages)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert str(pdf.docinfo["/Title"]) == "A small packet"


def test_copies_made_in_batches_are_the_copies_made_at_once(
    mini_packet: Project, cli, small_batches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv = people(mini_packet, NAMES)
    out = mini_packet.root / "batched"
    result = cli("packet", "mini", "--participants", str(csv), "--out", str(out), "-j", "2")
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == [f"mini-{n:03d}.pdf" for n in range(1, 9)]
    assert all(p.parent == out / "personal" / "en" / "packets" for p in paths)
    batched = [p.read_bytes() for p in paths]
    assert_each_copy_is_its_own(batched)
    assert hidden(out) == []
    # All the covers in one batch, and every copy in the workers' hands at once.
    monkeypatch.setattr(assemble, "PERSONAL_BATCH", 32)
    monkeypatch.setattr(copies, "IN_FLIGHT", 16)
    whole = mini_packet.root / "whole"
    result = cli("packet", "mini", "--participants", str(csv), "--out", str(whole), "-j", "2")
    assert result.exit_code == 0, result.output
    assert [Path(line).read_bytes() for line in result.stdout.splitlines()] == batched
    for name in NAMES:
        assert name not in result.output


def test_a_zip_holds_the_same_copies_and_is_made_again_the_same(
    mini_packet: Project, cli, small_batches: None
) -> None:
    csv = people(mini_packet, NAMES)
    result = cli("packet", "mini", "--participants", str(csv), "--out", "files")
    assert result.exit_code == 0, result.output
    files = [Path(line).read_bytes() for line in result.stdout.splitlines()]
    zipped = cli("packet", "mini", "--participants", str(csv), "--out", "zipped", "--zip")
    assert zipped.exit_code == 0, zipped.output
    (path,) = [Path(line) for line in zipped.stdout.splitlines()]
    assert path == Path("zipped/personal/en/packets/mini-copies.zip")
    with zipfile.ZipFile(mini_packet.root / path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [f"mini-{n:03d}.pdf" for n in range(1, 9)]
        assert [archive.read(entry) for entry in archive.namelist()] == files
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    # Only the zip is left: no copy beside it, no hidden folder.
    assert sorted(p.name for p in (mini_packet.root / "zipped").rglob("*") if p.is_file()) == [
        "mini-copies.zip"
    ]
    assert hidden(mini_packet.root / "zipped") == []
    before = (mini_packet.root / path).stat().st_mtime_ns
    again = cli("packet", "mini", "--participants", str(csv), "--out", "zipped", "--zip")
    assert again.exit_code == 0, again.output
    # The same copies make the same zip, which is left as it was.
    assert (mini_packet.root / path).stat().st_mtime_ns == before


@pytest.mark.parametrize("certificate", [False, True], ids=["cover", "cover and certificate"])
def test_copies_made_with_the_shared_pages_kept_open_are_those_made_afresh(
    mini_packet: Project, monkeypatch: pytest.MonkeyPatch, certificate: bool
) -> None:
    # A worker keeps the shared pages open and takes each copy's cover (and
    # certificate) out again after writing it: every copy must be the bytes a
    # freshly opened document gives, whoever the copies before it were for.
    from generator.config import find_project
    from generator.content import load_packets
    from generator.options import RenderOptions
    from generator.request import PacketRequest

    if certificate:
        manifest = mini_packet.root / "content" / "packets" / "mini.yaml"
        manifest.write_text(BREATH_PACKET + "certificate:\n  hours: 1.5\n", encoding="utf-8")
    project = find_project(mini_packet.root)
    (item,) = load_packets(project.roots, ["mini"])
    options = RenderOptions().resolved(project.config)
    jobs: list[copies.CopyJob] = []
    shared = mini_packet.root / "shared.pdf"

    def kept(job: copies.CopyJob) -> bytes:
        # The run removes its file of the shared pages when it ends: keep a copy.
        assert isinstance(job.shared, str)
        shared.write_bytes(Path(job.shared).read_bytes())
        jobs.append(replace(job, shared=str(shared)))
        return b""

    monkeypatch.setattr(copies, "finish", kept)
    names = [(name, f"people.csv:{row}") for row, name in enumerate(NAMES, start=2)]
    assembler = assemble.Assembler(project, item, options, PacketRequest(ids=("mini",)))
    assert len(assembler.copies(names)) == len(NAMES)
    monkeypatch.undo()
    monkeypatch.setattr(copies, "REOPEN_AFTER", 3)  # opened again twice in eight copies
    assert all((job.last is not None) == certificate for job in jobs)
    in_open = [copies.finish(job) for job in jobs]
    afresh = [copies.finish(replace(job, shared=shared.read_bytes())) for job in jobs]
    assert in_open == afresh
    for data, name in zip(in_open, NAMES, strict=True):
        assert_only_named(data, name)


def assert_only_named(data: bytes, name: str) -> None:
    """Every stream of a copy, decoded: its own name is there, no one else's anywhere."""
    texts = page_texts(data)
    assert f"Prepared for {name}" in texts[0]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        everything = (
            b"".join(
                obj.read_bytes() if isinstance(obj, pikepdf.Stream) else repr(obj).encode()
                for obj in pdf.objects
            )
            + " ".join(texts).encode()
        )
    for other in NAMES:
        if other != name:
            assert other.encode() not in everything
            assert other.encode("utf-16-be") not in everything


def test_a_trainer_zip_is_named_for_its_edition(mini_packet: Project, cli) -> None:
    csv = people(mini_packet, NAMES[:2])
    result = cli("packet", "mini", "--participants", str(csv), "--zip", "--edition", "trainer")
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()).name == "mini-trainer-copies.zip"


def test_zip_without_participants_is_a_usage_error(mini_packet: Project, cli) -> None:
    result = cli("packet", "mini", "--zip")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: --zip puts participants' copies in one file; add --participants"
    )
    assert mini_packet.output_files() == {}


#: A theme that prints the name so large that a long one takes a second page.
HUGE_NAME = ".prepared-for { font-size: 84pt; line-height: 1.2; }\n"


@pytest.mark.parametrize("zipped", [False, True], ids=["files", "zip"])
def test_a_row_that_fails_in_a_later_batch_writes_nothing(
    mini_packet: Project, cli, small_batches: None, zipped: bool
) -> None:
    (mini_packet.root / "assets").mkdir()
    (mini_packet.root / "assets" / "extra.css").write_text(HUGE_NAME, encoding="utf-8")
    (mini_packet.root / "handouts.yaml").write_text("theme:\n  css: assets/extra.css\n")
    option = ["--zip"] if zipped else []
    first = cli("packet", "mini", "--participants", str(people(mini_packet, NAMES[:4])), *option)
    assert first.exit_code == 0, first.output
    before = mini_packet.output_files()
    assert len(before) == (1 if zipped else 4)
    long_name = "Maximiliane Wolkenstein-Trostburg von Hohenberg-Aldringen"
    names = [*NAMES[:6], long_name, *NAMES[6:]]
    result = cli("packet", "mini", "--participants", str(people(mini_packet, names)), *option)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: content/packets/mini.yaml: the cover of the copy for people.csv:8 takes "
    ), result.stderr
    assert result.stderr.endswith(
        "pages, but a cover must fit on one; shorten the name there, or the packet's title, "
        "subtitle, organisation or facilitator\n"
    )
    assert "Maximiliane" not in result.output
    # The copies made before the long name are gone; the earlier run's are as they were.
    assert mini_packet.output_files() == before
    assert hidden(mini_packet.root / "output") == []


def test_a_killed_runs_hidden_folder_is_removed_by_the_next(mini_packet: Project, cli) -> None:
    folder = mini_packet.root / "output" / "personal" / "en" / "packets"
    folder.mkdir(parents=True)
    # No process has this id (it is above Linux's largest); this one is running.
    gone = folder / ".handouts-staging-4194305-abc123"
    running = folder / f".handouts-staging-{os.getpid()}-def456"
    for left in (gone, running):
        left.mkdir()
        (left / "0.part").write_bytes(b"%PDF-1.7 half")
    result = cli("packet", "mini", "--participants", str(people(mini_packet, NAMES[:2])))
    assert result.exit_code == 0, result.output
    assert not gone.exists()
    assert running.is_dir()
    assert sorted(p.name for p in folder.glob("*.pdf")) == ["mini-001.pdf", "mini-002.pdf"]


# Copies written slowly, so that the stop comes while some are written and some are not.
SLOW_COPIES = (
    "import os, sys, time\n"
    "real = os.fsync\n"
    "def slow(fd):\n"
    "    time.sleep(0.3)\n"
    "    real(fd)\n"
    "os.fsync = slow\n"
    "from generator.cli import main\n"
    "sys.argv = ['handouts', *sys.argv[1:]]\n"
    "main()\n"
)


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGTERM")
def test_a_run_stopped_while_copies_are_written_leaves_nothing(mini_packet: Project) -> None:
    csv = people(mini_packet, NAMES)
    # One worker, forked from this command's process: it writes slowly too.
    command = [sys.executable, "-c", SLOW_COPIES, "packet", "mini", "--participants", str(csv)]
    run = subprocess.Popen(
        [*command, "-j", "1"], cwd=mini_packet.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    folder = mini_packet.root / "output" / "personal" / "en" / "packets"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(folder.glob(".handouts-staging-*/*.part")):
        time.sleep(0.05)
    assert any(folder.glob(".handouts-staging-*/*.part")), "no copy was begun"
    run.send_signal(signal.SIGTERM)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode != 0
    assert b"Traceback" not in stderr
    assert mini_packet.output_files() == {}
    assert not folder.exists() or hidden(folder) == []
