"""Build: the orchestration the CLI calls (load all, render all, then write all)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from generator.config import Project
from generator.content import asset_folders, load_handouts
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fonts import font_folders
from generator.model import HandoutFile
from generator.pdf import PdfResult, html_to_pdf, write_atomically
from generator.render import RenderOptions, render_all

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
    """Build the requested handouts; on any problem, write nothing."""
    handouts = load_handouts(project.roots, request.ids)
    if request.out_name is not None and len(handouts) != 1:
        raise HandoutError(
            f"--out-name names one file, but {len(handouts)} handouts were asked for; "
            "name one handout id"
        )
    options = request.options.resolved(project.config)
    rendered = render_all(project, handouts, options)
    out = request.out or project.output
    targets = [
        out
        / item.handout.language
        / (
            chosen_name(request.out_name, request.format)
            if request.out_name
            else output_name(item.handout, options, request.format)
        )
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
        forms=options.fillable,
    )


def write_pdfs(
    project: Project,
    jobs: Sequence[tuple[Path, str, str, Path]],
    *,
    strict: bool,
    forms: bool = False,
) -> BuildResult:
    """Lay out each (target, html, base URL, source) as a PDF; write all or none."""
    allowed = allowed_folders(project)
    files: list[tuple[Path, bytes]] = []
    problems: list[Problem] = []
    warnings: list[str] = []
    for target, html, base_url, source in jobs:
        result = html_to_pdf(html, base_url, allowed, forms=forms)
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
