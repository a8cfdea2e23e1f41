"""CLI: the options the `handouts` commands share, and how they are read."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

if TYPE_CHECKING:
    from generator.options import RenderOptions

F = TypeVar("F", bound=Callable[..., Any])

PAPER = click.Choice(["letter", "a4"], case_sensitive=False)


def a_folder(context: click.Context, parameter: click.Parameter, value: Path | None) -> Path | None:
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
        callback=a_folder,
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


@dataclass(frozen=True)
class RunChoices:
    """What `build` and `packet` share: the print profile, the workers and the config."""

    paper: str | None
    large_print: bool
    fillable: bool
    ink_saver: bool
    client_name: str | None
    jobs: int | None
    config_file: Path | None

    def render_options(self, edition: str = "client") -> RenderOptions:
        """The print profile asked for, in `edition` (client or clinician)."""
        from generator.options import RenderOptions, collapse_spaces

        paper = self.paper.lower() if self.paper else None
        return RenderOptions(
            paper="a4" if paper == "a4" else ("letter" if paper else None),
            edition="clinician" if edition == "clinician" else "client",
            large_print=self.large_print,
            fillable=self.fillable,
            ink_saver=self.ink_saver,
            client_name=None if self.client_name is None else collapse_spaces(self.client_name),
        )


def run_options(function: Callable[..., None]) -> Callable[..., None]:
    """The options `build` and `packet` share, given to the command as one `run`."""
    fields = [f.name for f in dataclasses.fields(RunChoices)]

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> None:
        run = RunChoices(**{name: kwargs.pop(name) for name in fields})
        function(*args, run=run, **kwargs)

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
        command = option(command)
    return command


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


def language_list(
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


def given_options(names: tuple[str, ...]) -> list[str]:
    """The options among these typed on the command line (not set in the environment)."""
    from click.core import ParameterSource

    context = click.get_current_context()
    return [
        next(o for o in p.opts if o.startswith("--"))
        for p in context.command.params
        if p.name in names and context.get_parameter_source(p.name) is ParameterSource.COMMANDLINE
    ]


def unused_check_options(targets: bool, *, list_rules: bool, check_pdf: bool) -> None:
    """Refuse `check` options that would be ignored: any with --rules, which checks
    nothing, and those that choose the PDF without --pdf."""
    given = given_options(("check_pdf", "large_print", "paper", "edition", "fillable"))
    if list_rules:
        given += given_options(("strict", "language"))
        if targets or given:
            raise click.UsageError(
                f"--rules lists the rules and checks nothing: leave out {', '.join(given)}"
                if given
                else "--rules lists the rules; give it no ID or PATH"
            )
    elif given and not check_pdf:
        raise click.UsageError(f"{', '.join(given)}: these choose the PDF to check; add --pdf")
