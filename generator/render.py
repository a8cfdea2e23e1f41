"""Render stage: a validated handout and its templates become one HTML string."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2.sandbox import SandboxedEnvironment
from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from pydantic import Field

from generator.config import Project
from generator.content import problem_at, read_yaml, validate
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fonts import font_faces_for
from generator.model import HandoutFile, Line, Model, PacketFile
from generator.options import RenderOptions

_PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")


class CrisisEntry(Model):
    """The crisis note for one region, and when its numbers were last checked."""

    text: Line
    verified: dt.date


class Messages(Model):
    """Every word the templates print themselves, for one language."""

    page: Line = Field(description="Footer page numbers, with {page} and {pages}.")
    care_note: Line
    version: Line
    reviewed: Line
    prepared_for: Line
    key_points: Line
    sources: Line
    clinician_note: Line
    clinician_edition: Line
    callout_info: Line
    callout_gentle: Line
    callout_safety: Line
    scale_hint: Line
    scale_hint_fillable: Line
    checkbox_hint: Line
    crisis: dict[str, CrisisEntry]
    contents: Line
    agenda: Line
    agenda_time: Line
    agenda_what: Line
    part: Line
    facilitator: Line
    facilitator_notes: Line
    trainer_edition: Line


#: The messages with {name} slots, and the slots each is filled with.
SLOTS: dict[str, tuple[str, ...]] = {
    "page": ("page", "pages"),
    "version": ("version",),
    "reviewed": ("date",),
    "prepared_for": ("name",),
    "part": ("number",),
    "facilitator": ("name",),
}


def fill(message: str, **values: object) -> str:
    """Put values into a message's {name} slots (no attribute access, unlike format)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            # Messages are checked against SLOTS when read, so this is a template
            # asking for the wrong slots; the template error names its line.
            raise ValueError(f"the message {message!r} uses {{{name}}}, which is not given")
        return str(values[name])

    return _PLACEHOLDER_RE.sub(replace, message)


def fill_name(message: str, name: str) -> Markup:
    """A message with a person's name in its {name} slot, marked as personal text.

    The name is isolated for right-to-left scripts and set in the fonts that
    cover every script (see fonts.py); the rest of the message is escaped.
    """
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(message):
        parts.append(escape(message[position : match.start()]))
        if match.group(1) != "name":
            # As in `fill`: the template error names the template's line.
            slot = match.group(1)
            raise ValueError(f"the message {message!r} uses {{{slot}}}, which is not given")
        parts.append(Markup('<bdi class="personal">{}</bdi>').format(name))
        position = match.end()
    parts.append(escape(message[position:]))
    return Markup("".join(parts))


def slot_problem(key: str, message: str) -> str | None:
    """Why a message's {name} slots don't fit the key it is for, or None."""
    allowed = SLOTS.get(key)
    if allowed is None:
        return None
    unknown = [name for name in _PLACEHOLDER_RE.findall(message) if name not in allowed]
    if not unknown:
        return None
    choices = " and ".join(f"{{{name}}}" for name in allowed)
    return (
        f"uses {{{unknown[0]}}}, which is not filled in here; this message may use only "
        f"{choices}, written exactly so"
    )


def css_string(text: str) -> Markup:
    """Quote text as a CSS string literal, safe inside an HTML <style> element."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\<>&' else f"\\{ord(ch):x} " for ch in text
    )
    return Markup(f'"{escaped}"')


def page_counter_content(message: str) -> Markup:
    """CSS `content` for a message like "Page {page} of {pages}"."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(message):
        if match.start() > position:
            parts.append(str(css_string(message[position : match.start()])))
        if match.group(1) not in SLOTS["page"]:
            # The page message is checked when read; another text is a template's mistake.
            raise ValueError(f"the page message {message!r} may use only {{page}} and {{pages}}")
        parts.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(message):
        parts.append(str(css_string(message[position:])))
    return Markup(" ".join(parts))


