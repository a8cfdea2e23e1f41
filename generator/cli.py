"""CLI: the `handouts` command. Options in, one call out."""

from __future__ import annotations

from pathlib import Path

import click

from generator import __version__

PAPER = click.Choice(["letter", "a4"], case_sensitive=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def main() -> None:
    """Build plain-language, trauma-informed handouts as accessible PDFs.

    Works on the project in this folder (the nearest folder upwards with a
    handouts.yaml or a content/ folder), or on the built-in library.
    """


@main.command("build")
@click.argument("ids", nargs=-1)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: output/ in the project).",
)
@click.option("--paper", type=PAPER, help="Paper size (default: letter, or the project's).")
@click.option(
    "--edition",
    type=click.Choice(["client", "clinician"]),
    default="client",
    show_default=True,
    help="The clinician edition adds the notes for the clinician.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="html writes the exact HTML that would be laid out, for debugging.",
)
@click.option("--strict", is_flag=True, help="Treat layout warnings as errors.")
def build_command(
    ids: tuple[str, ...],
    out: Path | None,
    paper: str | None,
    edition: str,
    output_format: str,
    strict: bool,
) -> None:
    """Build handouts (all of them when no IDS are given) and print each path."""
    from generator.build import BuildRequest, build
    from generator.config import find_project

    request = BuildRequest(
        ids=ids,
        out=out,
        paper=paper.lower() if paper else None,  # type: ignore[arg-type]
        edition=edition,  # type: ignore[arg-type]
        format=output_format,  # type: ignore[arg-type]
        strict=strict,
    )
    result = build(find_project(), request)
    for warning in result.warnings:
        click.echo(warning, err=True)
    for path in result.written:
        click.echo(path)


@main.command("list")
def list_command() -> None:
    """List the handouts: id, language, audience and title."""
    from generator.config import find_project
    from generator.content import load_handouts

    project = find_project()
    for item in load_handouts(project.roots):
        handout = item.handout
        click.echo(f"{item.id}\t{handout.language}\t{handout.audience}\t{handout.title}")


@main.command("packet")
@click.argument("ids", nargs=-1, required=True)
@click.option(
    "--edition",
    type=click.Choice(["participant", "trainer"]),
    default="participant",
    show_default=True,
    help="The trainer edition adds the agenda, facilitator notes and clinician notes.",
)
@click.option("--paper", type=PAPER, help="Paper size (default: letter, or the project's).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (default: output/ in the project).",
)
@click.option("--strict", is_flag=True, help="Treat layout warnings as errors.")
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
def packet_command(
    ids: tuple[str, ...],
    edition: str,
    paper: str | None,
    out: Path | None,
    strict: bool,
    participants: Path | None,
    name_pattern: str | None,
) -> None:
    """Build workshop packets from content/packets/ID.yaml and print each path."""
    from generator.config import find_project
    from generator.packet import PacketRequest, build_packets

    request = PacketRequest(
        ids=ids,
        out=out,
        paper=paper.lower() if paper else None,  # type: ignore[arg-type]
        edition=edition,  # type: ignore[arg-type]
        strict=strict,
        participants=participants,
        name_pattern=name_pattern,
    )
    result = build_packets(find_project(), request)
    for warning in result.warnings:
        click.echo(warning, err=True)
    for path in result.written:
        click.echo(path)
