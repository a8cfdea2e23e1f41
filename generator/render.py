"""Render stage: a validated handout and its templates become one HTML string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup
from pydantic import BaseModel

from generator.blocks import BlockModel, outline
from generator.config import CrisisLine, Project
from generator.contexts import HandoutContext, PacketContext, PageContext, PersonalContext
from generator.diagrams import drawings_for
from generator.errors import HandoutError, display_path
from generator.fit import crowded, side_by_side, stacked
from generator.fonts import font_faces_for, needs_fallback
from generator.footer import (
    MAX_FOOTER_SHARE,
    SEPARATOR,
    FooterItem,
    PageFooter,
    page_footer,
    sentences,
    separated,
    unbroken_words,
)
from generator.geometry import PageGeometry
from generator.markup import inline, is_one_paragraph, plain, rich
from generator.messages import (
    CrisisEntry,
    Messages,
    css_string,
    fill,
    fill_name,
    load_messages,
    message_files,
    page_counter_content,
)
from generator.model import HandoutFile, PacketFile
from generator.options import RenderOptions
from generator.sources import roots_folders
from generator.templating import Templates
from generator.workshop import agenda_rows


def url_from(src: str, base: str) -> str:
    """An asset path as an absolute URL, relative to its handout's folder."""
    return urljoin(base, quote(src))


@dataclass(frozen=True)
class RenderedPacket:
    """One part of a packet (cover, front matter or a divider) as HTML."""

    packet: PacketFile
    html: str
    base_url: str


@dataclass(frozen=True)
class RenderedHandout:
    """A handout's HTML, ready for WeasyPrint, with the facts the PDF needs."""

    handout: HandoutFile
    html: str
    base_url: str


#: The blocks a paragraph ending in ":" may lead in to (templates/blocks/paragraph.html).
LEAD_IN_TYPES = frozenset(
    {"list", "steps", "list_group", "table", "compare", "columns", "image", "diagram", "key_points"}
)


#: A list of more items than this may break across pages between its items.
LONG_LIST = 7


