"""PDF stage: HTML to a tagged PDF through WeasyPrint, fetching only allowed files."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import importlib
import io
import logging
import math
import mimetypes
import multiprocessing.util
import os
import re
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator import lifecycle
from generator.errors import HandoutError, display_path
from generator.files import (
    MAX_ASSET_BYTES,
    FileProblem,
    digest,
    inside,
    read_bytes,
    real_folder,
)
from generator.images import bounded_decoding, check_fetched
from generator.options import SOURCE_DATE_EPOCH
from generator.output import advice, reason

# WeasyPrint is imported inside the functions below: importing it costs most
# of a second, and `handouts --help` should not pay for it.

PDF_VARIANT = "pdf/ua-1"
T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

# Notices about the machine's libraries, not about the document: they say
# nothing a content author could act on, so they are not reported.
ENGINE_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


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


def load_engine() -> None:
    """Import WeasyPrint, without its slow search for system libraries where that is safe.

    WeasyPrint tries several names for each library it needs, and cffi answers
    every miss with ctypes.util.find_library, which runs ldconfig and gcc:
    about a quarter of a second per process. On Linux find_library only ever
    gives a soname, which dlopen finds by itself, and WeasyPrint's list holds
    the sonames; so a miss may fail at once. If that loads too little, the
    ordinary import runs instead.
    """
    if "weasyprint" in sys.modules:
        return
    with warnings.catch_warnings():
        # About the machine's libraries, not the document: see ENGINE_NOTICES.
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        if sys.platform.startswith("linux"):
            _import_without_library_search()
        importlib.import_module("weasyprint")


def _import_without_library_search() -> None:
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = _no_library
    try:
        # A failed load prints WeasyPrint's install advice; the ordinary
        # import after this prints it again if it is still true.
        with contextlib.redirect_stdout(io.StringIO()):
            importlib.import_module("weasyprint")
    except OSError:
        for name in [m for m in sys.modules if m.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search


def _no_library(name: str) -> None:
    return None


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
class Layout:
    """How WeasyPrint writes a PDF: form fields, tags, and whether it is a part to join."""

    forms: bool = False
    #: False for layers laid over a tagged page as artifacts.
    tagged: bool = True
    #: A part of a joined packet: see `html_to_pdf`.
    part: bool = False


#: One document for a worker: HTML, base URL, the folders it may read, layout.
LayoutCall = tuple[str, str, tuple[Path, ...], Layout]


def lay_out_one(call: LayoutCall) -> PdfResult:
    """Lay out one document, in a worker process or this one, within the time limit.

    Raises LayoutStopped, whose message the caller puts after the name of
    the file the document comes from. Layout writes to the temporary folder
    (WeasyPrint keeps the fonts a page uses there): a full disk or a
    file-size limit is a message for people, raised here so that it crosses
    from a worker as one.
    """
    html, base_url, allowed, layout = call
    seconds = layout_seconds()
    # Loaded before the clock starts: a limit ringing inside the first import
    # would leave this process with half-imported modules for good.
    load_engine()
    try:
        with _time_limit(seconds), bounded_decoding():
            return html_to_pdf(
                html,
                base_url,
                allowed,
                forms=layout.forms,
                tagged=layout.tagged,
                part=layout.part,
            )
    except _OutOfTime:
        raise LayoutStopped(
            f"laying it out took longer than {seconds:g} seconds, the limit for one "
            "document; make it shorter or split it, or allow more time with "
            f"{LAYOUT_SECONDS_VARIABLE}={max(seconds * 2, LAYOUT_SECONDS):g} (a project's "
            "own templates and styles may be the slow part)"
        ) from None
    except RecursionError:
        raise LayoutStopped(
            "its page is nested too deeply to lay out (elements inside elements, hundreds "
            "deep); a project's own templates may be making it so"
        ) from None
    except OSError as exc:
        raise HandoutError(layout_failure(exc)) from None


def layout_failure(exc: OSError) -> str:
    """What to tell people when laying out failed for want of a file it could write."""
    folder = Path(tempfile.gettempdir())
    if folder.name.startswith("handouts-worker-"):
        folder = folder.parent  # a worker's own folder: see `_start_worker`
    if folder.name.startswith(lifecycle.RUN_PREFIX):
        folder = folder.parent  # the run's own folder: see `lifecycle`
    return (
        f"could not lay out a PDF: a temporary file in {folder} could not be written "
        f"({reason(exc)}). {advice(exc, 'set TMPDIR to a folder on a disk with space')}; "
        "no file was written"
    )


#: How long one document may take to lay out, in seconds, unless the
#: environment variable sets another: a few seconds is usual, and a
#: document that takes minutes is one a limit somewhere missed.
LAYOUT_SECONDS = 60.0
LAYOUT_SECONDS_VARIABLE = "HANDOUTS_LAYOUT_SECONDS"


class LayoutStopped(HandoutError):
    """A document whose layout was given up; the message names no file (the caller does)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def layout_seconds() -> float:
    """The time limit for laying out one document."""
    raw = os.environ.get(LAYOUT_SECONDS_VARIABLE, "").strip()
    if not raw:
        return LAYOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        shown = repr(raw) if len(raw) <= 40 else repr(raw[:40] + "...")
        raise HandoutError(
            f"the environment variable {LAYOUT_SECONDS_VARIABLE} is {shown}, which is not "
            "a number of seconds; set it to the most seconds one document may take to lay "
            f"out (like 120), or unset it for the default of {LAYOUT_SECONDS:g}"
        )
    return seconds


