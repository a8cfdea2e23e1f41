"""Render stage: a validated handout and its templates become one HTML string."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

import jinja2
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from generator import files
from generator.blocks import Compare, Table
from generator.config import Practice, Project
from generator.content import roots_folders
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.fields import Line, Model
from generator.fonts import font_faces_for, needs_fallback, text_width
from generator.markup import inline
from generator.model import HandoutFile, PacketFile
from generator.options import RenderOptions
from generator.validation import validate
from generator.yamlfile import MAX_FILE_BYTES, problem_at, read_yaml

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


def _template_problem(where: Path | None, line: int | None, message: str, source: Path) -> Problem:
    """A template fault as a located problem, quoting the offending line."""
    if where is None:
        return Problem(
            display_path(source), None, None, "", f"a template could not render it: {message}"
        )
    quoted = ""
    if line is not None:
        try:
            # The template was read through the loader, so it is a file in the project.
            lines = files.read_bytes(where, MAX_FILE_BYTES).decode("utf-8").splitlines()
            quoted = f" in `{lines[line - 1].strip()[:120]}`"
        except (files.FileProblem, IndexError, UnicodeDecodeError):
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


# The footer's lists (the practice's details; the title, version and date)
# separate their items with " · ". A separator is kept on one line with the
# words either side of it, so that no line starts or ends with one: a list's
# lines break between items, the separator giving way to the line break.
_SEPARATOR = " · "
# Marks the spaces a piece of a footer list cannot break at, as `_pieces`
# hands it to the line count.
_NO_BREAK = "\u00a0"
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class FooterItem:
    """One item of a footer list."""

    text: str
    # Never wraps inside: a phone number, a web address (which may otherwise
    # break after "//"), the version, the date. Any item that fits on a line
    # is kept whole too, so that lines break between items; and an item that
    # does not fit wraps, whole or not, rather than run off the page.
    whole: bool = False


def _pieces(row: Sequence[FooterItem]) -> list[tuple[str, bool]]:
    """A line of a footer list as its text between break opportunities (its
    spaces), each piece with whether it must be kept from wrapping: it holds
    a separator and the words glued to it, or an item kept whole."""
    pieces: list[tuple[str, bool]] = []
    for item in row:
        words = (
            [(item.text.replace(" ", _NO_BREAK), True)]
            if item.whole
            else [(word, False) for word in item.text.split(" ")]
        )
        if pieces:
            glued = pieces.pop()[0] + _SEPARATOR + words[0][0]
            words[0] = (glued.replace(" ", _NO_BREAK), True)
        pieces += words
    return pieces


def _rows(items: Sequence[FooterItem], width: float, style: FooterStyle) -> list[list[FooterItem]]:
    """A footer list in lines: each line holds the items that fit on it, and
    only an item wider than a line wraps, glued to its neighbours."""
    rows: list[list[FooterItem]] = []
    for given in items:
        item = replace(given, whole=style.measure(given.text) <= width)
        pieces = _pieces([*rows[-1], item]) if rows else []
        if pieces and max(style.measure(text) for text, _ in pieces) <= width:
            rows[-1].append(item)
        else:
            rows.append([item])
    return rows


def separated(rows: Sequence[Sequence[FooterItem]]) -> Markup:
    """A footer list's lines as HTML: items joined by glued separators."""
    lines = []
    for row in rows:
        html = []
        for text, keep in _pieces(row):
            # One no-wrap span holds the whole piece, from space to space, with
            # plain spaces, which a reader's search finds. (No-break spaces
            # before a no-wrap span make WeasyPrint 70 break at every space
            # ahead of them, one word to a line.)
            piece = escape(text.replace(_NO_BREAK, " "))
            html.append(Markup('<span class="nowrap">{}</span>').format(piece) if keep else piece)
        lines.append(Markup(" ").join(html))
    return Markup("<br>").join(lines)


# A table cell's padding and borders (print.css: th, td), and a list's indent
# (print.css: ul) in a comparison's cells, in pt.
_CELL_EDGES = 2 * 8.0 + 0.75
_LIST_INDENT = 1.4


def crowded(block: Table | Compare, profile: RenderOptions) -> bool:
    """Whether a table's longest words, side by side, are wider than the text area.

    Words in a table break only where they must, to keep its columns as they
    are (print.css); a crowded table breaks them anywhere, with less padding,
    so that no column runs off the page. Widths are the body face's, bold (a
    header's): a little wide for the rest, so a table near the edge counts.
    """
    size = 18.0 if profile.large_print else 12.5
    side = 2.0 if profile.large_print else 1.8
    width = ((8.27 if profile.paper == "a4" else 8.5) - side) * 72
    if isinstance(block, Table):
        columns = [
            [cell, *(row[index] for row in block.rows)] for index, cell in enumerate(block.header)
        ]
        indent = 0.0
    else:
        columns = [[half.label, *half.items] for half in (block.left, block.right)]
        indent = _LIST_INDENT * size
    needed = 0.0
    for column in columns:
        longest = max(text_width(word, bold=True) for text in column for word in text.split())
        needed += longest * size + _CELL_EDGES + indent
    return needed > width


