"""Benchmark: handouts against plain WeasyPrint on the same HTML, side by side.

Builds a synthetic project (30 handouts made from the built-in library, a
30-handout packet in 5 sections, and a 100-handout packet for memory), then
times each case in fresh processes and prints medians and ratios. Every
floor is plain WeasyPrint laying out the same work: exactly the 30 handouts
(one document each, or their bodies as one document for a packet). Run it from the repository:

    python bench/run.py            # 3 runs of each case
    python bench/run.py --runs 5

It is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ROOT / "content" / "handouts" / "en"
PYTHON = sys.executable


def run(args: list[str], cwd: Path) -> float:
    """Seconds one command takes in a fresh process."""
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(
    runs: int, action: Callable[[], float], before: Callable[[], None] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(action())
    return statistics.median(times)


def make_project(folder: Path, count: int) -> list[str]:
    """A project of `count` client handouts, copies of the built-in ones with new ids."""
    sources = sorted(p for p in LIBRARY.glob("*.yaml") if "audience: client" in p.read_text())
    target = folder / "content" / "handouts" / "en"
    target.mkdir(parents=True)
    ids = []
    for number in range(1, count + 1):
        source = sources[(number - 1) % len(sources)]
        handout_id = f"h{number:03d}"
        text = source.read_text(encoding="utf-8")
        text = re.sub(r'^title: "?(.*?)"?$', rf'title: "\1 ({number})"', text, count=1, flags=re.M)
        (target / f"{handout_id}.yaml").write_text(text, encoding="utf-8")
        ids.append(handout_id)
    return ids


def write_packet(folder: Path, packet_id: str, ids: list[str], per_section: int) -> None:
    lines = [
        "title: Benchmark workshop",
        "audience: clinician",
        "language: en",
        "sections:",
    ]
    for start in range(0, len(ids), per_section):
        chunk = ids[start : start + per_section]
        lines += [
            f"  - title: Part {start // per_section + 1}",
            f"    handouts: [{', '.join(chunk)}]",
        ]
    packets = folder / "content" / "packets"
    packets.mkdir(parents=True, exist_ok=True)
    (packets / f"{packet_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def one_document(html_files: list[Path], target: Path) -> None:
    """The handouts' HTML as one document: the floor for laying out a packet."""
    first = html_files[0].read_text(encoding="utf-8")
    head = first.split("<body", 1)[0]
    bodies = []
    for path in html_files:
        body = path.read_text(encoding="utf-8").split("<body", 1)[1].split(">", 1)[1]
        bodies.append('<div style="break-before: page">' + body.rsplit("</body>", 1)[0] + "</div>")
    target.write_text(head + "<body>" + "".join(bodies) + "</body></html>", encoding="utf-8")


def weasyprint(html: list[Path], out: Path, base: Path, variant: str = "") -> list[str]:
    """A command that lays out HTML files with plain WeasyPrint, in one process."""
    options = f"pdf_variant={variant!r}" if variant else ""
    code = (
        "import sys\n"
        "from weasyprint import HTML\n"
        "for i, path in enumerate(sys.argv[2:]):\n"
        "    HTML(filename=path, base_url=sys.argv[1]).write_pdf(f'"
        + str(out)
        + "-{i}.pdf', "
        + options
        + ")\n"
    )
    return [PYTHON, "-c", code, base.as_uri() + "/", *map(str, html)]


def peak_memory_mb(args: list[str], cwd: Path) -> float:
    """The most memory the command and all its workers held together, in MB.

    Sampled from /proc every 10 ms, summing the process tree's proportional
    set sizes (PSS: pages a forked worker shares with its parent are counted
    once, not once per process). Elsewhere, the largest single process
    (getrusage), which undercounts a parallel build.
    """
    if not Path("/proc/self/status").exists():
        code = (
            "import resource, subprocess, sys\n"
            "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        )
        result = subprocess.run(
            [PYTHON, "-c", code, *args], cwd=cwd, check=True, capture_output=True, text=True
        )
        return int(result.stdout.strip().splitlines()[-1]) / 1024
    child = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_rss_kb(child.pid))
        time.sleep(0.01)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, args)
    return peak / 1024


