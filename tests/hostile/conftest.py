"""Fixtures for the hostile-input suite: a project on disk and a way to run the command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from harness import Run, run


@pytest.fixture
def hostile(tmp_path: Path) -> Callable[..., Run]:
    """Run `handouts` in a subprocess in tmp_path/clinic, with its own TMPDIR."""
    counter = [0]

    def go(*args: str, cwd: Path | None = None, **options: Any) -> Run:
        counter[0] += 1
        return run(args, cwd or tmp_path / "clinic", tmp=tmp_path / f"tmp{counter[0]}", **options)

    return go
