"""Compare every built-in page, as pictures, between a past commit and the working tree.

    python scripts/compare_pages.py cc3e1c1          # against that commit
    python scripts/compare_pages.py cc3e1c1 --dpi 100

Builds every built-in handout (client and clinician editions, letter and A4
large print) and the built-in workshop packet (participant and trainer
editions) twice, once with the code and content of COMMIT (checked out into
a temporary git worktree) and once with the working tree, renders every
page to PNG with poppler's pdftoppm, and compares them pixel by pixel. It
prints the pages that differ and exits non-zero if any do, or if the two
builds made different files or page counts. For a refactor, which must
not change a page; a page changed on purpose is named in the change's note.

Needs git, and pdftoppm (Debian: poppler-utils).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parents[1]
PACKET = "self-attunement-workshop"
RUNS = (
    ("build",),
    ("build", "--edition", "clinician"),
    ("build", "--paper", "a4", "--large-print"),
    ("packet", PACKET),
    ("packet", PACKET, "--edition", "trainer"),
)


def build_all(code: Path, out: Path, work: Path) -> None:
    """Every built-in output, made by the package in `code`, into `out`."""
    env = {**os.environ, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "1764460800"}
    # Outside any project: the built-in library of `code` is what is built.
    work.mkdir(parents=True, exist_ok=True)
    for args in RUNS:
        subprocess.run(
            [sys.executable, "-m", "generator", *args, "--out", str(out)],
            cwd=work,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def pages(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the commit to compare against")
    parser.add_argument("--dpi", type=int, default=60)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compare-pages-") as temp:
        base = Path(temp)
        past = base / "past-code"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(past), options.commit],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            build_all(past, base / "before", base / "work-before")
            build_all(ROOT, base / "after", base / "work-after")
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(past)], check=False
            )
        return compare(base / "before", base / "after", base / "png", options.dpi)


def compare(before: Path, after: Path, png: Path, dpi: int) -> int:
    names = sorted(str(p.relative_to(before)) for p in before.rglob("*.pdf"))
    after_names = sorted(str(p.relative_to(after)) for p in after.rglob("*.pdf"))
    problems = 0
    if names != after_names:
        print(
            f"different files: only before {sorted(set(names) - set(after_names))}, "
            f"only after {sorted(set(after_names) - set(names))}"
        )
        problems += 1
    total = 0
    for name in names:
        if name not in after_names:
            continue
        old = pages(before / name, png / "before" / name, dpi)
        new = pages(after / name, png / "after" / name, dpi)
        if len(old) != len(new):
            print(f"{name}: {len(old)} pages before, {len(new)} after")
            problems += 1
            continue
        for number, (a, b) in enumerate(zip(old, new, strict=True), start=1):
            total += 1
            with Image.open(a) as first, Image.open(b) as second:
                if (
                    first.size != second.size
                    or ImageChops.difference(first.convert("RGB"), second.convert("RGB")).getbbox()
                ):
                    print(f"{name}: page {number} differs")
                    problems += 1
    print(f"{len(names)} files, {total} pages compared at {dpi} dpi: {problems} differences")
    shutil.rmtree(png, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
