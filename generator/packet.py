"""Packet stage: manifest → handouts in order → one PDF with cover, contents, bookmarks."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import string
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import click

from generator.cache import BuildCache
from generator.config import Project
from generator.content import load_packets
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.files import FileProblem, read_bytes
from generator.fonts import declares_fallbacks, needs_fallback
from generator.layout import Batch, Job
from generator.merge import (
    Bookmark,
    join,
    outline_of,
    pages_and_outline,
    prepend,
    set_outline,
    stamp,
    to_bytes,
)
from generator.model import PacketFile
from generator.options import (
    RenderOptions,
    check_name,
    collapse_spaces,
    is_plain_file_name,
    name_problem,
    typed_text_problem,
)
from generator.output import PERSONAL_FOLDER, BuildResult, write_changed
from generator.pdf import Layout
from generator.progress import bar
from generator.render import Renderer, personal_context
from generator.workers import WorkerPool, outcome
from generator.yamlfile import MAX_FILE_BYTES

PacketEdition = Literal["participant", "trainer"]

DEFAULT_NAME_PATTERN = "{id}-{n}"
MAX_PARTICIPANTS = 500


@dataclass(frozen=True)
class PacketRequest:
    """What a `handouts packet` run was asked to do."""

    ids: tuple[str, ...]
    out: Path | None = None
    options: RenderOptions = field(default_factory=RenderOptions)
    edition: PacketEdition = "participant"
    strict: bool = False
    participants: Path | None = None
    name_pattern: str | None = None
    jobs: int | None = None


@dataclass(frozen=True)
class Participant:
    """One row of a participants list: its row number, and the name.

    Rows are numbered as a spreadsheet numbers them: the file's first line
    is row 1, a blank line is a row, and a quoted name with a line break in it is one
    row, however many lines it takes in the file.
    """

    row: int
    name: str


#: What may separate a participants list's cells: the comma, or the semicolon
#: or tab that spreadsheets write where the comma is the decimal mark. The
#: header row decides: the first of these that gives it a `name` column.
_DELIMITERS = (",", ";", "\t")
_NOT_UTF8 = re.compile(r"[\ud800-\udfff]")


def read_participants(path: Path) -> list[Participant]:
    """The names in a participants CSV (its `name` column), or a located error.

    The file is read as written, with the csv module: one row is one copy,
    whatever line breaks a quoted name holds. In a name, every run of white
    space (line breaks too) is one space; other control characters are
    refused. Every name is checked to print (see `options.name_problem`)
    before anything is laid out; a problem names the row, never the name.
    """
    shown = display_path(path)

    def fail(message: str, row: int | None = None) -> ProblemsError:
        return ProblemsError([Problem(shown, row, None, "", message)])

    try:
        raw = read_bytes(path, MAX_FILE_BYTES)
    except FileProblem as exc:
        raise fail(exc.message) from None
    # Bytes that are not UTF-8 are kept (as surrogates) to find their row.
    bom = raw.startswith(codecs.BOM_UTF8)
    text = raw[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8", "surrogateescape")

    # Most files have neither: then no row needs looking at for them.
    odd = bool(_NOT_UTF8.search(text)) or "\0" in text

    def check_text(row: int, cells: Sequence[str]) -> None:
        if not odd:
            return
        for cell in cells:
            if _NOT_UTF8.search(cell):
                offset = _first_bad_byte(raw)
                raise fail(
                    f"the file is not UTF-8 text: the byte at offset {offset} (in this row) "
                    'is not UTF-8; save it as "CSV UTF-8" from your spreadsheet',
                    row,
                )
            if "\0" in cell:
                raise fail(
                    "this row has a NUL byte, so the file is not CSV text (it may be saved "
                    'as UTF-16, or be another kind of file); save it as "CSV UTF-8" from '
                    "your spreadsheet",
                    row,
                )

    with _field_size_limit(len(text) + 1):
        delimiter, header_row, header = _header(text, fail, check_text)
        column = header.index("name")
        names: list[Participant] = []
        problems: list[Problem] = []
        count = 0
        for row, cells in _records(text, delimiter, fail):
            check_text(row, cells)
            if row <= header_row or all(_blank(cell) for cell in cells):
                continue
            count += 1
            if count > MAX_PARTICIPANTS:
                continue  # counted for the message; one run stops at the limit
            if any(not _blank(cell) for cell in cells[len(header) :]):
                problems.append(
                    Problem(
                        shown,
                        row,
                        None,
                        "",
                        f"this row has {len(cells)} cells and the header row "
                        f"{len(header)}; if a name has {_SHOWN[delimiter]} in it, put the "
                        'name in double quotes ("Rivera, Alex")',
                    )
                )
                continue
            name = collapse_spaces(cells[column]) if column < len(cells) else ""
            wrong = name_problem(name) if name else "is empty; fill it in or delete the row"
            if wrong:
                problems.append(Problem(shown, row, None, "name", wrong))
                continue
            names.append(Participant(row, name))
    if count > MAX_PARTICIPANTS:
        raise fail(
            f"there are {count} participants; one run makes at most "
            f"{MAX_PARTICIPANTS} copies. Split the list into smaller files"
        )
    if problems:
        raise ProblemsError(problems)
    if not names:
        raise fail("there are no participants under the header row")
    return names


_SHOWN = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def _blank(cell: str) -> bool:
    # strip() takes U+001C-U+001F away too; those are not blank (see collapse_spaces).
    return not cell.strip() and not _SEPARATORS.search(cell)


_SEPARATORS = re.compile(r"[\x1c-\x1f]")


def _first_bad_byte(raw: bytes) -> int:
    """Where the first byte that is not UTF-8 is, counted from 0."""
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        return bom + exc.start
    return 0


@contextlib.contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """Let a cell be as long as the file, so an unclosed quote is found as that.

    The csv module's own limit (128 KB) would stop such a file with an error
    that names no row; the file's size is bounded already.
    """
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, limit))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _records(
    text: str, delimiter: str, fail: Callable[[str, int], ProblemsError]
) -> Iterator[tuple[int, list[str]]]:
    """Each row of the CSV text with its number; a row that is not CSV is a located error."""
    # newline="": only CR, LF and CR LF end a row, and only outside quotes.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 0
    while True:
        row += 1
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise fail(_csv_problem(str(exc), row, line), row) from None
        yield row, cells


def _csv_problem(error: str, row: int, line: int) -> str:
    """The csv module's complaint about a row, said for people."""
    starts = f" (the row starts on line {line} of the file)" if line != row else ""
    if "unexpected end of data" in error:
        return (
            f'a quote (") opens in this row{starts} and is never closed, so the rest of '
            "the file would be read as one cell; close the quote, or write a quote that "
            'is part of a name as two ("")'
        )
    if "expected after" in error:
        return (
            f"a quoted cell in this row{starts} has more after its closing quote; put the "
            'whole cell in quotes, and write a quote inside it as two ("")'
        )
    return f"this row{starts} can't be read as CSV; check its quotes"