def unbroken_words(text: str, profile: RenderOptions) -> bool:
    """Whether each word of a crisis line's sentence fits on a footer line (bold).

    A sentence is kept whole on a line where it can (print.css: .sentence),
    which sizes it by its longest word; one with a longer word must say so.
    """
    style = _LARGE_PRINT_FOOTER if profile.large_print else _NORMAL_FOOTER
    width = style.width(profile.paper)
    return all(style.measure(word, bold=True) <= width for word in text.split())


def side_by_side(low: str, high: str, profile: RenderOptions) -> bool:
    """Whether a scale's two end labels fit on one line, at its two ends.

    Labels that don't are set one under the other: the high one floats right
    beside the low one, and a float too tall for the page's end would run off
    it (print.css: .scale-ends).
    """
    size = 18.0 if profile.large_print else 12.0
    side = 2.0 if profile.large_print else 1.8
    width = ((8.27 if profile.paper == "a4" else 8.5) - side) * 72
    # The labels as printed (render: "0 = ", "10 = "), and a gap between them.
    return (text_width(f"0 = {low}  10 = {high}") + 2) * size <= width


def sentences(text: str) -> list[str]:
    """A crisis line's sentences: the footer breaks it between them, not mid-sentence."""
    return _SENTENCE_END_RE.split(text.strip())


@dataclass(frozen=True)
class FooterStyle:
    """The footer's type and place, to size the bottom margin by. The size and
    leading are print.css's and large-print.css's; the page number's share and
    lift go into the CSS from here."""

    size: float  # pt
    leading: float
    side_margins: float  # in, left and right together
    # The page number's box, a share of the text width at the bottom right:
    # the footer's last lines (the version line) leave it this much room.
    number_share: float
    # The footer's last line and the page number end this far (in) above the
    # page's bottom edge, wherever the footer's text wraps.
    lift: float

    def width(self, paper: str | None, *, beside_number: bool = False) -> float:
        """The width (pt) the footer's text wraps in."""
        width = ((8.27 if paper == "a4" else 8.5) - self.side_margins) * 72
        return width * (1 - self.number_share) if beside_number else width

    def measure(self, text: str, *, bold: bool = False) -> float:
        """How wide text is (pt) in the footer's type."""
        return text_width(text, bold=bold) * self.size


# A lift of about half an inch clears any printer's unprintable edge; no
# more, so that the library's one-page worksheet (daily-check-in) keeps to
# one page under its footer.
_NORMAL_FOOTER = FooterStyle(size=10.0, leading=1.3, side_margins=1.8, number_share=0.16, lift=0.51)
_LARGE_PRINT_FOOTER = FooterStyle(
    size=14.0, leading=1.25, side_margins=2.0, number_share=0.24, lift=0.55
)
# pt above the first line: the rule and the padding (print.css: @bottom-left)
_FOOTER_PADDING = 0.75 + 6.0
_PARAGRAPH_GAP = 2.0  # pt below each paragraph (print.css: .page-footer p)


@dataclass(frozen=True)
class _FooterParagraph:
    """One footer paragraph as the line breaker sees it."""

    # Its lines as the HTML breaks them (<br>), each as its text between
    # break opportunities. A piece with spaces in it (a crisis line's
    # sentence) wraps inside only when it is wider than a line.
    lines: Sequence[Sequence[str]]
    bold: bool = False
    beside_number: bool = False

    @staticmethod
    def of_text(text: str) -> _FooterParagraph:
        """Plain text, which breaks at its spaces."""
        return _FooterParagraph([text.split(" ")])

    @staticmethod
    def of_list(
        rows: Sequence[Sequence[FooterItem]], *, beside_number: bool = False
    ) -> _FooterParagraph:
        """A footer list, in the lines `_rows` made of it."""
        lines = [[text for text, _ in _pieces(row)] for row in rows]
        return _FooterParagraph(lines, beside_number=beside_number)


def _practice_items(practice: Practice) -> list[FooterItem]:
    """The practice's details, in the footer's order."""
    items = [FooterItem(practice.name)]
    if practice.clinician:
        credentials = f", {practice.credentials}" if practice.credentials else ""
        items.append(FooterItem(practice.clinician + credentials))
    contact = (practice.phone, practice.email, practice.website)
    items += [FooterItem(text, whole=True) for text in contact if text]
    if practice.address:
        items.append(FooterItem(practice.address))
    return items


