"""PDF stage, the fetcher: a document reads files from the allowed folders only, never the web."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator.engine import load_engine
from generator.errors import display_path
from generator.files import MAX_ASSET_BYTES, FileProblem, inside, read_bytes, real_folder
from generator.images import check_fetched


@dataclass
class Fetches:
    """What a render asked for that it was not allowed to have, or could not use."""

    blocked: list[str] = field(default_factory=list)
    #: Files inside the allowed folders that can't be used, with why (for people).
    failed: list[tuple[str, str]] = field(default_factory=list)


def make_url_fetcher(allowed: Sequence[Path], fetches: Fetches) -> Any:
    """A WeasyPrint URL fetcher that reads only files under the allowed folders.

    WeasyPrint's own fetcher will read any file:// path and any web address,
    which would let a handout embed a private file or call out to the network.
    A file is judged by where it really is, links followed; an allowed
    folder that is itself a link counts only as far as where it is named
    (`files.real_folder`), so a project folder linked to elsewhere opens
    nothing there.
    """
    load_engine()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = tuple(real_folder(folder) for folder in allowed)

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                response = super().fetch(url, headers)
                body = check_fetched(response.read(), "a data: address")
                return URLFetcherResponse(url, body=body, headers=response.headers)
            path = _allowed_file(url, roots) if scheme == "file" else None
            if path is None:
                fetches.blocked.append(url)
                raise ValueError(f"blocked by the handouts URL policy: {url}")
            try:
                body = read_asset(path)
            except FileProblem as exc:
                fetches.failed.append((url, exc.message))
                raise ValueError(f"can't use {url}: {exc.message}") from None
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(),
                body=body,
                headers={"Content-Type": content_type},
            )

    return SafeURLFetcher(allowed_protocols=("file", "data"), allow_redirects=False)


def read_asset(path: Path) -> bytes:
    """The bytes of a file a document uses (a picture, font, stylesheet or attachment).

    The one place the PDF stage reads a file: a regular file, at most
    `files.MAX_ASSET_BYTES`, else FileProblem. Checks of what the bytes hold
    belong here too: a picture beyond the limits of `images` raises
    ImageRefused, which WeasyPrint reports as a picture it failed to load,
    with the reason (`images.explain` says it for people).
    """
    return check_fetched(read_bytes(path, MAX_ASSET_BYTES), display_path(path))


def _allowed_file(url: str, roots: Sequence[Path]) -> Path | None:
    """The real path of the local file a file:// URL names, if it lies under an allowed folder."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    try:
        # Links followed, so a link inside the project that points outside
        # it is judged by where it really leads.
        return inside(Path(url2pathname(parts.path)), roots)
    except ValueError:  # a NUL in the address
        return None
