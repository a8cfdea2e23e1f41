"""Packet stage: manifest → handouts in order → one PDF with cover, contents, bookmarks.

The orchestration the `packet` command calls: read and check every packet
(and the participants list), name every file, have `assemble` lay each
packet out and join it, and only then write them all.
"""

from __future__ import annotations

import contextlib
import shutil
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from generator.assemble import Assembler, Who
from generator.config import Project
from generator.content import load_packets
from generator.errors import (
    HandoutError,
    Problem,
    ProblemsError,
    counted,
    display_path,
    warnings_or_errors,
)
from generator.jobs import packet_file_name
from generator.model import PacketFile
from generator.options import RenderOptions, check_name
from generator.output import (
    PERSONAL_FOLDER,
    BuildResult,
    write_changed,
    write_failure,
    zip_entry,
)
from generator.participants import (
    Participant,
    check_name_pattern,
    participant_file_names,
    read_participants,
)
from generator.progress import stage
from generator.request import PacketRequest
from generator.staging import Staging
from generator.workers import WorkerPool


def build_packets(
    project: Project, request: PacketRequest, workers: WorkerPool | None = None
) -> BuildResult:
    """Build the requested packets, or each participant's copy; on a problem, write nothing.

    Pass workers already started to have WeasyPrint imported sooner.
    """
    options = request.options.resolved(project.config)
    if request.participants is not None and options.client_name is not None:
        raise click.UsageError(
            "--client-name and --participants both name who a copy is for; use one of them"
        )
    if request.zip and request.participants is None:
        raise click.UsageError("--zip puts participants' copies in one file; add --participants")
    if request.name_pattern is not None and request.participants is None:
        # Said, not ignored: the user expects the names they asked for.
        raise click.UsageError(
            "--name-pattern names participants' copies; add --participants, or leave it out"
        )
    check_name(options.client_name, "--client-name")
    pattern = check_name_pattern(request.name_pattern)
    # A packet is several documents (cover, contents, handouts). The workers
    # start now, if they have not, and import WeasyPrint while the packet is
    # loaded and rendered: after an edit, the one handout to lay out again is
    # rendered a moment later. If everything comes from the cache, they are
    # stopped unused.
    with contextlib.ExitStack() as stack:
        if workers is None:
            workers = stack.enter_context(WorkerPool(3 * len(request.ids), request.jobs))
        workers.start()
        with stage(f"read and check {counted(len(request.ids), 'packet')}"):
            packets, people = _load(project, request)
        said = warnings_or_errors([w for p in packets for w in p.warnings], strict=request.strict)
        # Every file of the run is named before anything is laid out.
        targets = _targets(project, request, options, packets, people, pattern)
        if people:
            names = _names(request, options, people)
            return _each_copy(project, request, options, packets, names, targets, workers, said)
        files: list[tuple[Path, bytes]] = []
        warnings: list[str] = list(said)
        for item, paths in zip(packets, targets, strict=True):
            assembler = Assembler(project, item, options, request, workers)
            copies = assembler.copies(_names(request, options, people))
            files.extend(zip(paths, copies, strict=True))
            warnings.extend(assembler.warnings)
    with stage("write the changed files"):
        write_changed(files)
    return BuildResult(tuple(t for t, _ in files), tuple(dict.fromkeys(warnings)))


def _each_copy(
    project: Project,
    request: PacketRequest,
    options: RenderOptions,
    packets: Sequence[PacketFile],
    names: Sequence[Who],
    targets: Sequence[Sequence[Path]],
    workers: WorkerPool,
    said: Sequence[str],
) -> BuildResult:
    """Each participant's copy of each packet, written as it is finished, all put in
    place at the end (or each packet's copies in one zip); on a problem, none.

    Memory does not grow with the number of copies: each is written by a worker
    beside its target, and only a few are in the making at once.
    """
    warnings: list[str] = list(said)
    zips = [
        _zip_target(item, request, options, t[0]) for item, t in zip(packets, targets, strict=True)
    ]
    with Staging(zips if request.zip else [t for paths in targets for t in paths]) as staging:
        try:
            for item, paths, zipped in zip(packets, targets, zips, strict=True):
                assembler = Assembler(project, item, options, request, workers)
                if request.zip:
                    _zip_copies(assembler.write_copies, names, paths, zipped, staging)
                else:
                    for _ in assembler.write_copies(names, [staging.stage(t) for t in paths]):
                        pass
                warnings.extend(assembler.warnings)
        except BaseException:
            # Copies still being written would land in the hidden folders as they go.
            workers.stop()
            raise
        with stage("put the copies in place"):
            written = staging.commit()
    return BuildResult(tuple(written), tuple(dict.fromkeys(warnings)))


def _zip_target(
    item: PacketFile, request: PacketRequest, options: RenderOptions, copy: Path
) -> Path:
    """Where a packet's copies go as one zip: beside where each would have gone."""
    return copy.parent / f"{packet_file_name(item, request.edition, options)}-copies.zip"


def _zip_copies(
    write_copies: Callable[[Sequence[Who], Sequence[Path]], Iterator[Path]],
    names: Sequence[Who],
    paths: Sequence[Path],
    target: Path,
    staging: Staging,
) -> None:
    """Each copy, once written, into the zip under its own file name, and then removed.

    Stored, not compressed: a PDF's pages are compressed already. The
    entries' dates are fixed, so the same copies make the same zip.
    """
    staged = staging.stage(target)
    scratch = [staging.scratch(target, f"{number}.pdf") for number in range(len(paths))]
    try:
        with zipfile.ZipFile(staged, "x", zipfile.ZIP_STORED) as archive:
            for path, copy in zip(paths, write_copies(names, scratch), strict=True):
                with copy.open("rb") as source, archive.open(zip_entry(path.name), "w") as stored:
                    shutil.copyfileobj(source, stored)
                copy.unlink()
    except OSError as exc:
        raise HandoutError(write_failure(target.parent, exc)) from None


def _load(project: Project, request: PacketRequest) -> tuple[list[PacketFile], list[Participant]]:
    """The packets and the participants asked for; the problems of both are raised together."""
    problems: list[Problem] = []
    packets: list[PacketFile] = []
    people: list[Participant] = []
    try:
        packets = load_packets(project.roots, request.ids)
    except ProblemsError as exc:
        problems.extend(exc.problems)
    try:
        people = read_participants(request.participants) if request.participants else []
    except ProblemsError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ProblemsError(problems)
    return packets, people


def _targets(
    project: Project,
    request: PacketRequest,
    options: RenderOptions,
    packets: Sequence[PacketFile],
    people: Sequence[Participant],
    pattern: str,
) -> list[list[Path]]:
    """Each packet's files: one, or one per participant; no two the same."""
    out = request.out or project.output
    personal = request.participants is not None or options.personal
    targets: list[list[Path]] = []
    for item in packets:
        # Personalised copies go apart, so that no generic packet is replaced.
        folder = (out / PERSONAL_FOLDER if personal else out) / item.language / "packets"
        suffix = packet_file_name(item, request.edition, options)[len(item.id) :]
        names = participant_file_names(item.id, people, pattern) if people else [item.id]
        targets.append([folder / f"{name}{suffix}.pdf" for name in names])
    every = [target for group in targets for target in group]
    if people and len(set(every)) < len(every):
        raise click.BadParameter(
            "it gives two packets' copies the same names; add {id}",
            param_hint="--name-pattern",
        )
    return targets


def _names(
    request: PacketRequest, options: RenderOptions, people: Sequence[Participant]
) -> list[Who]:
    """Who each copy is for, and where the name was given (for messages); None: no one."""
    if people:
        shown = display_path(request.participants) if request.participants else ""
        return [(person.name, f"{shown}:{person.row}") for person in people]
    return [(options.client_name, "--client-name") if options.client_name else None]