class _OutOfTime(BaseException):
    """Raised into the layout when its time is up. A BaseException: WeasyPrint
    catches Exception around a picture or a font that fails, and would go on."""


#: Where an exception raised into the code would be lost or leave things
#: half done: a finalizer (WeasyPrint removes its font folders in __del__),
#: logging's own machinery, removing a folder.
_NOT_HERE = ("__del__", "__exit__", "_exitfunc", "rmtree", "emit", "handle", "callHandlers")


def _may_interrupt(frame: FrameType | None) -> bool:
    inside_engine = False
    while frame is not None:
        code = frame.f_code
        if code.co_name in _NOT_HERE or "weakref" in code.co_filename:
            return False
        inside_engine = inside_engine or f"{os.sep}weasyprint{os.sep}" in code.co_filename
        frame = frame.f_back
    return inside_engine


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Stop the block with _OutOfTime once it has run `seconds`.

    The alarm raises only inside WeasyPrint's own code, never in a finalizer
    or a logging call, and again every twentieth of a second until the block
    has ended. Only the main thread gets signals: elsewhere the block runs
    unbounded.
    """
    if not hasattr(signal, "setitimer") or (
        threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    armed, rung = [True], [False]

    def ring(signum: int, frame: FrameType | None) -> None:
        rung[0] = True
        # Raised again at every tick: WeasyPrint catches even this around an
        # SVG picture, and would draw on.
        if armed[0] and _may_interrupt(frame):
            raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if rung[0]:
        # Finished after all, but its time ran out (WeasyPrint may have
        # caught the alarm around an SVG picture and drawn on without it).
        raise _OutOfTime


@dataclass(frozen=True)
class OffPage:
    """Text laid out where the page does not show it, and the content it comes from."""

    #: The `data-field` of the element it is in (see `FIELD_ATTRIBUTE`), or "".
    field: str
    #: Where it went: "page" (off the paper), "edge" (too near the paper's
    #: edge), "footer" (below the text area, over the footer), "clipped" (cut
    #: off by a box that hides what overflows it), "dropped" (on no page: a
    #: table's header or footer rows that do not fit on a page).
    where: str
    #: The first page it is on, from 1 (0: on none).
    page: int
    #: About how many of its characters are outside.
    chars: int


@dataclass(frozen=True)
class HostFont:
    """Text set in a font from this computer, not one the tool or the project bundles."""

    #: The font's family, as the computer names it; "" for characters no
    #: font has, printed as empty boxes (.notdef glyphs).
    family: str
    #: The font-family the style asked for, in order.
    asked: tuple[str, ...]
    #: The `data-field` of the element it is in, or "".
    field: str
    #: The first page it is on, from 1.
    page: int
    #: Some of the characters set in it: never from personal text.
    chars: str


@dataclass(frozen=True)
class PdfResult:
    """The bytes of one PDF, what WeasyPrint said while making it, and text it misplaced."""

    data: bytes
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    blocked: tuple[str, ...]
    #: Files in the allowed folders that could not be used, each with why.
    failed: tuple[tuple[str, str], ...] = ()
    #: Text that the layout put outside the page (see `misplaced`).
    off_page: tuple[OffPage, ...] = ()
    #: Text set in fonts from this computer (see `misplaced`).
    host_fonts: tuple[HostFont, ...] = ()


def html_to_pdf(
    html: str,
    base_url: str,
    allowed: Sequence[Path],
    *,
    forms: bool = False,
    tagged: bool = True,
    part: bool = False,
) -> PdfResult:
    """Lay out HTML as a tagged PDF/UA-1 document, in memory (with form fields if asked).

    `tagged=False` is for layers laid over a tagged page as artifacts. A
    `part` of a joined packet embeds whole fonts, which the parts then share,
    and is written uncompressed: WeasyPrint would compress every part's copy
    of the fonts again, where `merge.compact` compresses each font once.
    """
    load_engine()
    from weasyprint import HTML

    _drop_styles_at_exit()
    fetches = Fetches()
    fetcher = make_url_fetcher(allowed, fetches)
    with captured_weasyprint_logs() as records, _dated(_document_epoch(html)):
        variant = PDF_VARIANT if tagged else None
        html, parsed = _shared_style(html, base_url, allowed, fetcher, fetches, records)
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            pdf_variant=variant, pdf_forms=forms, **parsed
        )
        # The identifier is a digest of the file: the same pages, the same file.
        data = document.write_pdf(
            pdf_variant=variant,
            pdf_forms=forms,
            full_fonts=part,
            uncompressed_pdf=part,
            pdf_identifier=not part,
        )
        # After writing: the fonts a document uses are known once it is drawn.
        missing = any(_NOTDEF.match(r.getMessage()) for r in records)
        off_page, host_fonts = misplaced(document, missing)
    errors = tuple(r.getMessage() for r in records if r.levelno >= logging.ERROR)
    # Characters no font has are reported by the content they are in (see
    # `misplaced`); those left are in personal text, which layout.py words.
    located = {c for found in host_fonts if not found.family for c in found.chars}
    warnings = tuple(
        message
        for r in records
        if r.levelno < logging.ERROR
        and not (message := r.getMessage()).startswith(ENGINE_NOTICES)
        and not ((notdef := _NOTDEF.match(message)) and notdef.group(1) in located)
    )
    return PdfResult(
        bytes(data),
        errors,
        warnings,
        tuple(fetches.blocked),
        tuple(fetches.failed),
        off_page,
        host_fonts,
    )


#: WeasyPrint's warning of a character no font has, drawn as an empty box.
_NOTDEF = re.compile(
    r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.)"', re.DOTALL
)

#: How far (CSS px) text may stray past its area before it counts: glyphs
#: overhang their boxes a little (italics, accents, a line's leading).
_SLACK = 2.0
#: Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, NKo,
#: Samaritan, Mandaic, and their presentation forms).
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
#: How near (CSS px) the paper's edge text may come: a quarter of an inch,
#: which printers may leave blank.
_EDGE = 24.0
#: The attribute templates mark content with: its field in the content file,
#: as `blocks[3].items[1]`, or `config:footer_note` for the project config.
FIELD_ATTRIBUTE = "data-field"
#: The class of personal text (a client's name): it may use the computer's
#: fonts (see fonts.py), and its characters are never reported.
PERSONAL_CLASS = "personal"

#: left, top, right, bottom, in CSS px from the page's top left corner
Area = tuple[float, float, float, float]


@dataclass
class _Page:
    """What the walk over one page's boxes knows, and what it found."""

    number: int
    paper: Area
    #: Keys of the fonts (in `document.fonts`) that the project does not bundle.
    foreign: frozenset[Any]
    #: Whether some characters had no font: the layout warned of .notdef glyphs.
    missing: bool
    fonts: dict[Any, Any]
    off_page: dict[tuple[str, str], OffPage]
    host_fonts: dict[tuple[str, str], HostFont]
    #: The elements that have a box on some page, by id.
    shown: set[int]


