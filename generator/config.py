"""Config stage: find the project and read its settings (branding, paper, language, crisis)."""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)

from generator.fields import (
    Email,
    LanguageTag,
    Line,
    Model,
    Number,
    Text,
    WebAddress,
    fits_footer,
)
from generator.roots import builtin_root, project_place, roots_of

Paper = Literal["letter", "a4"]
Region = Literal["us", "ca", "uk-ie", "au"]
Origin = Literal["project", "built-in"]

DEFAULT_ACCENT = "#1f4e4a"
#: WCAG 2.1 AA asks 4.5:1 for body-size text; headings use the accent colour.
MIN_CONTRAST = 4.5


def contrast_on_white(colour: str) -> float:
    """The WCAG 2.1 contrast ratio of a CSS colour against white."""
    from coloraide import Color

    return float(Color(colour).contrast("white", method="wcag21"))


def _accent(value: str) -> str:
    from coloraide import Color

    try:
        colour = Color(value)
    except ValueError:
        raise ValueError(
            f"`{value}` is not a colour; write it like #1f4e4a or a CSS colour name"
        ) from None
    if colour.alpha() < 1:
        raise ValueError("must be a solid colour, without transparency")
    ratio = contrast_on_white(value)
    if ratio < MIN_CONTRAST:
        raise ValueError(
            f"`{value}` has a contrast of {ratio:.2f}:1 on white; text in it needs at "
            f"least {MIN_CONTRAST}:1 to be readable (WCAG AA). Choose a darker colour"
        )
    # A normalised hex string is all that reaches the CSS.
    return str(colour.convert("srgb").to_string(hex=True))


def _lowercase_choice(value: object) -> object:
    """`A4` as `a4`: the command line takes choices in any case, so the config does too."""
    if isinstance(value, str) and value.lower() in typing.get_args(Paper):
        return value.lower()
    return value


AccentColour = Annotated[str, AfterValidator(_accent)]


class Practice(Model):
    """Who hands the handout out: printed on every page, so each field is short
    enough for the page footer (in large print, on A4)."""

    name: Annotated[Line, fits_footer(80)]
    clinician: Annotated[Line, fits_footer(80)] | None = None
    credentials: Annotated[Line, fits_footer(40)] | None = None
    phone: Annotated[Line, fits_footer(30)] | None = None
    email: Annotated[Email, fits_footer(80)] | None = None
    website: Annotated[WebAddress, fits_footer(80)] | None = None
    address: Annotated[Line, fits_footer(120)] | None = None


class Logo(Model):
    """The practice's logo: a picture file in the project, with alt text."""

    src: Line
    alt: Text


class CrisisLine(Model):
    """One crisis contact of the project's own, with when it was last checked."""

    text: Annotated[Line, fits_footer(160)]
    verified: dt.date


#: The most crisis lines of a project's own: each takes a line or two of every footer.
MAX_CRISIS_LINES = 3


class Targets(Model):
    """Reading-level targets for one audience; None leaves a formula unchecked.

    English handouts are held to grade ceilings (Flesch-Kincaid, SMOG), Spanish
    ones to ease floors (Fernández Huerta, Szigriszt-Pazos: higher is easier).
    """

    flesch_kincaid: Number | None = Field(default=None, ge=0, le=20)
    smog: Number | None = Field(default=None, ge=0, le=25)
    fernandez_huerta: Number | None = Field(default=None, ge=0, le=120)
    szigriszt_pazos: Number | None = Field(default=None, ge=0, le=120)


class Readability(Model):
    """Reading-level targets by audience (client defaults: FK 7, SMOG 8; for Spanish,
    Fernández Huerta 80 and Szigriszt-Pazos 65)."""

    client: Targets = Targets(
        flesch_kincaid=7.0, smog=8.0, fernandez_huerta=80.0, szigriszt_pazos=65.0
    )
    clinician: Targets = Targets()


class ExtraWording(Model):
    """A phrase this project wants flagged, with what to say instead."""

    phrase: Line
    rule: Literal["directive", "shaming", "promise"]
    suggestion: Line | None = None


class Wording(Model):
    """The project's changes to the wording check's word list."""

    extra: list[ExtraWording] = Field(default_factory=list)
    #: Words, phrases and wording rule ids never flagged in this project.
    allow: list[Line] = Field(default_factory=list)


def _margin(value: object) -> object:
    """A margin written with its unit, in inches; bounded so that text and footer fit."""
    from generator.geometry import MARGIN_RANGE, inches

    if not isinstance(value, str):
        raise ValueError("write the margin with its unit, like 1in, 2.5cm or 25mm")
    low, high = MARGIN_RANGE
    size = inches(value)
    if not low <= size <= high:
        raise ValueError(
            f"`{value}` is outside the margins this tool lays out: {low}in to {high}in"
        )
    return size


Margin = Annotated[float, BeforeValidator(_margin)]


class ThemeMargins(Model):
    """The project's own page margins; the bottom one is the footer's, sized to fit it."""

    top: Margin | None = None
    sides: Margin | None = None


class Theme(Model):
    """The project's own look: a stylesheet added after the built-in one, and margins."""

    css: Line | None = None
    margins: ThemeMargins = Field(default_factory=ThemeMargins)


_Note = Annotated[Line, fits_footer(160)]
#: A footer note as typed: text, or text for each language; a mistake in either is
#: said as that kind's (not "or it should be a set of lines" after a note too long).
FooterNote = Annotated[
    Annotated[_Note, Tag("text")] | Annotated[dict[LanguageTag, _Note], Tag("languages")],
    Discriminator(lambda value: "languages" if isinstance(value, dict) else "text"),
]