def _header(
    text: str,
    fail: Callable[[str, int | None], ProblemsError],
    check_text: Callable[[int, Sequence[str]], None],
) -> tuple[str, int, list[str]]:
    """The delimiter, and the header row (the first that is not blank): its number and cells."""
    first: ProblemsError | None = None
    found: tuple[int, list[str]] | None = None
    for delimiter in _DELIMITERS:
        try:
            rows = _records(text, delimiter, fail)
            first_row = next((r for r in rows if not all(map(_blank, r[1]))), None)
            if first_row is None:
                raise fail("the file is empty; it needs a header row with a `name` column", None)
        except ProblemsError as exc:
            first = first or exc
            continue
        row, cells = first_row
        # Bytes that are not text make the file no participants list at all.
        check_text(row, cells)
        header = [cell.strip().strip("\ufeff").strip().lower() for cell in cells]
        if header.count("name") > 1:
            raise fail("there is more than one `name` column; keep one, or rename the others", row)
        if "name" in header:
            return delimiter, row, header
        found = found or (row, header)
    if found is None and first is not None:
        raise first
    raise fail(
        "there is no `name` column; the first row must name the columns, with one called name",
        found[0] if found else None,
    )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "participant"


def check_name_pattern(pattern: str | None) -> str:
    """The pattern for participants' file names, checked; a mistake is a usage error."""

    def wrong(message: str) -> click.BadParameter:
        return click.BadParameter(message, param_hint="--name-pattern")

    unusable = typed_text_problem(pattern) if pattern else None
    if unusable:
        raise wrong(unusable)
    pattern = (pattern or DEFAULT_NAME_PATTERN).strip()
    if pattern.lower().endswith(".pdf"):
        pattern = pattern[: -len(".pdf")]

    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError:
        raise wrong(
            "a { or } is unpaired; write fields as {id}, {n} or {name}, and nothing else in braces"
        ) from None
    used = set()
    for _, field_name, spec, conversion in fields:
        if field_name is None:
            continue
        if field_name not in ("id", "n", "name") or spec or conversion:
            typed = (
                field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            )
            raise wrong(
                f"{{{typed}}} is not a field; use only {{id}}, {{n}} (the row number, "
                "001, 002...) and {name}"
            )
        used.add(field_name)
    if not used & {"n", "name"}:
        raise wrong("it needs {n} or {name}, or every copy would get the same name")
    if not is_plain_file_name(pattern):
        raise wrong("it must give a plain file name, not a path; use --out for the folder")
    return pattern


