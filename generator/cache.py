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

The cache folder travels with the project (a zip, a sync, a git clone), so
it is input like any other. Each entry carries a keyed digest (HMAC) of its
key and bytes, made with a secret that never leaves this user's own cache
folder: an entry that was garbled, swapped with another, or written by
anyone else does not verify, and is a miss, laid out again and replaced.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import files

if TYPE_CHECKING:  # the config's models are not needed to read or keep an entry
    from generator.config import Project

CACHE_FOLDER = ".handouts-cache"
#: Bumped when the cache's own layout changes.
CACHE_FORMAT = "4"
_KEY = re.compile(r"[0-9a-f]{64}")
#: What every entry starts with, before its keyed digest and the PDF.
_MAGIC = b"handouts-cache " + CACHE_FORMAT.encode() + b"\n"
_DIGEST_LENGTH = 64
#: A packet of thirty handouts is a few megabytes; anything far larger is not ours.
MAX_ENTRY_BYTES = 100 * 1024 * 1024
SECRET_NAME = "cache-secret"
_SECRET_BYTES = 32


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


def _user_cache() -> Path:
    """This user's own cache folder (XDG), never the project's."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base and Path(base).is_absolute():
        return Path(base) / "handouts"
    return Path.home() / ".cache" / "handouts"


def existing_secret() -> bytes | None:
    """The secret, if this user has one already; nothing is made."""
    with contextlib.suppress(files.FileProblem, OSError, RuntimeError):
        secret = files.read_bytes(_user_cache() / SECRET_NAME, _SECRET_BYTES)
        if len(secret) == _SECRET_BYTES:
            return secret
    return None


@functools.cache
def user_secret() -> bytes | None:
    """The secret entries are signed with, made on first use; None: no cache at all.

    Kept apart from every project, readable by this user only, so no shared
    project can carry entries that verify.
    """
    try:
        folder = _user_cache()
        path = folder / SECRET_NAME
        with contextlib.suppress(files.FileProblem):
            secret = files.read_bytes(path, _SECRET_BYTES)
            if len(secret) == _SECRET_BYTES:
                return secret
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(os.urandom(_SECRET_BYTES))
            # Two builds at once: one secret wins, and both use it.
            with contextlib.suppress(FileExistsError):
                os.link(temp, path)
        finally:
            os.unlink(temp)
        secret = files.read_bytes(path, _SECRET_BYTES)
    except (OSError, RuntimeError, files.FileProblem):
        # No home, or it can't be written: a build without a cache is only slower.
        return None
    if len(secret) != _SECRET_BYTES:
        # Damaged: a new one; every entry signed with the old one is a miss.
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    return secret


def _seal(secret: bytes, key: str, data: bytes) -> bytes:
    return hmac.new(secret, key.encode("ascii") + b"\0" + data, hashlib.sha256).hexdigest().encode()


def files_below(folder: Path) -> Iterable[Path]:
    # Not through a folder that is a link (rglob follows none below this
    # one): what lies beyond one is never read for a document, so it shapes
    # no PDF; and a link to `/` would have every build read the whole disk.
    if folder.is_dir() and not folder.is_symlink():
        yield from sorted(p for p in folder.rglob("*") if not p.is_dir())


def file_digest(path: Path, allowed: Sequence[Path]) -> bytes:
    """What a project file contributes to the key: a streamed digest of its bytes.

    A file a document could not use (a link out of the project, a pipe, one
    over the size limit) contributes only that, unread: using it fails the
    build, so its bytes shape no PDF.
    """
    real = files.inside(path, allowed)
    if real is None:
        return b"outside"
    try:
        return files.digest(real, files.MAX_ASSET_BYTES)
    except files.FileProblem as exc:
        return b"unusable\0" + exc.message.encode()


def shared_inputs(roots: Sequence[Path], config_path: Path | None) -> str:
    """A digest of every input all documents share: this tool's code and the versions
    of WeasyPrint and the fonts, the roots' templates, assets and content files other
    than handouts and packets (pictures), and the config."""
    digest = hashlib.sha256()
    for part in (
        CACHE_FORMAT,
        _version("handouts"),
        _version("weasyprint"),
        _version("fontpkg-noto-sans"),
        _version("fontpkg-noto-sans-arabic"),
    ):
        digest.update(part.encode() + b"\0")
    digest.update(_code_digest())
    allowed = [f for root in roots for f in files.own_folders(root)]
    for root in roots:
        for folder in ("templates", "assets", "content"):
            if (root / folder).is_symlink():
                # Where it leads decides which of its files can be used.
                digest.update(f"{folder}\0link\0".encode())
                digest.update(os.fsencode(os.readlink(root / folder)) + b"\0")
            for path in files_below(root / folder):
                # Handout and packet files have keys of their own.
                if folder == "content" and path.suffix in (".yaml", ".yml"):
                    continue
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(file_digest(path, allowed))
    if config_path is not None:
        # Read and checked when the project was found: it is in the project.
        try:
            config = files.digest(config_path, files.MAX_FILE_BYTES)
        except files.FileProblem as exc:
            config = exc.message.encode()
        digest.update(b"config\0" + config)
    return digest.hexdigest()


def read_sealed(folder: Path, name: str, secret: bytes | None) -> bytes | None:
    """An entry's bytes, if it was sealed with this secret under this name; else None."""
    if secret is None:
        return None
    try:
        entry = files.read_bytes(folder / name, MAX_ENTRY_BYTES)
    except files.FileProblem:
        return None
    start = len(_MAGIC) + _DIGEST_LENGTH + 1
    seal, data = entry[len(_MAGIC) : start - 1], entry[start:]
    if not entry.startswith(_MAGIC) or entry[start - 1 : start] != b"\n":
        return None
    # The name is sealed too: a PDF's entry does not verify as its notes.
    if not hmac.compare_digest(seal, _seal(secret, name, data)):
        return None
    return data


