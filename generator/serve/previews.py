"""Serve: a handout's pages as pictures, for its page and the library's cards.

Pictures are made from the PDF the print form would give with the default
options (no name: these go through the build cache), kept in memory by the
PDF's digest, and served under it. The last good pictures of each handout
are kept, so that a page with an error can still show them beneath it.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from generator.config import Project
from generator.model import HandoutFile
from generator.options import RenderOptions
from generator.serve.printing import print_handout

#: Pixels per point for a page shown large, and for a card's thumbnail.
LARGE, THUMBNAIL = 1.4, 0.35
#: Sets of pictures kept in memory (each a handout's pages, or a thumbnail).
KEPT = 128


@dataclass(frozen=True)
class Preview:
    """A handout's pages as PNG pictures, under the digest of the PDF they show."""

    digest: str
    pages: tuple[bytes, ...]


class Previews:
    """Pictures of handouts' pages, kept by digest; and each handout's last good set."""

    def __init__(self, project: Project):
        self.project = project
        self._kept: OrderedDict[str, Preview] = OrderedDict()
        self.last_good: dict[tuple[str, str, str], Preview] = {}
        self._lock = threading.Lock()

    def make(
        self,
        language: str,
        handout_id: str,
        *,
        scale: float = LARGE,
        item: HandoutFile | None = None,
    ) -> Preview:
        """Lay the handout out (or take it from the cache) and draw its pages."""
        import pypdfium2

        data = print_handout(self.project, language, handout_id, RenderOptions(), item).data
        digest = hashlib.sha256(data + str(scale).encode()).hexdigest()[:32]
        with self._lock:
            found = self._kept.get(digest)
        if found is None:
            document = pypdfium2.PdfDocument(data)
            try:
                count = 1 if scale == THUMBNAIL else len(document)
                drawn = [document[i].render(scale=scale).to_pil() for i in range(count)]
            finally:
                document.close()
            # Pdfium draws one page at a time; the PNG encoder lets go of the GIL,
            # so the pages are written side by side (a third of the time, on two cores).
            with ThreadPoolExecutor(max_workers=2) as pool:
                found = Preview(digest, tuple(pool.map(_png, drawn)))
        with self._lock:
            self._kept[digest] = found
            self._kept.move_to_end(digest)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
            self.last_good[(language, handout_id, str(scale))] = found
        return found

    def page(self, digest: str, number: int) -> bytes | None:
        """A kept picture: page `number` (from 1) of the set with this digest."""
        with self._lock:
            found = self._kept.get(digest)
        if found is None or not 1 <= number <= len(found.pages):
            return None
        return found.pages[number - 1]

    def last(self, language: str, handout_id: str) -> Preview | None:
        """The handout's pages as they were at its last good build, if it had one."""
        with self._lock:
            found = self.last_good.get((language, handout_id, str(LARGE)))
            if found is not None:
                self._kept[found.digest] = found
            return found


def _png(image: object) -> bytes:
    out = io.BytesIO()
    # Quick to write: these are kept in memory a while, not stored.
    image.save(out, format="PNG", compress_level=1)  # type: ignore[attr-defined]
    return out.getvalue()
