"""Layout: a batch of documents laid out by the workers or from the cache, and what they said."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from generator.cache import BuildCache
from generator.config import Project
from generator.content import asset_folders
from generator.errors import HandoutError, Problem, ProblemsError, counted, display_path
from generator.files import FileProblem, inside, own_folders, read_bytes
from generator.fonts import BODY_FAMILY, FALLBACK_FAMILIES, describe, font_folders
from generator.images import explain as explain_image
from generator.layoutcache import cached_layout, document_key, keep_layout
from generator.legibility import footer_message
from generator.pagequality import PageNote, spill_message
from generator.pdf import Layout, LayoutCall, LayoutStopped, PdfResult, lay_out_one
from generator.placement import HostFont, OffPage
from generator.theme import ProjectStyles
from generator.workers import WorkerPool, outcome
from generator.yamlfile import Located, locate, parse_field, read_yaml

T = TypeVar("T")


def allowed_folders(project: Project) -> tuple[Path, ...]:
    """Every folder a PDF may read files from: content, templates, assets, fonts.

    Where each really is: a project folder that is a link to somewhere else
    does not make that place one a PDF may read from.
    """
    folders: list[Path] = []
    for root in project.roots:
        folders.extend(asset_folders(root))
    return (*folders, *font_folders())


@dataclass(frozen=True)
class Job:
    """One document to lay out, and the file it comes from (for messages)."""

    html: str
    base_url: str
    source: Path
    #: A person's name on the page: never repeated in a message.
    private: str | None = None
    #: Where that name was given ("--client-name", "people.csv:4"), for messages.
    given_in: str | None = None
    #: This document's own layout, where it is not the batch's.
    layout: Layout | None = None


class Batch:
    """Documents handed to the workers as they are added; `result()` waits for them.

    Without workers they are laid out in this process when the result is
    asked for. A document whose HTML was laid out before with the same layout
    comes from the cache, if one is given: pass none for anything personal.
    The workers are only started for a document the cache does not have.
    """

    def __init__(
        self,
        project: Project,
        jobs: Sequence[Job] = (),
        *,
        strict: bool,
        layout: Layout,
        cache: BuildCache | None = None,
        workers: WorkerPool | None = None,
    ):
        self.strict = strict
        self.layout = layout
        self.cache = cache
        self.workers = workers
        self.allowed = allowed_folders(project)
        self.places = Places(project)
        self.styles = ProjectStyles(project)
        #: Each document, less its HTML once handed over.
        self.jobs: list[Job] = []
        self.results: list[bytes | None] = []
        self.keys: list[str | None] = []
        #: What is being laid out, by place: dropped once read, with its
        #: HTML and uncompressed PDF, so a long packet does not hold them all.
        self.made: dict[int, Future[PdfResult] | LayoutCall] = {}
        #: Each laid-out document's warnings, by its place: located where the
        #: content allows, and kept apart from problems until shown.
        self.said: dict[int, list[Problem]] = {}
        #: How each laid-out document's pages break, by its place (Layout.quality).
        self.notes: dict[int, tuple[PageNote, ...]] = {}
        for job in jobs:
            self.add(job)

    def add(self, job: Job) -> None:
        """Look the document up in the cache, or hand it to a worker now."""
        layout = job.layout or self.layout
        key = hit = None
        if self.cache is not None:
            key = document_key(self.cache, job.html, layout)
            kept = cached_layout(self.cache, key, layout)
            if kept is not None:
                hit, self.notes[len(self.jobs)] = kept
        self.jobs.append(replace(job, html="", layout=layout))
        self.keys.append(key)
        self.results.append(hit)
        if hit is not None:
            return
        call = LayoutCall(job.html, job.base_url, self.allowed, layout)
        future = None if self.workers is None else self.workers.submit(lay_out_one, call)
        self.made[len(self.jobs) - 1] = future if future is not None else call

    def as_ready(self) -> Iterator[tuple[int, bytes]]:
        """Each PDF with its place: those from the cache first, then each as it is laid out.

        Once a document has problems no more PDFs come; every document's
        problems are raised together once all are done.
        """
        problems: list[Problem] = []
        for index, data in enumerate(self.results):
            if data is not None:
                yield index, data
        for index, result in self._laid_out():
            if isinstance(result, Problem):  # given up: the others are still checked
                problems.append(result)
                continue
            found = self._check(index, result)
            problems.extend(found)
            data = self._finished(index, result.data) if not found else result.data
            key = self.keys[index]
            if not found and self.cache is not None and key and _keepable(result):
                keep_layout(self.cache, key, data, self.jobs[index].layout, result.page_notes)
            self.results[index] = data
            if not problems:
                yield index, data
        if problems:
            raise ProblemsError(problems)

    def _finished(self, index: int, data: bytes) -> bytes:
        """A laid-out PDF as it is kept: a part of a packet is compressed here.

        Here rather than in the workers, which then need not load pikepdf;
        and this process compresses the fonts every part shares only once.
        """
        layout = self.jobs[index].layout
        if layout is None or not layout.part:
            return data
        from generator.merge import compact

        return compact(data)

    def _laid_out(self) -> Iterator[tuple[int, PdfResult | Problem]]:
        futures = {item: index for index, item in self.made.items() if isinstance(item, Future)}
        for future in as_completed(futures):
            index = futures.pop(future)
            del self.made[index]
            yield index, self._named(index, outcome, future)
        for index in list(self.made):
            item = self.made.pop(index)
            assert not isinstance(item, Future)
            yield index, self._named(index, lay_out_one, item)

    def _named(
        self, index: int, lay_out: Callable[[T], PdfResult], argument: T
    ) -> PdfResult | Problem:
        """A document laid out, or its layout given up: a problem naming its file."""
        try:
            return lay_out(argument)
        except LayoutStopped as exc:
            return Problem(path=display_path(self.jobs[index].source), message=exc.reason)

    def _check(self, index: int, result: PdfResult) -> list[Problem]:
        """One document's problems; its warnings are kept, or are problems if strict."""
        job = self.jobs[index]
        shown = display_path(job.source)
        self.notes[index] = result.page_notes
        problems = _pdf_problems(shown, result, self.styles)
        warnings = list(result.warnings)
        # Text off the page, or in a font the project does not bundle: located
        # at the content it comes from.
        located = self.places.off_page(job.source, result.off_page)
        located += self.places.host_fonts(job.source, result.host_fonts)
        located += [
            self.places.at(job.source, note.field, spill_message(note))
            for note in result.page_notes
            if note.kind == "spilled"
        ]
        if job.private:
            located = [replace(p, message=_withheld(p.message, job.private)) for p in located]
            problems = [replace(p, message=_withheld(p.message, job.private)) for p in problems]
            if any(_MISSING_GLYPH.match(w) for w in warnings):
                # Checked before layout (fonts.unprintable); this is the fallback.
                problems.append(
                    Problem(
                        path=job.given_in or shown,
                        message="the name has characters that no font on this computer could "
                        "print; install a font that covers them, or write the name "
                        "another way",
                    )
                )
            warnings = [_withheld(w, job.private) for w in warnings if not _MISSING_GLYPH.match(w)]
        said = [self.styles.problem(w) or Problem(path=shown, message=w) for w in warnings]
        if self.strict:
            problems.extend(
                replace(p, message=f"warning treated as an error (--strict): {p.message}")
                for p in [*said, *located]
            )
        else:
            self.said[index] = [*located, *said]
        return problems

    @property
    def warnings(self) -> tuple[str, ...]:
        """The documents' warnings, in the documents' order, each once, as shown."""
        return tuple(
            dict.fromkeys(
                str(replace(p, message=f"warning: {p.message}"))
                for i in sorted(self.said)
                for p in self.said[i]
            )
        )

    def result(
        self, advance: Callable[[int], None] = lambda done: None
    ) -> tuple[list[bytes], tuple[str, ...]]:
        """The PDFs in order, and the warnings; raises the documents' problems.

        `advance(1)` is called as each PDF is ready (a progress bar's step).
        """
        pdfs: dict[int, bytes] = {}
        for index, data in self.as_ready():
            pdfs[index] = data
            advance(1)
        return [pdfs[index] for index in range(len(self.jobs))], self.warnings


