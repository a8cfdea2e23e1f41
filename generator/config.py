"""Config stage: find the project and its settings (paper, language, crisis region)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Paper = Literal["letter", "a4"]

CONFIG_NAME = "handouts.yaml"


def builtin_root() -> Path:
    """The folder holding the built-in content/ and templates/.

    An installed wheel carries them inside the package; a source checkout
    has them beside the package.
    """
    package = Path(__file__).resolve().parent
    shipped = package / "builtin"
    if (shipped / "templates").is_dir():
        return shipped
    return package.parent


@dataclass(frozen=True)
class Config:
    """Project settings; every field has a default so no config is needed."""

    paper: Paper = "letter"
    language: str = "en"
    crisis_region: str = "us"
    practice_name: str | None = None


@dataclass(frozen=True)
class Project:
    """Where content and templates come from, and where output goes."""

    root: Path
    config: Config = field(default_factory=Config)

    @property
    def roots(self) -> tuple[Path, ...]:
        """Content and template roots, the project's own before the built-ins."""
        builtin = builtin_root()
        if self.root.resolve() == builtin.resolve():
            return (builtin,)
        return (self.root, builtin)

    @property
    def output(self) -> Path:
        """The default output folder."""
        return self.root / "output"


def find_project(start: Path | None = None) -> Project:
    """The nearest folder upwards holding handouts.yaml or content/, else the start."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / "content").is_dir():
            return Project(root=folder)
    return Project(root=here)
