"""The layout engine: workers, the quick WeasyPrint import, the shared page style."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

from conftest import MINIMAL, Project
from generator.config import builtin_root, find_project

IMAGE_OUTSIDE = (
    MINIMAL
    + """  - type: image
    src: ../../../../outside.png
    alt: A picture from outside the project.
"""
)


def run_cli(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a fresh process, with its own temporary folder."""
    temp = project.root.parent / "tmp"
    temp.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONWARNINGS": "default"}
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def leftovers(project: Project) -> list[str]:
    """What was left in the temporary folder (WeasyPrint's copies of web fonts)."""
    temp = project.root.parent / "tmp"
    return sorted(p.name for p in (*temp.glob("weasyprint-*"), *temp.glob("handouts-worker-*")))


def test_a_single_handout_is_laid_out_in_a_worker(project: Project) -> None:
    project.add("one.yaml")
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        "try:\n"
        "    main(['build', 'one'])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, file=sys.stderr)\n"
        "print('weasyprint' in sys.modules, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=project.root, capture_output=True, text=True, check=False
    )
    # The worker imported WeasyPrint while this process read and rendered the handout.
    assert result.stderr.strip().splitlines()[-2:] == ["exit 0", "False"], result.stderr
    with pdfplumber.open(project.root / "output" / "en" / "one.pdf") as pdf:
        assert "You might notice your breath" in pdf.pages[0].extract_text()


def test_builds_and_packets_leave_no_temporary_files(project: Project) -> None:
    for name in ("one", "two", "three"):
        project.add(f"{name}.yaml", MINIMAL.replace("breath", f"breath ({name})"))
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "day.yaml").write_text(
        "title: A day\naudience: clinician\nlanguage: en\n"
        "sections:\n  - title: Part one\n    handouts: [one, two, three]\n",
        encoding="utf-8",
    )
    # Three documents for two workers (a fork server's), then one from the cache, then a packet.
    for args in (["build", "one", "two", "three", "-j", "2"], ["build", "one"], ["packet", "day"]):
        result = run_cli(project, *args)
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
    assert leftovers(project) == []
    assert (project.root / "output" / "en" / "packets" / "day.pdf").is_file()


