"""Packet stage, assembly: a packet laid out in parts (from the cache where it can) and joined."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from generator.blocks import ClinicianNote, walk
from generator.cache import BuildCache
from generator.config import Project
from generator.copies import finished, give_back_memory, keep_shared, let_go
from generator.errors import HandoutError, counted, display_path
from generator.fonts import declares_fallbacks, needs_fallback
from generator.layout import Batch, Job
from generator.merge import (
    Bookmark,
    join,
    outline_of,
    pages_and_outline,
    set_outline,
    stamp,
    to_bytes,
)
from generator.model import HandoutFile, PacketFile
from generator.options import RenderOptions
from generator.pagequality import PageNote
from generator.pdf import Layout
from generator.progress import bar, stage
from generator.render import Renderer, personal_context
from generator.request import PacketRequest
from generator.workers import WorkerPool

#: Who a copy is for: a name and where it was given (for messages); None: no one.
Who = tuple[str, str] | None
#: How many covers are laid out at a time: enough to keep the workers busy,
#: few enough that a run of thousands holds only a few in memory.
PERSONAL_BATCH = 32


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
        *,
        quality: bool = False,
    ):
        self.project = project
        #: Look at how each part's pages break (`check --pdf`): see `part_notes`.
        self.quality = quality
        #: Each part's file, its first page in the packet and how its pages break.
        self.part_notes: list[tuple[Path, int, tuple[PageNote, ...]]] = []
        self.item = item
        # Names go on the covers only (see `copies`): no other part carries one.
        self.options = replace(options, client_name=None)
        self.request = request
        self.trainer = request.edition == "trainer"
        self.renderer = Renderer(project)
        # `check --pdf` writes nothing, the cache included; it reads what a build kept.
        self.cache = BuildCache(project, read_only=quality)
        self.warnings: list[str] = []
        self.front_notes: tuple[PageNote, ...] = ()
        self.context = self.renderer.packet_context(item, self.options, trainer=self.trainer)
        self.workers = workers

    def _start(self, jobs: Sequence[Job] = (), *, cache: bool = True, tagged: bool = True) -> Batch:
        """Hand documents to the workers (more may be added); `_wait` collects them."""
        return Batch(
            self.project,
            jobs,
            strict=self.request.strict,
            layout=Layout(
                forms=self.options.fillable,
                tagged=tagged,
                part=True,
                # How the pages break is looked at in every build and kept with the
                # part, so that `check --pdf` takes it from the cache.
                quality=tagged,
            ),
            cache=self.cache if cache else None,
            workers=self.workers,
        )

    def _wait(self, batch: Batch) -> list[bytes]:
        pdfs, warnings = batch.result()
        self.warnings.extend(warnings)
        return pdfs

    def _job(self, html: str, base_url: str, source: Path, *, one_page: bool = False) -> Job:
        """A part to lay out; one in the fallback fonts gets them as subsets.

        Parts share whole fonts, but WeasyPrint draws a variable font's other
        weights (the fallbacks') wrongly spaced when it embeds it whole. A
        worksheet is meant to fit one page, and is warned of where it does not.
        """
        layout = None
        fallbacks = declares_fallbacks(html)
        if fallbacks or one_page:
            layout = Layout(
                forms=self.options.fillable,
                part=not fallbacks,
                one_page=one_page,
                quality=True,
            )
        return Job(html, base_url, source, layout=layout)

    def start_body(self) -> tuple[Batch, list[tuple[Literal["divider", "handout"], str, int]]]:
        """Each section's divider, then its handouts, handed to the workers as rendered.

        Also returns each part's place in the bookmarks.
        """
        # Participants and trainer see the same client pages; the trainer's
        # notes on them are on each section's divider.
        handout_options = replace(self.options, edition="client")
        plan: list[tuple[Literal["divider", "handout"], str, int]] = []
        batch = self._start()
        for number, (section, handouts) in enumerate(self.item.sections, start=1):
            view = {
                "title": section.title,
                "intro": section.intro,
                "facilitator_notes": section.facilitator_notes,
                "vignettes": section.vignettes,
                "handouts": [
                    {"title": h.handout.title, "notes": _notes(h) if self.trainer else []}
                    for h in handouts
                ],
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
                one_page = handout.one_page(large_print=self.options.large_print)
                batch.add(self._job(part.html, part.base_url, handout.path, one_page=one_page))
        return batch, plan

    def front_and_numbers(
        self, body: Sequence[Part], back: Sequence[bytes], certificate: bool
    ) -> tuple[bytes, int, bytes]:
        """The agenda and contents, and the page numbers of the whole packet.

        `back`: the pages after the handouts, already laid out; `certificate`:
        whether a certificate ends each copy.

        The contents' page numbers allow for the front matter's own length, so
        its length is guessed first; the numbers, which need the total, are
        laid out alongside it on the same guess, and both again if it was wrong.
        """
        # A first guess: the agenda's page, then about two dozen entries a page.
        entries = sum(1 + len(handouts) for _, handouts in self.item.sections)
        pages = int(self.context["show_agenda"]) + max(1, -(-entries // 24))
        body_pages = sum(part.pages for part in body)
        back_pages = sum(pages_and_outline(pdf)[0] for pdf in back)
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
            after = _back_entries(back, start)
            if certificate:
                after.append(
                    {"title": self.context["messages"].certificate, "page": start + back_pages}
                )
            page = self.renderer.render_packet_page(
                self.item,
                "packet_front.html",
                {**self.context, "sections": sections, "back": after},
            )
            total = 1 + pages + body_pages + back_pages + int(certificate)
            numbers_html = self.renderer.render_numbers(
                self.item, self.options, total, last_unnumbered=certificate
            )
            front_batch = self._start([self._job(page.html, page.base_url, self.item.path)])
            numbers_batch = self._start([Job(numbers_html, "", self.item.path)], tagged=False)
            (pdf,) = self._wait(front_batch)
            self.front_notes = front_batch.notes.get(0, ())
            laid_out, _ = pages_and_outline(pdf)
            if laid_out == pages:
                (numbers,) = self._wait(numbers_batch)
                return pdf, pages, numbers
            pages = laid_out
        raise HandoutError(
            f"{display_path(self.item.path)}: the table of contents would not settle on a "
            "page count; shorten the section titles"
        )

    def copies(self, names: Sequence[Who]) -> list[bytes]:
        """Every copy, in memory: one packet, or the few that a served page sends."""
        return [data for data in self._made(names, None) if data is not None]

    def write_copies(self, names: Sequence[Who], into: Sequence[Path]) -> Iterator[Path]:
        """Each copy written by the workers to its file in `into`, in order, as it is
        finished: memory does not grow with the number of copies."""
        for path, _ in zip(into, self._made(names, into), strict=True):
            yield path

    def _made(self, names: Sequence[Who], into: Sequence[Path] | None) -> Iterator[bytes | None]:
        """The copies, one per (name, where it was given); None: no name.

        One copy is joined whole, its cover the first part. For several,
        everything after the cover is joined and numbered once, and each copy
        then only adds its own cover in front, in the workers. The covers are
        laid out a batch at a time, the first alongside the body, which they
        do not depend on, and each next batch while the copies of the one
        before are joined. The cover's title and description are the packet's,
        so the joined file's metadata (taken from its first part) is the
        packet's, never a name.
        """
        packet = self.item.id
        batches = [names[i : i + PERSONAL_BATCH] for i in range(0, len(names), PERSONAL_BATCH)]
        with stage(f"{packet}: render the parts and lay them out (or take them from the cache)"):
            body_batch, plan = self.start_body()
            back_batch = self._start(self.back_jobs())
            first = self._start_personal(batches[0])
            # Each part is read as it comes back (cached ones first), while the workers go on.
            read = {index: (pdf, *pages_and_outline(pdf)) for index, pdf in body_batch.as_ready()}
            body = [Part(*place, *read[index]) for index, place in enumerate(plan)]
            self.warnings.extend(body_batch.warnings)
            back = self._wait(back_batch)
        certificate = self.item.packet.certificate is not None
        with stage(f"{packet}: lay out the contents and the page numbers"):
            front, front_pages, numbers = self.front_and_numbers(body, back, certificate)
        pages = self._personal_pages(batches, first)
        some = f"the first {len(batches[0])} of " if len(batches) > 1 else ""
        with stage(f"{packet}: lay out {some}{counted(len(names), 'cover')}"):
            covers, certificates = next(pages)
        self._note_parts(first, body_batch, body, back, back_batch, front_pages)
        if self.workers is not None and len(batches) == 1:
            # All is laid out: joining needs the workers' memory more than they do.
            self.workers.stop()
        bookmarks = self.bookmarks(front, front_pages, body, back, certificates[:1])
        parts = [front, *(part.pdf for part in body), *back]
        del body, read
        if len(names) == 1 and into is None:
            with stage(f"{packet}: join the copy"):
                # One copy: its cover is simply the first part, its certificate the last.
                whole = join([covers[0], *parts, *certificates])
                stamp(whole, numbers, first=1)
                set_outline(whole, bookmarks)
                yield to_bytes(whole)
            return
        copies = "the copy" if len(names) == 1 else f"{len(names)} copies"
        with stage(f"{packet}: join {copies}"):
            shared = join(parts)
            stamp(shared, numbers, offset=1)
            rest = keep_shared(to_bytes(shared))
            del shared, parts
            give_back_memory()
            laid_out = itertools.chain([(covers, certificates)], pages)
            try:
                with bar(len(names), "Copies") as advance:
                    for data in finished(laid_out, rest, bookmarks, self.workers, into):
                        yield data
                        advance(1)
            finally:
                let_go(rest)

    def _start_personal(self, names: Sequence[Who]) -> tuple[Batch, Batch]:
        """Hand one batch of covers (and certificates, if the packet gives them) to the workers."""
        nameless = all(name is None for name in names)
        covers = self._start(self.personal_jobs("packet_cover.html", names), cache=nameless)
        certificates = self._start(self.certificate_jobs(names), cache=nameless)
        return covers, certificates

    def _personal_pages(
        self, batches: Sequence[Sequence[Who]], first: tuple[Batch, Batch]
    ) -> Iterator[tuple[list[bytes], list[bytes]]]:
        """Each batch's covers and certificates, checked to fit a page; the next
        batch is handed to the workers before one is waited for."""
        started = first
        for number, names in enumerate(batches):
            upcoming = None
            if number + 1 < len(batches):
                upcoming = self._start_personal(batches[number + 1])
            covers = self._wait(started[0])
            certificates = self._wait(started[1])
            self.check_one_page(covers, names, "cover")
            self.check_one_page(certificates, names, "certificate")
            yield covers, certificates
            if upcoming is not None:
                started = upcoming

    def _note_parts(
        self,
        first: tuple[Batch, Batch],
        body_batch: Batch,
        body: Sequence[Part],
        back: Sequence[bytes],
        back_batch: Batch,
        front_pages: int,
    ) -> None:
        """Where each part starts in the packet, and how its pages break (`check --pdf`)."""
        covers_batch, certificates_batch = first
        self.part_notes = [
            (self.item.path, 1, covers_batch.notes.get(0, ())),
            (self.item.path, 2, self.front_notes),
        ]
        start = 2 + front_pages
        for index, part in enumerate(body):
            self.part_notes.append(
                (body_batch.jobs[index].source, start, body_batch.notes.get(index, ()))
            )
            start += part.pages
        if back:
            self.part_notes.append((self.item.path, start, back_batch.notes.get(0, ())))
            start += pages_and_outline(back[0])[0]
        if certificates_batch.jobs:
            self.part_notes.append((self.item.path, start, certificates_batch.notes.get(0, ())))

    def check_one_page(self, parts: Sequence[bytes], names: Sequence[Who], what: str) -> None:
        """Refuse a cover or certificate longer than a page: page numbers count on one."""
        for part, who in zip(parts, names, strict=False):
            pages, _ = pages_and_outline(part)
            if pages != 1:
                # Where the name was given, never the name itself.
                copy = f" of the copy for {who[1]}" if who is not None else ""
                shorten = "the name there, or " if who is not None else ""
                raise HandoutError(
                    f"{display_path(self.item.path)}: the {what}{copy} takes {pages} pages, "
                    f"but a {what} must fit on one; shorten {shorten}the packet's title, "
                    "subtitle, organisation or facilitator"
                )

    def back_jobs(self) -> list[Job]:
        """The pages after the handouts (notes, evaluation), if the packet has any."""
        packet = self.item.packet
        if not packet.notes_pages and packet.evaluation is None:
            return []
        # As many lines as the page holds above its footer (a practice's makes it taller).
        g, h = self.context["page"], self.context["page_footer"].height
        lines = {"notes_lines": g.notes_lines(h), "question_lines": g.question_lines(h)}
        page = self.renderer.render_packet_page(self.item, "packet_back.html", self.context | lines)
        return [self._job(page.html, page.base_url, self.item.path)]

    def certificate_jobs(self, names: Sequence[Who]) -> list[Job]:
        """One certificate of attendance per name, if the packet gives one."""
        if self.item.packet.certificate is None:
            return []
        return self.personal_jobs("packet_certificate.html", names)

    def personal_jobs(self, template: str, names: Sequence[Who]) -> list[Job]:
        """One cover (or certificate) per name; a named one is personal, so never cached.

        A name the body font lacks characters for brings the fallback fonts,
        which are embedded as subsets: whole, they would add megabytes to
        every copy.
        """
        jobs: list[Job] = []
        for who in names:
            name, given_in = who if who is not None else (None, None)
            page = self.renderer.render_packet_page(
                self.item,
                template,
                {**self.context, **personal_context(name, self.context["fallback_fonts"])},
            )
            layout = None
            if name is not None and needs_fallback(name):
                layout = Layout(forms=self.options.fillable, part=False)
            jobs.append(Job(page.html, page.base_url, self.item.path, name, given_in, layout))
        return jobs

    def bookmarks(
        self,
        front: bytes,
        front_pages: int,
        body: Sequence[Part],
        back: Sequence[bytes],
        certificate: Sequence[bytes],
    ) -> list[Bookmark]:
        """Agenda and contents, section → handout → its headings, then what comes after."""
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
        for pdf in [*back, *certificate]:
            pages, outline = pages_and_outline(pdf)
            marks.extend(Bookmark(m.title, page + m.page) for m in outline if m.page >= 0)
            page += pages
        return marks


def _back_entries(back: Sequence[bytes], start: int) -> list[dict[str, Any]]:
    """The contents' entries for the pages after the handouts, from their headings."""
    entries: list[dict[str, Any]] = []
    for pdf in back:
        pages, outline = pages_and_outline(pdf)
        entries += [{"title": m.title, "page": start + m.page} for m in outline if m.page >= 0]
        start += pages
    return entries


def _notes(item: HandoutFile) -> list[ClinicianNote]:
    """A client handout's notes for the clinician, wherever they are in it.

    A clinician's handout prints its own, in both editions.
    """
    if item.handout.audience != "client":
        return []
    return [block for _, block in walk(item.handout.blocks) if isinstance(block, ClinicianNote)]
