"""Rerun: a `build` or `packet` run whose every input is as it was at its last
successful run, and whose outputs are still as that run wrote them, is answered
from a record of that run, without reading, checking, rendering or laying out
anything again. Its outcome is known: the same inputs passed every check then.

The record is kept in the build cache, sealed like its entries, under a key of
the command and everything it was asked (never a person's name: a run with a
client's name or a participants list is not recorded, and always runs in
full). It holds a digest of every input (each content file, template,
stylesheet, message file, picture, the config, this tool's code, the versions
of WeasyPrint and the fonts), and each file written with its digest. Anything
else, or a record that does not verify, runs the full path.

This module is imported before anything heavy: no config models, no
templates, no layout engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from generator import cache, files
from generator.request import BuildRequest, PacketRequest
from generator.roots import project_place, roots_of

#: Bumped when a record's shape changes.
RECORD_FORMAT = "1"


@dataclass(frozen=True)
class Rerun:
    """One run's record: where it is kept, and what its inputs are now."""

    folder: Path
    name: str
    #: The project's config file, if it has one.
    config: Path | None
    inputs: str

    @classmethod
    def of(
        cls, command: str, request: BuildRequest | PacketRequest, config: Path | None
    ) -> Rerun | None:
        """The record for this run, or None where a run is never answered from one."""
        personal = request.options.client_name is not None or (
            isinstance(request, PacketRequest) and request.participants is not None
        )
        if personal:
            return None
        try:
            root, config_path, _ = project_place(config=config)
            inputs = _inputs(root, config_path)
        except OSError:  # a folder that can't be read: the full run says what is wrong
            return None
        folder = root / cache.CACHE_FOLDER
        asked = {
            "format": RECORD_FORMAT,
            "command": command,
            "request": asdict(request),
            "here": str(Path.cwd()),
            "config": str(config),
            # The one input from outside the project: the date the PDFs carry.
            "date": os.environ.get("SOURCE_DATE_EPOCH"),
            "python": sys.version,
        }
        key = hashlib.sha256(json.dumps(asked, sort_keys=True, default=str).encode()).hexdigest()
        return cls(folder, f"{key}.run", config_path, inputs)

    def replay(self) -> tuple[tuple[Path, ...], tuple[str, ...]] | None:
        """The files the last run wrote and what it said, if nothing has changed since."""
        data = cache.read_sealed(self.folder, self.name, cache.existing_secret())
        if data is None:
            return None
        try:
            record = json.loads(data)
            if record["inputs"] != self.inputs:
                return None
            written = [(Path(path), digest) for path, digest in record["written"]]
            said = tuple(str(line) for line in record["said"])
        except (ValueError, KeyError, TypeError):
            return None
        if any(_digest(path) != digest for path, digest in written):
            return None  # a file moved, changed or gone: written again
        return tuple(path for path, _ in written), said

    def record(self, written: Sequence[Path], said: Sequence[str]) -> None:
        """Keep what this run wrote and said, if its inputs did not change while it ran."""
        root = self.folder.parent
        try:
            if _inputs(root, self.config) != self.inputs:
                return
        except OSError:
            return
        digests = [(str(path), _digest(path)) for path in written]
        if any(digest is None for _, digest in digests):
            return
        record = {"inputs": self.inputs, "written": digests, "said": list(said)}
        cache.keep_sealed(self.folder, self.name, cache.user_secret(), json.dumps(record).encode())


def _inputs(root: Path, config_path: Path | None) -> str:
    """A digest of every input a run reads."""
    roots = roots_of(root)
    digest = hashlib.sha256(cache.shared_inputs(roots, config_path).encode())
    allowed = [f for folder in roots for f in files.own_folders(folder)]
    for folder in roots:
        for path in cache.files_below(folder / "content"):
            if path.suffix in (".yaml", ".yml"):  # pictures are in the shared inputs
                digest.update(str(path.relative_to(folder)).encode() + b"\0")
                # A link out of the project, a pipe, a file too large: a run reads
                # none, and says so; such a file is marked as what it is, unread.
                digest.update(cache.file_digest(path, allowed))
    return digest.hexdigest()


def _digest(path: Path) -> str | None:
    try:
        return files.digest(path, cache.MAX_ENTRY_BYTES).hex()
    except files.FileProblem:
        return None