def participant_file_names(
    packet_id: str, names: Sequence[Participant], pattern: str | None
) -> list[str]:
    """File names (without .pdf) for each participant's copy, all different."""
    pattern = check_name_pattern(pattern)
    result = []
    for number, person in enumerate(names, start=1):
        result.append(pattern.format(id=packet_id, n=f"{number:03d}", name=_slug(person.name)))
    duplicates = {n for n in result if result.count(n) > 1}
    if duplicates:
        raise click.BadParameter(
            f"it gives two copies the same name ({sorted(duplicates)[0]}.pdf); add {{n}}",
            param_hint="--name-pattern",
        )
    return result


def packet_file_name(item: PacketFile, edition: PacketEdition, options: RenderOptions) -> str:
    """`<id>`, with `-trainer` and the print profile's suffix for those variants."""
    trainer = "-trainer" if edition == "trainer" else ""
    return f"{item.id}{trainer}{options.suffix()}"


def build_packets(
    project: Project, request: PacketRequest, workers: WorkerPool | None = None
) -> BuildResult:
    """Build the requested packets, or each participant's copy; on a problem, write nothing.

    Pass workers already started to have WeasyPrint imported sooner.
    """
    options = request.options.resolved(project.config)
    if request.participants is not None and options.client_name is not None:
        raise click.UsageError(
            "--client-name and --participants both name who a copy is for; use one of them"
        )
    check_name(options.client_name, "--client-name")
    pattern = check_name_pattern(request.name_pattern)
    personal = request.participants is not None or options.personal
    # A packet is several documents (cover, contents, handouts). The workers
    # start now, if they have not, and import WeasyPrint while the packet is
    # loaded and rendered: after an edit, the one handout to lay out again is
    # rendered a moment later. If everything comes from the cache, they are
    # stopped unused.
    with contextlib.ExitStack() as stack:
        if workers is None:
            workers = stack.enter_context(WorkerPool(3 * len(request.ids), request.jobs))
        workers.start()
        problems: list[Problem] = []
        packets: list[PacketFile] = []
        people: list[Participant] = []
        try:
            packets = load_packets(project.roots, request.ids)
        except ProblemsError as exc:
            problems.extend(exc.problems)
        try:
            people = read_participants(request.participants) if request.participants else []
        except ProblemsError as exc:
            problems.extend(exc.problems)
        if problems:
            raise ProblemsError(problems)
        out = request.out or project.output
        # Every file of the run is named before anything is laid out.
        targets: list[list[Path]] = []
        for item in packets:
            # Personalised copies go apart, so that no generic packet is replaced.
            folder = (out / PERSONAL_FOLDER if personal else out) / item.language / "packets"
            suffix = packet_file_name(item, request.edition, options)[len(item.id) :]
            names = participant_file_names(item.id, people, pattern) if people else [item.id]
            targets.append([folder / f"{name}{suffix}.pdf" for name in names])
        every = [target for group in targets for target in group]
        if people and len(set(every)) < len(every):
            raise click.BadParameter(
                "it gives two packets' copies the same names; add {id}",
                param_hint="--name-pattern",
            )
        files: list[tuple[Path, bytes]] = []
        warnings: list[str] = []
        for item, paths in zip(packets, targets, strict=True):
            assembler = Assembler(project, item, options, request, workers)
            if people:
                shown = display_path(request.participants) if request.participants else ""
                copies = assembler.copies(
                    [(person.name, f"{shown}:{person.row}") for person in people]
                )
            else:
                who = (options.client_name, "--client-name") if options.client_name else None
                copies = assembler.copies([who])
            files.extend(zip(paths, copies, strict=True))
            warnings.extend(assembler.warnings)
    write_changed(files)
    return BuildResult(tuple(t for t, _ in files), tuple(dict.fromkeys(warnings)))


@dataclass(frozen=True)
class Part:
    """One separately laid-out piece of a packet, and its place in the bookmarks."""

    kind: Literal["divider", "handout"]
    title: str
    section: int
    pdf: bytes
    pages: int
    #: The part's own bookmarks, with its first page as 0.
    outline: list[Bookmark]