def _line_count(pieces: Sequence[str], width: float, measure: Callable[[str], float]) -> int:
    """How many lines greedy line breaking makes of the pieces."""
    lines, used = 0, width  # `used` of the current line; a full one before the first
    space = measure(" ")
    for piece in pieces:
        piece_width = measure(piece)
        if used + space + piece_width <= width:
            used += space + piece_width
        elif piece_width <= width:
            lines, used = lines + 1, piece_width
        elif " " in piece:
            # Wider than a line, it wraps inside, on lines of its own.
            lines, used = lines + _line_count(piece.split(" "), width, measure), width
        else:
            # A word wider than a line starts a line and breaks between its
            # characters (print.css: overflow-wrap), the last line part full.
            broken, used = _broken_word(piece, width, measure)
            lines += broken
    return max(lines, 1)


def _broken_word(word: str, width: float, measure: Callable[[str], float]) -> tuple[int, float]:
    """The lines a word wider than a line takes, broken between characters, and
    how much of the last one it fills."""
    lines, used = 1, 0.0
    for char in word:
        char_width = measure(char)
        if used and used + char_width > width:
            lines, used = lines + 1, 0.0
        used += char_width
    return lines, used


def _footer_height(
    paragraphs: Sequence[_FooterParagraph], style: FooterStyle, paper: str | None
) -> float:
    """The bottom page margin (pt): room for every footer line, and the lift below them.

    Lines are counted by breaking the text as the layout does, with the body
    face's glyph widths (which kerning only narrows), so that the last line
    lands beside the page number and nothing is cut off.
    """
    height = _FOOTER_PADDING + style.lift * 72 + _PARAGRAPH_GAP * max(len(paragraphs) - 1, 0)
    for paragraph in paragraphs:
        width = style.width(paper, beside_number=paragraph.beside_number)
        measure = functools.partial(style.measure, bold=paragraph.bold)
        lines = sum(_line_count(pieces, width, measure) for pieces in paragraph.lines)
        height += lines * style.size * style.leading
    return height


#: The most of a page's height the footer may take: the rest is the text's.
MAX_FOOTER_SHARE = 0.5


def _page_height(paper: str | None) -> float:
    """The page's height in pt."""
    return (11.69 if paper == "a4" else 11.0) * 72


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(language.split("-", maxsplit=1)[0])


class _ContainedLoader(jinja2.BaseLoader):
    """Loads templates (and the stylesheets they include) from the template folders.

    A template is read only where it really is inside the project's or the
    built-in folders (`allowed`), links followed, and only if it is a regular
    file within the size limit: anything else named like a template is an
    error naming it, never passed over for the built-in one.
    """

    def __init__(self, searchpath: Sequence[Path], allowed: Sequence[Path]):
        self.searchpath = list(searchpath)
        self.allowed = tuple(allowed)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            return self._read(path, template)
        raise jinja2.TemplateNotFound(template)

    def _read(self, path: Path, template: str) -> tuple[str, str, Callable[[], bool]]:
        shown = f"{display_path(path)} (the template `{template}`)"

        def refuse(message: str) -> ProblemsError:
            return ProblemsError([Problem(shown, None, None, "", message)])

        real = files.inside(path, self.allowed)
        if real is None:
            raise refuse(files.outside_message(path))
        try:
            raw = files.read_bytes(real, MAX_FILE_BYTES)
        except files.FileProblem as exc:
            hint = "; a template is a text file" if exc.size is None else ""
            raise refuse(exc.message + hint) from None
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise refuse("is not UTF-8 text; save it as UTF-8") from None
        mtime = _mtime(real)
        return source, os.path.normpath(path), lambda: _mtime(real) == mtime


