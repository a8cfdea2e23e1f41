"""Nothing lost: killed, failed, blocked or concurrent builds never leave a broken PDF."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL, Project

HANDOUTS = ["withdrawal-response", "daily-check-in", "body-alarm-system"]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def valid_pdf(path: Path) -> bool:
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages) > 0
    except pikepdf.PdfError:
        return False


# Writes made slow on purpose, so the kill lands in the middle of them.
SLOW_WRITES = (
    "import os, sys, time\n"
    "real = os.fsync\n"
    "def slow(fd):\n"
    "    time.sleep(0.4)\n"
    "    real(fd)\n"
    "os.fsync = slow\n"
    "from generator.cli import main\n"
    "sys.argv = ['handouts', *sys.argv[1:]]\n"
    "main()\n"
)


def test_sigkill_mid_write_keeps_earlier_pdfs(project: Project, cli) -> None:
    names = ["one", "two", "three"]
    for name in names:
        project.add(f"{name}.yaml")
    out = project.root / "out"
    assert cli("build", *names, "--out", str(out)).exit_code == 0
    before = snapshot(out)
    # New words, so the next build really writes new files.
    for name in names:
        project.add(f"{name}.yaml", MINIMAL.replace("for a moment", "for a short while"))
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITES, "build", *names, "--out", str(out)],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = out / "en"
    deadline = time.monotonic() + 120
    while not any(p.name.endswith(".tmp") for p in folder.iterdir()):
        assert child.poll() is None, "the build ended before it wrote anything"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    final = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    assert final == {f"{n}.pdf" for n in names}
    for name in final:
        # Killed while writing temporary files: every PDF is the earlier one, whole.
        assert (folder / name).read_bytes() == before[f"en/{name}"][0]
        assert valid_pdf(folder / name)
    leftovers = {p.name for p in folder.iterdir()} - final
    assert leftovers, "the kill should have interrupted the writing"
    assert all(n.startswith(".") and n.endswith(".tmp") for n in leftovers)


def test_a_failed_build_changes_no_file(project: Project, cli) -> None:
    project.add("good.yaml")
    assert cli("build", "good").exit_code == 0
    before = snapshot(project.root / "output")
    project.add("bad.yaml", MINIMAL.replace("audience: client", "audience: ?"))
    time.sleep(0.01)
    result = cli("build")
    assert result.exit_code == 1
    assert snapshot(project.root / "output") == before


def test_a_blocked_fetch_changes_no_file(project: Project, cli) -> None:
    project.add("good.yaml")
    assert cli("build", "good").exit_code == 0
    before = snapshot(project.root / "output")
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "paragraph.html").write_text('<p><img src="file:///etc/hostname" alt="x"></p>\n')
    result = cli("build", "good")
    assert result.exit_code == 1
    assert "blocked a file or address outside the project" in result.stderr
    assert snapshot(project.root / "output") == before


def test_an_unwritable_output_folder(project: Project, cli) -> None:
    project.add("good.yaml")
    result = cli("build", "good", "--out", "/proc/handouts-output")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: could not write to /proc/handouts-output")
    assert "Traceback" not in result.output


def test_a_full_disk(project: Project, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import generator.pdf as pdf_module

    project.add("good.yaml")
    project.add("other.yaml")
    assert cli("build", "good").exit_code == 0
    before = snapshot(project.root / "output")
    project.add("good.yaml", MINIMAL.replace("for a moment", "for a while"))
    real_fdopen = os.fdopen
    written = []

    def full_after_first(fd: int, mode: str = "r", *args, **kwargs):  # type: ignore[no-untyped-def]
        stream = real_fdopen(fd, mode, *args, **kwargs)
        if written:
            stream.close()
            raise OSError(errno.ENOSPC, "No space left on device")
        written.append(fd)
        return stream

    monkeypatch.setattr(pdf_module.os, "fdopen", full_after_first)
    result = cli("build", "good", "other")
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert result.stderr.rstrip().endswith("no file was changed")
    assert snapshot(project.root / "output") == before


def test_two_builds_at_once(project: Project) -> None:
    out = project.root / "out"
    command = [sys.executable, "-m", "generator", "build", *HANDOUTS, "--out", str(out)]
    first = subprocess.Popen(
        command, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    second = subprocess.Popen(
        command, cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert first.wait(timeout=300) == 0
    assert second.wait(timeout=300) == 0
    names = sorted(p.name for p in (out / "en").iterdir())
    assert names == sorted(f"{h}.pdf" for h in HANDOUTS)
    assert all(valid_pdf(out / "en" / n) for n in names)


def test_one_bad_participant_writes_no_copies(project: Project, cli) -> None:
    project.add("h.yaml")
    folder = project.root / "content" / "packets"
    folder.mkdir(parents=True)
    (folder / "mini.yaml").write_text(
        "title: Mini\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    handouts: [h]\n"
    )
    csv = project.root / "people.csv"
    csv.write_text("name\nAlex\nSam\x07\nZoë\n", encoding="utf-8")
    result = cli("packet", "mini", "--participants", str(csv))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "people.csv:3: name: has hidden control characters; retype it",
        "1 problem in 1 file; nothing was written.",
    ]
    assert project.output_files() == {}
