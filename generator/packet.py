"""Packet stage: manifest → handouts in order → one PDF with cover, contents, bookmarks."""

from __future__ import annotations

import contextlib
import csv
import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import click

from generator.build import (
    PERSONAL_FOLDER,
    Batch,
    BuildResult,
    Job,
    Layout,
    check_name,
    write_changed,
)
from generator.cache import BuildCache
from generator.config import Project
from generator.content import MAX_FILE_BYTES, load_packets
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fonts import declares_fallbacks, needs_fallback
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
from generator.options import RenderOptions, is_plain_file_name, name_problem
from generator.pdf import WorkerPool
from generator.render import Renderer, personal_context

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
    """One row of a participants list: its row number in the file, and the name."""

    row: int
    name: str


def read_participants(path: Path) -> list[Participant]:
    """The names in a participants CSV (its `name` column), or a located error.

    Every name is checked to print (see `options.name_problem`) before
    anything is laid out; a problem names the row, never the name.
    """
    shown = display_path(path)

    def fail(message: str, row: int | None = None) -> ProblemsError:
        return ProblemsError([Problem(shown, row, None, "", message)])

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise fail("the file is too large for a participants list (over 2 MB)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found; check the name and folder") from None
    except OSError as exc:
        raise fail(f"can't be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(
            'the file is not UTF-8 text; save it as "CSV UTF-8" from your spreadsheet',
            line,
        ) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise fail("the file is empty; it needs a header row with a `name` column")
    header = [cell.strip().lower() for cell in rows[0]]
    if "name" not in header:
        raise fail(
            "there is no `name` column; the first row must name the columns, with one called name",
            1,
        )
    column = header.index("name")
    names: list[Participant] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        name = " ".join(row[column].split()) if column < len(row) else ""
        wrong = name_problem(name) if name else "is empty; fill it in or delete the row"
        if wrong:
            problems.append(Problem(shown, number, None, "name", wrong))
            continue
        names.append(Participant(number, name))
    if len(names) > MAX_PARTICIPANTS:
        raise fail(
            f"there are {len(names)} participants; one run makes at most "
            f"{MAX_PARTICIPANTS} copies. Split the list into smaller files"
        )
    if problems:
        raise ProblemsError(problems)
    if not names:
        raise fail("there are no participants under the header row")
    return names


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "participant"


def check_name_pattern(pattern: str | None) -> str:
    """The pattern for participants' file names, checked; a mistake is a usage error."""
    pattern = (pattern or DEFAULT_NAME_PATTERN).strip()
    if pattern.lower().endswith(".pdf"):
        pattern = pattern[: -len(".pdf")]

    def wrong(message: str) -> click.BadParameter:
        return click.BadParameter(message, param_hint="--name-pattern")

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
        if self.workers is not None:
            return self.workers.map(_finish, finishing)
        return [_finish(job) for job in finishing]

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
