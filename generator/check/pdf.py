"""Check stage, PDF part: lay each handout out and inspect the PDF a reader gets."""

from __future__ import annotations

import ctypes
import io
import math
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from generator.cache import BuildCache
from generator.check.rules import RULES
from generator.config import Project, contrast_on_white
from generator.content import load_handouts
from generator.errors import HandoutError, Problem, ProblemsError, counted, display_path
from generator.images import explain as explain_image
from generator.layout import allowed_folders
from generator.layoutcache import cached_layout, document_key
from generator.model import HandoutFile
from generator.options import RenderOptions
from generator.pagequality import FOOTER_GAP_PT, MIN_FILL, PageNote
from generator.pdf import Layout, LayoutCall, LayoutStopped, PdfResult, lay_out_one
from generator.progress import bar, stage
from generator.render import RenderedHandout, Renderer
from generator.signals import ctrl_c_held
from generator.workers import WorkerPool, outcome
from generator.yamlfile import Located, parse_field, read_yaml

MIN_CONTRAST = 4.5
BODY_MIN = 12.0
LARGE_PRINT_MIN = 18.0


def check_pdfs(
    project: Project,
    ids: Sequence[str],
    options: RenderOptions,
    languages: Sequence[str] | None = None,
) -> list[Problem]:
    """Build each handout (in these languages) in memory and check its PDF; nothing is written."""
    try:
        return _check_pdfs(project, ids, options.resolved(project.config), languages)
    except ProblemsError as exc:
        return [
            RULES["schema"].finding(p.path, p.message, where=(p.line, p.column))
            for p in exc.problems
        ]
    except HandoutError as exc:
        return [RULES["schema"].finding("(build)", exc.format_message())]


def _check_pdfs(
    project: Project,
    ids: Sequence[str],
    options: RenderOptions,
    languages: Sequence[str] | None,
) -> list[Problem]:
    large_print = options.large_print
    with stage(f"render {counted(len(ids), 'handout')} for the PDF checks"):
        handouts = load_handouts(project.roots, ids, languages)
        renderer = Renderer(project)
        pages = [
            (item, renderer.handout_context(item, options), renderer.render(item, options))
            for item in handouts
        ]
    minimum = LARGE_PRINT_MIN if large_print else BODY_MIN
    jobs = _kept_or_to_lay_out(project, [(item, r) for item, _, r in pages], options)
    findings: list[Problem] = []
    missing = [job if isinstance(job, LayoutCall) else None for job in jobs]
    count = sum(job is not None for job in missing)
    with (
        stage(
            f"lay out {count} and take {len(jobs) - count} from the build cache, "
            f"inspect {counted(len(jobs), 'PDF')}"
        ),
        WorkerPool(count, None) as workers,
        bar(len(pages), "Checking PDFs") as advance,
    ):
        # Every missing layout is handed out first, so the workers go on while
        # the PDFs that are ready are inspected.
        futures = [workers.submit(lay_out_one, j) if j is not None else None for j in missing]
        for (item, context, _), job, future in zip(pages, jobs, futures, strict=True):
            shown = display_path(item.path)
            try:
                result = _laid_out(job, future, shown)
            except LayoutStopped as exc:
                findings.append(RULES["pdf.layout"].finding(shown, exc.reason))
            else:
                data, notes, said = result
                findings += said
                footer_pt = context["page_footer"].height
                findings += inspect_pdf(shown, data, footer_pt, minimum)
                findings += page_findings(read_yaml(item.path), notes)
            advance(1)
    return findings


def _kept_or_to_lay_out(
    project: Project, pages: Sequence[tuple[HandoutFile, RenderedHandout]], options: RenderOptions
) -> list[tuple[bytes, tuple[PageNote, ...]] | LayoutCall]:
    """Each handout's layout as a build keeps it, or the call that lays it out.

    Laid out as a build lays them out, so a build's kept layouts serve here;
    the cache is only read (`check` writes nothing).
    """
    cache = BuildCache(project, read_only=True)
    allowed = allowed_folders(project)
    jobs: list[tuple[bytes, tuple[PageNote, ...]] | LayoutCall] = []
    for item, rendered in pages:
        layout = Layout(
            forms=options.fillable,
            one_page=item.one_page(large_print=options.large_print),
            quality=True,
        )
        kept = cached_layout(cache, document_key(cache, rendered.html, layout), layout)
        jobs.append(kept or LayoutCall(rendered.html, rendered.base_url, allowed, layout))
    return jobs


