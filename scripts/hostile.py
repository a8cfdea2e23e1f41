"""Run the whole hostile-input suite, slow cases included, and report its figures.

    python scripts/hostile.py            # every case (about ten minutes on 2 cores)
    python scripts/hostile.py -k links   # pytest's -k, to run a part

The test suite runs the fast cases on every run; this runs the slow ones
too (kills at many moments, bombs, big files) and prints, for each class
of the hardening issue: cases, passed, failed, the slowest case, and the
peak memory of the slowest-to-measure runs (the whole process tree of each
command run in a subprocess, sampled as it ran). Exits non-zero if any case
fails or any run is outside the bounds (20 s, 600 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "tests" / "hostile"
sys.path.insert(0, str(SUITE))

from harness import LOG_VARIABLE, MAX_MB, MAX_SECONDS  # noqa: E402

CLASSES = {
    "test_links": "1. leaks through links",
    "test_writes": "1. writes through links",
    "test_cache_input": "2. the cache as input",
    "test_output_plan": "3. output lost",
    "test_kills": "4. processes after a kill",
    "test_edges": "5. tracebacks at the edges",
    "test_participants": "6. participants lists",
    "test_page": "7. text off the page",
    "test_bounds": "8. bounded work",
    "test_harness": "the harness itself",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", help="only the cases pytest's -k selects")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hostile-report-") as folder:
        log = Path(folder) / "runs.jsonl"
        junit = Path(folder) / "cases.xml"
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(SUITE),
            "-p",
            "no:cacheprovider",
            "-q",
            "-m",
            "slow or not slow",
            f"--junitxml={junit}",
        ]
        if options.k:
            command += ["-k", options.k]
        env = {**os.environ, LOG_VARIABLE: str(log)}
        finished = subprocess.run(command, cwd=ROOT, env=env, check=False)
        # The largest of pytest's processes (its workers, one per core, ran the
        # in-process cases) and of what they waited for.
        pytest_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        cases = _cases(junit)
        runs = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return _report(cases, runs, finished.returncode, pytest_peak)


def _cases(junit: Path) -> list[tuple[str, str, float, str]]:
    """(class, case, seconds, outcome) for every case pytest ran."""
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        module = case.get("classname", "").rpartition(".")[2]
        outcome = "passed"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        found.append((module, case.get("name", ""), float(case.get("time", 0)), outcome))
    return found


def _report(
    cases: list[tuple[str, str, float, str]],
    runs: list[dict[str, Any]],
    code: int,
    pytest_peak: float,
) -> int:
    by_class: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for module, name, seconds, outcome in cases:
        by_class[module].append((name, seconds, outcome))
    peak_by_module: dict[str, float] = defaultdict(float)
    longest_run: dict[str, float] = defaultdict(float)
    # The harness's own cases make tracebacks and leftovers on purpose.
    runs = [r for r in runs if "test_harness" not in r["test"]]
    for record in runs:
        module = Path(record["test"].partition("::")[0]).stem
        peak_by_module[module] = max(peak_by_module[module], record["peak_mb"])
        longest_run[module] = max(longest_run[module], record["seconds"])
    print(f"\n{'class':32} {'cases':>6} {'passed':>7} {'failed':>7} {'slowest':>9} {'peak MB':>8}")
    totals = [0, 0, 0]
    for module in sorted(by_class, key=lambda m: CLASSES.get(m, m)):
        rows = by_class[module]
        passed = sum(o == "passed" for _, _, o in rows)
        failed = sum(o == "failed" for _, _, o in rows)
        slowest = max(s for _, s, _ in rows)
        peak = f"{peak_by_module[module]:.0f}" if module in peak_by_module else "-"
        print(
            f"{CLASSES.get(module, module):32} {len(rows):>6} {passed:>7} {failed:>7} "
            f"{slowest:>8.1f}s {peak:>8}"
        )
        totals[0] += len(rows)
        totals[1] += passed
        totals[2] += failed
    print(f"{'all':32} {totals[0]:>6} {totals[1]:>7} {totals[2]:>7}")
    outside = [
        r for r in runs if r["seconds"] >= MAX_SECONDS or r["peak_mb"] >= MAX_MB or r["traceback"]
    ]
    leftovers = [r for r in runs if r["left_running"] or r["temp_left"]]
    print(
        f"\n{len(runs)} commands run in subprocesses: slowest "
        f"{max((r['seconds'] for r in runs), default=0):.1f} s, highest peak "
        f"{max((r['peak_mb'] for r in runs), default=0):.0f} MB (bounds {MAX_SECONDS:.0f} s, "
        f"{MAX_MB:.0f} MB); outside the bounds or with a traceback: {len(outside)}; "
        f"leaving processes or temporary files (some on purpose, checked by the case): "
        f"{len(leftovers)}"
    )
    print(
        f"pytest's processes, where the in-process cases ran, peaked at {pytest_peak:.0f} MB "
        "(the largest of them; each ran its share of the cases)."
    )
    return 1 if code or totals[2] or outside else code


if __name__ == "__main__":
    raise SystemExit(main())
