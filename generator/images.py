"""Images a page shows, checked before the layout engine decodes them: size, pixels, SVG work.

The layout engine decodes a picture whole and an SVG element by element, so
a small file can cost gigabytes or hours: a PNG whose header declares
100,000 pixels across, an SVG whose `<use>` elements repeat each other ten
times over ten levels, an XML "billion laughs" entity. Every image is
checked here first, from its header (`raster`) or a streaming parse (`svg`),
with a message that names the file, the limit and what to do.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator.errors import display_path
from generator.files import FileProblem, read_bytes
from generator.raster import ADVICE, MAX_IMAGE_BYTES, MAX_PIXELS, check_raster, too_many_bytes
from generator.svg import check_svg, looks_like_svg

_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
#: Fetched files that are never pictures: fonts and style sheets.
NOT_IMAGES = frozenset({".css", ".woff", ".woff2", ".ttf", ".otf", ".ttc"})


class ImageRefused(ValueError):
    """An image the layout engine is not given; the message says which limit and why."""


def check(data: bytes, name: str) -> str | None:
    """Why a file given as an image can't be used (a message naming `name`), or None.

    Everything is checked, the picture decoded too (within the limits), so a
    damaged file is found here rather than printed half grey.
    """
    if looks_like_svg(data, name):
        return check_svg(data, name, sniffed=False)
    return check_raster(data, name, decode=True, image=True)


def check_file(path: Path, name: str) -> str | None:
    """`check` for a file on disk, refused by its size before it is read."""
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return too_many_bytes(name, size, MAX_IMAGE_BYTES, "an image")
        data = read_bytes(path, MAX_IMAGE_BYTES)
    except FileProblem as exc:
        return f"{name} can't be read: {exc.message}"
    except OSError as exc:
        return f"{name} can't be read ({exc.strerror or exc}); check its permissions"
    return check(data, name)


def check_fetched(data: bytes, name: str) -> bytes:
    """The bytes of a file the layout engine asked for, or ImageRefused if it is an
    image beyond the limits. Fonts, style sheets and files that are no picture
    pass; a picture's header is read, not its pixels."""
    suffix = Path(name).suffix.lower()
    if suffix in NOT_IMAGES:
        return data
    if looks_like_svg(data, name):
        problem = check_svg(data, name, sniffed=suffix != ".svg")
    else:
        image = suffix in _IMAGE_SUFFIXES
        problem = check_raster(data, name, decode=False, image=image)
    if problem:
        raise ImageRefused(problem)
    return data


_LOAD_FAILED = re.compile(r"^Failed to load image at '(?P<url>[^']*)': ?(?P<reason>.*)$", re.S)
_DRAW_FAILED = re.compile(r"^Failed to render SVG image (?P<url>\S+)$")


def explain(message: str) -> str | None:
    """The layout engine's message about a picture it could not use, said for people.

    WeasyPrint's own says "failed to load image at" and a web address, often
    with no reason; a picture refused here carries its reason through.
    """
    if found := _LOAD_FAILED.match(message):
        reason = found.group("reason")
        if reason.startswith(f"{ImageRefused.__name__}: "):
            return reason.removeprefix(f"{ImageRefused.__name__}: ")
        name = _shown(found.group("url"))
        said = f" ({reason})" if reason else ""
        return (
            f"{name} could not be used as a picture{said}: it may be damaged, not a "
            f"picture, or more than {MAX_PIXELS // 1_000_000} megapixels. Export it again "
            f"as PNG or JPEG, {ADVICE}"
        )
    if found := _DRAW_FAILED.match(message):
        return (
            f"{_shown(found.group('url'))} could not be drawn (an SVG image that is broken "
            "or too complex); simplify it, or save it as a PNG"
        )
    return None


def _shown(url: str) -> str:
    if url.startswith("data:"):
        return "a picture written into the page as a data: address"
    if url.startswith("file:"):
        return display_path(Path(url2pathname(urlsplit(url).path)))
    return url


@contextlib.contextmanager
def bounded_decoding() -> Iterator[None]:
    """While laying out: Pillow refuses a picture over the pixel limit, whatever
    its format or wherever it comes from (a style sheet, inside an SVG), and
    its "decompression bomb" warning is an error, never printed."""
    from PIL import Image

    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous
