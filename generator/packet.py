"""Packet stage: manifest → handouts in order → one PDF with cover, contents, bookmarks."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from generator.build import BuildResult, write_pdfs
from generator.config import Project
from generator.content import MAX_FILE_BYTES, load_packets
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.model import PacketFile
from generator.render import RenderedPacket, Renderer, RenderOptions

PacketEdition = Literal["participant", "trainer"]

DEFAULT_NAME_PATTERN = "{id}-{n}"
MAX_PARTICIPANTS = 500
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PATTERN_FIELD = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class PacketRequest:
    """What a `handouts packet` run was asked to do."""

    ids: tuple[str, ...]
    out: Path | None = None
    options: RenderOptions = field(default_factory=RenderOptions)
    edition: PacketEdition = "participant"
    strict: bool = False
    participants: Path | None = None
    name_pattern: str | None = None
    jobs: int | None = None


def read_participants(path: Path) -> list[str]:
    """The names in a participants CSV (its `name` column), or a located error."""
    shown = display_path(path)

    def fail(message: str, row: int | None = None) -> ProblemsError:
        return ProblemsError([Problem(shown, row, None, "", message)])

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise fail("the file is too large for a participants list (over 2 MB)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise fail("file not found; check the name and folder") from None
    except OSError as exc:
        raise fail(f"can't be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise fail(
            'the file is not UTF-8 text; save it as "CSV UTF-8" from your spreadsheet',
            line,
        ) from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise fail("the file is empty; it needs a header row with a `name` column")
    header = [cell.strip().lower() for cell in rows[0]]
    if "name" not in header:
        raise fail(
            "there is no `name` column; the first row must name the columns, with one called name",
            1,
        )
    column = header.index("name")
    names: list[str] = []
    problems: list[Problem] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        name = row[column].strip() if column < len(row) else ""
        if not name:
            problems.append(
                Problem(
                    shown,
                    number,
                    None,
                    "name",
                    "is empty; fill it in or delete the row",
                )
            )
            continue
        if _CONTROL.search(name) or len(name) > 120:
            problems.append(
                Problem(
                    shown,
                    number,
                    None,
                    "name",
                    "has hidden control characters or is over 120 characters; retype it",
                )
            )
            continue
        names.append(" ".join(name.split()))
    if len(names) > MAX_PARTICIPANTS:
        raise fail(
            f"there are {len(names)} participants; one run makes at most "
            f"{MAX_PARTICIPANTS} copies. Split the list into smaller files"
        )
    if problems:
        raise ProblemsError(problems)
    if not names:
        raise fail("there are no participants under the header row")
    return names


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "participant"


def participant_file_names(packet_id: str, names: Sequence[str], pattern: str | None) -> list[str]:
    """File names (without .pdf) for each participant's copy, all different."""
    pattern = pattern or DEFAULT_NAME_PATTERN
    fields = set(_PATTERN_FIELD.findall(pattern))
    unknown = fields - {"id", "n", "name"}
    if unknown:
        raise HandoutError(
            f"--name-pattern uses {{{sorted(unknown)[0]}}}; it may use only "
            "{id}, {n} (the row number, 001, 002...) and {name}"
        )
    if not fields & {"n", "name"}:
        raise HandoutError(
            "--name-pattern needs {n} or {name}, or every copy would get the same name"
        )
    result = []
    for number, name in enumerate(names, start=1):
        file_name = pattern.replace("{id}", packet_id).replace("{n}", f"{number:03d}")
        file_name = file_name.replace("{name}", _slug(name))
        if "/" in file_name or "\\" in file_name or file_name.startswith("."):
            raise HandoutError("--name-pattern must give a plain file name, not a path")
        result.append(file_name)
    duplicates = {n for n in result if result.count(n) > 1}
    if duplicates:
        raise HandoutError(
            f"--name-pattern gives two copies the same name ({sorted(duplicates)[0]}.pdf); "
            "add {n} to the pattern"
        )
    return result


def packet_file_name(item: PacketFile, edition: PacketEdition, options: RenderOptions) -> str:
    """`<id>`, with `-trainer` and the print profile's suffix for those variants."""
    trainer = "-trainer" if edition == "trainer" else ""
    return f"{item.id}{trainer}{options.suffix()}"


def build_packets(project: Project, request: PacketRequest) -> BuildResult:
    """Build the requested packets, or each participant's copy; on a problem, write nothing."""
    # Report the manifest's and the participant list's problems together.
    problems: list[Problem] = []
    packets: list[PacketFile] = []
    names: list[str] = []
    try:
        packets = load_packets(project.roots, request.ids)
    except ProblemsError as exc:
        problems.extend(exc.problems)
    try:
        names = read_participants(request.participants) if request.participants else []
    except ProblemsError as exc:
        problems.extend(exc.problems)
    if problems:
        raise ProblemsError(problems)
    options = request.options.resolved(project.config)
    renderer = Renderer(project)
    trainer = request.edition == "trainer"

    jobs: list[tuple[Path, RenderedPacket]] = []
    for item in packets:
        folder = (request.out or project.output) / item.language / "packets"
        suffix = packet_file_name(item, request.edition, options)[len(item.id) :]
        if names:
            file_names = participant_file_names(item.id, names, request.name_pattern)
            for file_name, name in zip(file_names, names, strict=True):
                personal = replace(options, client_name=name)
                rendered = renderer.render_packet(item, personal, trainer=trainer)
                jobs.append((folder / f"{file_name}{suffix}.pdf", rendered))
        else:
            rendered = renderer.render_packet(item, options, trainer=trainer)
            jobs.append((folder / f"{item.id}{suffix}.pdf", rendered))
    return write_pdfs(
        project,
        [(target, r.html, r.base_url, r.packet.path) for target, r in jobs],
        strict=request.strict,
        forms=options.fillable,
        workers=request.jobs,
    )
