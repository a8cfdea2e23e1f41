"""Build cache: a laid-out PDF is kept under a key of everything that shapes it.

The key is the document's HTML (which the content, templates, messages,
config and print options make), the layout options, and a digest of what
the HTML only points to (the project's assets and templates), of this
package's own code, and of the versions of WeasyPrint and the fonts. The cache saves layout
work and nothing else: every build reads and checks its content and renders
it, and the output's name comes from the handout, never from the cache.
An unchanged handout is never laid out again, and a rebuild in which
nothing changed never imports WeasyPrint. Anything personal (a client's or
participant's name) is never cached.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from generator.config import Project

CACHE_FOLDER = ".handouts-cache"
#: Bumped when the cache's own layout changes.
CACHE_FORMAT = "2"
_KEY = re.compile(r"[0-9a-f]{64}")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def _code_digest() -> bytes:
    """A digest of this package's own code and data: a changed layout rule is a new key.

    The version alone would not change while the code is worked on (an
    editable install), and a stale PDF would then come back from the cache.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        # The built-in library is part of the project's roots, hashed as such.
        if not path.is_file() or relative.parts[0] in ("builtin", "__pycache__"):
            continue
        digest.update(str(relative).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.digest()


def _files(folder: Path) -> Iterable[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.rglob("*") if p.is_file())


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
                _version("fontpkg-noto-sans"),
                _version("fontpkg-noto-sans-arabic"),
            ):
                digest.update(part.encode() + b"\0")
            digest.update(_code_digest())
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

    def get(self, key: str) -> bytes | None:
        """The cached PDF, if there is one."""
        try:
            data = (self.folder / f"{key}.pdf").read_bytes()
        except OSError:
            return None
        # A damaged entry (a full disk, a hand edit) is a miss, never an output.
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep a PDF; a cache that can't be written is only slower, never an error."""
        with contextlib.suppress(OSError):
            self.folder.mkdir(exist_ok=True)
            self._write(self.folder / f"{key}.pdf", data)

    def likely_hit(self, source: str | None) -> bool:
        """Whether the document a source file last rendered to is still kept.

        A guess from the last build (see `predicted`): true does not promise
        a hit, nor is the entry's soundness checked here.
        """
        key = self.predicted(source) if source else None
        return key is not None and (self.folder / f"{key}.pdf").is_file()

    def predicted(self, source: str) -> str | None:
        """The document key a source file's HTML had the last time it was built.

        Only a prediction, used to start the layout workers early when work
        is likely: what is actually laid out or taken from the cache is
        decided by the HTML rendered now.
        """
        try:
            key = (self.folder / f"{source}.next").read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return key if _KEY.fullmatch(key) else None

    def predict(self, source: str, key: str) -> None:
        """Note which document key a source file's HTML had this time."""
        if self.predicted(source) != key:
            with contextlib.suppress(OSError):
                self.folder.mkdir(exist_ok=True)
                self._write(self.folder / f"{source}.next", key.encode("ascii"))

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
