"""Raster pictures (PNG, JPEG, GIF, WebP) checked before layout from their header: bytes, pixels."""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Iterator
from typing import Any

#: Largest image file, and most pixels in one picture. Laying out a
#: 12-megapixel PNG (4,000 by 3,000, a phone camera's) takes seconds and a
#: few hundred megabytes; a page needs far fewer.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 12_000_000
#: Formats a handout's image block may use (Pillow's names, and ours).
RASTER_FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF", "WEBP": "WebP"}
ADVICE = "2,000 pixels across is plenty for a printed page"


def too_many_bytes(name: str, size: int, limit: int, what: str) -> str:
    """The message for an image file larger than its limit, with what to do."""
    advice = f"save it smaller ({ADVICE}), or as a JPEG"
    if what == "an SVG image":
        advice = "simplify it, or save it as a PNG"
    return f"{name} is {_megabytes(size)}; the limit for {what} is {_megabytes(limit)}: {advice}"


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MB"


@contextlib.contextmanager
def _header_only() -> Iterator[Any]:
    """Pillow with its own size limits off (ours apply) and truncated files refused."""
    from PIL import Image, ImageFile

    previous = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = None
    # WeasyPrint turns this on when it is imported; a cut-short file is refused here.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield Image
    finally:
        Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES = previous


def check_raster(data: bytes, name: str, *, decode: bool, image: bool) -> str | None:
    """A raster picture's problem; `image`: the file is meant to be one."""
    if len(data) > MAX_IMAGE_BYTES:
        return too_many_bytes(name, len(data), MAX_IMAGE_BYTES, "an image")
    with _header_only() as Image:
        try:
            picture = Image.open(io.BytesIO(data))
        except Exception:  # Pillow raises many kinds for a file it can't read
            if not image:
                return None
            if not data:
                return f"{name} is empty; put the picture in it again"
            return (
                f"{name} is not a picture that can be read (not a PNG, JPEG, GIF or WebP "
                "image, or one too damaged to open); export it again as PNG or JPEG"
            )
        with picture:
            kind = picture.format or "?"
            width, height = picture.size
            if width * height > MAX_PIXELS:
                return (
                    f"{name} is {width:,} by {height:,} pixels ({width * height / 1e6:,.0f} "
                    f"megapixels); the limit is {MAX_PIXELS // 1_000_000} megapixels: make it "
                    f"smaller, {ADVICE}"
                )
            if image and decode and kind not in RASTER_FORMATS:
                return (
                    f"{name} is a {kind} image; handouts use PNG, JPEG, GIF, WebP or SVG: "
                    "save it as PNG or JPEG"
                )
            if decode:
                try:
                    picture.load()
                except Exception as exc:  # as above: a damaged file, in whatever way
                    reason = " ".join(str(exc).split()) or type(exc).__name__
                    return (
                        f"{name} is a damaged or cut-short {RASTER_FORMATS.get(kind, kind)} "
                        f"image ({reason}); open it in an image editor and save it again"
                    )
    return None
