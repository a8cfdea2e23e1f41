"""Serve: one handout's PDF, made in memory by the layout engine this process keeps loaded.

Nothing is written but the build cache, and never for a PDF with a client's
name: the name goes into the returned PDF's pages and nowhere else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from generator.cache import BuildCache
from generator.config import Project
from generator.content import load_sources
from generator.errors import ProblemsError
from generator.jobs import handout_jobs, output_name
from generator.layout import Batch
from generator.options import RenderOptions
from generator.pdf import Layout
from generator.sources import select

#: One layout at a time: the engine's caches are not shared between threads.
_LAYOUT = threading.Lock()


@dataclass(frozen=True)
class Printed:
    """A PDF, and the file name it is offered under (never with a person's name in it)."""

    data: bytes
    file_name: str


def print_handout(
    project: Project, language: str, handout_id: str, options: RenderOptions
) -> Printed:
    """The handout as a PDF in these options; raises its problems, located."""
    from generator.render import render_all

    sources, problems = select(project.roots, [handout_id], [language])
    if problems:
        raise ProblemsError(problems)
    items = load_sources(sources)
    options = options.resolved(project.config)
    rendered = render_all(project, items, options)
    cache = None if options.personal else BuildCache(project)
    with _LAYOUT:
        batch = Batch(
            project,
            handout_jobs(rendered, options),
            strict=False,
            layout=Layout(forms=options.fillable),
            cache=cache,
        )
        (data,), _ = batch.result()
    return Printed(data, output_name(items[0], options, "pdf"))