def _tree_rss_kb(pid: int) -> int:
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total


def edit_to_preview(project: Path, handout_id: str, runs: int) -> tuple[float, float]:
    """Seconds from a saved edit to the served handout page with its new pages (warm
    server); and to its findings too, which the page fetches once it shows.

    The server runs in this process, as `handouts serve` would, its engine and
    checker loaded by a first visit; each run edits the handout's purpose,
    then asks for its page, which lays it out again and draws the pages, and
    then for its findings, which runs the checks.
    """
    sys.path.insert(0, str(ROOT))
    from starlette.testclient import TestClient

    from generator.config import find_project
    from generator.engine import load_engine
    from generator.serve.app import create_app

    here = Path.cwd()
    os.chdir(project)
    try:
        load_engine()
        client = TestClient(
            create_app(find_project(project), 8000), base_url="http://127.0.0.1:8000"
        )
        url = f"/handouts/en/{handout_id}"
        assert client.get(url).status_code == 200
        assert client.get(url + "/findings").status_code == 200
        source = project / "content" / "handouts" / "en" / f"{handout_id}.yaml"
        original = source.read_text(encoding="utf-8")
        times, with_findings = [], []
        for number in range(runs):
            edited = re.sub(
                r'^purpose: "', f'purpose: "Served edit {number}. ', original, flags=re.M
            )
            source.write_text(edited, encoding="utf-8")
            start = time.perf_counter()
            page = client.get(url)
            times.append(time.perf_counter() - start)
            assert page.status_code == 200 and f"Served edit {number}." in page.text
            assert client.get(url + "/findings").status_code == 200
            with_findings.append(time.perf_counter() - start)
        source.write_text(original, encoding="utf-8")
        return statistics.median(times), statistics.median(with_findings)
    finally:
        os.chdir(here)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = args.runs
    handouts = [PYTHON, "-m", "generator"]
    rows: list[tuple[str, float, float | None, str]] = []

    with tempfile.TemporaryDirectory(prefix="handouts-bench-") as temp:
        work = Path(temp)
        project = work / "project"
        ids = make_project(project, 30)
        write_packet(project, "bench", ids, per_section=6)
        cache = project / ".handouts-cache"

        def clear() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(project / "output", ignore_errors=True)

        # Equal work: the floor lays out exactly the 30 handouts the packet holds,
        # not the built-in ones a project build also falls through to.
        subprocess.run(
            [*handouts, "build", *ids, "--format", "html", "--out", str(work / "html")],
            cwd=project,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        html = [work / "html" / "en" / f"{handout_id}.html" for handout_id in ids]
        assert all(path.is_file() for path in html)
        assert len(list((work / "html" / "en").glob("*.html"))) == len(ids)
        base = project / "content" / "handouts" / "en"
        packet_html = work / "packet.html"
        one_document(html, packet_html)

        floor_single = median(runs, lambda: run(weasyprint(html[:1], work / "f1", base), work))
        ours_single = median(runs, lambda: run([*handouts, "build", ids[0]], project), clear)
        rows.append(("cold single handout", ours_single, floor_single, "<= 1.10"))
        served, checked = edit_to_preview(project, ids[1], runs)
        rows.append(
            ("serve: edit to preview (x cold single build)", served, ours_single, "<= 0.40")
        )
        rows.append(("serve: ... and its findings beside it", checked, ours_single, "-"))

        floor_packet = median(runs, lambda: run(weasyprint([packet_html], work / "fp", base), work))
        ours_packet = median(runs, lambda: run([*handouts, "packet", "bench"], project), clear)
        rows.append(("cold 30-handout packet", ours_packet, floor_packet, "<= 0.55"))

        edited = base / f"{ids[4]}.yaml"
        original = edited.read_text(encoding="utf-8")
        counter = iter(range(1000))

        def edit() -> None:
            # A change a reader would see, so the handout really is laid out again.
            text = re.sub(r'^purpose: "', f'purpose: "Edit {next(counter)}. ', original, flags=re.M)
            assert text != original
            edited.write_text(text)

        run([*handouts, "packet", "bench"], project)
        rebuild = median(runs, lambda: run([*handouts, "packet", "bench"], project), edit)
        rows.append(("packet rebuild, one handout edited", rebuild, floor_packet, "<= 0.15"))
        run([*handouts, "packet", "bench"], project)
        packet_no_op = median(runs, lambda: run([*handouts, "packet", "bench"], project))
        rows.append(("no-op packet rebuild", packet_no_op, floor_packet, "<= 0.03"))

        floor_30 = median(1, lambda: run(weasyprint(html, work / "f30", base), work))
        run([*handouts, "build", *ids], project)
        no_op = median(runs, lambda: run([*handouts, "build", *ids], project))
        rows.append(("no-op rebuild of 30 handouts", no_op, floor_30, "<= 0.03"))

        # The PDF checks, with nothing kept, and after a build of the same handouts.
        check = [*handouts, "check", "--pdf", *ids]
        cold_check = median(1, lambda: run(check, project), clear)
        run([*handouts, "build", *ids], project)
        warm_check = median(1, lambda: run(check, project))
        rows.append(("check --pdf, 30 handouts, cold", cold_check, None, "-"))
        rows.append(("check --pdf after a build (x cold check)", warm_check, cold_check, "<= 0.10"))

        people = work / "people.csv"
        people.write_text("name\n" + "".join(f"Participant {n}\n" for n in range(1, 101)))
        run([*handouts, "packet", "bench"], project)
        personal = median(
            1, lambda: run([*handouts, "packet", "bench", "--participants", str(people)], project)
        )
        rows.append(("100 personalised packets", personal, ours_packet, "<= 3 x cold packet"))
        crowd = work / "crowd.csv"
        crowd.write_text("name\n" + "".join(f"Participant {n}\n" for n in range(1, 1001)))
        thousand = [*handouts, "packet", "bench", "--participants", str(crowd)]
        many = median(1, lambda: run(thousand, project))
        rows.append(("1,000 personalised packets", many, ours_packet, "<= 12 x cold packet"))
        shutil.rmtree(project / "output" / "personal", ignore_errors=True)
        many_memory = peak_memory_mb(thousand, project)
        rows.append(("peak memory, 1,000 copies (MB, PSS)", many_memory, None, "<= 300 MB"))
        shutil.rmtree(project / "output" / "personal", ignore_errors=True)

        help_time = median(runs, lambda: run([*handouts, "--help"], project))
        rows.append(("handouts --help", help_time, None, "<= 0.150 s"))

        big = work / "big"
        big_ids = make_project(big, 100)
        write_packet(big, "big", big_ids, per_section=25)
        memory = peak_memory_mb([*handouts, "packet", "big"], big)
        rows.append(("peak memory, 100-handout packet (MB, PSS)", memory, None, "<= 300 MB"))

        # File size is compared with a one-document render that is tagged
        # PDF/UA too, as the packet is: tags are a large part of the bytes.
        ours_pdf = project / "output" / "en" / "packets" / "bench.pdf"
        run([*handouts, "packet", "bench"], project)
        run(weasyprint([packet_html], work / "tagged", base, "pdf/ua-1"), work)
        size_ratio = ours_pdf.stat().st_size / (work / "tagged-0.pdf").stat().st_size
        rows.append(("packet file size (x tagged one-document)", size_ratio, None, "<= 1.5"))

    print(f"{'case':44} {'handouts':>10} {'WeasyPrint':>11} {'ratio':>7}  target")
    for name, ours, floor, target in rows:
        floor_text = f"{floor:10.3f}s" if floor is not None else f"{'':>11}"
        ratio = f"{ours / floor:7.2f}" if floor else f"{'':>7}"
        unit = "" if "MB" in name or "size" in name else "s"
        print(f"{name:44} {ours:9.3f}{unit or ' '} {floor_text} {ratio}  {target}")
    print(f"\n{os.cpu_count()} cores; medians of {runs} runs (one run for the longest cases).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