def _laid_out(
    job: tuple[bytes, tuple[PageNote, ...]] | LayoutCall,
    future: Future[PdfResult] | None,
    shown: str,
) -> tuple[bytes, tuple[PageNote, ...], list[Problem]]:
    """A document's PDF, how its pages break, and what its layout said (a kept one: nothing)."""
    if not isinstance(job, LayoutCall):
        data, notes = job
        return data, notes, []
    result = outcome(future) if future is not None else lay_out_one(job)
    return result.data, result.page_notes, layout_findings(shown, result)


#: What each kind of page note says, and what to do about it.
_PAGE_NOTES = {
    "sparse": (
        RULES["pdf.sparse-page"],
        "page {page} is less than {fill:.0%} full",
        "shorten what comes after it, or move a long block so that the page fills",
    ),
    "stranded-heading": (
        RULES["pdf.stranded-heading"],
        "the heading \u201c{text}\u201d is at the foot of page {page}, with its text on the next",
        "shorten what comes before it by a line or two",
    ),
    "lone-line": (
        RULES["pdf.lone-line"],
        "a paragraph breaks across pages with one line alone on page {page} (\u201c{text}\u201d)",
        "shorten it or what comes before it by a line",
    ),
    "spilled": (
        RULES["pdf.spilled"],
        "this handout is meant to fit one page (`one_page: true`), and runs onto page "
        "{page} from \u201c{text}\u201d",
        "shorten it (its longest parts, its writing lines), or take out `one_page`",
    ),
    "near-footer": (
        RULES["pdf.near-footer"],
        "on page {page} text comes within {gap:g} pt of the footer's rule",
        "shorten what is on that page by a line",
    ),
}


def page_findings(located: Located, notes: Sequence[PageNote], within: str = "") -> list[Problem]:
    """How the pages break, each note at the block it is about (or the file); `within`
    names the packet whose pages they are, where they are a packet's."""
    findings = []
    for note in notes:
        rule, message, advice = _PAGE_NOTES[note.kind]
        page = f"{note.page} of {within}" if within else note.page
        said = message.format(page=page, text=note.text, fill=MIN_FILL, gap=FOOTER_GAP_PT)
        if note.field and not note.field.startswith("config:"):
            findings.append(rule.at(located, tuple(parse_field(note.field)), said, advice))
        else:
            findings.append(rule.finding(display_path(located.path), said, advice))
    return findings


def layout_findings(shown: str, result: PdfResult) -> list[Problem]:
    """What the layout engine said about a handout: pictures it could not use, PDF/UA problems."""
    refused = (
        *(f"blocked {u}" for u in result.blocked),
        *(f"can't use {u}: {why}" for u, why in result.failed),
    )
    findings: list[Problem] = []
    for message in (*result.errors, *refused):
        if picture := explain_image(message):
            findings.append(RULES["pdf.image"].finding(shown, picture))
        else:
            findings.append(RULES["pdf.accessibility"].finding(shown, message))
    return findings


def inspect_pdf(shown: str, data: bytes, footer_pt: float, minimum: float) -> list[Problem]:
    """Tags, language, title, fonts, body size and text contrast of one PDF."""
    return [*_document_findings(shown, data), *_text_findings(shown, data, footer_pt, minimum)]


def _document_findings(shown: str, data: bytes) -> list[Problem]:
    """What a screen reader and a printer need from the document: tags, language, title, fonts."""
    # pikepdf's core aborts the process if Ctrl-C reaches it while it loads.
    with ctrl_c_held():
        import pikepdf

    findings: list[Problem] = []
    with pikepdf.open(io.BytesIO(data)) as document:
        root: Any = document.Root
        mark_info: Any = root.get("/MarkInfo")
        if "/StructTreeRoot" not in root or mark_info is None or not bool(mark_info.get("/Marked")):
            findings.append(
                RULES["pdf.tagged"].finding(
                    shown, "the PDF is not tagged, so screen readers can't follow it"
                )
            )
        if not str(root.get("/Lang", "")):
            findings.append(
                RULES["pdf.language"].finding(shown, "the PDF has no document language (/Lang)")
            )
        title = str(document.docinfo.get("/Title", ""))
        preferences: Any = root.get("/ViewerPreferences")
        shows_title = preferences is not None and bool(preferences.get("/DisplayDocTitle"))
        if not title or not shows_title:
            findings.append(
                RULES["pdf.title"].finding(
                    shown, "the PDF's title is missing or not shown in the window"
                )
            )
        for name in sorted(_unembedded_fonts(document)):
            findings.append(
                RULES["pdf.fonts"].finding(
                    shown, f"the font {name} is not embedded; it may print differently"
                )
            )
    return findings


