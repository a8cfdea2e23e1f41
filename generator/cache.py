"""Build cache: a laid-out PDF is kept under a key of everything that shapes it.

The key covers the content file, every template, stylesheet and message
file, the project's config and assets, the print options, and the versions
of this package, WeasyPrint and the font. An unchanged handout is never laid
out again, and a rebuild in which nothing changed never imports WeasyPrint.
Anything personal (a client's or participant's name) is never cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.config import Project

CACHE_FOLDER = ".handouts-cache"
#: Bumped when the cache's own layout changes.
CACHE_FORMAT = "1"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def _files(folder: Path) -> Iterable[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


@dataclass(frozen=True)
class Entry:
    """What the cache keeps beside a PDF: where it goes."""

    language: str
    name: str


class BuildCache:
    """PDFs by key, in the project's `.handouts-cache/` folder."""

    def __init__(self, project: Project):
        self.project = project
        self.folder = project.root / CACHE_FOLDER
        self._shared: str | None = None

    def shared_key(self) -> str:
        """A digest of every input all handouts share (templates, config, assets)."""
        if self._shared is None:
            digest = hashlib.sha256()
            for part in (
                CACHE_FORMAT,
                _version("handouts"),
                _version("weasyprint"),
                _version("fontpkg-atkinson-hyperlegible"),
            ):
                digest.update(part.encode() + b"\0")
            for root in self.project.roots:
                for folder in ("templates", "assets", "content"):
                    for path in _files(root / folder):
                        # Handout and packet files have keys of their own.
                        if folder == "content" and path.suffix in (".yaml", ".yml"):
                            continue
                        digest.update(str(path.relative_to(root)).encode() + b"\0")
                        digest.update(hashlib.sha256(path.read_bytes()).digest())
            if self.project.config_path is not None and self.project.config_path.is_file():
                digest.update(b"config\0" + self.project.config_path.read_bytes())
            self._shared = digest.hexdigest()
        return self._shared

    def key(self, *parts: Any) -> str:
        """The key for one render: the shared inputs plus the given parts."""
        digest = hashlib.sha256(self.shared_key().encode())
        for part in parts:
            if isinstance(part, Path):
                digest.update(b"file\0" + part.read_bytes())
            else:
                digest.update(json.dumps(part, sort_keys=True, default=str).encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> tuple[bytes, Entry] | None:
        """The cached PDF and its entry, if there is one."""
        try:
            data = (self.folder / f"{key}.pdf").read_bytes()
            entry = Entry(**json.loads((self.folder / f"{key}.json").read_text("utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        # A damaged entry (a full disk, a hand edit) is a miss, never an output.
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            return None
        return data, entry

    def put(self, key: str, data: bytes, entry: Entry) -> None:
        """Keep a PDF; a cache that can't be written is only slower, never an error."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(exist_ok=True)
            self._write(self.folder / f"{key}.pdf", data)
            self._write(self.folder / f"{key}.json", json.dumps(asdict(entry)).encode())

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
