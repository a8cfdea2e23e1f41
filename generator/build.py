"""Build: the orchestration the CLI calls (load all, render all, then write all)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from generator.cache import BuildCache, Entry
from generator.config import Project
from generator.content import asset_folders, load_sources, select
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fonts import font_folders
from generator.model import HandoutFile
from generator.options import RenderOptions
from generator.pdf import (
    Layout,
    LayoutCall,
    PdfResult,
    WorkerPool,
    lay_out_one,
    outcome,
    write_atomically,
)

if TYPE_CHECKING:
    from generator.render import RenderedHandout

__all__ = [
    "Batch",
    "BuildRequest",
    "BuildResult",
    "Job",
    "Layout",
    "WorkerPool",
    "build",
    "lay_out",
]

OutputFormat = Literal["pdf", "html"]


@dataclass(frozen=True)
class BuildRequest:
    """What a `handouts build` run was asked to do."""

    ids: tuple[str, ...] = ()
    out: Path | None = None
    options: RenderOptions = field(default_factory=RenderOptions)
    format: OutputFormat = "pdf"
    strict: bool = False
    #: A file name the user chose, for a single handout.
    out_name: str | None = None
    #: Worker processes for laying out PDFs (default: one per core).
    jobs: int | None = None


@dataclass(frozen=True)
class BuildResult:
    """The files written and the warnings worth showing."""

    written: tuple[Path, ...]
    warnings: tuple[str, ...]


def output_name(item: HandoutFile, options: RenderOptions, extension: str) -> str:
    """The file name for a handout: `<id>.pdf`, with a suffix per variant."""
    name = item.id
    if options.edition == "clinician" and item.handout.audience == "client":
        name += "-clinician"
    return f"{name}{options.suffix()}.{extension}"


def chosen_name(out_name: str, extension: str) -> str:
    """A file name the user typed, checked to be a plain name in the output folder."""
    name = out_name.strip()
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise HandoutError(
            f"--out-name must be a plain file name like my-handout.{extension}, "
            "not a path; use --out for the folder"
        )
    return name if name.lower().endswith(f".{extension}") else f"{name}.{extension}"


def allowed_folders(project: Project) -> tuple[Path, ...]:
    """Every folder a PDF may read files from: content, templates, assets, fonts."""
    folders: list[Path] = []
    for root in project.roots:
        folders.extend(asset_folders(root))
    return (*folders, *font_folders())


def build(project: Project, request: BuildRequest) -> BuildResult:
    """Build the requested handouts; on any problem, write nothing.

    A handout whose inputs are unchanged since it was last laid out comes
    from the build cache; only the others are loaded, checked and laid out,
    in parallel when there are several.
    """
    options = request.options.resolved(project.config)
    sources, problems = select(project.roots, request.ids)
    if request.out_name is not None and len(sources) != 1 and not problems:
        raise HandoutError(
            f"--out-name names one file, but {len(sources)} handouts were asked for; "
            "name one handout id"
        )
    out = request.out or project.output

    def target(language: str, name: str) -> Path:
        if request.out_name:
            name = chosen_name(request.out_name, request.format)
        return out / language / name

    # A client's name is personal: such a build is neither read from nor kept in the cache.
    cache = BuildCache(project) if request.format == "pdf" and options.client_name is None else None
    cached: dict[Path, tuple[Path, bytes]] = {}
    keys: dict[Path, str] = {}
    for source in sources:
        if cache is None:
            continue
        keys[source.path] = cache.key(source.path, asdict(options))
        hit = cache.get(keys[source.path])
        if hit is not None:
            data, entry = hit
            cached[source.path] = (target(entry.language, entry.name), data)
    todo = [s for s in sources if s.path not in cached]
    laying_out = request.format == "pdf" and bool(todo) and not problems
    with WorkerPool(len(todo) if laying_out else 0, request.jobs) as workers:
        workers.start()
        # Imported only now, while the workers import WeasyPrint.
        from generator.render import render_all

        items = load_sources(todo, problems)
        rendered = render_all(project, items, options)
        targets = [
            target(r.handout.language, output_name(r.handout, options, request.format))
            for r in rendered
        ]
        if request.format == "html":
            write_atomically(
                [(t, r.html.encode("utf-8")) for t, r in zip(targets, rendered, strict=True)]
            )
            return BuildResult(tuple(targets), ())
        pdfs, warnings = lay_out(
            project,
            [(r.html, r.base_url, r.handout.path) for r in rendered],
            strict=request.strict,
            layout=Layout(forms=options.fillable),
            workers=workers,
        )
    made: dict[Path, tuple[Path, bytes]] = {}
    for path_, item, data, clean in zip(
        targets, rendered, pdfs, _clean(rendered, warnings), strict=True
    ):
        made[item.handout.path] = (path_, data)
        key = keys.get(item.handout.path)
        # A render with warnings is not kept: a later --strict build must see them.
        if cache is not None and key is not None and clean:
            cache.put(key, data, Entry(item.handout.language, path_.name))
    files = [cached.get(s.path) or made[s.path] for s in sources]
    write_changed(files)
    return BuildResult(tuple(t for t, _ in files), warnings)


def _clean(rendered: Sequence[RenderedHandout], warnings: Sequence[str]) -> list[bool]:
    return [
        not any(w.startswith(display_path(r.handout.path) + ":") for w in warnings)
        for r in rendered
    ]


def write_changed(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write the files whose contents differ from what is there (all or none)."""
    changed = []
    for path, data in files:
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass
        changed.append((path, data))
    write_atomically(changed)


