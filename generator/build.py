"""Build: the orchestration the CLI calls (load all, render all, then write all)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator.config import Paper, Project
from generator.content import asset_folders, load_handouts
from generator.errors import Problem, ProblemsError, display_path
from generator.fonts import font_folders
from generator.model import Edition, HandoutFile
from generator.pdf import PdfResult, html_to_pdf, write_atomically
from generator.render import RenderOptions, render_all

OutputFormat = Literal["pdf", "html"]


@dataclass(frozen=True)
class BuildRequest:
    """What a `handouts build` run was asked to do."""

    ids: tuple[str, ...] = ()
    out: Path | None = None
    paper: Paper | None = None
    edition: Edition = "client"
    format: OutputFormat = "pdf"
    strict: bool = False


@dataclass(frozen=True)
class BuildResult:
    """The files written and the warnings worth showing."""

    written: tuple[Path, ...]
    warnings: tuple[str, ...]


def output_name(item: HandoutFile, request: BuildRequest, paper: Paper) -> str:
    """The file name for a handout: `<id>.pdf`, with a suffix per variant."""
    name = item.id
    if request.edition == "clinician" and item.handout.audience == "client":
        name += "-clinician"
    if paper == "a4":
        name += "-a4"
    return f"{name}.{request.format}"


def allowed_folders(project: Project) -> tuple[Path, ...]:
    """Every folder a PDF may read files from: content, templates, assets, fonts."""
    folders: list[Path] = []
    for root in project.roots:
        folders.extend(asset_folders(root))
    return (*folders, *font_folders())


def build(project: Project, request: BuildRequest) -> BuildResult:
    """Build the requested handouts; on any problem, write nothing."""
    handouts = load_handouts(project.roots, request.ids)
    options = RenderOptions(
        paper=request.paper or project.config.paper,
        edition=request.edition,
        crisis_region=project.config.crisis_region,
    )
    rendered = render_all(project, handouts, options)
    out = request.out or project.output
    targets = [
        out / item.handout.language / output_name(item.handout, request, options.paper)
        for item in rendered
    ]
    if request.format == "html":
        write_atomically(
            [(t, r.html.encode("utf-8")) for t, r in zip(targets, rendered, strict=True)]
        )
        return BuildResult(tuple(targets), ())
    return write_pdfs(
        project,
        [(t, r.html, r.base_url, r.handout.path) for t, r in zip(targets, rendered, strict=True)],
        strict=request.strict,
    )


def write_pdfs(
    project: Project,
    jobs: Sequence[tuple[Path, str, str, Path]],
    *,
    strict: bool,
) -> BuildResult:
    """Lay out each (target, html, base URL, source) as a PDF; write all or none."""
    allowed = allowed_folders(project)
    files: list[tuple[Path, bytes]] = []
    problems: list[Problem] = []
    warnings: list[str] = []
    for target, html, base_url, source in jobs:
        result = html_to_pdf(html, base_url, allowed)
        shown = display_path(source)
        problems.extend(_pdf_problems(shown, result))
        if strict:
            problems.extend(
                Problem(
                    shown,
                    None,
                    None,
                    "",
                    f"warning treated as an error (--strict): {w}",
                )
                for w in result.warnings
            )
        else:
            warnings.extend(f"{shown}: warning: {w}" for w in result.warnings)
        files.append((target, result.data))
    if problems:
        raise ProblemsError(problems)
    write_atomically(files)
    return BuildResult(tuple(t for t, _ in files), tuple(dict.fromkeys(warnings)))


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