def misplaced(
    document: Any, missing: bool = False
) -> tuple[tuple[OffPage, ...], tuple[HostFont, ...]]:
    """Text a laid-out document shows nowhere, or sets in a font the project does not bundle.

    Walks every page's boxes: each piece of text must lie on the paper, clear
    of its edge, inside any box that hides what overflows it and, in the
    page's flow, above the bottom of its text area (the footer's place). A
    font counts as bundled when its file is one that an @font-face rule
    loaded, which the URL fetcher allows only from the tool's and the
    project's own folders; text in any other font is reported, except
    personal text. With `missing` (WeasyPrint warned of characters no font
    has), those are found too. Each field is reported once for each kind, at
    its first page.
    """
    from weasyprint.formatting_structure import boxes

    off_page: dict[tuple[str, str], OffPage] = {}
    host_fonts: dict[tuple[str, str], HostFont] = {}
    shown: set[int] = set()
    foreign = _host_font_keys(document)
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        left, top = page_box.content_box_x(), page_box.content_box_y()
        text_area: Area = (left, top, left + page_box.width, top + page_box.height)
        paper: Area = (0.0, 0.0, page_box.margin_width(), page_box.margin_height())
        walk = _Page(number, paper, foreign, missing, document.fonts, off_page, host_fonts, shown)
        for child in page_box.children:
            # Margin boxes (the footer) hold no flow that could run into them.
            area = None if isinstance(child, boxes.MarginBox) else text_area
            _walk(walk, child, area, None, "", False)
    html = getattr(document, "_html", None)
    if html is not None:
        _dropped(html.etree_element, "", shown, off_page)
    return tuple(off_page.values()), tuple(host_fonts.values())