class Assembler:
    """Lays a packet out in parts, from the cache where it can, and joins them.

    The parts are the cover, the front matter (agenda and contents), each
    section's divider and each handout. Page numbers are stamped on after
    joining, so a part is the same whatever page it lands on, and an edited
    handout is the only part laid out again.
    """

    def __init__(
        self,
        project: Project,
        item: PacketFile,
        options: RenderOptions,
        request: PacketRequest,
        workers: WorkerPool | None = None,
    ):
        self.project = project
        self.item = item
        # Names go on the covers only (see `copies`): no other part carries one.
        self.options = replace(options, client_name=None)
        self.request = request
        self.trainer = request.edition == "trainer"
        self.renderer = Renderer(project)
        self.cache = BuildCache(project)
        self.warnings: list[str] = []
        self.context = self.renderer.packet_context(item, self.options, trainer=self.trainer)
        self.workers = workers

    def _start(self, jobs: Sequence[Job] = (), *, cache: bool = True, tagged: bool = True) -> Batch:
        """Hand documents to the workers (more may be added); `_wait` collects them."""
        return Batch(
            self.project,
            jobs,
            strict=self.request.strict,
            layout=Layout(forms=self.options.fillable, tagged=tagged, part=True),
            cache=self.cache if cache else None,
            workers=self.workers,
        )

    def _wait(self, batch: Batch) -> list[bytes]:
        pdfs, warnings = batch.result()
        self.warnings.extend(warnings)
        return pdfs

    def _job(self, html: str, base_url: str, source: Path) -> Job:
        """A part to lay out; one in the fallback fonts gets them as subsets.

        Parts share whole fonts, but WeasyPrint draws a variable font's other
        weights (the fallbacks') wrongly spaced when it embeds it whole.
        """
        layout = None
        if declares_fallbacks(html):
            layout = Layout(forms=self.options.fillable, part=False)
        return Job(html, base_url, source, layout=layout)

    def start_body(self) -> tuple[Batch, list[tuple[Literal["divider", "handout"], str, int]]]:
        """Each section's divider, then its handouts, handed to the workers as rendered.

        Also returns each part's place in the bookmarks.
        """
        handout_options = replace(self.options, edition="clinician" if self.trainer else "client")
        plan: list[tuple[Literal["divider", "handout"], str, int]] = []
        batch = self._start()
        for number, (section, handouts) in enumerate(self.item.sections, start=1):
            view = {
                "title": section.title,
                "intro": section.intro,
                "facilitator_notes": section.facilitator_notes,
                "handouts": [{"title": h.handout.title} for h in handouts],
            }
            page = self.renderer.render_packet_page(
                self.item,
                "packet_divider.html",
                {**self.context, "section": view, "number": number},
            )
            plan.append(("divider", section.title, number))
            batch.add(self._job(page.html, page.base_url, self.item.path))
            for handout in handouts:
                part = self.renderer.render_part(handout, handout_options)
                plan.append(("handout", handout.handout.title, number))
                batch.add(self._job(part.html, part.base_url, handout.path))
        return batch, plan

    def front_and_numbers(self, body: Sequence[Part]) -> tuple[bytes, int, bytes]:
        """The agenda and contents, and the page numbers of the whole packet.

        The contents' page numbers allow for the front matter's own length, so
        its length is guessed first; the numbers, which need the total, are
        laid out alongside it on the same guess, and both again if it was wrong.
        """
        # A first guess: the agenda's page, then about two dozen entries a page.
        entries = sum(1 + len(handouts) for _, handouts in self.item.sections)
        pages = int(self.context["show_agenda"]) + max(1, -(-entries // 24))
        body_pages = sum(part.pages for part in body)
        for _ in range(5):
            start = 1 + 1 + pages  # the cover, then the front matter, then the body
            parts = iter(body)
            sections: list[dict[str, Any]] = []
            for section, handouts in self.item.sections:
                view: dict[str, Any] = {"title": section.title, "page": start, "handouts": []}
                start += next(parts).pages
                for handout in handouts:
                    entry = {"title": handout.handout.title, "id": handout.id, "page": start}
                    view["handouts"].append(entry)
                    start += next(parts).pages
                sections.append(view)
            page = self.renderer.render_packet_page(
                self.item, "packet_front.html", {**self.context, "sections": sections}
            )
            total = 1 + pages + body_pages
            numbers_html = self.renderer.render_numbers(self.item, self.options, total)
            front_batch = self._start([self._job(page.html, page.base_url, self.item.path)])
            numbers_batch = self._start([Job(numbers_html, "", self.item.path)], tagged=False)
            (pdf,) = self._wait(front_batch)
            laid_out, _ = pages_and_outline(pdf)
            if laid_out == pages:
                (numbers,) = self._wait(numbers_batch)
                return pdf, pages, numbers
            pages = laid_out
        raise HandoutError(
            f"{display_path(self.item.path)}: the table of contents would not settle on a "
            "page count; shorten the section titles"
        )

    def copies(self, names: Sequence[tuple[str, str] | None]) -> list[bytes]:
        """The joined packet, once per (name, where it was given); None: no name.

        One copy is joined whole, its cover the first part. For several,
        everything after the cover is joined and numbered once, and each copy
        then only adds its own cover in front, in parallel. The covers are laid
        out alongside the body, which they do not depend on. The cover's title
        and description are the packet's, so the joined file's metadata (taken
        from its first part) is the packet's, never a name.
        """
        body_batch, plan = self.start_body()
        covers_batch = self._start(
            self.cover_jobs(names), cache=all(name is None for name in names)
        )
        # Each part is read as it comes back (cached ones first), while the workers go on.
        read = {index: (pdf, *pages_and_outline(pdf)) for index, pdf in body_batch.as_ready()}
        body = [Part(*place, *read[index]) for index, place in enumerate(plan)]
        self.warnings.extend(body_batch.warnings)
        front, front_pages, numbers = self.front_and_numbers(body)
        covers = self._wait(covers_batch)
        self.check_covers(covers, names)
        if self.workers is not None:
            # All is laid out: joining needs the workers' memory more than they do.
            self.workers.stop()
        bookmarks = self.bookmarks(front, front_pages, body)
        parts = [front, *(part.pdf for part in body)]
        if len(covers) == 1:
            # One copy: its cover is simply the first part.
            whole = join([covers[0], *parts])
            stamp(whole, numbers, first=1)
            set_outline(whole, bookmarks)
            return [to_bytes(whole)]
        shared = join(parts)
        stamp(shared, numbers, offset=1)
        rest = to_bytes(shared)
        finishing = [(cover, rest, bookmarks) for cover in covers]
        workers = self.workers
        futures = [workers.submit(_finish, job) if workers else None for job in finishing]
        done: list[bytes] = []
        with bar(len(finishing), "Copies") as advance:
            for future, job in zip(futures, finishing, strict=True):
                done.append(outcome(future) if future is not None else _finish(job))
                advance(1)
        return done

    def check_covers(
        self, covers: Sequence[bytes], names: Sequence[tuple[str, str] | None]
    ) -> None:
        """Refuse a cover longer than a page: page numbers and contents count on one."""
        for cover, who in zip(covers, names, strict=True):
            pages, _ = pages_and_outline(cover)
            if pages != 1:
                # Where the name was given, never the name itself.
                copy = f" of the copy for {who[1]}" if who is not None else ""
                raise HandoutError(
                    f"{display_path(self.item.path)}: the cover{copy} takes {pages} pages, "
                    "but a cover must fit on one; shorten the packet's title, subtitle, "
                    "organisation or facilitator"
                )

    def cover_jobs(self, names: Sequence[tuple[str, str] | None]) -> list[Job]:
        """One cover per name; a named cover is personal, so it is never cached.

        A name the body font lacks characters for brings the fallback fonts,
        which are embedded as subsets: whole, they would add megabytes to
        every copy.
        """
        jobs: list[Job] = []
        for who in names:
            name, given_in = who if who is not None else (None, None)
            page = self.renderer.render_packet_page(
                self.item,
                "packet_cover.html",
                {**self.context, **personal_context(name, self.context["fallback_fonts"])},
            )
            layout = None
            if name is not None and needs_fallback(name):
                layout = Layout(forms=self.options.fillable, part=False)
            jobs.append(Job(page.html, page.base_url, self.item.path, name, given_in, layout))
        return jobs

    def bookmarks(self, front: bytes, front_pages: int, body: Sequence[Part]) -> list[Bookmark]:
        """Agenda and contents, then section → handout → the handout's headings."""
        marks = [
            Bookmark(mark.title, mark.page + 1) for mark in outline_of(front) if mark.page >= 0
        ]
        page = 1 + front_pages
        for part in body:
            if part.kind == "divider":
                marks.append(Bookmark(part.title, page))
            else:
                inner = [
                    Bookmark(child.title, page + child.page)
                    for top in part.outline
                    for child in top.children
                    if child.page >= 0
                ]
                marks[-1].children.append(Bookmark(part.title, page, inner))
            page += part.pages
        return marks


def _finish(job: tuple[bytes, bytes, list[Bookmark]]) -> bytes:
    """One copy: its cover in front of the shared pages, and the bookmarks."""
    cover, rest, bookmarks = job
    joined = prepend(cover, rest)
    set_outline(joined, bookmarks)
    return to_bytes(joined)
