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


# --- the output plan: every target is checked before anything is written -------


def test_two_packets_with_one_name_pattern_write_nothing(project: Project, cli) -> None:
    project.add("h.yaml")
    folder = project.root / "content" / "packets"
    folder.mkdir(parents=True)
    for name in ("first", "second"):
        (folder / f"{name}.yaml").write_text(
            f"title: {name}\naudience: client\nlanguage: en\nsections:\n"
            "  - title: One\n    handouts: [h]\n"
        )
    people = project.root / "people.csv"
    people.write_text("name\nAlex\nSam\n", encoding="utf-8")
    command = ("packet", "first", "second", "--participants", str(people))
    clash = cli(*command, "--name-pattern", "copy-{n}")
    assert clash.exit_code == 2
    assert clash.stderr.splitlines()[-1] == (
        "Error: Invalid value for --name-pattern: it gives two packets' copies the same "
        "names; add {id}"
    )
    assert project.output_files() == {}
    apart = cli(*command, "--name-pattern", "{id}-copy-{n}")
    assert apart.exit_code == 0, apart.output
    assert len(project.output_files()) == 4


def test_a_folder_where_a_file_goes_changes_nothing(project: Project, cli) -> None:
    project.add("one.yaml")
    project.add("two.yaml")
    assert cli("build", "one", "-j", "1").exit_code == 0
    before = (project.root / "output/en/one.pdf").read_bytes()
    project.add("one.yaml", MINIMAL.replace("for a moment", "for a while"))
    (project.root / "output/en/two.pdf").mkdir()
    result = cli("build", "one", "two", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {project.root / 'output/en/two.pdf'} is a folder, where this run would "
        "write a file; nothing was written. Move it out of the way, or use --out for "
        "another folder"
    )
    # The other handout's earlier file is as it was.
    assert (project.root / "output/en/one.pdf").read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="makes a named pipe")
def test_a_named_pipe_where_a_file_goes_is_an_error_not_a_hang(project: Project) -> None:
    project.add("one.yaml")
    (project.root / "output/en").mkdir(parents=True)
    os.mkfifo(project.root / "output/en/one.pdf")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "one", "-j", "1"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "is not a regular file, where this run would write a file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("clashing", "added"),
    [
        ("sleep-clinician", "-clinician"),
        ("sleep-a4", "-a4"),
        ("sleep-large-print", "-large-print"),
        ("sleep-clinician-a4-ink-saver", "-clinician-a4-ink-saver"),
    ],
)
def test_an_id_named_like_another_handouts_variant_is_refused(
    project: Project, cli, clashing: str, added: str
) -> None:
    project.add("sleep.yaml")
    project.add(f"{clashing}.yaml")
    result = cli("build", "sleep", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"content/handouts/en/{clashing}.yaml: the id `{clashing}` is `sleep` with "
        f"`{added}` added, which is how a variant of `sleep` is named ({clashing}.pdf); "
        "rename this file, so that neither file replaces the other"
    )
    assert project.output_files() == {}


def test_ids_that_only_look_like_variants_are_fine(project: Project, cli) -> None:
    # No handout `sleep` here, and `a4` alone is not `sleep` plus a variant.
    project.add("sleep-clinician.yaml")
    project.add("notes-a4-sized.yaml")
    result = cli("build", "sleep-clinician", "notes-a4-sized", "-j", "1")
    assert result.exit_code == 0, result.output