#: One document to lay out: its HTML, base URL, and the file it comes from (for messages).
Job = tuple[str, str, Path]


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
        #: Where each document comes from, for messages.
        self.sources: list[Path] = []
        self.results: list[bytes | None] = []
        self.keys: list[str | None] = []
        #: What is being laid out, by place: dropped once read, with its
        #: HTML and uncompressed PDF, so a long packet does not hold them all.
        self.made: dict[int, Future[PdfResult] | LayoutCall] = {}
        #: Each laid-out document's warnings, by its place.
        self.said: dict[int, list[str]] = {}
        for job in jobs:
            self.add(job)

    def add(self, job: Job) -> None:
        """Look the document up in the cache, or hand it to a worker now."""
        html, base_url, source = job
        key = hit = None
        if self.cache is not None:
            key = self.cache.key("document", html, asdict(self.layout))
            hit = self.cache.get(key)
        self.sources.append(source)
        self.keys.append(key)
        self.results.append(hit[0] if hit is not None else None)
        if hit is not None:
            return
        call: LayoutCall = (html, base_url, self.allowed, self.layout)
        future = None if self.workers is None else self.workers.submit(lay_out_one, call)
        self.made[len(self.sources) - 1] = future if future is not None else call

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
            found = self._check(index, result)
            problems.extend(found)
            data = self._finished(result.data) if not found else result.data
            key = self.keys[index]
            # A render with warnings is not kept: a later --strict build must see them.
            if not found and self.cache is not None and key and not result.warnings:
                self.cache.put(key, data, Entry("", ""))
            self.results[index] = data
            if not problems:
                yield index, data
        if problems:
            raise ProblemsError(problems)

    def _finished(self, data: bytes) -> bytes:
        """A laid-out PDF as it is kept: a part of a packet is compressed here.

        Here rather than in the workers, which then need not load pikepdf;
        and this process compresses the fonts every part shares only once.
        """
        if not self.layout.part:
            return data
        from generator.merge import compact

        return compact(data)

    def _laid_out(self) -> Iterator[tuple[int, PdfResult]]:
        futures = {item: index for index, item in self.made.items() if isinstance(item, Future)}
        for future in as_completed(futures):
            index = futures.pop(future)
            del self.made[index]
            yield index, outcome(future)
        for index in list(self.made):
            item = self.made.pop(index)
            assert not isinstance(item, Future)
            yield index, lay_out_one(item)

    def _check(self, index: int, result: PdfResult) -> list[Problem]:
        """One document's problems; its warnings are kept, or are problems if strict."""
        shown = display_path(self.sources[index])
        problems = _pdf_problems(shown, result)
        if self.strict:
            problems.extend(
                Problem(shown, None, None, "", f"warning treated as an error (--strict): {w}")
                for w in result.warnings
            )
        else:
            self.said[index] = [f"{shown}: warning: {w}" for w in result.warnings]
        return problems

    @property
    def warnings(self) -> tuple[str, ...]:
        """The documents' warnings, in the documents' order, each once."""
        return tuple(dict.fromkeys(w for i in sorted(self.said) for w in self.said[i]))

    def result(self) -> tuple[list[bytes], tuple[str, ...]]:
        """The PDFs in order, and the warnings; raises the documents' problems."""
        pdfs = dict(self.as_ready())
        return [pdfs[index] for index in range(len(self.sources))], self.warnings


def lay_out(
    project: Project,
    jobs: Sequence[Job],
    *,
    strict: bool,
    layout: Layout,
    workers: WorkerPool | None = None,
) -> tuple[list[bytes], tuple[str, ...]]:
    """Lay out each (html, base URL, source) as PDF bytes, in workers if given."""
    return Batch(project, jobs, strict=strict, layout=layout, workers=workers).result()


def _pdf_problems(shown: str, result: PdfResult) -> list[Problem]:
    problems = [
        Problem(
            shown,
            None,
            None,
            "",
            f"blocked a file or address outside the project: {url}; handouts may "
            "only use files in the project's content, assets and templates folders",
        )
        for url in result.blocked
    ]
    for message in result.errors:
        # WeasyPrint also logs each blocked fetch; it is reported above already.
        if any(url in message for url in result.blocked):
            continue
        problems.append(Problem(shown, None, None, "", f"PDF/UA accessibility error: {message}"))
    return problems
