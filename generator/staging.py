"""Output, for many files: each written as it is made, beside its target, then all put in place.

A run of a thousand participants' copies cannot hold them all in memory to
write them at the end, as `output.write_atomically` does. Each copy goes to
a hidden folder in its target's folder as soon as it is finished; once every
copy is made, they are renamed into place together. A run that fails or is
stopped removes the hidden folders, so no copy is written unless all are.
A run that is killed cannot: the next run into that folder removes them.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from generator.errors import HandoutError
from generator.lifecycle import alive
from generator.output import (
    check_targets,
    make_folders,
    placing_failure,
    remove_folders,
    write_failure,
)
from generator.signals import ctrl_c_held, work_written

STAGING_PREFIX = ".handouts-staging-"
_STAGING_NAME = re.compile(re.escape(STAGING_PREFIX) + r"(\d+)-[A-Za-z0-9_]+")


class Staging:
    """Hidden folders beside the targets, and the files written there for them.

    Used as a context manager: leaving it with an error (or Ctrl-C) removes
    every hidden folder and any folder made for them; `commit` puts the
    files in place.
    """

    def __init__(self, targets: Sequence[Path]):
        # Every target is checked first: one in the way fails before any work.
        check_targets(targets)
        self.made: list[Path] = []
        self.folders: dict[Path, Path] = {}
        self.staged: list[tuple[Path, Path]] = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.discard()

    def _folder(self, target: Path) -> Path:
        """The hidden folder beside `target`, made (with the folders above it) when first asked."""
        place = target.parent
        folder = self.folders.get(place)
        if folder is None:
            try:
                make_folders(place, self.made)
                remove_abandoned(place)
                folder = Path(tempfile.mkdtemp(dir=place, prefix=f"{STAGING_PREFIX}{os.getpid()}-"))
            except OSError as exc:
                raise HandoutError(write_failure(place, exc)) from None
            self.folders[place] = folder
        return folder

    def stage(self, target: Path) -> Path:
        """Where to write what will become `target` (its name is not used there)."""
        staged = self._folder(target) / f"{len(self.staged)}.part"
        self.staged.append((staged, target))
        return staged

    def scratch(self, beside: Path, name: str) -> Path:
        """A file to write and read back before the end, removed with the hidden folder."""
        return self._folder(beside) / f"scratch-{name}"

    def commit(self) -> list[Path]:
        """Put every staged file in place; one the same as what is there is left as it was.

        Returns the targets. Ctrl-C waits until all are in place.
        """
        with ctrl_c_held():
            done: list[Path] = []
            for staged, target in self.staged:
                try:
                    if _same(staged, target):
                        staged.unlink()
                    else:
                        os.replace(staged, target)
                except OSError as exc:
                    self.discard()
                    raise HandoutError(placing_failure(target, exc, done)) from None
                done.append(target)
            self.discard()
            work_written()
            return [target for _, target in self.staged]

    def discard(self) -> None:
        """Remove the hidden folders, what is in them, and the folders made for them."""
        with ctrl_c_held():
            for folder in self.folders.values():
                shutil.rmtree(folder, ignore_errors=True)
            self.folders = {}
            remove_folders(self.made)
            self.made = []


def _same(staged: Path, target: Path) -> bool:
    """Whether the target is a regular file with the same bytes (sizes first)."""
    with contextlib.suppress(OSError):
        if target.is_file() and target.stat().st_size == staged.stat().st_size:
            return filecmp.cmp(staged, target, shallow=False)
    return False


def remove_abandoned(folder: Path) -> None:
    """Remove the hidden folders a killed run left in `folder`: those of a process gone."""
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            match = _STAGING_NAME.fullmatch(entry.name)
            if match and entry.is_dir(follow_symlinks=False) and not alive(int(match.group(1))):
                shutil.rmtree(entry.path, ignore_errors=True)
