"""Render stage, the template contexts: what each kind of page's templates are given."""

from __future__ import annotations

from typing import Any, TypedDict

from markupsafe import Markup

from generator.blocks import BlockModel
from generator.config import CrisisLine, Practice
from generator.fonts import FontFace
from generator.footer import FooterItem, PageFooter
from generator.geometry import PageGeometry
from generator.messages import CrisisEntry, Messages
from generator.model import Edition, Handout, Packet
from generator.options import RenderOptions
from generator.workshop import AgendaRow


class PageContext(TypedDict):
    """What every page's templates are given: language, messages, branding, footer, profile."""

    page: PageGeometry
    page_footer: PageFooter
    # The page geometry as CSS, under the names templates copied from older
    # versions use.
    footer_height: str
    page_number_width: str
    page_number_lift: str
    page_number_content: Markup
    theme_css: str | None
    language: str
    messages: Messages
    crisis_lines: list[CrisisEntry | CrisisLine]
    practice: Practice | None
    practice_rows: list[list[FooterItem]]
    meta_rows: list[list[FooterItem]]
    logo: dict[str, str] | None
    accent: str
    footer_note: str | None
    paper: str | None
    profile: RenderOptions
    author: str
    document_date: str
    fallback_fonts: bool
    client_name: str | None
    font_faces: tuple[FontFace, ...]


class HandoutContext(PageContext):
    """What a handout's templates are given: the page's, and the handout's own."""

    handout: Handout
    handout_id: str
    asset_base: str
    #: Each diagram drawn for this profile, by its block's field (render.Drawing).
    drawings: dict[str, Any]
    blocks: list[BlockModel]
    #: Each shown block's place in the file, which the layout check reports
    #: text off the page by (placement.misplaced).
    block_fields: list[str]
    #: A worksheet's clinician edition: the clinician's notes, each with its
    #: field, set after the sources on a page of their own.
    notes_apart: list[tuple[BlockModel, str]]
    #: Blocks printed after the sources, each on a page of its own (cards to cut out).
    at_end: list[tuple[BlockModel, str]]
    #: How many parts (a heading and what follows it) end before each block,
    #: and how many are open after the last (blocks.outline).
    part_ends: list[int]
    parts_open: int
    #: Outside the loop over the blocks (a project's own _handout.html): none.
    block_field: str
    edition: Edition
    show_clinician_notes: bool
    is_client: bool
    reviewed_date: str


class PacketContext(PageContext):
    """What every part of a packet is given: the page's, the packet and its edition."""

    packet: Packet
    trainer: bool
    show_agenda: bool
    packet_date: str
    agenda: list[AgendaRow]
    #: When a timed agenda ends ("13:00"); "" when it is not timed.
    agenda_end: str
    #: The certificate's hours, written as the language writes numbers.
    certificate_hours: str
    #: Whether that is one hour ("1 hour", not "1 hours").
    certificate_one_hour: bool


class PersonalContext(TypedDict):
    """A page's personal text (a client's or participant's name) and the fonts it needs."""

    client_name: str | None
    font_faces: tuple[FontFace, ...]