def _text_findings(shown: str, data: bytes, footer_pt: float, minimum: float) -> list[Problem]:
    """The smallest body text (the footer left out), and every text colour's contrast."""
    findings: list[Problem] = []
    smallest: tuple[float, int, str] | None = None
    colours: dict[str, int] = {}
    for char in printed_characters(data):
        colours.setdefault(char.colour, char.page)
        if char.top >= char.page_height - footer_pt:
            continue
        size = round(char.size, 1)
        if smallest is None or size < smallest[0]:
            smallest = (size, char.page, char.text)
    if smallest is not None and smallest[0] < minimum:
        findings.append(
            RULES["pdf.font-size"].finding(
                shown,
                f"the smallest body text is {smallest[0]:g} pt (page {smallest[1]}); "
                f"this profile needs {minimum:g} pt or more",
                "raise that style's font-size in the project's CSS",
            )
        )
    for hex_colour, page_number in colours.items():
        ratio = contrast_on_white(hex_colour)
        if ratio < MIN_CONTRAST:
            findings.append(
                RULES["pdf.contrast"].finding(
                    shown,
                    f"text in {hex_colour} (page {page_number}) has a contrast of "
                    f"{ratio:.2f}:1 on white; it needs {MIN_CONTRAST}:1",
                    "a darker colour",
                )
            )
    return findings


@dataclass(frozen=True)
class PrintedCharacter:
    """One character a PDF prints, as a reader's eye meets it."""

    page: int
    page_height: float
    #: The size it is set at (pt): its font's size through every transform.
    size: float
    #: Its fill colour, as #rrggbb.
    colour: str
    #: The top of its line's box, from the page's top (pt): baseline, descent and size.
    top: float
    text: str


def printed_characters(data: bytes) -> Iterator[PrintedCharacter]:
    """Every character a PDF prints (not white space), read with pdfium."""
    import pypdfium2
    import pypdfium2.raw as pdfium

    document = pypdfium2.PdfDocument(data)
    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    x, y, descent = ctypes.c_double(), ctypes.c_double(), ctypes.c_float()
    matrix = pdfium.FS_MATRIX()
    try:
        for index in range(len(document)):
            page = document[index]
            height = float(page.get_height())
            text = page.get_textpage()
            for k in range(pdfium.FPDFText_CountChars(text)):
                char = chr(pdfium.FPDFText_GetUnicode(text, k))
                if not char.strip():
                    continue
                # The font's size is set in the text's own units: the character's
                # matrix (text matrix and page transform) scales it to points.
                pdfium.FPDFText_GetMatrix(text, k, matrix)
                scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
                size = pdfium.FPDFText_GetFontSize(text, k) * scale
                pdfium.FPDFText_GetFillColor(text, k, red, green, blue, alpha)
                pdfium.FPDFText_GetCharOrigin(text, k, x, y)
                font = pdfium.FPDFTextObj_GetFont(pdfium.FPDFText_GetTextObject(text, k))
                pdfium.FPDFFont_GetDescent(font, ctypes.c_float(size), descent)
                yield PrintedCharacter(
                    page=index + 1,
                    page_height=height,
                    size=size,
                    colour=f"#{red.value:02x}{green.value:02x}{blue.value:02x}",
                    top=height - (y.value + descent.value + size),
                    text=char,
                )
    finally:
        document.close()


def _unembedded_fonts(pdf: Any) -> set[str]:
    missing: set[str] = set()
    for page in pdf.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            if descriptor is None:
                # Type 3 fonts draw their glyphs inline; a bare Type 1 font is one
                # of the standard 14, which the reader's software substitutes.
                if str(font.get("/Subtype")) != "/Type3":
                    missing.add(str(font.get("/BaseFont", "unnamed")).lstrip("/"))
                continue
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.add(str(descriptor.get("/FontName", "unnamed")))
    return missing
