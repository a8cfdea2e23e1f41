"""Requests: what a `build` or `packet` run was asked to do, as the command line gave it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from generator.options import RenderOptions

OutputFormat = Literal["pdf", "html"]
PacketEdition = Literal["participant", "trainer"]


@dataclass(frozen=True, kw_only=True)
class Request:
    """What every run that lays out documents is asked: which, where, how printed, how strictly."""

    ids: tuple[str, ...] = ()
    out: Path | None = None
    options: RenderOptions = field(default_factory=RenderOptions)
    strict: bool = False
    #: Worker processes for laying out PDFs (default: one per core).
    jobs: int | None = None


@dataclass(frozen=True, kw_only=True)
class BuildRequest(Request):
    """What a `handouts build` run was asked to do."""

    format: OutputFormat = "pdf"
    #: A file name the user chose, for a single handout.
    out_name: str | None = None
    #: Only handouts in this language (default: every language the project declares).
    language: str | None = None


@dataclass(frozen=True, kw_only=True)
class PacketRequest(Request):
    """What a `handouts packet` run was asked to do."""

    edition: PacketEdition = "participant"
    participants: Path | None = None
    name_pattern: str | None = None
    #: Participants' copies in one zip per packet, not a file each.
    zip: bool = False