def _walk(
    page: _Page, box: Any, area: Area | None, clip: Area | None, field_name: str, personal: bool
) -> None:
    """Check a box's text and its children's, with what they inherit from its parents."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        if box.style["visibility"] == "visible" and box.text.strip():
            _check_place(page, box, area, clip, field_name)
            if (page.foreign or page.missing) and not personal:
                _check_fonts(page, box, field_name)
        return
    element = box.element
    if element is not None:
        page.shown.add(id(element))
        field_name = element.get(FIELD_ATTRIBUTE) or field_name
        personal = personal or PERSONAL_CLASS in (element.get("class") or "").split()
    if box.style["overflow"] != "visible" and not isinstance(box, boxes.MarginBox):
        x, y = box.padding_box_x(), box.padding_box_y()
        box_area = (x, y, x + box.padding_width(), y + box.padding_height())
        clip = box_area if clip is None else _intersection(clip, box_area)
    for child in box.all_children():
        _walk(page, child, area, clip, field_name, personal)


def _dropped(element: Any, field_name: str, shown: set[int], found: dict[Any, OffPage]) -> None:
    """Note table headers and footers with text that are on no page.

    WeasyPrint repeats them on every page a table is on, and leaves them out
    where they do not fit: one taller than a page is on none.
    """
    field_name = element.get(FIELD_ATTRIBUTE) or field_name
    if element.tag in ("thead", "tfoot") and id(element) not in shown:
        chars = sum(1 for c in "".join(element.itertext()) if not c.isspace())
        if chars:
            found.setdefault((field_name, "dropped"), OffPage(field_name, "dropped", 0, chars))
        return
    for child in element:
        if isinstance(child.tag, str):
            _dropped(child, field_name, shown, found)


def _intersection(a: Area, b: Area) -> Area:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _check_place(
    page: _Page, box: Any, area: Area | None, clip: Area | None, field_name: str
) -> None:
    """Note a text box the page does not show whole, with about how much of it is lost.

    Text off the paper, too near its edge (where printers leave it blank), cut
    off by its box, or (in the page's flow, `area` its text area) below the
    text area, over the footer. Text that strays a little into the side or
    top margin is still printed and read, and is let be.
    """
    width = box.width
    if _RIGHT_TO_LEFT.search(box.text):
        width = max(width, _drawn_width(box))
    left, right = box.position_x, box.position_x + width
    top, bottom = box.position_y, box.position_y + box.height
    paper = page.paper
    printed = (paper[0] + _EDGE, paper[1] + _EDGE, paper[2] - _EDGE, paper[3] - _EDGE)
    where, seen = "", paper
    if _outside(left, top, right, bottom, paper):
        where = "page"
    elif area is not None and bottom > area[3] + _SLACK:
        where, seen = "footer", area
    elif _outside(left, top, right, bottom, printed):
        where, seen = "edge", printed
    elif clip is not None and _outside(left, top, right, bottom, clip):
        where, seen = "clipped", clip
    if not where:
        return
    chars = len(box.text.strip())
    if width > 0 and (left < seen[0] or right > seen[2]):
        inside = max(0.0, min(right, seen[2]) - max(left, seen[0]))
        chars = round(chars * (1 - inside / width))
    chars = max(chars, 1)
    key = (field_name, where)
    known = page.off_page.get(key)
    if known is None:
        page.off_page[key] = OffPage(field_name, where, page.number, chars)
    else:
        page.off_page[key] = replace(known, chars=known.chars + chars)


def _drawn_width(box: Any) -> float:
    """How wide a text box is drawn: its text shaped alone, as WeasyPrint draws it.

    Right-to-left text broken inside a word is shaped again on its own, and its
    letters take other (often wider) forms than the line breaking measured.
    """
    from weasyprint.text.line_break import line_size

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        return float(line_size(line, box.style)[0])
    finally:
        layout.deactivate()


def _outside(left: float, top: float, right: float, bottom: float, area: Area) -> bool:
    return (
        left < area[0] - _SLACK
        or top < area[1] - _SLACK
        or right > area[2] + _SLACK
        or bottom > area[3] + _SLACK
    )


def _check_fonts(page: _Page, box: Any, field_name: str) -> None:
    """Note the characters of a text box set in fonts from this computer, or in none."""
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.fonts import get_pango_font_key

    layout = box.pango_layout
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        encoded = layout.text.encode()
        run = line.runs
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            item = glyph_item.item
            text = encoded[item.offset : item.offset + item.length].decode(errors="replace")
            if page.missing:
                glyphs = glyph_item.glyphs
                unknown = pango.PANGO_GLYPH_UNKNOWN_FLAG
                missing = "".join(
                    chr(glyph - unknown)
                    for glyph in (glyphs.glyphs[i].glyph for i in range(glyphs.num_glyphs))
                    if glyph & unknown and glyph != pango.PANGO_GLYPH_EMPTY
                )
                if missing:
                    _note_font(page, "", box, field_name, missing)
            key = get_pango_font_key(item.analysis.font)[0]
            if key in page.foreign:
                _note_font(page, page.fonts[key].family, box, field_name, text)
    finally:
        layout.deactivate()


def _note_font(page: _Page, family: str, box: Any, field_name: str, text: str) -> None:
    """Note a field's text set in a font from this computer ("": in no font)."""
    key = (field_name, family)
    known = page.host_fonts.get(key)
    if known is None:
        asked = tuple(str(name) for name in box.style["font_family"])
        known = HostFont(family, asked, field_name, page.number, "")
    if len(known.chars) < 40:
        more = "".join(c for c in dict.fromkeys(text) if not c.isspace() and c not in known.chars)
        known = replace(known, chars=(known.chars + more)[:40])
    page.host_fonts[key] = known


#: Sizes and digests of the font files @font-face rules loaded, by path
#: (WeasyPrint writes each once).
_FACE_DIGESTS: dict[Path, tuple[int, str]] = {}


def _host_font_keys(document: Any) -> frozenset[Any]:
    """The fonts a drawn document uses whose files no @font-face rule of it loaded.

    WeasyPrint copies each font an @font-face rule loads (through the URL
    fetcher, so only from allowed folders) into its font configuration's
    folder; a font whose bytes are none of those came from the computer.
    """
    from weasyprint.text.ffi import harfbuzz
    from weasyprint.text.fonts import get_hb_object_data

    if not document.fonts:
        return frozenset()
    folder = getattr(document.font_config, "_folder", None)
    loaded: set[tuple[int, str]] = set()
    if folder is not None and Path(folder).is_dir():
        if len(_FACE_DIGESTS) > 256:
            _FACE_DIGESTS.clear()
        for path in Path(folder).iterdir():
            known = _FACE_DIGESTS.get(path)
            if known is None:
                known = _FACE_DIGESTS[path] = (path.stat().st_size, digest(path).hex())
            loaded.add(known)
    sizes = {size for size, _ in loaded}
    foreign = []
    for key, font in document.fonts.items():
        # The size first: a computer's font may be large, and is seldom the same size.
        blob = harfbuzz.hb_face_reference_blob(font.hb_face)
        size = harfbuzz.hb_blob_get_length(blob)
        harfbuzz.hb_blob_destroy(blob)
        if size in sizes:
            data = get_hb_object_data(font.hb_face) or b""
            if (size, hashlib.sha256(data).hexdigest()) in loaded:
                continue
        foreign.append(key)
    return frozenset(foreign)


_MODIFIED = re.compile(r'<meta name="dcterms\.modified" content="([^"<>]*)">')


def _document_epoch(html: str) -> int:
    """The document's own date (its head's dcterms.modified) in seconds since 1970.

    A document without one (a project's own base template, say) gets 1970:
    any fixed time keeps the same input giving the same bytes.
    """
    match = _MODIFIED.search(html.partition("</head>")[0])
    if match is None:
        return 0
    text = match.group(1).replace("Z", "+00:00")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return 0
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0, int(when.timestamp()))