def test_workers_stopped_by_an_error_leave_nothing_behind(project: Project) -> None:
    (project.root.parent / "outside.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    project.add("one.yaml")
    project.add("two.yaml", IMAGE_OUTSIDE)
    result = run_cli(project, "build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "two.yaml" in result.stderr
    assert leftovers(project) == []
    assert not (project.root / "output").exists()


def test_an_error_in_the_content_stops_the_workers_quietly(project: Project) -> None:
    project.add("one.yaml")
    project.add("two.yaml", "title: [unclosed\n")
    result = run_cli(project, "build")
    assert result.returncode == 1
    # Only the problem: nothing from the workers that had begun to start.
    assert result.stderr.startswith("content/handouts/en/two.yaml:2:1: ")
    assert "Warning" not in result.stderr and "Traceback" not in result.stderr
    assert leftovers(project) == []


def test_the_engine_loads_the_ordinary_way_when_the_quick_way_fails(tmp_path: Path) -> None:
    # No library loads while the library search is switched off, as on a
    # system where only that search finds them.
    code = (
        "import ctypes.util\n"
        "import cffi.api\n"
        "real = cffi.api._load_backend_lib\n"
        "refused = []\n"
        "def load(backend, name, flags):\n"
        "    if ctypes.util.find_library.__name__ == '_no_library':\n"
        "        refused.append(name)\n"
        "        raise OSError('no such library')\n"
        "    return real(backend, name, flags)\n"
        "cffi.api._load_backend_lib = load\n"
        "from generator.engine import load_engine\n"
        "load_engine()\n"
        "from weasyprint import HTML\n"
        "print(bool(refused), HTML(string='<p>ok</p>').write_pdf()[:5])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    # The quick way was tried and failed; its install advice was held back.
    assert result.stdout == "True b'%PDF-'\n"


def _chars(data: bytes) -> list[tuple[str, float, float, str, float]]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [
            (c["text"], round(c["x0"], 2), round(c["top"], 2), c["fontname"], round(c["size"], 2))
            for page in pdf.pages
            for c in page.chars
        ]


def test_the_shared_page_style_lays_out_as_weasyprint_would(project: Project) -> None:
    from generator.engine import load_engine

    load_engine()  # as the program does, without the notice about HarfBuzz-Subset
    from weasyprint import HTML

    from generator.content import load_handouts
    from generator.layout import allowed_folders
    from generator.pdf import html_to_pdf
    from generator.render import RenderOptions, render_all
    from generator.stylecache import _STYLES

    library = builtin_root()
    handouts = load_handouts([library], ["withdrawal-response", "daily-check-in"], ["en"])
    rendered = render_all(find_project(project.root), handouts, RenderOptions(paper="letter"))
    allowed = allowed_folders(find_project(project.root))
    _STYLES.clear()
    for item in rendered:
        ours = html_to_pdf(item.html, item.base_url, allowed)
        plain = HTML(string=item.html, base_url=item.base_url).write_pdf(pdf_variant="pdf/ua-1")
        assert ours.warnings == ()
        # Every letter in the same place, font and size.
        assert _chars(ours.data) == _chars(plain)
    assert len(_STYLES) == 1  # both handouts shared one parsed style


def test_a_style_that_warns_warns_for_every_document(project: Project) -> None:
    from generator.pdf import html_to_pdf

    html = (
        "<!DOCTYPE html><html lang='en'><head><title>T</title>"
        "<style>p { colour: red; }</style></head><body><p>Hello</p></body></html>"
    )
    first = html_to_pdf(html, project.root.as_uri() + "/", [project.root])
    second = html_to_pdf(html, project.root.as_uri() + "/", [project.root])
    for result in (first, second):
        assert result.warnings == ("Ignored `colour: red` at 1:5, unknown property.",)


@pytest.mark.parametrize("where", ["comment", "body"])
def test_only_the_heads_own_style_is_shared(project: Project, where: str) -> None:
    from generator.pdf import html_to_pdf

    # A <style> written inside a comment, or in the body, is not moved out.
    head = "<!-- <style>p { color: red }</style> -->" if where == "comment" else ""
    body = "<style>p { color: red }</style>" if where == "body" else ""
    html = (
        f"<!DOCTYPE html><html lang='en'><head><title>T</title>{head}</head>"
        f"<body>{body}<p>Hello</p></body></html>"
    )
    result = html_to_pdf(html, project.root.as_uri() + "/", [project.root])
    with pdfplumber.open(io.BytesIO(result.data)) as pdf:
        colours = {c["non_stroking_color"] for c in pdf.pages[0].chars}
    red = {(1, 0, 0), (1.0, 0.0, 0.0)}
    assert bool(colours & red) == (where == "body")


def _worker_parent(_: int) -> tuple[int, bool]:
    """In a worker: the process it was forked from, and whether that had loaded Pango."""
    parent = os.getppid()
    return parent, "libpango" in Path(f"/proc/{parent}/maps").read_text()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads Linux's /proc")
def test_several_workers_are_forked_from_a_server_that_loaded_weasyprint() -> None:
    from generator.workers import WorkerPool

    with WorkerPool(6, 2) as pool:
        answers = pool.map(_worker_parent, range(6))
        # Stopped (as a packet does before joining), they start again when needed.
        pool.stop()
        answers += pool.map(_worker_parent, range(2))
    # Not forked from this process, which would make each import WeasyPrint:
    # from one server that had loaded it (and with it Pango) before forking.
    assert {parent for parent, _ in answers} != {os.getpid()}
    assert len({parent for parent, _ in answers}) == 1
    assert all(loaded for _, loaded in answers)


def _die(_: object) -> None:
    os._exit(3)


def test_a_worker_that_dies_is_an_error_for_the_user_not_a_traceback(project: Project) -> None:
    import generator.layout as layout_module
    from generator.errors import HandoutError
    from generator.layout import Batch, Job, Layout
    from generator.workers import WorkerPool

    # One worker (of three documents, one job) is forked from this process, so
    # it runs the stand-in below.
    with WorkerPool(3, 1) as pool, pytest.MonkeyPatch.context() as patch:
        assert pool.count == 1
        patch.setattr(layout_module, "lay_out_one", _die)
        batch = Batch(
            find_project(project.root),
            [Job("<p>Hello</p>", project.root.as_uri() + "/", project.root / "one.yaml")],
            strict=False,
            layout=Layout(),
            workers=pool,
        )
        with pytest.raises(HandoutError, match="stopped before it finished") as error:
            batch.result()
        assert "--jobs 1" in error.value.format_message()
        with pytest.raises(HandoutError, match="stopped before it finished"):
            pool.submit(int, 0)


def _fork_server_of(pid: int) -> bool:
    """Whether a process has a child running multiprocessing's fork server."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                if b"forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                    return True
            except OSError:
                continue
    return False


@pytest.mark.xdist_group("timing")  # sends signals at chosen moments: see pyproject.toml
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux's /proc")
def test_ctrl_c_while_the_workers_start_stops_quietly(project: Project) -> None:
    import signal
    import time

    for name in ("one", "two", "three"):
        project.add(f"{name}.yaml", MINIMAL.replace("breath", f"breath ({name})"))
    temp = project.root.parent / "tmp"
    temp.mkdir()
    # `handouts build` as in a terminal, where Ctrl-C is not ignored (as it
    # may be for a test run started in the background).
    code = (
        "import runpy, signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "sys.argv = ['handouts', 'build']\n"
        "runpy.run_module('generator', run_name='__main__')\n"
    )
    command = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=project.root,
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # Ctrl-C as the fork server starts importing WeasyPrint: the whole job gets it.
    deadline = time.monotonic() + 20
    while not _fork_server_of(command.pid) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert _fork_server_of(command.pid)
    # The server takes a good part of a second to import WeasyPrint; this
    # process ignores Ctrl-C only for the moment it takes to start it.
    time.sleep(0.05)
    os.killpg(command.pid, signal.SIGINT)
    _, stderr = command.communicate(timeout=60)
    assert command.returncode == 1
    assert stderr.strip() == "Aborted!"
    assert not (project.root / "output").exists()
    time.sleep(0.5)  # the server notices its parent is gone
    assert sorted(p.name for p in temp.iterdir()) == []


@pytest.mark.xdist_group("timing")  # sends signals at chosen moments: see pyproject.toml
@pytest.mark.skipif(sys.platform == "win32", reason="sends a signal to a thread")
def test_workers_still_starting_when_ctrl_c_comes_are_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import signal
    import threading

    import generator.workers as workers_module
    from generator.workers import WorkerPool

    started = threading.Event()
    stopped: list[object] = []

    class SlowWorkers:
        """Workers whose fork server is still importing WeasyPrint."""

        def __init__(self, count: int, context: object) -> None:
            started.wait(timeout=10)

        def stop(self) -> None:
            stopped.append(self)

    monkeypatch.setattr(workers_module, "Workers", SlowWorkers)
    monkeypatch.setattr(workers_module, "_fork_server", object)  # SlowWorkers takes any context
    monkeypatch.setattr(workers_module, "_start_fork_server", lambda: None)
    main = threading.main_thread().ident
    assert main is not None
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        pool = WorkerPool(4, 2)
        # Ctrl-C while this thread waits for the workers, to hand them work.
        threading.Timer(0.2, signal.pthread_kill, args=(main, signal.SIGINT)).start()
        with pytest.raises(KeyboardInterrupt):
            pool.submit(int, 0)
        threading.Timer(0.2, started.set).start()
        pool.stop()
    finally:
        signal.signal(signal.SIGINT, previous)
    # The stop waited for the workers that were starting, and stopped them.
    assert len(stopped) == 1


# A worker that has sent half of its result when it is stopped.
HALF_SENT = """\
import gc, multiprocessing.queues, struct, sys, time
from generator.workers import WorkerPool

def half_sent(_):
    results = next(
        o for o in gc.get_objects() if isinstance(o, multiprocessing.queues.SimpleQueue)
    )
    results._writer._send(struct.pack("!i", 1000) + b"x" * 10)
    time.sleep(60)

with WorkerPool(2, 1) as pool:  # one worker, forked from here
    pool.submit(half_sent, 0)
    time.sleep(1)
print("stopped", file=sys.stderr)
"""


@pytest.mark.xdist_group("timing")  # sends signals at chosen moments: see pyproject.toml
@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a worker from the test's code")
def test_a_worker_stopped_while_it_sends_a_result_does_not_hang_the_stop(tmp_path: Path) -> None:
    import signal

    command = subprocess.Popen(
        [sys.executable, "-c", HALF_SENT],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = command.communicate(timeout=30)
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
            command.wait()
    assert (command.returncode, stderr) == (0, "stopped\n")


def _processes_in_group(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _has_children(pid: int) -> bool:
    try:
        return any((task / "children").read_text() for task in Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return False


@pytest.mark.xdist_group("timing")  # sends signals at chosen moments: see pyproject.toml
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux's /proc")
def test_ctrl_c_at_any_moment_of_a_cold_build_stops_quietly(tmp_path: Path) -> None:
    import signal
    import time

    # The built-in library, from a folder with no cache: workers are forked,
    # from this process (one job) or from the fork server (two), as Ctrl-C
    # comes at a different moment each time.
    code = (
        "import runpy, signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "sys.argv = ['handouts', *sys.argv[1:]]\n"
        "runpy.run_module('generator', run_name='__main__')\n"
    )
    # A stopped command's fork server takes a second or two to notice and
    # end: each run's group is checked once the runs after it are done, with
    # the same ten seconds from its own end, rather than waited for in turn.
    ended: list[tuple[int, float, Path, str]] = []
    for number in range(12):
        jobs, delay, twice = ("1", "2")[number % 2], 0.1 * number, number % 3 == 0
        folder, temp = tmp_path / f"run{number}", tmp_path / f"tmp{number}"
        folder.mkdir()
        temp.mkdir()
        command = subprocess.Popen(
            [sys.executable, "-c", code, "build", "--jobs", jobs, "--out", "out"],
            cwd=folder,
            env={**os.environ, "TMPDIR": str(temp)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            # Timed from the first worker or fork server: earlier, Ctrl-C
            # finds Python still importing the command.
            deadline = time.monotonic() + 20
            while not _has_children(command.pid) and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(delay)
            if twice:
                # As `timeout -s INT` does: to the command, then to its whole group.
                command.send_signal(signal.SIGINT)
            # As a terminal's Ctrl-C does: to every process of the job.
            os.killpg(command.pid, signal.SIGINT)
            _, stderr = command.communicate(timeout=60)
        finally:
            if command.poll() is None:
                os.killpg(command.pid, signal.SIGKILL)
                command.wait()
        where = f"run {number}: --jobs {jobs}, Ctrl-C {delay:.1f} s after the workers began"
        ended.append((command.pid, time.monotonic() + 10, temp, where))
        assert "Traceback" not in stderr, f"{where}\n{stderr}"
        if command.returncode == 0 or (folder / "out").exists():
            # Done before Ctrl-C came, or as the finished command was ending.
            assert command.returncode in (0, -signal.SIGINT), f"{where}\n{stderr}"
            assert stderr == "", where
            continue
        assert (command.returncode, stderr.strip()) == (1, "Aborted!"), f"{where}\n{stderr}"
    for group, deadline, temp, where in ended:
        while _processes_in_group(group) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _processes_in_group(group), where
        assert sorted(p.name for p in temp.iterdir()) == [], where


def test_workers_that_cannot_start_are_an_error_for_the_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import multiprocessing.forkserver

    from generator.errors import HandoutError
    from generator.workers import WorkerPool

    def no_processes_left() -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.forkserver, "ensure_running", no_processes_left)
    with WorkerPool(4, 2) as pool, pytest.raises(HandoutError) as error:
        pool.submit(int, 0)
    message = error.value.format_message()
    assert "could not start the processes that lay out PDFs" in message
    assert "Resource temporarily unavailable" in message and "No file was written" in message
