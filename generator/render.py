"""Render stage: a validated handout and its templates become one HTML string."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markdown_it import MarkdownIt
from markupsafe import Markup
from pydantic import Field, RootModel

from generator.config import Paper, Project
from generator.content import read_yaml, validate
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fonts import body_font_faces
from generator.model import Edition, HandoutFile, Line, Model

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
    checkbox_hint: Line
    crisis: dict[str, CrisisEntry]


class _MessagesFile(RootModel[Messages]):
    pass


def fill(message: str, **values: object) -> str:
    """Put values into a message's {name} slots (no attribute access, unlike format)."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise HandoutError(f"message {message!r} uses {{{name}}}, which is unknown")
        return str(values[name])

    return _PLACEHOLDER_RE.sub(replace, message)


def css_string(text: str) -> Markup:
    """Quote text as a CSS string literal, safe inside an HTML <style> element."""
    escaped = "".join(
        ch if ch.isprintable() and ch not in '"\\<>&' else f"\\{ord(ch):x} "
        for ch in text
    )
    return Markup(f'"{escaped}"')


def page_counter_content(message: str) -> Markup:
    """CSS `content` for a message like "Page {page} of {pages}"."""
    parts: list[str] = []
    position = 0
    for match in _PLACEHOLDER_RE.finditer(message):
        if match.start() > position:
            parts.append(str(css_string(message[position : match.start()])))
        if match.group(1) not in ("page", "pages"):
            raise HandoutError(
                f"the page message {message!r} may use only {{page}} and {{pages}}"
            )
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


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language.split("-", maxsplit=1)[0])


@dataclass(frozen=True)
class RenderOptions:
    """Choices that change the page but not the content."""

    paper: Paper = "letter"
    edition: Edition = "client"
    crisis_region: str = "us"


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
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.template_dirs]),
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
        self._messages: dict[str, Messages] = {}

    def messages(self, language: str) -> Messages:
        """The message file for a language, falling back from "fr-CA" to "fr"."""
        if language not in self._messages:
            self._messages[language] = self._load_messages(language)
        return self._messages[language]

    def _load_messages(self, language: str) -> Messages:
        candidates = [language]
        if "-" in language:
            candidates.append(language.split("-", maxsplit=1)[0])
        for name in candidates:
            for folder in self.template_dirs:
                path = folder / "messages" / f"{name}.yaml"
                if path.is_file():
                    return validate(read_yaml(path), _MessagesFile).root
        raise HandoutError(
            f"there are no template messages for the language `{language}`; "
            f"add templates/messages/{candidates[-1]}.yaml "
            "(copy en.yaml and translate it)"
        )

    def render(self, item: HandoutFile, options: RenderOptions) -> RenderedHandout:
        """Render one handout to HTML."""
        messages = self.messages(item.language)
        handout = item.handout
        if options.crisis_region not in messages.crisis:
            known = ", ".join(sorted(messages.crisis))
            raise HandoutError(
                f"no crisis line for the region `{options.crisis_region}` in the "
                f"`{item.language}` messages; use one of: {known}"
            )
        show_notes = options.edition == "clinician" or handout.audience == "clinician"
        locale = _locale(item.language)
        context: Mapping[str, Any] = {
            "handout": handout,
            "handout_id": item.id,
            "blocks": [
                b for b in handout.blocks if show_notes or b.type != "clinician_note"
            ],
            "messages": messages,
            "crisis": messages.crisis[options.crisis_region],
            "edition": options.edition,
            "show_clinician_notes": show_notes,
            "is_client": handout.audience == "client",
            "paper": options.paper,
            "author": self.project.config.practice_name or "handouts",
            "reviewed_date": format_date(handout.reviewed.date, "long", locale=locale),
            "font_faces": body_font_faces(),
        }
        try:
            template = self.env.get_template("handout.html")
            html = template.render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise ProblemsError(
                [
                    Problem(
                        display_path(Path(exc.filename or exc.name or "template")),
                        exc.lineno,
                        None,
                        "",
                        f"template error: {exc.message}",
                    )
                ]
            ) from None
        except jinja2.TemplateError as exc:
            raise HandoutError(
                f"{display_path(item.path)}: the template could not render it: {exc}"
            ) from None
        base_url = item.path.parent.resolve().as_uri() + "/"
        return RenderedHandout(handout=item, html=html, base_url=base_url)


def render_all(
    project: Project, handouts: Sequence[HandoutFile], options: RenderOptions
) -> list[RenderedHandout]:
    """Render every handout, in order, with one environment."""
    renderer = Renderer(project)
    return [renderer.render(item, options) for item in handouts]
