"""Check stage, translations: a translation behind its source, or a source with none."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.check.rules import RULES, Rule
from generator.config import Project
from generator.errors import Problem
from generator.sources import discover
from generator.translations import Translation, standing
from generator.yamlfile import read_yaml


def translation_findings(project: Project, checked: Sequence[Path]) -> list[Problem]:
    """Findings on the checked files: translations behind or without a source, and
    handouts in the main language with no translation in a declared language."""
    sources, _ = discover(project.roots)
    result = standing(sources, project.declared_languages, project.config.language)
    wanted = {path.resolve() for path in checked}
    findings: list[Problem] = []
    for translation in result.translations.values():
        if translation.source.path.resolve() in wanted:
            findings.extend(_translation(translation))
    by_key = {(s.language, s.id): s for s in sources}
    for key, gaps in result.missing.items():
        source = by_key[key]
        if source.path.resolve() not in wanted:
            continue
        first = gaps[0]
        findings.append(
            RULES["translation.missing"].at(
                read_yaml(source.path),
                ("language",),
                f"no translation in {', '.join(f'`{g}`' for g in gaps)}, which the project "
                "publishes in (`languages` in handouts.yaml)",
                f"translate it into content/handouts/{first}/{source.id}.yaml, with "
                f"`translation_of` naming `{source.language}` and this version",
            )
        )
    return findings


def footer_note_findings(project: Project) -> list[Problem]:
    """The footer note, where a page in a language the project publishes in would print
    it in another language (a red team saw an English note on every Spanish page)."""
    note, languages = project.config.footer_note, project.declared_languages
    if note is None or len(languages) < 2 or project.config_path is None:
        return []
    if isinstance(note, str):
        message = (
            f"`footer_note` is one note for every page, so the pages in "
            f"{_listed(languages[1:])} print it in the language it is written in"
        )
        instead = (
            "give it in each language: footer_note: {"
            + ", ".join(f'{language}: "…"' for language in languages)
            + "}"
        )
    else:
        missing = [language for language in languages if language not in note]
        if not missing:
            return []
        message = f"`footer_note` has no note in {_listed(missing)}, so those pages print none"
        instead = f"add {', '.join(f'`{m}`' for m in missing)} to footer_note"
    located = read_yaml(project.config_path)
    return [RULES["translation.missing"].at(located, ("footer_note",), message, instead)]


def _listed(languages: Sequence[str]) -> str:
    return ", ".join(f"`{language}`" for language in languages)


def _translation(translation: Translation) -> list[Problem]:
    said = _what_is_wrong(translation)
    if said is None:
        return []
    rule, field, message, advice = said
    located = read_yaml(translation.source.path)
    return [rule.at(located, ("translation_of", *field), message, advice)]


def _what_is_wrong(translation: Translation) -> tuple[Rule, tuple[str, ...], str, str] | None:
    """A translation's problem: its rule, the field under `translation_of`, the message
    and the advice; None when it is up to date."""
    named = f"`{translation.of_language}` handout `{translation.of_id}`"
    if translation.of_language == translation.source.language:
        return (
            RULES["translation.source"],
            ("language",),
            f"names `{translation.of_language}`, this handout's own language",
            "name the language it was translated from",
        )
    state = translation.state
    if state == "no source":
        return (
            RULES["translation.source"],
            (),
            f"there is no {named} for this to be a translation of",
            "fix the language or the id, or remove `translation_of`",
        )
    if state == "behind":
        return (
            RULES["translation.behind"],
            ("version",),
            f"translated from version {translation.of_version} of the {named}, which is "
            f"now at version {translation.current}",
            "bring the translation up to date with it, then set this version to "
            f'"{translation.current}"',
        )
    if state == "ahead":
        return (
            RULES["translation.source"],
            ("version",),
            f"names version {translation.of_version}, but the {named} is at "
            f"version {translation.current}, an earlier one",
            "check the version it was translated from",
        )
    return None
