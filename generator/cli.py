"""CLI: the `handouts` command. Options in, one call out."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

if TYPE_CHECKING:
    from generator.config import Paper, Project
    from generator.model import Edition
    from generator.options import RenderOptions

F = TypeVar("F", bound=Callable[..., Any])

PAPER = click.Choice(["letter", "a4"], case_sensitive=False)


def _a_folder(
    context: click.Context, parameter: click.Parameter, value: Path | None
) -> Path | None:
    """An output folder that is a file, a pipe or a device (or lies under one) is refused."""
    from generator.files import not_a_folder

    problem = not_a_folder(value) if value is not None else None
    if problem:
        raise click.BadParameter(
            f"{problem}; give a folder to write into (it is made if it is missing)",
            context,
            parameter,
        )
    return value


def config_option(function: F) -> F:
    """--config FILE: use this config (and its folder as the project)."""
    return click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="The project's config file (default: handouts.yaml in this folder or above).",
    )(function)


def out_option(function: F) -> F:
    """--out FOLDER: the folder a command writes into."""
    return click.option(
        "--out",
        type=click.Path(path_type=Path),
        callback=_a_folder,
        help="Folder to write into (default: output/ in the project).",
    )(function)


def language_option(function: F) -> F:
    """--language/--lang TAG: only the handouts in this language."""
    return click.option(
        "--language",
        "--lang",
        "language",
        metavar="TAG",
        help="Only the handouts in this language, such as es "
        "(default: every language in the config's `languages`).",
    )(function)


def strict_option(function: F) -> F:
    """--strict: layout warnings fail the command."""
    return click.option(
        "--strict",
        is_flag=True,
        help="Treat warnings as errors (layout, and markup that would print as typed).",
    )(function)


def choice_option(*names: str, choices: Sequence[str], help: str) -> Callable[[F], F]:
    """An option that takes one of `choices`; the first is the default, shown in --help."""
    return click.option(
        *names, type=click.Choice(list(choices)), default=choices[0], show_default=True, help=help
    )


def profile_options(function: F) -> F:
    """The print profile options that `build` and `packet` share."""
    options = [
        click.option("--paper", type=PAPER, help="Paper size (default: letter, or the config's)."),
        click.option(
            "--large-print",
            is_flag=True,
            help="18 pt body text, larger bold headings, 1-inch margins, one column.",
        ),
        click.option(
            "--fillable",
            is_flag=True,
            help="Worksheet lines, checkboxes and scales become PDF form fields to fill in "
            "on screen. The file is larger: form fonts are embedded whole.",
        ),
        click.option(
            "--ink-saver", is_flag=True, help="No background fills: rules and borders only."
        ),
        click.option(
            "--client-name",
            metavar="NAME",
            help='Print "Prepared for NAME" under the title. The name goes on the page only: '
            "never into the file's metadata or name.",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1, max=64),
            help="Worker processes for laying out PDFs (default: one per core).",
        ),
        config_option,
    ]
    for option in reversed(options):
        function = option(function)
    return function


def reads_only(function: F) -> F:
    """For a command that never writes: its errors don't say "nothing was written"."""

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> Any:
        from generator.errors import ProblemsError

        try:
            return function(*args, **kwargs)
        except ProblemsError as exc:
            raise exc.read_only() from None

    return cast(F, command)


def _options(
    *,
    paper: str | None,
    large_print: bool,
    fillable: bool,
    ink_saver: bool,
    client_name: str | None,
    edition: str = "client",
) -> RenderOptions:
    from generator.options import RenderOptions, collapse_spaces

    return RenderOptions(
        paper="a4" if paper and paper.lower() == "a4" else ("letter" if paper else None),
        edition="clinician" if edition == "clinician" else "client",
        large_print=large_print,
        fillable=fillable,
        ink_saver=ink_saver,
        client_name=collapse_spaces(client_name) if client_name is not None else None,
    )


def _project(config_file: Path | None) -> Project:
    from generator.config import find_project

    return find_project(config=config_file)


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
        from generator.signals import interrupted

        try:
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
@profile_options
def build_command(
    ids: tuple[str, ...],
    out: Path | None,
    out_name: str | None,
    edition: str,
    output_format: str,
    strict: bool,
    language: str | None,
    jobs: int | None,
    config_file: Path | None,
    **profile: Any,
) -> None:
    """Build handouts (all of them when no IDS are given) and print each path."""
    from generator.build import build
    from generator.request import BuildRequest

    request = BuildRequest(
        ids=ids,
        out=out,
        out_name=out_name,
        options=_options(edition=edition, **profile),
        format="html" if output_format == "html" else "pdf",
        strict=strict,
        jobs=jobs,
        language=language,
    )
    result = build(_project(config_file), request)
    _report(result.written, result.warnings)


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
@profile_options
def packet_command(
    ids: tuple[str, ...],
    edition: str,
    out: Path | None,
    strict: bool,
    participants: Path | None,
    name_pattern: str | None,
    jobs: int | None,
    config_file: Path | None,
    **profile: Any,
) -> None:
    """Build workshop packets from content/packets/ID.yaml and print each path."""
    from generator.workers import WorkerPool

    # A packet is several documents to lay out (cover, contents, handouts):
    # the first worker starts before the rest of the program is imported.
    with WorkerPool(3 * len(ids), jobs) as workers:
        workers.start()
        from generator.packet import build_packets
        from generator.request import PacketRequest

        request = PacketRequest(
            ids=ids,
            out=out,
            options=_options(**profile),
            edition="trainer" if edition == "trainer" else "participant",
            strict=strict,
            participants=participants,
            name_pattern=name_pattern,
            jobs=jobs,
        )
        result = build_packets(_project(config_file), request, workers)
    _report(result.written, result.warnings)


@main.command("list")
@language_option
@config_option
@reads_only
def list_command(language: str | None, config_file: Path | None) -> None:
    """List the handouts: id, language, audience, title, where each comes from, and
    how its translations stand (current, behind, missing)."""
    from generator.content import load_handouts
    from generator.sources import discover, run_languages
    from generator.translations import standing

    project = _project(config_file)
    languages = run_languages(project, language)
    sources, _ = discover(project.roots)
    status = standing(sources, project.languages, project.config.language)
    for item in load_handouts(project.roots, (), languages):
        handout = item.handout
        key = (handout.language, item.id)
        if key in status.translations:
            said = status.translations[key].describe()
        elif key in status.missing:
            said = "missing: " + ", ".join(status.missing[key])
        else:
            said = "source" if handout.language == project.config.language else "untranslated"
        click.echo(
            f"{item.id}\t{handout.language}\t{handout.audience}\t{handout.title}"
            f"\t{project.origin(item.path)}\t{said}"
        )


def _language_list(
    context: click.Context, parameter: click.Parameter, value: str | None
) -> tuple[str, ...]:
    """A comma-separated list of language tags, each checked."""
    from generator.fields import language_problem

    if value is None:
        return ("en",)
    tags = tuple(dict.fromkeys(t.strip() for t in value.split(",") if t.strip()))
    for tag in tags or ("",):
        problem = language_problem(tag)
        if problem is not None:
            raise click.BadParameter(f"`{tag}` {problem}", context, parameter)
    return tags


@main.command("init")
@click.argument("folder", type=click.Path(path_type=Path), callback=_a_folder)
@click.option(
    "--languages",
    metavar="TAGS",
    callback=_language_list,
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

    if list_rules:
        if targets:
            raise click.UsageError("--rules lists the rules; give it no ID or PATH")
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
