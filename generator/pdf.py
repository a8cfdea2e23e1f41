"""PDF stage: HTML to a tagged PDF through WeasyPrint, in a time limit, fetching only allowed files.

The pieces it uses each have a module: `engine` (loading WeasyPrint),
`fetcher` (the restricted URL fetcher), `stylecache` (the shared page style,
parsed once), `timelimit` (the time limit) and `placement` (text the page
does not show, or sets in a font from this computer).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import lifecycle
from generator.engine import ENGINE_NOTICES, captured_weasyprint_logs, load_engine
from generator.errors import HandoutError
from generator.fetcher import Fetches, make_url_fetcher
from generator.images import bounded_decoding
from generator.legibility import unreadable_footer
from generator.options import SOURCE_DATE_EPOCH
from generator.output import advice, reason
from generator.pagequality import PageNote, ends_with_sources_alone, page_quality, spilled
from generator.placement import HostFont, OffPage, misplaced
from generator.stylecache import drop_styles_at_exit, shared_style
from generator.timelimit import (
    LAYOUT_SECONDS,
    LAYOUT_SECONDS_VARIABLE,
    OutOfTime,
    layout_seconds,
    time_limit,
)

# WeasyPrint is imported inside the functions below: importing it costs most
# of a second, and `handouts --help` should not pay for it.

PDF_VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class Layout:
    """How WeasyPrint writes a PDF: form fields, tags, and whether it is a part to join."""

    forms: bool = False
    #: False for layers laid over a tagged page as artifacts.
    tagged: bool = True
    #: A part of a joined packet: see `html_to_pdf`.
    part: bool = False
    #: Look at how the pages break (`pagequality`), for `check --pdf`.
    quality: bool = False
    #: Meant to fit one page (a worksheet): whether it did is found in every
    #: layout, and a build warns where it did not.
    one_page: bool = False


@dataclass(frozen=True)
class LayoutCall:
    """One document for a worker: HTML, base URL, the folders it may read, layout."""

    html: str
    base_url: str
    allowed: tuple[Path, ...]
    layout: Layout


def lay_out_one(call: LayoutCall) -> PdfResult:
    """Lay out one document, in a worker process or this one, within the time limit.

    Raises LayoutStopped, whose message the caller puts after the name of
    the file the document comes from. Layout writes to the temporary folder
    (WeasyPrint keeps the fonts a page uses there): a full disk or a
    file-size limit is a message for people, raised here so that it crosses
    from a worker as one.
    """
    seconds = layout_seconds()
    # Loaded before the clock starts: a limit ringing inside the first import
    # would leave this process with half-imported modules for good.
    load_engine()
    try:
        with time_limit(seconds), bounded_decoding():
            return html_to_pdf(
                call.html,
                call.base_url,
                call.allowed,
                forms=call.layout.forms,
                tagged=call.layout.tagged,
                part=call.layout.part,
                quality=call.layout.quality,
                one_page=call.layout.one_page,
            )
    except OutOfTime:
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


class LayoutStopped(HandoutError):
    """A document whose layout was given up; the message names no file (the caller does)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


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
    #: How the pages break, when asked (see `pagequality`).
    page_notes: tuple[PageNote, ...] = ()
    #: What keeps a footer line, the crisis line among them, from being read (see `legibility`).
    unreadable: tuple[str, ...] = ()


def _fitted(
    render: Callable[[str], Any], html: str, records: list[logging.LogRecord], one_page: bool
) -> Any:
    """The document laid out; if its last page holds nothing but the sources, or it
    is meant to fit one page and does not, laid out again with the sources set
    closer (print.css, [data-fit=end]: lists may then break between items too),
    where that saves the page. Only the kept layout's log records are kept."""
    document = render(html)
    spills = one_page and spilled(document) is not None
    if not (spills or ends_with_sources_alone(document)):
        return document
    said = len(records)
    tighter = render(html.replace("<html ", '<html data-fit="end" ', 1))
    saved = spilled(tighter) is None if spills else len(tighter.pages) < len(document.pages)
    if saved:
        del records[:said]
        return tighter
    del records[said:]
    return document


def html_to_pdf(
    html: str,
    base_url: str,
    allowed: Sequence[Path],
    *,
    forms: bool = False,
    tagged: bool = True,
    part: bool = False,
    quality: bool = False,
    one_page: bool = False,
) -> PdfResult:
    """Lay out HTML as a tagged PDF/UA-1 document, in memory (with form fields if asked).

    `tagged=False` is for layers laid over a tagged page as artifacts. A
    `part` of a joined packet embeds whole fonts, which the parts then share,
    and is written uncompressed: WeasyPrint would compress every part's copy
    of the fonts again, where `merge.compact` compresses each font once.
    """
    load_engine()
    from weasyprint import HTML

    drop_styles_at_exit()
    fetches = Fetches()
    fetcher = make_url_fetcher(allowed, fetches)
    with captured_weasyprint_logs() as records, _dated(_document_epoch(html)):
        variant = PDF_VARIANT if tagged else None
        html, parsed = shared_style(html, base_url, allowed, fetcher, fetches, records)

        def render(text: str) -> Any:
            return HTML(string=text, base_url=base_url, url_fetcher=fetcher).render(
                pdf_variant=variant, pdf_forms=forms, **parsed
            )

        document = _fitted(render, html, records, one_page)
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
        notes = _page_notes(document, quality=quality, one_page=one_page)
        unreadable = unreadable_footer(document)
    errors = tuple(r.getMessage() for r in records if r.levelno >= logging.ERROR)
    return PdfResult(
        bytes(data),
        errors,
        _warnings(records, host_fonts),
        tuple(fetches.blocked),
        tuple(fetches.failed),
        off_page,
        host_fonts,
        notes,
        unreadable,
    )


def _page_notes(document: Any, *, quality: bool, one_page: bool) -> tuple[PageNote, ...]:
    """How the pages break, for `check --pdf`; for a build, only whether a
    document meant to fit one page stayed on it."""
    if quality:
        return page_quality(document, one_page=one_page)
    spill = spilled(document) if one_page else None
    return () if spill is None else (spill,)


def _warnings(
    records: Sequence[logging.LogRecord], host_fonts: Sequence[HostFont]
) -> tuple[str, ...]:
    """What WeasyPrint warned of that is not said another way.

    Characters no font has are reported by the content they are in (see
    `misplaced`); those left are in personal text, which layout.py words.
    """
    located = {c for found in host_fonts if not found.family for c in found.chars}
    return tuple(
        message
        for r in records
        if r.levelno < logging.ERROR
        and not (message := r.getMessage()).startswith(ENGINE_NOTICES)
        and not ((notdef := _NOTDEF.match(message)) and notdef.group(1) in located)
    )


#: WeasyPrint's warning of a character no font has, drawn as an empty box.
_NOTDEF = re.compile(
    r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.)"', re.DOTALL
)


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