class ProjectConfig(Model):
    """The settings in handouts.yaml; every one has a default."""

    practice: Practice | None = None
    logo: Logo | None = None
    accent_colour: AccentColour = DEFAULT_ACCENT
    crisis: Region | Annotated[list[CrisisLine], Field(max_length=MAX_CRISIS_LINES)] = Field(
        default="us", union_mode="left_to_right"
    )
    paper: Annotated[Paper, BeforeValidator(_lowercase_choice)] = "letter"
    #: The main language: the one new handouts start in and translations come from.
    language: LanguageTag = "en"
    #: Every language the project publishes in: `build` makes each, and `check`
    #: warns where a handout has no translation in one of them.
    languages: Annotated[list[LanguageTag], Field(min_length=1, max_length=20)] | None = None
    #: One note for every page, or one for each language (`{en: …, es: …}`).
    footer_note: FooterNote | None = None
    readability: Readability = Field(default_factory=Readability)
    wording: Wording = Field(default_factory=Wording)
    theme: Theme = Field(default_factory=Theme)

    def footer_note_for(self, language: str) -> str | None:
        """The footer note a page in this language prints: the one note, or its
        language's (none where the note is not given in it)."""
        if isinstance(self.footer_note, dict):
            return self.footer_note.get(language)
        return self.footer_note

    @field_validator("languages")
    @classmethod
    def _main_language_is_declared(
        cls, value: list[str] | None, info: ValidationInfo
    ) -> list[str] | None:
        main = info.data.get("language")
        if value is not None and main is not None and main not in value:
            raise ValueError(
                f"does not include `{main}`, the main `language`; add it to the list "
                "or change `language`"
            )
        return list(dict.fromkeys(value)) if value is not None else None


@dataclass(frozen=True)
class Project:
    """Where content and templates come from, where output goes, and the settings."""

    root: Path
    config: ProjectConfig = field(default_factory=ProjectConfig)
    config_path: Path | None = None
    #: False outside any project: commands then work on the built-in library.
    found: bool = True

    @property
    def roots(self) -> tuple[Path, ...]:
        """Content and template roots, the project's own before the built-ins."""
        return roots_of(self.root)

    @property
    def declared_languages(self) -> tuple[str, ...]:
        """The languages `handouts.yaml` declares (the library's own, for the library).

        Only these are checked for missing translations.
        """
        if self.config.languages is not None:
            return tuple(self.config.languages)
        if self.is_library:
            # The library declares what it is written in: English, and Spanish.
            folder = builtin_root() / "content" / "handouts"
            written = sorted(p.name for p in folder.iterdir() if p.is_dir())
            return tuple(dict.fromkeys([self.config.language, *written]))
        return ()

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages a run works in by default: those declared; or, where none
        are, the main one and those the project's own handouts are written in."""
        declared = self.declared_languages
        if declared:
            return declared
        folder = self.root / "content" / "handouts"
        own = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
        return tuple(dict.fromkeys([self.config.language, *own]))

    @property
    def is_library(self) -> bool:
        """Whether this is the built-in library itself: outside any project, or its checkout."""
        return not self.found or self.root.resolve() == builtin_root().resolve()

    @property
    def output(self) -> Path:
        """The default output folder."""
        return self.root / "output"

    def origin(self, path: Path) -> Origin:
        """Whether a file is the project's own or built in.

        Decided by the nearest content, templates or assets folder that holds
        the file, not by the project's root: a project folder may hold the
        install itself (a virtual environment inside it, or a run from `/`).
        """
        from generator.content import asset_folders

        try:
            resolved = path.resolve()
        except (OSError, RuntimeError):  # a loop of links: no one's
            return "project"
        nearest: tuple[int, Origin] = (-1, "project")
        # The built-ins first: when the project is the built-in library, they win a tie.
        homes: tuple[tuple[Path, Origin], ...] = (
            (builtin_root(), "built-in"),
            (self.root, "project"),
        )
        for root, label in homes:
            # Where the folders really are: one that is a link to elsewhere
            # does not make the place it leads to the project's.
            for folder in asset_folders(root):
                depth = len(folder.parts)
                if depth > nearest[0] and resolved.is_relative_to(folder):
                    nearest = (depth, label)
        return nearest[1]


def find_project(start: Path | None = None, config: Path | None = None) -> Project:
    """The project for a folder: the nearest one upwards with handouts.yaml or content/.

    With `config`, that file is the config and its folder is the project.
    Outside any project the built-in library is used and output goes here.
    """
    root, config_path, found = project_place(start, config)
    if config_path is not None:
        return load_project(root, config_path)
    return Project(root=root, found=found)


def load_project(root: Path, config_path: Path) -> Project:
    """Read and check a project's config; errors name the file and line."""
    from generator.content import image_problem
    from generator.errors import Problem, ProblemsError, display_path
    from generator.files import inside, outside_message
    from generator.validation import validate
    from generator.yamlfile import problem_at, read_yaml

    # The config found in a project is read only where the project is: a
    # link may lead anywhere. (One named with --config makes its folder the project.)
    if inside(config_path, [root.resolve()]) is None:
        raise ProblemsError(
            [Problem(path=display_path(config_path), message=outside_message(config_path))]
        )
    located = read_yaml(config_path, empty_ok=True)
    if located.data is None:
        return Project(root=root, config_path=config_path)
    config = validate(located, ProjectConfig)
    if config.logo is not None:
        message = image_problem(config.logo.src, root, root)
        if message:
            raise ProblemsError([problem_at(located, ["logo", "src"], message)])
    if config.theme.css is not None:
        from generator.theme import check_theme

        check_theme(located, config.theme.css, root)
    return Project(root=root, config=config, config_path=config_path)