def keep_sealed(folder: Path, name: str, secret: bytes | None, data: bytes) -> None:
    """Keep an entry, sealed; a folder that can't be written is only slower, never an error."""
    if secret is None:
        return
    with contextlib.suppress(OSError):
        folder.mkdir(exist_ok=True)
        if not folder.is_symlink() and folder.is_dir():
            sealed = _MAGIC + _seal(secret, name, data) + b"\n" + data
            _write(folder / name, sealed)


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


class BuildCache:
    """PDFs by key, in the project's `.handouts-cache/` folder."""

    def __init__(self, project: Project, *, read_only: bool = False):
        self.project = project
        self.folder = project.root / CACHE_FOLDER
        self._shared: str | None = None
        #: Only look (`check --pdf`): nothing is written, the secret included.
        self.read_only = read_only
        secret = existing_secret() if read_only else user_secret()
        self.secret = secret if self._folder_is_ours() else None

    def _folder_is_ours(self) -> bool:
        """The cache folder is a folder of the project's, not a link leading elsewhere."""
        if not os.path.lexists(self.folder):
            return True
        return not self.folder.is_symlink() and self.folder.is_dir()

    def shared_key(self) -> str:
        """A digest of every input all handouts share (templates, config, assets)."""
        if self._shared is None:
            self._shared = shared_inputs(self.project.roots, self.project.config_path)
        return self._shared

    def key(self, *parts: Any) -> str:
        """The key for one render: the shared inputs plus the given parts."""
        digest = hashlib.sha256(self.shared_key().encode())
        for part in parts:
            if isinstance(part, Path):
                # A content file: larger ones are refused when read.
                digest.update(b"file\0" + files.digest(part, files.MAX_FILE_BYTES))
            else:
                digest.update(json.dumps(part, sort_keys=True, default=str).encode())
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> bytes | None:
        """The cached PDF, if there is one and it verifies.

        Anything else (garbled, cut short, another key's entry, not signed
        here, a link to a device) is a miss, never an output.
        """
        data = self._read(key, ".pdf")
        # Signed here, so written by this tool: the shape is checked all the same.
        if data is None or not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            return None
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep a PDF; a cache that can't be written is only slower, never an error."""
        self._keep(key, ".pdf", data)

    def get_notes(self, key: str) -> bytes | None:
        """What was kept beside a PDF of this key (how its pages break), if it verifies."""
        return self._read(key, ".notes")

    def put_notes(self, key: str, data: bytes) -> None:
        """Keep what `check --pdf` needs of a layout besides its PDF: how its pages break."""
        self._keep(key, ".notes", data)

    def _read(self, key: str, suffix: str) -> bytes | None:
        if not _KEY.fullmatch(key):
            return None
        return read_sealed(self.folder, key + suffix, self.secret)

    def _keep(self, key: str, suffix: str, data: bytes) -> None:
        if not self.read_only and _KEY.fullmatch(key):
            keep_sealed(self.folder, key + suffix, self.secret, data)

    def likely_hit(self, source: str | None) -> bool:
        """Whether the document a source file last rendered to is still kept.

        A guess from the last build (see `predicted`): true does not promise
        a hit, nor is the entry's soundness checked here.
        """
        key = self.predicted(source) if source else None
        return (
            self.secret is not None and key is not None and (self.folder / f"{key}.pdf").is_file()
        )

    def predicted(self, source: str) -> str | None:
        """The document key a source file's HTML had the last time it was built.

        Only a prediction, used to start the layout workers early when work
        is likely: what is actually laid out or taken from the cache is
        decided by the HTML rendered now.
        """
        if not _KEY.fullmatch(source):
            return None
        try:
            key = files.read_bytes(self.folder / f"{source}.next", 100).decode("ascii").strip()
        except (files.FileProblem, UnicodeDecodeError):
            return None
        return key if _KEY.fullmatch(key) else None

    def predict(self, source: str, key: str) -> None:
        """Note which document key a source file's HTML had this time."""
        if self.read_only or self.secret is None or not _KEY.fullmatch(source):
            return
        if self.predicted(source) != key:
            with contextlib.suppress(OSError):
                self.folder.mkdir(exist_ok=True)
                if self._folder_is_ours():
                    _write(self.folder / f"{source}.next", key.encode("ascii"))
