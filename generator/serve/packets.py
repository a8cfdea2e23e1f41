"""Serve: a packet made on the page, in memory: the handouts chosen and ordered,
a title, and one copy, or a copy for each name of an uploaded participants list (a zip).

The participants list is read from the request's bytes and never written
anywhere; its names go onto the covers only, as with `handouts packet`.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml
from starlette.datastructures import UploadFile

from generator.assemble import Assembler
from generator.config import Project
from generator.content import load_sources
from generator.errors import Problem, ProblemsError
from generator.jobs import packet_file_name
from generator.model import HandoutFile, Packet, PacketFile
from generator.options import RenderOptions
from generator.output import zip_entry
from generator.participants import (
    check_name_pattern,
    participant_file_names,
    participants_in,
)
from generator.request import PacketRequest
from generator.serve.printing import LAYOUT_LOCK, Printed, form_options
from generator.sources import select
from generator.validation import markup_problems, validate
from generator.yamlfile import Located

#: The page makes every copy in memory and sends them as one zip, so it makes
#: fewer than a run of `handouts packet`, which writes each as it is finished.
MAX_SERVED_PARTICIPANTS = 500
#: A participants list of 500 names is well under this; nothing larger is read.
MAX_UPLOAD_BYTES = 256 * 1024
#: The packet form: the upload, and a few fields for each handout of the library.
MAX_PACKET_FORM = MAX_UPLOAD_BYTES + 128 * 1024

#: What the form's fields are called on the page, for the problems found in them.
_LABELS = {
    "title": "Title",
    "subtitle": "Subtitle",
    "sections[0].title": "Heading of the divider page",
    "sections[0].intro": "Words for the divider page",
}


@dataclass(frozen=True)
class PacketChoice:
    """What the packet form asks for; the name and the list are never shown back."""

    language: str
    title: str = ""
    subtitle: str = ""
    heading: str = ""
    intro: str = ""
    audience: Literal["client", "clinician"] = "client"
    edition: Literal["participant", "trainer"] = "participant"
    #: Handout ids, in the order they print.
    handouts: tuple[str, ...] = ()
    #: The place typed beside each handout, to show the form again as it was sent.
    places: dict[str, str] = field(default_factory=dict)
    options: RenderOptions = field(default_factory=RenderOptions)
    participants: bytes | None = None
    participants_file: str = "participants.csv"


async def read_choice(form: Any, language: str, ids: Sequence[str]) -> tuple[PacketChoice, str]:
    """The packet the form asks for, and what is wrong with the form ("" when nothing)."""
    options, problem = form_options(form)
    places = {i: str(form.get(f"place-{i}") or "").strip() for i in ids}
    picked = set(form.getlist("handout"))
    chosen = [i for i in ids if i in picked]
    order = {i: (_place(places[i], index), index) for index, i in enumerate(ids)}
    upload = form.get("participants")
    data: bytes | None = None
    file_name = "participants.csv"
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(MAX_UPLOAD_BYTES + 1)
        file_name = _shown_file_name(upload.filename)
    choice = PacketChoice(
        language=language,
        title=str(form.get("title") or "").strip(),
        subtitle=str(form.get("subtitle") or "").strip(),
        heading=str(form.get("heading") or "").strip(),
        intro=str(form.get("intro") or "").strip(),
        audience="clinician" if form.get("audience") == "clinician" else "client",
        edition="trainer" if form.get("edition") == "trainer" else "participant",
        handouts=tuple(sorted(chosen, key=order.__getitem__)),
        places=places,
        options=replace(options, edition="client"),
        participants=data,
        participants_file=file_name,
    )
    problems = [problem] if problem else []
    if not choice.title:
        problems.append("Title: give the packet a title; it is printed on the cover.")
    if not choice.handouts:
        problems.append("Handouts: tick at least one handout to put in the packet.")
    if data is not None and len(data) > MAX_UPLOAD_BYTES:
        problems.append(
            f"Participants list: the file is over {MAX_UPLOAD_BYTES // 1024} KB; one packet "
            f"page makes at most {MAX_SERVED_PARTICIPANTS} copies. Split the list into smaller "
            "files, or use `handouts packet --participants` for more."
        )
    if data is not None and options.client_name:
        problems.append(
            "Client's name and participants list both say who a copy is for: use one of them."
        )
    return choice, "\n".join(problems)


def _place(typed: str, index: int) -> int:
    """The place typed beside a handout; its place in the list when none is."""
    # ASCII digits only: "²" is a digit to str.isdigit, and not a number to int.
    return int(typed) if re.fullmatch(r"[0-9]{1,5}", typed) else index + 1


def _shown_file_name(name: str) -> str:
    """The uploaded file's own name as messages show it: its last part, printable."""
    last = re.split(r"[\\/]", name)[-1]
    shown = "".join(c for c in last if unicodedata.category(c)[0] not in "CZ" or c == " ")
    return shown[:80] or "participants.csv"


