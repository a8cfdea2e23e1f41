"""Render options: the edition and print profile a build was asked for.

Kept apart from the render stage so the CLI and the build can hold them
without importing Jinja and Babel.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import click

from generator.errors import HandoutError
from generator.geometry import MarginChoice, PageGeometry, page_geometry

if TYPE_CHECKING:
    from generator.config import Paper, ProjectConfig
    from generator.model import Edition

#: The reproducible-builds convention: a fixed time for everything a build dates.
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


@dataclass(frozen=True)
class RenderOptions:
    """Choices that change the page but not the content: edition and print profile."""

    #: None until resolved against the project's config (see `resolved`).
    paper: Paper | None = None
    edition: Edition = "client"
    large_print: bool = False
    fillable: bool = False
    ink_saver: bool = False
    #: Printed under the title and nowhere else (not in metadata or names).
    client_name: str | None = None
    #: The date every PDF carries, from SOURCE_DATE_EPOCH; None: the content's own date.
    source_date: dt.datetime | None = None
    #: The project's own margins (handouts.yaml, theme: margins).
    margins: MarginChoice = field(default_factory=MarginChoice)

    def resolved(self, config: ProjectConfig) -> RenderOptions:
        """These options with the project's defaults and SOURCE_DATE_EPOCH filled in."""
        margins = MarginChoice(top=config.theme.margins.top, sides=config.theme.margins.sides)
        return replace(
            self, paper=self.paper or config.paper, source_date=source_date(), margins=margins
        )

    @property
    def geometry(self) -> PageGeometry:
        """The page these options print on: paper, margins and type sizes."""
        return page_geometry(self.paper, large_print=self.large_print, margins=self.margins)

    @property
    def personal(self) -> bool:
        """Whether the pages carry a person's name, so the build is personal."""
        return self.client_name is not None

    def suffix(self) -> str:
        """The part of a file name that keeps this profile's files apart."""
        parts = [
            "-a4" if self.paper == "a4" else "",
            "-large-print" if self.large_print else "",
            "-fillable" if self.fillable else "",
            "-ink-saver" if self.ink_saver else "",
        ]
        return "".join(parts)

    def document_date(self, content_date: dt.date) -> str:
        """The date a PDF records (W3C format): SOURCE_DATE_EPOCH's, or the content's."""
        if self.source_date is not None:
            return self.source_date.strftime("%Y-%m-%dT%H:%M:%SZ")
        return content_date.isoformat()


def source_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC time, None when unset; a clear error when invalid."""
    value = os.environ.get(SOURCE_DATE_EPOCH)
    if value is None:
        return None
    try:
        # ASCII digits only: int() would also take "1_700_000_000" and other scripts' digits.
        if not re.fullmatch(r"[0-9]{1,15}", value.strip(" \t\n")):
            raise ValueError(value)
        seconds = int(value.strip())
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (ValueError, OverflowError, OSError):
        shown = repr(value) if len(value) <= 40 else repr(value[:40] + "...")
        raise HandoutError(
            f"the environment variable {SOURCE_DATE_EPOCH} is {shown}, which is not a time; "
            "set it to a whole number of seconds since 1970 (like 1767225600), or unset it "
            "to date each PDF by its content's review date"
        ) from None


#: The longest name printed under a title or on a cover.
MAX_NAME = 120
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: A run of white space, as Unicode defines it: spaces, tabs and every line
#: break (LF, CR, VT, FF, NEL, U+2028, U+2029). Python's own idea of white
#: space also takes in U+001C-U+001F, the information separators: those are
#: control characters here, refused rather than quietly made spaces.
_SPACES = re.compile(r"[^\S\x1c-\x1f]+")


def collapse_spaces(text: str) -> str:
    """Text with each run of white space (line breaks too) made one space, ends trimmed."""
    return _SPACES.sub(" ", text).strip(" ")


def is_not_utf8(text: str) -> bool:
    """Whether text holds bytes that were not UTF-8 (as Python keeps them from argv)."""
    return any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def typed_text_problem(text: str) -> str | None:
    """What makes a typed option value unusable as text, in words that never repeat it."""
    if is_not_utf8(text):
        return "it has bytes that are not UTF-8 text; retype it"
    if CONTROL.search(text):
        return "it has hidden control characters; retype it"
    return None


def is_plain_file_name(name: str) -> bool:
    """Whether a typed name names a file in the output folder: no folder, not hidden."""
    return bool(name) and not (
        "/" in name
        or "\\" in name
        or name.startswith(".")
        or CONTROL.search(name)
        or is_not_utf8(name)
    )


def name_problem(name: str) -> str | None:
    """What stops a person's name going on the page, in words that never repeat it."""
    if is_not_utf8(name):
        return "is not valid text (it has bytes that are not UTF-8); retype it"
    if CONTROL.search(name):
        return "has hidden control characters; retype it"
    if len(name) > MAX_NAME:
        return f"is {len(name)} characters long; a name may have at most {MAX_NAME}"
    from generator.fonts import describe, unprintable

    missing = unprintable(name)
    if missing:
        count = len(missing)
        return (
            f"has {count} character{'s' if count != 1 else ''} ({describe(missing)}) that "
            "no font this tool bundles or this computer has can print, so they would "
            "print as empty boxes; install a font that covers them, or write the name "
            "another way (in Latin letters, say)"
        )
    return None


def check_name(name: str | None, option: str) -> None:
    """Refuse a name given on the command line that can't go on the page."""
    if name is not None and not name:
        raise click.BadParameter(
            "the name is empty (only spaces); give a name, or leave the option out",
            param_hint=option,
        )
    problem = name_problem(name) if name else None
    if problem:
        raise click.BadParameter(f"the name {problem}", param_hint=option)