@functools.cache
def _markdown() -> MarkdownIt:
    # "zero" turns every rule off; we switch on only emphasis and links, and raw
    # HTML stays off, so anything else in content prints as the literal text.
    md = MarkdownIt("zero", {"html": False, "linkify": False, "typographer": False})
    md.enable(["emphasis", "link"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    return md


def _safe_link(url: str) -> bool:
    return url.lower().startswith(("https://", "mailto:"))


def inline(text: str) -> Markup:
    """Content text as inline HTML: bold, italic and safe links, nothing else."""
    rendered = _markdown().renderInline(str(text)).rstrip("\n")
    # Line breaks inside a YAML paragraph are soft: they read as spaces.
    return Markup(rendered.replace("\n", " "))


def _template_problem(where: Path | None, line: int | None, message: str, source: Path) -> Problem:
    """A template fault as a located problem, quoting the offending line."""
    if where is None:
        return Problem(
            display_path(source), None, None, "", f"a template could not render it: {message}"
        )
    quoted = ""
    if line is not None:
        try:
            text = where.read_text(encoding="utf-8").splitlines()[line - 1].strip()
            quoted = f" in `{text[:120]}`"
        except (OSError, IndexError, UnicodeDecodeError):
            quoted = ""
    return Problem(
        display_path(where),
        line,
        None,
        "",
        f"template error: {message}{quoted}; fix the template, or delete it to use the "
        f"built-in one (while building {display_path(source)})",
    )


def url_from(src: str, base: str) -> str:
    """An asset path as an absolute URL, relative to its handout's folder."""
    return urljoin(base, quote(src))


def _footer_height(texts: Sequence[tuple[str, bool]], options: RenderOptions) -> str:
    """The bottom page margin: room for every footer line, so none is cut off.

    Each (text, bold) is one footer paragraph; its wrapped line count is
    estimated from Atkinson Hyperlegible's average glyph width (about half
    an em, a little more in bold), rounded up.
    """
    if options.large_print:
        size, leading, padding, side_margins = 14.0, 1.25, 0.7, 2.0
    else:
        size, leading, padding, side_margins = 10.0, 1.3, 0.66, 1.8
    # The footer has the bottom margin's width less the page number's box.
    share = 0.76 if options.large_print else 0.84
    width_pt = ((8.27 if options.paper == "a4" else 8.5) - side_margins) * 72 * share
    lines = 0
    for text, bold in texts:
        per_line = width_pt / (size * (0.51 if bold else 0.47))
        lines += max(1, math.ceil(len(text) / per_line))
    return f"{padding + lines * size * leading / 72:.2f}in"


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language.split("-", maxsplit=1)[0])


class _ContainedLoader(jinja2.FileSystemLoader):
    """Loads templates, refusing any that is a link to a file outside its folder."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        resolved = Path(filename).resolve()
        if not any(resolved.is_relative_to(Path(p).resolve()) for p in self.searchpath):
            raise HandoutError(
                f"{display_path(Path(filename))} is a link to a file outside the "
                "templates folder; copy the file in instead of linking to it"
            )
        return source, filename, uptodate


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


class Renderer:
    """A Jinja environment over the project's and built-in templates."""

    def __init__(self, project: Project):
        self.project = project
        self.template_dirs = [root / "templates" for root in project.roots]
        # Sandboxed: a project may bring its own templates, and a shared template
        # pack must not reach Python internals.
        self.env = SandboxedEnvironment(
            loader=_ContainedLoader([str(d) for d in self.template_dirs]),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["md"] = inline
        self.env.filters["css_string"] = css_string
        self.env.filters["page_counter"] = page_counter_content
        self.env.globals["fill"] = fill
        self.env.globals["fill_name"] = fill_name
        self.env.filters["url_from"] = url_from
        self._messages: dict[str, Messages] = {}

    def messages(self, language: str) -> Messages:
        """The message file for a language, falling back from "fr-CA" to "fr"."""
        if language not in self._messages:
            self._messages[language] = self._load_messages(language)
        return self._messages[language]

    def _load_messages(self, language: str) -> Messages:
        """Built-in messages with the project's own on top, key by key."""
        candidates = [language]
        if "-" in language:
            candidates.append(language.split("-", maxsplit=1)[0])
        for name in candidates:
            files = [
                folder / "messages" / f"{name}.yaml"
                for folder in reversed(self.template_dirs)
                if (folder / "messages" / f"{name}.yaml").is_file()
            ]
            if files:
                return self._merge_messages(files)
        raise HandoutError(
            f"there are no template messages for the language `{language}`; "
            f"add templates/messages/{candidates[-1]}.yaml "
            "(copy en.yaml and translate it)"
        )

    def _merge_messages(self, files: Sequence[Path]) -> Messages:
        merged: dict[str, Any] = {}
        located = None
        problems: list[Problem] = []
        for path in files:
            if not path.resolve().is_relative_to(path.parent.parent.resolve()):
                raise HandoutError(
                    f"{display_path(path)} is a link to a file outside the templates "
                    "folder; copy the file in instead of linking to it"
                )
            located = read_yaml(path)
            if not isinstance(located.data, dict):
                return validate(located, Messages)  # reports the file's shape
            for key, value in located.data.items():
                if key == "crisis" and isinstance(value, dict):
                    merged["crisis"] = {**merged.get("crisis", {}), **value}
                else:
                    merged[key] = value
                # Checked in the file that sets the key, so the error names that file.
                wrong = slot_problem(key, value) if isinstance(value, str) else None
                if wrong:
                    problems.append(problem_at(located, [key], wrong))
        assert located is not None
        try:
            # Other problems are placed in the last (the project's) file.
            messages = validate(replace(located, data=merged), Messages)
        except ProblemsError as exc:
            raise ProblemsError([*problems, *exc.problems]) from None
        if problems:
            raise ProblemsError(problems)
        return messages

    def handout_context(self, item: HandoutFile, options: RenderOptions) -> dict[str, Any]:
        """Everything the handout templates use for one handout."""
        handout = item.handout
        show_notes = options.edition == "clinician" or handout.audience == "clinician"
        reviewed = self.date(handout.reviewed.date, item.language)
        messages = self.messages(item.language)
        meta = " · ".join(
            (
                handout.title,
                fill(messages.version, version=handout.version),
                fill(messages.reviewed, date=reviewed),
            )
        )
        return {
            **self.page_context(
                item.language,
                options,
                meta,
                date=handout.reviewed.date,
                safety_notes=handout.audience == "client",
            ),
            "handout": handout,
            "handout_id": item.id,
            "asset_base": item.path.parent.resolve().as_uri() + "/",
            "blocks": [b for b in handout.blocks if show_notes or b.type != "clinician_note"],
            "edition": options.edition,
            "show_clinician_notes": show_notes,
            "is_client": handout.audience == "client",
            "reviewed_date": reviewed,
        }

    def page_context(
        self,
        language: str,
        options: RenderOptions,
        meta: str,
        *,
        date: dt.date,
        numbered: bool = True,
        safety_notes: bool = True,
    ) -> dict[str, Any]:
        """What every page needs: language, messages, branding, crisis line, profile.

        `date` is the content's own date, which the PDF records unless
        SOURCE_DATE_EPOCH gives one: never the time of the build.
        """
        messages = self.messages(language)
        config = self.project.config
        if isinstance(config.crisis, str):
            if config.crisis not in messages.crisis:
                known = ", ".join(sorted(messages.crisis))
                raise HandoutError(
                    f"the `{language}` template messages have no crisis line for the "
                    f"region `{config.crisis}`; add it to templates/messages/{language}.yaml "
                    f"or use one of: {known}"
                )
            crisis_lines: list[Any] = [messages.crisis[config.crisis]]
        else:
            crisis_lines = list(config.crisis)
        logo = None
        if config.logo is not None:
            logo = {
                "url": (self.project.root / config.logo.src).resolve().as_uri(),
                "alt": config.logo.alt,
            }
        practice = config.practice
        # The footer's lines, to size the bottom margin: client pages carry the
        # crisis line and the care note; clinician and packet pages do not.
        footer_texts = [(line.text, True) for line in crisis_lines] if safety_notes else []
        if safety_notes:
            footer_texts.append((messages.care_note, False))
        if practice is not None:
            parts = practice.model_dump(exclude_none=True).values()
            footer_texts.append((" · ".join(str(v) for v in parts), False))
        if config.footer_note:
            footer_texts.append((config.footer_note, False))
        footer_texts.append((meta, False))
        return {
            "footer_height": _footer_height(footer_texts, options),
            # Packet parts leave the number out: it is stamped on after assembly.
            "page_number_content": page_counter_content(messages.page)
            if numbered
            else Markup('""'),
            # The footer's last line ends this far above the page's bottom edge.
            "page_number_lift": "0.61in" if options.large_print else "0.57in",
            "language": language,
            "messages": messages,
            "crisis_lines": crisis_lines,
            "practice": practice,
            "logo": logo,
            "accent": config.accent_colour,
            "footer_note": config.footer_note,
            "paper": options.paper,
            "profile": options,
            "author": config.practice.name if config.practice else "handouts",
            "document_date": options.document_date(date),
            **personal_context(options.client_name),
        }

    def date(self, value: dt.date, language: str) -> str:
        """A date written the way the language writes it."""
        return format_date(value, "long", locale=_locale(language))

    def template(self, name: str, context: Mapping[str, Any], source: Path) -> str:
        """Render a template, turning template faults into `template:line:` errors."""
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            where = Path(exc.filename) if exc.filename else None
            raise ProblemsError(
                [_template_problem(where, exc.lineno, exc.message or str(exc), source)]
            ) from None
        except HandoutError:
            raise
        except jinja2.TemplateNotFound as exc:
            where, line = self._template_frame(exc)
            message = f"there is no template `{exc.name}`"
            raise ProblemsError([_template_problem(where, line, message, source)]) from None
        except Exception as exc:  # a template is code the project wrote: any fault is theirs
            where, line = self._template_frame(exc)
            message = str(exc) or type(exc).__name__
            raise ProblemsError([_template_problem(where, line, message, source)]) from None

    def _template_frame(self, exc: BaseException) -> tuple[Path | None, int | None]:
        """The template file and line an error was raised from (Jinja rewrites the
        traceback so that its frames point into the templates)."""
        folders = [folder.resolve() for folder in self.template_dirs]
        found: tuple[Path | None, int | None] = (None, None)
        for frame in traceback.extract_tb(exc.__traceback__):
            path = Path(frame.filename)
            if path.is_absolute() and any(path.resolve().is_relative_to(f) for f in folders):
                found = (path, frame.lineno)
        return found

    def render(self, item: HandoutFile, options: RenderOptions) -> RenderedHandout:
        """Render one handout to a whole HTML document."""
        context = self.handout_context(item, options)
        html = self.template("handout.html", context, item.path)
        return RenderedHandout(handout=item, html=html, base_url=context["asset_base"])

    def render_part(self, item: HandoutFile, options: RenderOptions) -> RenderedHandout:
        """A handout as a packet part: a whole document, its page numbers left out."""
        context = {**self.handout_context(item, options), "page_number_content": Markup('""')}
        html = self.template("handout.html", context, item.path)
        return RenderedHandout(handout=item, html=html, base_url=context["asset_base"])

    def packet_context(
        self, item: PacketFile, options: RenderOptions, *, trainer: bool
    ) -> dict[str, Any]:
        """What every part of a packet shares: the packet, its sections, the edition."""
        packet = item.packet
        messages = self.messages(item.language)
        meta = packet.title + (f" · {messages.trainer_edition}" if trainer else "")
        context = {
            **self.page_context(
                item.language,
                options,
                meta,
                date=packet_date(item),
                numbered=False,
                safety_notes=False,
            ),
            "packet": packet,
            "trainer": trainer,
            "show_agenda": bool(packet.agenda) and (trainer or packet.agenda_for_participants),
            "packet_date": self.date(packet.date, item.language) if packet.date else "",
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

    def render_numbers(self, item: PacketFile, options: RenderOptions, pages: int) -> str:
        """A document of `pages` blank pages numbered like a packet's footers."""
        context = {
            **self.page_context(item.language, options, "", date=packet_date(item)),
            "pages": pages,
        }
        return self.env.get_template("packet_numbers.html").render(context)


def personal_context(name: str | None) -> dict[str, Any]:
    """A page's personal text (a client's or participant's name) and the fonts it needs."""
    return {"client_name": name, "font_faces": font_faces_for([name])}


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