def _mtime(path: Path) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None


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
            loader=_ContainedLoader(self.template_dirs, roots_folders(project.roots)),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["md"] = inline
        self.env.filters["css_string"] = css_string
        self.env.filters["page_counter"] = page_counter_content
        self.env.filters["separated"] = separated
        self.env.filters["sentences"] = sentences
        self.env.globals["fill"] = fill
        self.env.globals["fill_name"] = fill_name
        self.env.globals["crowded"] = crowded
        self.env.globals["side_by_side"] = side_by_side
        self.env.globals["unbroken_words"] = unbroken_words
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
            # Whatever is there (a pipe, a folder, a broken link) is read and
            # reported, not passed over for the built-in file.
            found = [
                folder / "messages" / f"{name}.yaml"
                for folder in reversed(self.template_dirs)
                if os.path.lexists(folder / "messages" / f"{name}.yaml")
            ]
            if found:
                return self._merge_messages(found)
        raise HandoutError(
            f"there are no template messages for the language `{language}`; "
            f"add templates/messages/{candidates[-1]}.yaml "
            "(copy en.yaml and translate it)"
        )

    def _merge_messages(self, paths: Sequence[Path]) -> Messages:
        merged: dict[str, Any] = {}
        located = None
        problems: list[Problem] = []
        allowed = roots_folders(self.project.roots)
        for path in paths:
            if files.inside(path, allowed) is None:
                raise ProblemsError(
                    [Problem(display_path(path), None, None, "", files.outside_message(path))]
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
        version = fill(messages.version, version=handout.version)
        # The version and the review date stay together, on one line.
        meta = (
            FooterItem(handout.title),
            FooterItem(version + _SEPARATOR + fill(messages.reviewed, date=reviewed), whole=True),
        )
        return {
            **self.page_context(
                item.language,
                options,
                meta,
                date=handout.reviewed.date,
                safety_notes=handout.audience == "client",
                texts=_strings(handout),
            ),
            "handout": handout,
            "handout_id": item.id,
            "asset_base": item.path.parent.resolve().as_uri() + "/",
            "blocks": [b for b in handout.blocks if show_notes or not b.clinician_only],
            # Each shown block's place in the file, which the layout check
            # reports text off the page by (pdf.misplaced).
            "block_fields": [
                f"blocks[{index}]"
                for index, b in enumerate(handout.blocks)
                if show_notes or not b.clinician_only
            ],
            # Outside the loop over the blocks (a project's own _handout.html).
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
    ) -> dict[str, Any]:
        """What every page needs: language, messages, branding, crisis line, profile.

        `date` is the content's own date, which the PDF records unless
        SOURCE_DATE_EPOCH gives one: never the time of the build. `texts` is
        the content the page prints: in a script the body font lacks, it is
        set in the bundled fallback fonts, never the computer's.
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
        style = _LARGE_PRINT_FOOTER if options.large_print else _NORMAL_FOOTER
        full_width = style.width(options.paper)
        practice_rows = _rows(_practice_items(practice), full_width, style) if practice else []
        meta_rows = _rows(meta, style.width(options.paper, beside_number=True), style)
        # The footer's paragraphs, to size the bottom margin: client pages carry
        # the crisis line and the care note; clinician and packet pages do not.
        footer: list[_FooterParagraph] = []
        if safety_notes:
            footer += [_FooterParagraph([sentences(line.text)], bold=True) for line in crisis_lines]
            footer.append(_FooterParagraph.of_text(messages.care_note))
        if practice_rows:
            footer.append(_FooterParagraph.of_list(practice_rows))
        if config.footer_note:
            footer.append(_FooterParagraph.of_text(config.footer_note))
        if meta_rows:
            footer.append(_FooterParagraph.of_list(meta_rows, beside_number=True))
        fallback = needs_fallback(
            "\n".join(
                [
                    *texts,
                    *_strings(messages),
                    *_strings(practice),
                    config.footer_note or "",
                    *(line.text for line in crisis_lines),
                ]
            )
        )
        height = _footer_height(footer, style, options.paper)
        if height > MAX_FOOTER_SHARE * _page_height(options.paper):
            raise HandoutError(self._footer_too_tall(height, options, meta))
        return {
            "footer_height": f"{height / 72:.3f}in",
            # Packet parts leave the number out: it is stamped on after assembly.
            "page_number_content": page_counter_content(messages.page)
            if numbered
            else Markup('""'),
            "page_number_lift": f"{style.lift}in",
            "page_number_width": f"{style.number_share:.0%}",
            "language": language,
            "messages": messages,
            "crisis_lines": crisis_lines,
            "practice": practice,
            "practice_rows": practice_rows,
            "meta_rows": meta_rows,
            "logo": logo,
            "accent": config.accent_colour,
            "footer_note": config.footer_note,
            "paper": options.paper,
            "profile": options,
            "author": config.practice.name if config.practice else "handouts",
            "document_date": options.document_date(date),
            "fallback_fonts": fallback,
            **personal_context(options.client_name, fallback),
        }

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
        meta = [FooterItem(packet.title)]
        if trainer:
            meta.append(FooterItem(messages.trainer_edition, whole=True))
        context = {
            **self.page_context(
                item.language,
                options,
                meta,
                date=packet_date(item),
                numbered=False,
                safety_notes=False,
                texts=[
                    *_strings(packet),
                    *(h.handout.title for _, handouts in item.sections for h in handouts),
                ],
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
            **self.page_context(item.language, options, (), date=packet_date(item)),
            "pages": pages,
        }
        return self.env.get_template("packet_numbers.html").render(context)


def personal_context(name: str | None, fallback: bool = False) -> dict[str, Any]:
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
