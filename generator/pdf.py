"""PDF stage: HTML to a tagged PDF through WeasyPrint, fetching only allowed files."""

from __future__ import annotations

import contextlib
import logging
import mimetypes
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator.errors import HandoutError

# WeasyPrint is imported inside the functions below: importing it costs most
# of a second, and `handouts --help` should not pay for it.

PDF_VARIANT = "pdf/ua-1"

# Notices about the machine's libraries, not about the document: they say
# nothing a content author could act on, so they are not reported.
ENGINE_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


@dataclass
class Fetches:
    """What a render asked for that it was not allowed to have."""

    blocked: list[str] = field(default_factory=list)


def make_url_fetcher(allowed: Sequence[Path], fetches: Fetches) -> Any:
    """A WeasyPrint URL fetcher that reads only files under the allowed folders.

    WeasyPrint's own fetcher will read any file:// path and any web address,
    which would let a handout embed a private file or call out to the network.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = tuple(folder.resolve() for folder in allowed)

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            path = _allowed_file(url, roots) if scheme == "file" else None
            if path is None:
                fetches.blocked.append(url)
                raise ValueError(f"blocked by the handouts URL policy: {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(),
                body=path.read_bytes(),
                headers={"Content-Type": content_type},
            )

    return SafeURLFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


def _allowed_file(url: str, roots: Sequence[Path]) -> Path | None:
    """The local file a file:// URL names, if it lies under an allowed folder."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    try:
        # resolve() follows symlinks, so a link inside content that points
        # outside the project is judged by where it really leads.
        path = Path(url2pathname(parts.path)).resolve()
    except (OSError, ValueError):
        return None
    if not any(path.is_relative_to(root) for root in roots):
        return None
    return path if path.is_file() else None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def captured_weasyprint_logs() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's warnings and errors instead of letting them print."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate


@dataclass(frozen=True)
class PdfResult:
    """The bytes of one PDF and what WeasyPrint said while making it."""

    data: bytes
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    blocked: tuple[str, ...]


def html_to_pdf(
    html: str,
    base_url: str,
    allowed: Sequence[Path],
    *,
    forms: bool = False,
    tagged: bool = True,
    full_fonts: bool = False,
) -> PdfResult:
    """Lay out HTML as a tagged PDF/UA-1 document, in memory (with form fields if asked).

    `tagged=False` is for layers laid over a tagged page as artifacts;
    `full_fonts` embeds whole fonts, which joined packets then share.
    """
    from weasyprint import HTML

    fetches = Fetches()
    fetcher = make_url_fetcher(allowed, fetches)
    with captured_weasyprint_logs() as records:
        variant = PDF_VARIANT if tagged else None
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            pdf_variant=variant, pdf_forms=forms
        )
        data = document.write_pdf(pdf_variant=variant, pdf_forms=forms, full_fonts=full_fonts)
    errors = tuple(r.getMessage() for r in records if r.levelno >= logging.ERROR)
    warnings = tuple(
        message
        for r in records
        if r.levelno < logging.ERROR and not (message := r.getMessage()).startswith(ENGINE_NOTICES)
    )
    return PdfResult(bytes(data), errors, warnings, tuple(fetches.blocked))


def write_atomically(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file or none: all go to temporary names first, then are renamed."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temp_name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp"
            )
            temp = Path(temp_name)
            staged.append((temp, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            # mkstemp makes files private; a handout is meant to be shared.
            temp.chmod(0o644)
    except OSError as exc:
        _discard(staged)
        raise HandoutError(
            f"could not write to {exc.filename or 'the output folder'}: "
            f"{exc.strerror or exc}. Check that you may write to the folder and that "
            "the disk has space; no file was changed"
        ) from None
    done: list[Path] = []
    for temp, target in staged:
        try:
            os.replace(temp, target)
        except OSError as exc:
            _discard(staged)
            written = ", ".join(str(p) for p in done) or "none"
            raise HandoutError(
                f"could not put {target} in place: {exc.strerror or exc}. "
                f"Already replaced: {written}; the others were left as they were"
            ) from None
        done.append(target)


def _discard(staged: Sequence[tuple[Path, Path]]) -> None:
    for temp, _ in staged:
        with contextlib.suppress(OSError):
            temp.unlink()
