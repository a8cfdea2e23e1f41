"""Build: the orchestration the CLI calls (load all, render all, then write all)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from generator.cache import BuildCache, Entry
from generator.config import Project
from generator.content import asset_folders, load_sources, select
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fonts import font_folders
from generator.model import HandoutFile
from generator.pdf import PdfResult, html_to_pdf, write_atomically
from generator.render import RenderedHandout, RenderOptions, render_all

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
class Layout:
    """How WeasyPrint writes a PDF: form fields, tags, whole or subset fonts."""

    forms: bool = False
    #: False for layers laid over a tagged page as artifacts.
    tagged: bool = True
    #: Whole fonts, which the parts of a joined packet then share.
    full_fonts: bool = False


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
    items = load_sources([s for s in sources if s.path not in cached], problems)
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
        workers=request.jobs,
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


def lay_out_cached(
    project: Project,
    cache: BuildCache | None,
    jobs: Sequence[tuple[str, str, Path]],
    *,
    strict: bool,
    layout: Layout,
    workers: int | None = None,
    pool: Executor | None = None,
) -> tuple[list[bytes], tuple[str, ...]]:
    """Like `lay_out`, but a document whose HTML was laid out before comes from the cache.

    Pass no cache for anything personal.
    """
    results: list[bytes | None] = [None] * len(jobs)
    keys: list[str | None] = [None] * len(jobs)
    if cache is not None:
        for index, (html, _, _) in enumerate(jobs):
            keys[index] = cache.key("document", html, asdict(layout))
            hit = cache.get(keys[index] or "")
            if hit is not None:
                results[index] = hit[0]
    missing = [i for i, r in enumerate(results) if r is None]
    made, warnings = lay_out(
        project,
        [jobs[i] for i in missing],
        strict=strict,
        layout=layout,
        workers=workers,
        pool=pool,
    )
    for index, data in zip(missing, made, strict=True):
        results[index] = data
        key = keys[index]
        shown = display_path(jobs[index][2])
        if cache is not None and key and not any(w.startswith(shown + ":") for w in warnings):
            cache.put(key, data, Entry("", ""))
    return [r for r in results if r is not None], warnings


def lay_out(
    project: Project,
    jobs: Sequence[tuple[str, str, Path]],
    *,
    strict: bool,
    layout: Layout,
    workers: int | None = None,
    pool: Executor | None = None,
) -> tuple[list[bytes], tuple[str, ...]]:
    """Lay out each (html, base URL, source) as PDF bytes, in parallel if worth it.

    A caller with several rounds of work can pass its own pool, whose workers
    have already paid for importing WeasyPrint.
    """
    allowed = allowed_folders(project)
    workers = max(1, workers or os.cpu_count() or 1)
    calls = [(html, base_url, allowed, layout) for html, base_url, _ in jobs]
    if pool is not None and calls:
        results = list(pool.map(_lay_out_one, calls))
    elif workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as own_pool:
            results = list(own_pool.map(_lay_out_one, calls))
    else:
        results = [_lay_out_one(call) for call in calls]
    problems: list[Problem] = []
    warnings: list[str] = []
    for (_, _, source), result in zip(jobs, results, strict=True):
        shown = display_path(source)
        problems.extend(_pdf_problems(shown, result))
        if strict:
            problems.extend(
                Problem(shown, None, None, "", f"warning treated as an error (--strict): {w}")
                for w in result.warnings
            )
        else:
            warnings.extend(f"{shown}: warning: {w}" for w in result.warnings)
    if problems:
        raise ProblemsError(problems)
    return [r.data for r in results], tuple(dict.fromkeys(warnings))


def _lay_out_one(call: tuple[str, str, tuple[Path, ...], Layout]) -> PdfResult:
    html, base_url, allowed, layout = call
    return html_to_pdf(
        html,
        base_url,
        allowed,
        forms=layout.forms,
        tagged=layout.tagged,
        full_fonts=layout.full_fonts,
    )


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
