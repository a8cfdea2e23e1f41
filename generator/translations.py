"""Translations: which handout each translation comes from, and whether it has kept up.

A translated handout names its source (`translation_of`: language, version,
and the id when it is not its own). It is *current* while the source's
version is the one it names, *behind* once the source's version is newer,
and a handout in the project's main language is *missing* a translation in a
declared language that has no file for its id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generator.errors import HandoutError
from generator.sources import HandoutSource
from generator.yamlfile import read_yaml

State = Literal["current", "behind", "ahead", "no source"]


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def compare(translated: str, current: str) -> Literal["current", "behind", "ahead"]:
    """Where a translation made from version `translated` stands against the source's `current`.

    Versions are compared by their numbers ("1.10" is after "1.9"); a version
    with no numbers is current only when it is the same text.
    """
    if translated.strip() == current.strip():
        return "current"
    old, new = _version_key(translated), _version_key(current)
    if old and new and old != new:
        return "behind" if old < new else "ahead"
    return "behind"


@dataclass(frozen=True)
class Translation:
    """One translated handout's standing against its source."""

    source: HandoutSource
    #: The source's language, id and version as the translation names them.
    of_language: str
    of_id: str
    of_version: str
    #: The source's version now (None when there is no such handout).
    current: str | None

    @property
    def state(self) -> State:
        """current, behind, ahead (names a version the source never had) or no source."""
        if self.current is None:
            return "no source"
        return compare(self.of_version, self.current)

    def describe(self) -> str:
        """What `handouts list` says of it."""
        named = f"{self.of_language} {self.of_id}"
        if self.current is None:
            return f"no source: there is no {named}"
        state = self.state
        if state == "current":
            return f"current (from {self.of_language} {self.of_version})"
        return f"{state} (from {self.of_language} {self.of_version}; {named} is {self.current})"


def header(path: Path) -> dict[str, object]:
    """A handout file's top-level fields, read without validating the rest."""
    try:
        data = read_yaml(path).data
    except HandoutError:  # a file that can't be read is reported by its own check
        return {}
    return data if isinstance(data, dict) else {}


def _version(header: dict[str, object]) -> str | None:
    version = header.get("version")
    return str(version) if isinstance(version, (str, int, float)) else None


@dataclass(frozen=True)
class Standing:
    """Every translation's standing, and the translations each source still lacks."""

    translations: dict[tuple[str, str], Translation]
    #: (language, id) of each source, with the declared languages it has no file in.
    missing: dict[tuple[str, str], tuple[str, ...]]


def standing(sources: Sequence[HandoutSource], languages: Sequence[str], main: str) -> Standing:
    """Each handout's translation status, from the files' headers."""
    headers = {(s.language, s.id): header(s.path) for s in sources}
    translations: dict[tuple[str, str], Translation] = {}
    for source in sources:
        of = headers[(source.language, source.id)].get("translation_of")
        if not isinstance(of, dict):
            continue
        of_language = str(of.get("language", ""))
        of_id = str(of.get("id") or source.id)
        named = headers.get((of_language, of_id))
        translations[(source.language, source.id)] = Translation(
            source,
            of_language,
            of_id,
            str(of.get("version", "")),
            _version(named) if named is not None else None,
        )
    have = {(s.language, s.id) for s in sources}
    # A translation made under another id still counts for its source.
    have |= {(key[0], t.of_id) for key, t in translations.items()}
    missing = {
        (s.language, s.id): tuple(
            language
            for language in languages
            if language != s.language and (language, s.id) not in have
        )
        for s in sources
        if s.language == main and (s.language, s.id) not in translations
    }
    return Standing(translations, {key: gaps for key, gaps in missing.items() if gaps})