class Renderer:
    """The project's templates, messages and settings, turning handouts into HTML."""

    def __init__(self, project: Project):
        self.project = project
        self.templates = Templates(
            [root / "templates" for root in project.roots], roots_folders(project.roots)
        )
        env = self.templates.env
        env.filters["md"] = inline
        env.filters["rich"] = rich
        env.filters["plain"] = plain
        env.tests["one_paragraph"] = is_one_paragraph
        env.filters["css_string"] = css_string
        env.filters["page_counter"] = page_counter_content
        env.filters["separated"] = separated
        env.filters["sentences"] = sentences
        env.globals["fill"] = fill
        env.globals["fill_name"] = fill_name
        env.globals["crowded"] = crowded
        env.globals["side_by_side"] = side_by_side
        env.globals["stacked"] = stacked
        #: Blocks a paragraph ending in a colon introduces, and keeps to its page.
        env.globals["lead_in_types"] = LEAD_IN_TYPES
        #: More items than this, and a list may break across pages between them.
        env.globals["long_list"] = LONG_LIST
        env.globals["unbroken_words"] = unbroken_words
        env.filters["url_from"] = url_from
        self._messages: dict[str, Messages] = {}

    def messages(self, language: str) -> Messages:
        """The message file for a language, falling back from "fr-CA" to "fr"."""
        if language not in self._messages:
            self._messages[language] = load_messages(
                self.templates.template_dirs, roots_folders(self.project.roots), language
            )
        return self._messages[language]

    def message_files(self, language: str) -> list[Path]:
        """The message files `messages` reads for a language, built-in first."""
        return message_files(
            self.templates.template_dirs, roots_folders(self.project.roots), language
        )

    def handout_context(self, item: HandoutFile, options: RenderOptions) -> HandoutContext:
        """Everything the handout templates use for one handout."""
        handout = item.handout
        show_notes = options.edition == "clinician" or handout.audience == "clinician"
        reviewed = self.date(handout.reviewed.date, item.language)
        messages = self.messages(item.language)
        version = fill(messages.version, version=handout.version)
        # The version and the review date stay together, on one line.
        meta = (
            FooterItem(handout.title),
            FooterItem(version + SEPARATOR + fill(messages.reviewed, date=reviewed), whole=True),
        )
        shown = [(i, b) for i, b in enumerate(handout.blocks) if show_notes or not b.clinician_only]
        # A worksheet's clinician edition: the client's page whole, sources and
        # all, then the notes for the clinician on a page of their own.
        apart: list[tuple[int, BlockModel]] = []
        if show_notes and handout.audience == "client" and handout.one_page:
            apart = [(i, b) for i, b in shown if b.clinician_only]
            shown = [(i, b) for i, b in shown if not b.clinician_only]
        # Cards to cut out come after the sources, each on a page of its own.
        at_end = [(i, b) for i, b in shown if b.at_end]
        shown = [(i, b) for i, b in shown if not b.at_end]
        blocks = [b for _, b in shown]
        part_ends, parts_open = outline(blocks)
        page = self.page_context(
            item.language,
            options,
            meta,
            date=handout.reviewed.date,
            safety_notes=handout.audience == "client",
            texts=_strings(handout),
        )
        return {
            **page,
            "drawings": drawings_for(
                item, shown, page["page_footer"].height, page["accent"], page["messages"], options
            ),
            "handout": handout,
            "handout_id": item.id,
            "asset_base": item.path.parent.resolve().as_uri() + "/",
            "blocks": blocks,
            "block_fields": [f"blocks[{index}]" for index, _ in shown],
            "notes_apart": [(b, f"blocks[{index}]") for index, b in apart],
            "at_end": [(b, f"blocks[{index}]") for index, b in at_end],
            "part_ends": part_ends,
            "parts_open": parts_open,
            "block_field": "",
            "edition": options.edition,
            "show_clinician_notes": show_notes,
            "is_client": handout.audience == "client",
            "reviewed_date": reviewed,
        }

    def page_context(
        self,
        language: str,
        options: RenderOptions,
        meta: Sequence[FooterItem],
        *,
        date: dt.date,
        numbered: bool = True,
        safety_notes: bool = True,
        texts: Iterable[str] = (),
    ) -> PageContext:
        """What every page needs: language, messages, branding, crisis line, profile.

        `date` is the content's own date, which the PDF records unless
        SOURCE_DATE_EPOCH gives one: never the time of the build. `texts` is
        the content the page prints: in a script the body font lacks, it is
        set in the bundled fallback fonts, never the computer's.
        """
        messages = self.messages(language)
        config = self.project.config
        crisis_lines = self._crisis_lines(messages, language)
        page = options.geometry
        note = config.footer_note_for(language)
        footer = self._page_footer(page, options, meta, messages, crisis_lines, safety_notes, note)
        fallback = self._needs_fallback(texts, messages, crisis_lines, note)
        personal = personal_context(options.client_name, fallback)
        return {
            "page": page,
            "page_footer": footer,
            "footer_height": footer.css_height,
            "page_number_width": page.footer.number_width,
            "page_number_lift": f"{page.footer.lift}in",
            # Packet parts leave the number out: it is stamped on after assembly.
            "page_number_content": page_counter_content(messages.page)
            if numbered
            else Markup('""'),
            "theme_css": self._theme_css(),
            "language": language,
            "messages": messages,
            "crisis_lines": crisis_lines,
            "practice": config.practice,
            "practice_rows": footer.practice_rows,
            "meta_rows": footer.meta_rows,
            "logo": self._logo(),
            "accent": config.accent_colour,
            "footer_note": note,
            "paper": options.paper,
            "profile": options,
            "author": config.practice.name if config.practice else "handouts",
            "document_date": options.document_date(date),
            "fallback_fonts": fallback,
            "client_name": personal["client_name"],
            "font_faces": personal["font_faces"],
        }

    def _crisis_lines(self, messages: Messages, language: str) -> list[CrisisEntry | CrisisLine]:
        """The crisis lines a client page carries: the project's own, or its region's."""
        crisis = self.project.config.crisis
        if not isinstance(crisis, str):
            return list(crisis)
        if crisis not in messages.crisis:
            known = ", ".join(sorted(messages.crisis))
            raise HandoutError(
                f"the `{language}` template messages have no crisis line for the "
                f"region `{crisis}`; add it to templates/messages/{language}.yaml "
                f"or use one of: {known}"
            )
        return [messages.crisis[crisis]]

    def _page_footer(
        self,
        page: PageGeometry,
        options: RenderOptions,
        meta: Sequence[FooterItem],
        messages: Messages,
        crisis_lines: Sequence[CrisisEntry | CrisisLine],
        safety_notes: bool,
        note: str | None,
    ) -> PageFooter:
        """The page's footer in lines, refused when it would take too much of the page.

        Client pages carry the crisis line and the care note (a client packet's own
        pages too); clinician pages do not.
        """
        config = self.project.config
        footer = page_footer(
            page,
            meta,
            practice=config.practice,
            footer_note=note,
            crisis=[line.text for line in crisis_lines] if safety_notes else (),
            care_note=messages.care_note if safety_notes else None,
        )
        if footer.height > MAX_FOOTER_SHARE * page.height:
            raise HandoutError(self._footer_too_tall(footer.height, options, meta))
        return footer

    def _needs_fallback(
        self,
        texts: Iterable[str],
        messages: Messages,
        crisis_lines: Sequence[CrisisEntry | CrisisLine],
        note: str | None,
    ) -> bool:
        """Whether the page prints text in a script the body face lacks."""
        config = self.project.config
        printed = [*texts, *_strings(messages), *_strings(config.practice), note or ""]
        printed += [line.text for line in crisis_lines]
        return needs_fallback("\n".join(printed))

    def _logo(self) -> dict[str, str] | None:
        logo = self.project.config.logo
        if logo is None:
            return None
        return {"url": (self.project.root / logo.src).resolve().as_uri(), "alt": logo.alt}

    def _theme_css(self) -> str | None:
        """The project's own stylesheet, fetched after the built-in one (checked in config)."""
        css = self.project.config.theme.css
        return None if css is None else (self.project.root / css).resolve().as_uri()

    def _footer_too_tall(
        self, height: float, options: RenderOptions, meta: Sequence[FooterItem]
    ) -> str:
        """Why a page's footer can't be laid out, and what to shorten."""
        paper = "A4" if options.paper == "a4" else "Letter"
        profile = f"{paper} paper, large print" if options.large_print else f"{paper} paper"
        config = self.project.config
        parts = []
        if config.practice or config.footer_note or not isinstance(config.crisis, str):
            where = display_path(self.project.config_path) if self.project.config_path else ""
            parts.append(f"the practice details, footer_note and crisis lines in {where}".strip())
        if meta:
            parts.append(f"the title ({len(meta[0].text)} characters)")
        parts.append("the care note and crisis line in the template messages")
        return (
            f"the page footer would be {height / 72:.1f} in tall ({profile}), more than "
            f"half the page, leaving too little room for the text; shorten " + ", or ".join(parts)
        )

    def date(self, value: dt.date, language: str) -> str:
        """A date written the way the language writes it."""
        return format_date(value, "long", locale=_locale(language))

    def template(self, name: str, context: Mapping[str, Any], source: Path) -> str:
        """Render a template, turning template faults into `template:line:` errors."""
        return self.templates.template(name, context, source)

    def render(self, item: HandoutFile, options: RenderOptions) -> RenderedHandout:
        """Render one handout to a whole HTML document."""
        context = self.handout_context(item, options)
        html = self.template("handout.html", context, item.path)
        return RenderedHandout(handout=item, html=html, base_url=context["asset_base"])

    def render_part(self, item: HandoutFile, options: RenderOptions) -> RenderedHandout:
        """A handout as a packet part: a whole document, its page numbers left out."""
        context: HandoutContext = {
            **self.handout_context(item, options),
            "page_number_content": Markup('""'),
        }
        html = self.template("handout.html", context, item.path)
        return RenderedHandout(handout=item, html=html, base_url=context["asset_base"])

    def packet_context(
        self, item: PacketFile, options: RenderOptions, *, trainer: bool
    ) -> PacketContext:
        """What every part of a packet shares: the packet, its sections, the edition."""
        packet = item.packet
        messages = self.messages(item.language)
        agenda, agenda_end = agenda_rows(packet)
        hours = packet.certificate.hours if packet.certificate else 0.0
        meta = [FooterItem(packet.title)]
        if trainer:
            meta.append(FooterItem(messages.trainer_edition, whole=True))
        context: PacketContext = {
            **self.page_context(
                item.language,
                options,
                meta,
                date=packet_date(item),
                numbered=False,
                safety_notes=packet.audience == "client",
                texts=[
                    *_strings(packet),
                    *(h.handout.title for _, handouts in item.sections for h in handouts),
                ],
            ),
            "packet": packet,
            "trainer": trainer,
            "show_agenda": bool(packet.agenda) and (trainer or packet.agenda_for_participants),
            "packet_date": self.date(packet.date, item.language) if packet.date else "",
            "agenda": agenda,
            "agenda_end": agenda_end,
            "certificate_hours": format_decimal(hours, locale=_locale(item.language)),
            "certificate_one_hour": hours == 1,
        }
        if packet.organisation:
            context["author"] = packet.organisation
        return context

    def render_packet_page(
        self, item: PacketFile, template: str, context: Mapping[str, Any]
    ) -> RenderedPacket:
        """One part of a packet (cover, front matter or a divider) as a document."""
        html = self.template(template, context, item.path)
        return RenderedPacket(item, html, item.path.parent.resolve().as_uri() + "/")

    def render_numbers(
        self, item: PacketFile, options: RenderOptions, pages: int, *, last_unnumbered: bool
    ) -> str:
        """A document of `pages` blank pages numbered like a packet's footers.

        The first page (the cover) has no number; nor has the last, a certificate.
        """
        context = {
            **self.page_context(item.language, options, (), date=packet_date(item)),
            "pages": pages,
            "last_unnumbered": last_unnumbered,
        }
        return self.templates.env.get_template("packet_numbers.html").render(context)


def personal_context(name: str | None, fallback: bool = False) -> PersonalContext:
    """A page's personal text (a client's or participant's name) and the fonts it needs.

    `fallback`: the page's content needs the fallback fonts whatever the name.
    """
    return {"client_name": name, "font_faces": font_faces_for([name], fallback=fallback)}


def _strings(value: object) -> Iterator[str]:
    """Every piece of text in a model, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _strings(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def packet_date(item: PacketFile) -> dt.date:
    """The date a packet's PDF records: its newest handout review."""
    dates = [h.handout.reviewed.date for _, handouts in item.sections for h in handouts]
    return max(dates, default=dt.date(1970, 1, 1))


def render_all(
    project: Project, handouts: Sequence[HandoutFile], options: RenderOptions
) -> list[RenderedHandout]:
    """Render every handout, in order, with one environment."""
    renderer = Renderer(project)
    return [renderer.render(item, options) for item in handouts]


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language.split("-", maxsplit=1)[0])
