"""Build: the orchestration the CLI calls (load all, render all, then write all)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from generator.cache import BuildCache
from generator.config import Project
from generator.content import load_sources
from generator.errors import counted, warnings_or_errors
from generator.files import FileProblem
from generator.jobs import handout_jobs, output_name
from generator.layout import Batch
from generator.options import RenderOptions, check_name, is_plain_file_name, typed_text_problem
from generator.output import BuildResult, output_folder, write_changed
from generator.pdf import Layout
from generator.progress import bar, stage
from generator.request import BuildRequest
from generator.sources import HandoutSource, run_languages, select
from generator.workers import WorkerPool

if TYPE_CHECKING:  # imported by `build` itself, once the workers have started
    from generator.render import RenderedHandout


_EXTENSION = re.compile(r"\.([A-Za-z][A-Za-z0-9]{0,4})$")


def chosen_name(out_name: str, extension: str) -> str:
    """A file name the user typed, checked to be a plain name in the output folder."""
    wrong = typed_text_problem(out_name)
    if wrong:
        raise click.BadParameter(wrong, param_hint="--out-name")
    name = out_name.strip()
    if not is_plain_file_name(name):
        raise click.BadParameter(
            f"give a plain file name like my-handout.{extension}, not a path; "
            "use --out for the folder",
            param_hint="--out-name",
        )
    typed = _EXTENSION.search(name)
    allowed = {extension, "htm"} if extension == "html" else {extension}
    if typed is None:
        return f"{name}.{extension}"
    if typed.group(1).lower() not in allowed:
        raise click.BadParameter(
            f"the name ends in .{typed.group(1)}, but the file is {extension.upper()}; "
            f"end it in .{extension} or leave the ending off",
            param_hint="--out-name",
        )
    return name


def build(
    project: Project, request: BuildRequest, workers: WorkerPool | None = None
) -> BuildResult:
    """Build the requested handouts; on any problem, write nothing.

    Every handout asked for is read, checked and rendered on every build. A
    document whose HTML was laid out before comes from the build cache; the
    others are laid out, in parallel when there are several. A build with a
    client's name is never cached and is written apart (`output_folder`).
    Pass workers already started to have WeasyPrint imported sooner.
    """
    options = request.options.resolved(project.config)
    check_name(options.client_name, "--client-name")
    name = chosen_name(request.out_name, request.format) if request.out_name is not None else None
    languages = run_languages(project, request.language)
    sources, problems = select(project.roots, request.ids, languages)
    if name is not None and len(sources) != 1 and not problems:
        raise click.UsageError(
            f"--out-name names one file, but {len(sources)} handouts were asked for; "
            "name one handout id"
        )
    pdf = request.format == "pdf"
    cache = BuildCache(project) if pdf and not options.personal else None
    hints = [_hint(cache, source, options) for source in sources]
    # Workers start now if the last build suggests there is layout to do.
    expected = len(sources) if cache is None else sum(not cache.likely_hit(h) for h in hints)
    folder = output_folder(project, request.out, options)
    wanted = expected if pdf and not problems else 0
    with contextlib.ExitStack() as stack:
        workers = _ready(stack, workers, wanted, request.jobs)
        # Imported only now, while the workers import WeasyPrint.
        from generator.render import render_all

        with stage(f"read and check {counted(len(sources), 'handout')}"):
            items = load_sources(sources, problems)
        said = warnings_or_errors([w for i in items for w in i.warnings], strict=request.strict)
        with stage("render the HTML"):
            rendered = render_all(project, items, options)
        targets = [
            folder / r.handout.language / (name or output_name(r.handout, options, request.format))
            for r in rendered
        ]
        if not pdf:
            files = [(t, r.html.encode("utf-8")) for t, r in zip(targets, rendered, strict=True)]
            write_changed(files)
            return BuildResult(tuple(targets), said)
        batch = _batch(project, request, options, rendered, cache, workers)
        with (
            stage(f"lay out {counted(len(rendered), 'document')} (or take them from the cache)"),
            bar(len(rendered), "Laying out") as advance,
        ):
            pdfs, warnings = batch.result(advance)
    if cache is not None:
        for hint, key in zip(hints, batch.keys, strict=True):
            if hint is not None and key is not None:
                cache.predict(hint, key)
    with stage("write the changed files"):
        write_changed(list(zip(targets, pdfs, strict=True)))
    return BuildResult(tuple(targets), (*said, *warnings))


def _ready(
    stack: contextlib.ExitStack, workers: WorkerPool | None, wanted: int, jobs: int | None
) -> WorkerPool:
    """The workers: those given (stopped if there is nothing to lay out), or a pool of our own."""
    if workers is None:
        workers = stack.enter_context(WorkerPool(wanted, jobs))
    if wanted:
        workers.start()
    else:
        workers.stop()  # the cache has every layout; a miss starts them again
    return workers


def _batch(
    project: Project,
    request: BuildRequest,
    options: RenderOptions,
    rendered: Sequence[RenderedHandout],
    cache: BuildCache | None,
    workers: WorkerPool,
) -> Batch:
    """The rendered handouts, handed to the workers (or taken from the cache) to lay out."""
    return Batch(
        project,
        handout_jobs(rendered, options),
        strict=request.strict,
        layout=Layout(forms=options.fillable),
        cache=cache,
        workers=workers,
    )


def _hint(cache: BuildCache | None, source: HandoutSource, options: RenderOptions) -> str | None:
    """A key of a handout file, its place and the options: what `cache.predicted` takes."""
    if cache is None:
        return None
    try:
        return cache.key("source", source.language, source.id, source.path, asdict(options))
    except (OSError, FileProblem):  # reported, with its reason, when the file is read
        return None
