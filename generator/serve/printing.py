"""Serve: one handout's PDF, made in memory by the layout engine this process keeps loaded.

Nothing is written but the build cache, and never for a PDF with a client's
name: the name goes into the returned PDF's pages and nowhere else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from generator.cache import BuildCache
from generator.config import Project
from generator.content import load_sources
from generator.errors import ProblemsError
from generator.jobs import handout_jobs, output_name
from generator.layout import Batch
from generator.model import HandoutFile
from generator.options import RenderOptions, name_problem
from generator.pdf import Layout
from generator.sources import select

#: One layout at a time: the engine's caches are not shared between threads.
LAYOUT_LOCK = threading.Lock()


@dataclass(frozen=True)
class Printed:
    """A PDF (or a zip of PDFs), and the file name it is offered under: never with a
    person's name in it."""

    data: bytes
    file_name: str
    media_type: str = "application/pdf"


def print_handout(
    project: Project,
    language: str,
    handout_id: str,
    options: RenderOptions,
    item: HandoutFile | None = None,
) -> Printed:
    """The handout as a PDF in these options (`item`: it, loaded just now); raises its
    problems, located."""
    from generator.render import render_all

    if item is None:
        sources, problems = select(project.roots, [handout_id], [language])
        if problems:
            raise ProblemsError(problems)
        items = load_sources(sources)
    else:
        items = [item]
    options = options.resolved(project.config)
    rendered = render_all(project, items, options)
    cache = None if options.personal else BuildCache(project)
    with LAYOUT_LOCK:
        batch = Batch(
            project,
            handout_jobs(rendered, options),
            strict=False,
            layout=Layout(forms=options.fillable),
            cache=cache,
        )
        (data,), _ = batch.result()
    return Printed(data, output_name(items[0], options, "pdf"))


def form_options(form: Any) -> tuple[RenderOptions, str | None]:
    """The print options a form asks for, or what is wrong with them (never the name)."""
    name = str(form.get("client_name") or "").strip() or None
    problem = name_problem(name) if name else None
    if problem:
        return RenderOptions(), f"The client's name {problem}. Change it, or leave it empty."
    return (
        RenderOptions(
            paper="a4" if form.get("paper") == "a4" else "letter",
            edition="clinician" if form.get("edition") == "clinician" else "client",
            large_print=ticked(form, "large_print"),
            fillable=ticked(form, "fillable"),
            ink_saver=ticked(form, "ink_saver"),
            client_name=name,
        ),
        None,
    )


def ticked(form: Any, field: str) -> bool:
    """Whether a checkbox is ticked: a browser sends its value ("1"); a script may send
    "0", "off" or "false" for one left empty, which must not turn the option on."""
    return str(form.get(field) or "").strip().lower() in {"1", "on", "true", "yes"}