@contextlib.contextmanager
def _dated(epoch: int) -> Iterator[None]:
    """Have fontTools stamp the fonts it writes with the document's date, not now.

    fontTools, which WeasyPrint subsets fonts with, writes the time into every
    font it saves, unless SOURCE_DATE_EPOCH is set; the user's value has been
    checked, and folded into the document's date, by then.
    """
    previous = os.environ.get(SOURCE_DATE_EPOCH)
    os.environ[SOURCE_DATE_EPOCH] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            del os.environ[SOURCE_DATE_EPOCH]
        else:
            os.environ[SOURCE_DATE_EPOCH] = previous


# The page style every handout shares, parsed once per process: parsing it
# (and loading its fonts) is about a fifth of laying out a two-page handout.
_HEAD_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_STYLES: dict[tuple[str, str, tuple[Path, ...]], dict[str, Any]] = {}
_MAX_STYLES = 8
_CLEANUP_FOR: list[int] = []


def _drop_styles_at_exit() -> None:
    """Have this process keep its documents' fonts in the run's folder, and drop them at the end.

    WeasyPrint copies a document's web fonts into a temporary folder, removed
    when the document's font configuration is collected: which may never
    happen in a worker, as workers end without a last collection, nor once
    Python is shutting down. Workers end through multiprocessing's exit
    function, which runs its finalizers but not atexit, and a forked worker
    starts with none: so each process registers its own.
    """
    lifecycle.temporary_files_in_run()
    if os.getpid() not in _CLEANUP_FOR:
        _CLEANUP_FOR.append(os.getpid())
        multiprocessing.util.Finalize(None, _drop_styles, exitpriority=10)


