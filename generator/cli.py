"""CLI: the `handouts` command. Options in, one call out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator.cli_options import (
    PAPER,
    RunChoices,
    a_folder,
    choice_option,
    config_option,
    language_list,
    language_option,
    out_option,
    reads_only,
    run_options,
    strict_option,
    unused_check_options,
)

if TYPE_CHECKING:
    from generator.config import Paper, Project
    from generator.model import Edition
    from generator.request import BuildRequest, PacketRequest
    from generator.rerun import Rerun

F = TypeVar("F", bound=Callable[..., Any])


def _project(config_file: Path | None) -> Project:
    from generator.config import find_project

    return find_project(config=config_file)


def _last_run(
    command: str, request: BuildRequest | PacketRequest, config_file: Path | None
) -> tuple[Rerun | None, tuple[tuple[Path, ...], tuple[str, ...]] | None]:
    """This run's record (to keep once it succeeds), and the last run's outcome, when
    nothing it read or wrote has changed since (then nothing need be done)."""
    from generator.errors import counted
    from generator.progress import LOGGER, stage
    from generator.rerun import Rerun

    with stage("compare every input and output with the last run's"):
        rerun = Rerun.of(command, request, config_file)
        replayed = rerun.replay() if rerun is not None else None
    if replayed is not None:
        files = counted(len(replayed[0]), "file")
        LOGGER.info("nothing changed since the last run, and its output (%s) is as it was", files)
    return rerun, replayed


def _finish(rerun: Rerun | None, written: tuple[Path, ...], warnings: tuple[str, ...]) -> None:
    """Record the run (see `rerun`) and say what it wrote. Everything is written by now:
    a stop signal here has nothing left to stop, and is let go (`signals.work_written`)
    rather than reported as a stop after the files are in place."""
    if rerun is not None:
        rerun.record(written, warnings)
    _report(written, warnings)


def _run(request: BuildRequest | PacketRequest, config_file: Path | None, documents: int) -> None:
    """A build or packet run: answered from the last run's record, or made.

    Something changed, so there is likely something to lay out: the first
    worker starts importing WeasyPrint before the rest of the program is
    imported, and is stopped unused if the cache has every layout.
    """
    from generator.request import BuildRequest
    from generator.workers import WorkerPool

    kind = "build" if isinstance(request, BuildRequest) else "packet"
    rerun, replayed = _last_run(kind, request, config_file)
    if replayed is not None:
        _report(*replayed)
        return
    with WorkerPool(documents, request.jobs) as workers:
        if isinstance(request, BuildRequest):
            if request.format == "pdf":
                workers.start()
            from generator.build import build

            result = build(_project(config_file), request, workers)
        else:
            workers.start()
            from generator.signals import ctrl_c_held

            # The packet's modules load pikepdf, whose core aborts the process
            # ("Critical nanobind error") if Ctrl-C reaches it while it loads.
            with ctrl_c_held():
                from generator.packet import build_packets

            result = build_packets(_project(config_file), request, workers)
    _finish(rerun, result.written, result.warnings)


def _report(written: tuple[Path, ...], warnings: tuple[str, ...]) -> None:
    from generator.progress import is_quiet

    if is_quiet():
        return
    for warning in warnings:
        click.echo(warning, err=True)
    for path in written:
        click.echo(path)


def _print_version(context: click.Context, _: click.Parameter, value: bool) -> None:
    if value and not context.resilient_parsing:
        from generator import __version__

        click.echo(f"handouts, version {__version__}")
        context.exit()


class Handouts(click.Group):
    """The command group: a stop signal is Ctrl-C, however Python wrapped it."""

    def invoke(self, ctx: click.Context) -> Any:
        from generator.signals import command_scope, interrupted

        try:
            with command_scope():
                return super().invoke(ctx)
        except Exception as exc:
            if interrupted(exc):
                raise KeyboardInterrupt from None
            raise


@click.group(cls=Handouts, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Say what each stage does and how long it takes (-vv: more).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def main(verbose: int, quiet: bool) -> None:
    """Build plain-language, trauma-informed handouts as accessible PDFs.

    Works on the project in this folder (the nearest folder upwards with a
    handouts.yaml or a content/ folder), or on the built-in library.
    """
    from generator.lifecycle import command
    from generator.progress import configure

    configure(verbose, quiet)

    # SIGTERM and SIGHUP stop a command as Ctrl-C does; temporary files go
    # in this run's own folder, which a later run removes if this one is killed.
    click.get_current_context().with_resource(command())


@main.command("build")
@click.argument("ids", nargs=-1)
@out_option
@click.option(
    "--out-name",
    metavar="FILE",
    help="File name for a single handout (otherwise its id and variant).",
)
@choice_option(
    "--edition",
    choices=("client", "clinician"),
    help="The clinician edition adds the notes for the clinician.",
)
@choice_option(
    "--format",
    "output_format",
    choices=("pdf", "html"),
    help="html writes the exact HTML that would be laid out, for debugging.",
)
@strict_option
@language_option
@run_options
def build_command(
    ids: tuple[str, ...],
    out: Path | None,
    out_name: str | None,
    edition: str,
    output_format: str,
    strict: bool,
    language: str | None,
    run: RunChoices,
) -> None:
    """Build handouts (all of them when no IDS are given) and print each path."""
    from generator.request import BuildRequest

    request = BuildRequest(
        ids=ids,
        out=out,
        out_name=out_name,
        options=run.render_options(edition),
        format="html" if output_format == "html" else "pdf",
        strict=strict,
        jobs=run.jobs,
        language=language,
    )
    _run(request, run.config_file, len(ids) or MANY_DOCUMENTS)


#: Documents a build of every handout is taken to have before they are counted:
#: enough for a worker per core.
MANY_DOCUMENTS = 64


@main.command("packet")
@click.argument("ids", nargs=-1, required=True)
@choice_option(
    "--edition",
    choices=("participant", "trainer"),
    help="The trainer edition adds the agenda, facilitator notes and clinician notes.",
)
@out_option
@strict_option
@click.option(
    "--participants",
    type=click.Path(dir_okay=False, path_type=Path),
    help='A CSV file with a `name` column: one copy each, "Prepared for NAME" on its cover.',
)
@click.option(
    "--name-pattern",
    help="File names for participants' copies, from {id}, {n} and {name} "
    "(default {id}-{n}: names stay out of file names unless you add {name}).",
)
@click.option(
    "--zip",
    "zipped",
    is_flag=True,
    help="With --participants: every copy in one zip file, ID-copies.zip, not a file each.",
)
@run_options
def packet_command(
    ids: tuple[str, ...],
    edition: str,
    out: Path | None,
    strict: bool,
    participants: Path | None,
    name_pattern: str | None,
    zipped: bool,
    run: RunChoices,
) -> None:
    """Build workshop packets from content/packets/ID.yaml and print each path."""
    from generator.request import PacketRequest

    request = PacketRequest(
        ids=ids,
        edition="trainer" if edition == "trainer" else "participant",
        out=out,
        options=run.render_options(),
        strict=strict,
        participants=participants,
        name_pattern=name_pattern,
        zip=zipped,
        jobs=run.jobs,
    )
    # A packet is several documents to lay out (cover, contents, handouts).
    _run(request, run.config_file, 3 * len(ids))


@main.command("list")
@language_option
@config_option
@reads_only
def list_command(language: str | None, config_file: Path | None) -> None:
    """List the handouts: id, language, audience, title and where each comes from; and
    how translations stand (current, behind; missing, where the config declares languages)."""
    from generator.content import load_handouts
    from generator.sources import discover, run_languages
    from generator.translations import standing

    project = _project(config_file)
    languages = run_languages(project, language)
    sources, _ = discover(project.roots)
    status = standing(sources, project.declared_languages, project.config.language)
    declared = bool(project.declared_languages)
    for item in load_handouts(project.roots, (), languages):
        handout = item.handout
        key = (handout.language, item.id)
        line = (
            f"{item.id}\t{handout.language}\t{handout.audience}\t{handout.title}"
            f"\t{project.origin(item.path)}"
        )
        if key in status.translations:
            line += "\t" + status.translations[key].describe()
        elif declared:
            # With languages declared, each source says which it still lacks.
            missing = status.missing.get(key)
            line += "\t" + ("missing: " + ", ".join(missing) if missing else "source")
        click.echo(line)


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path), callback=a_folder)
@click.option(
    "--languages",
    metavar="TAGS",
    callback=language_list,
    help="The languages to publish in, the main one first, such as en,es (default: en).",
)
def init_command(folder: Path, languages: tuple[str, ...]) -> None:
    """Create a clinic project in FOLDER: config, content and template folders."""
    from generator.scaffold import init_next_steps, init_project

    for path in init_project(folder, languages):
        click.echo(path)
    click.echo(f"\n{init_next_steps(folder)}", err=True)


@main.command("new")
@click.argument("handout_id", metavar="ID")
@click.option(
    "--force", is_flag=True, help="Use ID even if a built-in handout has it, replacing that one."
)
@config_option
def new_command(handout_id: str, force: bool, config_file: Path | None) -> None:
    """Start a handout: content/handouts/<language>/ID.yaml, with every block type."""
    from generator.scaffold import new_handout

    new = new_handout(_project(config_file), handout_id, force=force)
    click.echo(new.path)
    if new.replaces is not None:
        click.echo(
            f"It replaces the built-in handout \u201c{new.replaces}\u201d in this project.",
            err=True,
        )
    click.echo(f"\nNext: edit it, then `handouts build {handout_id}`.", err=True)


@main.command("check")
@click.argument("targets", nargs=-1, metavar="[ID or PATH]...")
@click.option("--pdf", "check_pdf", is_flag=True, help="Also build each handout and check the PDF.")
@click.option("--large-print", is_flag=True, help="With --pdf: check the large-print PDF.")
@click.option("--paper", type=PAPER, help="With --pdf: this paper (default: the config's).")
@choice_option("--edition", choices=("client", "clinician"), help="With --pdf: this edition.")
@click.option("--fillable", is_flag=True, help="With --pdf: check the fillable PDF.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON, for CI.")
@click.option("--strict", is_flag=True, help="Warnings fail too (notes never do).")
@click.option("--rules", "list_rules", is_flag=True, help="List every rule and what it finds.")
@language_option
@config_option
@reads_only
def check_command(
    targets: tuple[str, ...],
    check_pdf: bool,
    large_print: bool,
    paper: Paper | None,
    edition: Edition,
    fillable: bool,
    as_json: bool,
    strict: bool,
    list_rules: bool,
    language: str | None,
    config_file: Path | None,
) -> None:
    """Check handouts for reading level, wording, structure and (with --pdf) accessibility.

    Checks everything in the project when no ID or PATH is given. Exit 0 when
    clean, 1 when a finding fails (errors; warnings too under --strict).
    """
    from generator.check import CheckRequest, rules_json, rules_text, run_check

    unused_check_options(bool(targets), list_rules=list_rules, check_pdf=check_pdf)
    if list_rules:
        click.echo(rules_json() if as_json else rules_text())
        return
    report = run_check(
        config_file,
        CheckRequest(targets, check_pdf, large_print, paper, edition, fillable, language),
        config_as_findings=as_json,
    )
    click.echo(report.as_json() if as_json else report.as_text())
    if report.failed(strict):
        raise SystemExit(1)


@main.command("serve")
@click.option(
    "--port",
    type=click.IntRange(1024, 65535),
    default=8000,
    show_default=True,
    help="The port on 127.0.0.1 to serve on.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
@config_option
def serve_command(port: int, open_browser: bool, config_file: Path | None) -> None:
    """Serve a local web page to pick, personalise and print handouts (127.0.0.1 only)."""
    from generator.serve.run import serve

    serve(_project(config_file), port, open_browser=open_browser)


@main.command("schema")
@click.argument(
    "kind", type=click.Choice(["handout", "packet", "config"]), default="handout", required=False
)
def schema_command(kind: str) -> None:
    """Print the JSON Schema of handout files (or packets, or handouts.yaml)."""
    from generator.schema import json_schema

    click.echo(json_schema(kind))


@main.group("template")
def template_group() -> None:
    """The built-in templates a project can replace with its own copy."""


@template_group.command("list")
def template_list_command() -> None:
    """List the built-in templates, one name a line (css/print.css, messages/en.yaml...)."""
    from generator.scaffold import builtin_templates

    for name in builtin_templates():
        click.echo(name)


@template_group.command("copy")
@click.argument("names", nargs=-1, required=True, metavar="NAME...")
@click.option("--force", is_flag=True, help="Replace the project's copy if there is one.")
@config_option
def template_copy_command(names: tuple[str, ...], force: bool, config_file: Path | None) -> None:
    """Copy built-in templates into the project's templates/ folder, to change them there."""
    from generator.scaffold import copy_templates

    for path in copy_templates(_project(config_file), names, force=force):
        click.echo(path)