def packet_of(project: Project, choice: PacketChoice) -> PacketFile:
    """The packet as if its manifest had been written; its problems name the form's fields."""
    manifest: dict[str, Any] = {
        "title": choice.title,
        "audience": choice.audience,
        "language": choice.language,
        "sections": [
            {
                "title": choice.heading or default_heading(choice.language),
                "handouts": list(choice.handouts),
            }
        ],
    }
    if choice.subtitle:
        manifest["subtitle"] = choice.subtitle
    if choice.intro:
        manifest["sections"][0]["intro"] = choice.intro
    packet_id = _packet_id(choice.title)
    # Where a manifest of this id would be: its folder is the packet's base for links.
    path = project.root / "content" / "packets" / f"{packet_id}.yaml"
    node = yaml.compose(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False))
    assert node is not None  # a mapping was dumped
    located = Located(path, manifest, node)
    try:
        packet = validate(located, Packet)
    except ProblemsError as exc:
        raise ProblemsError([_on_form(p) for p in exc.problems]) from None
    problems = [_on_form(p) for p in markup_problems(located)]
    if problems:
        raise ProblemsError(problems)
    sources, found = select(project.roots, choice.handouts, [choice.language])
    if found:
        raise ProblemsError(found)
    loaded = {item.id: item for item in load_sources(sources)}
    handouts: tuple[HandoutFile, ...] = tuple(loaded[i] for i in choice.handouts)
    return PacketFile(packet_id, path, packet, ((packet.sections[0], handouts),))


def _on_form(problem: Problem) -> Problem:
    """A problem with a form field, named as the page names the field."""
    label = _LABELS.get(problem.field, problem.field or "The packet")
    return Problem(path=label, message=problem.message)


def default_heading(language: str) -> str:
    return "Handouts" if language == "en" else ("Hojas informativas" if language == "es" else "")


def _packet_id(title: str) -> str:
    """The packet's file names: its title in plain letters (never a person's name, which
    the form asks for apart)."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-") or "packet"


def make_packet(project: Project, choice: PacketChoice) -> Printed:
    """The packet as one PDF, or a zip of each participant's copy; raises its problems."""
    item = packet_of(project, choice)
    people = (
        participants_in(choice.participants, choice.participants_file, MAX_SERVED_PARTICIPANTS)
        if choice.participants is not None
        else []
    )
    options = choice.options.resolved(project.config)
    request = PacketRequest(ids=(item.id,), edition=choice.edition, options=options)
    name = options.client_name
    names: list[tuple[str, str] | None] = (
        [(p.name, f"{choice.participants_file}:{p.row}") for p in people]
        if people
        else [(name, "the client's name") if name else None]
    )
    with LAYOUT_LOCK:
        copies = Assembler(project, item, options, request).copies(names)
    base = packet_file_name(item, choice.edition, options)
    if not people:
        return Printed(copies[0], f"{base}.pdf")
    suffix = base[len(item.id) :]
    names_in_zip = [
        f"{f}{suffix}.pdf"
        for f in participant_file_names(item.id, people, check_name_pattern(None))
    ]
    return Printed(_zipped(names_in_zip, copies), f"{base}-copies.zip", "application/zip")


def _zipped(names: Sequence[str], copies: Sequence[bytes]) -> bytes:
    """The copies in one zip, numbered in the list's order, made in memory: stored as
    `handouts packet --zip` stores them, so the same copies make the same zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in zip(names, copies, strict=True):
            archive.writestr(zip_entry(name), data)
    return buffer.getvalue()