def _drop_styles() -> None:
    _STYLES.clear()
    gc.collect()


def _shared_style(
    html: str,
    base_url: str,
    allowed: Sequence[Path],
    fetcher: Any,
    fetches: Fetches,
    records: list[logging.LogRecord],
) -> tuple[str, dict[str, Any]]:
    """The HTML without its head's <style>, and render arguments that apply it parsed.

    The style moves from the author's to the user's origin: the same rules in
    the same order, below any other style a project's templates add. A style
    that warns or asks for a blocked file is left in place, so every document
    reports it.
    """
    head = html.partition("</head>")[0]
    match = _HEAD_STYLE.search(head)
    # Only our templates write markup into the head (every value there is
    # escaped); a <style> inside a comment is not one to apply.
    if match is None or "<!--" in head[: match.start()]:
        return html, {}
    key = (match.group(1), base_url, tuple(allowed))
    parsed = _STYLES.get(key)
    if parsed is None:
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        seen, blocked, failed = len(records), len(fetches.blocked), len(fetches.failed)
        font_config, counter_style = FontConfiguration(), CounterStyle()
        sheet = CSS(
            string=match.group(1),
            base_url=base_url,
            url_fetcher=fetcher,
            font_config=font_config,
            counter_style=counter_style,
        )
        if len(records) > seen or len(fetches.blocked) > blocked or len(fetches.failed) > failed:
            # WeasyPrint parses it again below and says all this itself.
            del records[seen:], fetches.blocked[blocked:], fetches.failed[failed:]
            return html, {}
        parsed = {
            "stylesheets": [sheet],
            "font_config": font_config,
            "counter_style": counter_style,
        }
        if len(_STYLES) >= _MAX_STYLES:
            del _STYLES[next(iter(_STYLES))]
        _STYLES[key] = parsed
    return html[: match.start()] + html[match.end() :], parsed
