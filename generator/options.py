"""Render options: the edition and print profile a build was asked for.

Kept apart from the render stage so the CLI and the build can hold them
without importing Jinja and Babel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.config import Paper, ProjectConfig
    from generator.model import Edition


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

    def resolved(self, config: ProjectConfig) -> RenderOptions:
        """These options with the project's defaults filled in."""
        return replace(self, paper=self.paper or config.paper)

    def suffix(self) -> str:
        """The part of a file name that keeps this profile's files apart."""
        parts = [
            "-a4" if self.paper == "a4" else "",
            "-large-print" if self.large_print else "",
            "-fillable" if self.fillable else "",
            "-ink-saver" if self.ink_saver else "",
        ]
        return "".join(parts)