def _keepable(result: PdfResult) -> bool:
    """Whether a layout may be cached: not with warnings, which a later --strict build must
    see. How its pages break is kept beside it, for `check --pdf`; only a worksheet that
    runs over its page is a build's warning."""
    spilled = any(note.kind == "spilled" for note in result.page_notes)
    return not (result.warnings or result.off_page or result.host_fonts or spilled)


#: WeasyPrint's word for a character no font had: it quotes the characters.
_MISSING_GLYPH = re.compile(r"\.notdef glyph rendered")


def _withheld(message: str, private: str) -> str:
    """A message with a person's name taken out: names go on the page only."""
    return message.replace(private, "(the name)")


#: What text off the page did, by `OffPage.where`: given the page and the characters.
_OFF_PAGE = {
    "page": "text runs off page {page}: {chars} cannot be seen",
    "edge": "text runs to the edge of page {page}, where a printer may cut off {chars}",
    "footer": "text runs below the text area of page {page}, over the footer: {chars}",
    "clipped": "text is cut off by the box it is in on page {page}: {chars} are hidden",
    "dropped": (
        "a table's header row does not fit on a page with the rows under it, so the "
        "layout left it out ({chars})"
    ),
}


#: CSS font families that name no font: the computer picks one.
_GENERIC_FAMILIES = frozenset(
    {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji"}
)


_BUILT_IN_FAMILIES = frozenset({BODY_FAMILY, *(name for _, name in FALLBACK_FAMILIES)})


#: Template files larger than this are not searched for a font's name.
_MAX_TEMPLATE_BYTES = 1024 * 1024


class Places:
    """Where a laid-out document's text comes from: a content file's line and field.

    Templates mark the elements that hold content with the field they print
    (`placement.FIELD_ATTRIBUTE`); a field of the project config starts `config:`.
    A file is read again only when a document has something to report.
    """

    def __init__(self, project: Project):
        self.project = project
        self._read: dict[Path, Located | None] = {}

    def off_page(self, source: Path, found: Sequence[OffPage]) -> list[Problem]:
        """Text the layout put outside the page, as problems at its content."""
        problems = []
        for item in found:
            said = _OFF_PAGE.get(item.where, "text is not where page {page} shows it ({chars})")
            chars = counted(item.chars, "character")
            message = said.format(
                page=item.page, chars=chars if item.where == "dropped" else f"about {chars}"
            )
            if item.where == "dropped":
                message += "; shorten the header's cells or use fewer columns"
            else:
                message += (
                    "; shorten it or break up its longest words, or check a project "
                    "template that sets its size or place"
                )
            problems.append(self.at(source, item.field, message))
        return problems

    def host_fonts(self, source: Path, found: Sequence[HostFont]) -> list[Problem]:
        """Text in fonts from this computer, or in none, as problems: one a font and style."""
        groups: dict[tuple[str, tuple[str, ...]], list[HostFont]] = {}
        for item in found:
            groups.setdefault((item.family, item.asked if item.family else ()), []).append(item)
        problems = []
        for (family, asked), items in groups.items():
            # Letters and symbols say which script; punctuation and digits don't.
            chars = "".join(item.chars for item in items)
            kinds = describe(c for c in chars if unicodedata.category(c)[0] in "LS") or "text"
            named = self._naming(asked)
            if not family:
                message = (
                    f"{kinds} that no font here has, printed as empty boxes; put the file "
                    "of a font that has them in the project's assets/ folder and declare "
                    "it with @font-face in a project template"
                )
            elif named is not None:
                message = (
                    f"{_set_in(kinds, family)}; the style asks for {named}: use the bundled "
                    "fonts, or put the font's file in the project's assets/ folder and "
                    "declare it with @font-face in a project template"
                )
            else:
                message = (
                    f"{_set_in(kinds, family)}; the bundled fonts lack these characters: put "
                    "the file of a font that has them in the project's assets/ folder and "
                    "declare it with @font-face in a project template"
                )
            if len(items) > 1:
                message += f" (also in {counted(len(items) - 1, 'other place')} of this document)"
            problems.append(self.at(source, items[0].field, message))
        return problems

    def at(self, source: Path, field_name: str, message: str) -> Problem:
        """A problem at a field of the document's content file, or of the config."""
        path: Path | None = source
        if field_name.startswith("config:"):
            field_name = field_name.removeprefix("config:")
            path = self.project.config_path
        loc = parse_field(field_name)
        located = self._located(path) if path is not None and loc else None
        if path is None or located is None or not _has_key(located, loc):
            return Problem(path=display_path(source), message=message)
        line, column = locate(located, loc)
        return Problem(
            path=display_path(path), message=message, line=line, column=column, field=field_name
        )

    def _located(self, path: Path) -> Located | None:
        if path not in self._read:
            try:
                self._read[path] = read_yaml(path)
            except (HandoutError, OSError):
                self._read[path] = None
        return self._read[path]

    def _naming(self, asked: Sequence[str]) -> str | None:
        """The first font family a style asks for by name, and the project template naming it."""
        for family in asked:
            # The built-in families are bundled: text in another font despite
            # them has characters they lack, which the message says.
            if family.lower() in _GENERIC_FAMILIES or family in _BUILT_IN_FAMILIES:
                continue
            for path, line in self._templates_naming(family):
                return f'"{family}" ({display_path(path)}:{line})'
            return f'"{family}"'
        return None

    def _templates_naming(self, family: str) -> Iterator[tuple[Path, int]]:
        """The project's own template files and lines that name a font family."""
        folder = self.project.root / "templates"
        if self.project.is_library or not folder.is_dir():
            return
        wanted = family.lower()
        own = own_folders(self.project.root)
        for path in sorted(folder.rglob("*")):
            # Only the project's own files: a link that leads elsewhere is not read.
            if path.suffix not in (".html", ".css") or inside(path, own) is None:
                continue
            try:
                text = read_bytes(path, _MAX_TEMPLATE_BYTES).decode("utf-8", errors="replace")
            except FileProblem:
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if wanted in line.lower():
                    yield path, number
                    break


def _set_in(kinds: str, family: str) -> str:
    return (
        f"{kinds} set in {family}, a font on this computer that neither handouts nor the "
        "project bundles, so the PDF would look different when built elsewhere"
    )


def _has_key(located: Located, loc: Sequence[str | int]) -> bool:
    """Whether a file sets the field's first key (a config may leave it to the defaults)."""
    return isinstance(located.data, dict) and loc[0] in located.data


def _shown_url(url: str) -> str:
    """A file:// address as the path of the file, relative to here where it can be."""
    if url.startswith("file:"):
        from urllib.parse import urlsplit
        from urllib.request import url2pathname

        return display_path(Path(url2pathname(urlsplit(url).path)))
    return url


def _pdf_problems(shown: str, result: PdfResult, styles: ProjectStyles) -> list[Problem]:
    problems = [styles.blocked(shown, url) for url in result.blocked]
    problems.extend(
        Problem(path=shown, message=f"can't use {_shown_url(url)}: {why}")
        for url, why in result.failed
    )
    problems.extend(Problem(path=shown, message=footer_message(u)) for u in result.unreadable)
    refused = [*result.blocked, *(url for url, _ in result.failed)]
    for message in result.errors:
        # WeasyPrint also logs each refused fetch; it is reported above already.
        if any(url in message for url in refused):
            continue
        if picture := explain_image(message):
            problems.append(Problem(path=shown, message=picture))
            continue
        problems.append(Problem(path=shown, message=f"PDF/UA accessibility error: {message}"))
    return problems
