"""Benchmark: the test suite's wall time and CPU, for this tree and other commits, in turn.

    python bench/suite.py                     # this tree, 3 runs
    python bench/suite.py 2913094 --runs 2    # that commit and this tree, alternating

On a shared machine one run of the suite may take a tenth more or less than
the next, so commits are run in turn (A B A B ...) and compared by their
medians. Each run is `python -m pytest -q -p no:cacheprovider`, for a
commit in a git worktree beside this one (so that `../shared` is there for
both), with this tree's virtual environment and the commit's code first on
the path.
CPU is every process's, from /proc/stat (Linux): the suite's layout workers
and fork servers end without being waited for, so the shell's `time` misses
theirs. It is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TICKS = 100  # USER_HZ, the unit of /proc/stat on Linux


def busy_and_idle() -> tuple[float, float]:
    """Seconds of CPU the machine has spent busy and idle since it started."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    busy = sum(fields[:8]) - idle - fields[7]  # steal is another machine's
    return busy / TICKS, idle / TICKS


def one_run(folder: Path) -> tuple[float, float, float, str]:
    """Wall seconds, busy and idle CPU seconds, and pytest's last line."""
    busy, idle = busy_and_idle()
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=folder,
        # The tree's own code, not the one installed in the environment.
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    busy_after, idle_after = busy_and_idle()
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    return wall, busy_after - busy, idle_after - idle, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("commits", nargs="*", help="commits to compare with this tree")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    trees = {}
    results: dict[str, list[tuple[float, float, float]]] = {}
    try:
        for commit in args.commits:
            tree = ROOT.parent / f"bench-suite-{commit}"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(tree), commit],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            trees[commit] = tree
        trees["this tree"] = ROOT
        results = {name: [] for name in trees}
        for number in range(args.runs):
            for name, tree in trees.items():
                wall, busy, idle, last = one_run(tree)
                results[name].append((wall, busy, idle))
                print(
                    f"run {number + 1} {name}: {wall:.1f} s, busy CPU {busy:.0f} s, "
                    f"idle {idle:.0f} s ({last})",
                    flush=True,
                )
    finally:
        for tree in trees.values():
            if tree != ROOT:
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False
                )
    print("\n| tree | median wall | median busy CPU | median idle CPU |")
    print("| --- | --- | --- | --- |")
    for name, rows in results.items():
        walls, busies, idles = zip(*rows, strict=True)
        print(
            f"| {name} | {statistics.median(walls):.1f} s | {statistics.median(busies):.0f} s "
            f"| {statistics.median(idles):.0f} s |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
