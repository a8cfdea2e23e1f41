"""Languages: a project declares the ones it publishes in; build and check work in each,
translations name their source and say when they fall behind, and packets keep to one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import BREATH_PACKET, MINIMAL, Project
from generator.cli import main

# One worker runs this module: its builds share a fork server.
pytestmark = pytest.mark.xdist_group("test_languages")

SPANISH = (
    "title: Notar la respiración\npurpose: Una forma breve de notar cómo respira.\n"
    'audience: client\nlanguage: es\nversion: "1.0"\n'
    'translation_of:\n  language: en\n  version: "1.0"\n'
    "reviewed:\n  date: 2026-11-01\n  by: Equipo clínico\nsources: []\nblocks:\n"
    "  - type: paragraph\n    text: Puede notar su respiración un momento.\n"
)


def _project(tmp_path: Path, config: str | None = "languages: [en, es]\n") -> Project:
    project = Project(tmp_path)
    project.add("breath.yaml", MINIMAL)
    project.add("breath.yaml", SPANISH, language="es")
    if config is not None:
        (tmp_path / "handouts.yaml").write_text(config, encoding="utf-8")
    return project


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_build_makes_every_declared_language_and_language_limits_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    code, out = _run(tmp_path, monkeypatch, "build", "breath", "--format", "html")
    assert code == 0, out
    assert sorted(project.output_files()) == ["en/breath.html", "es/breath.html"]
    for flag in ("--language", "--lang"):
        for built in (tmp_path / "output").rglob("*.html"):
            built.unlink()
        code, out = _run(tmp_path, monkeypatch, "build", "breath", "--format", "html", flag, "es")
        assert code == 0, out
        assert sorted(project.output_files()) == ["es/breath.html"]
        html = (tmp_path / "output" / "es" / "breath.html").read_text(encoding="utf-8")
        assert '<html lang="es">' in html and "Página" in html


def test_a_project_builds_the_languages_it_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, config="languages: [en]\n")
    code, out = _run(tmp_path, monkeypatch, "build", "breath", "--format", "html")
    assert code == 0, out
    assert sorted(project.output_files()) == ["en/breath.html"]
    # A handout only in an undeclared language, asked for by id, says how to get it.
    solo = SPANISH.replace('translation_of:\n  language: en\n  version: "1.0"\n', "")
    project.add("solo.yaml", solo, language="es")
    code, out = _run(tmp_path, monkeypatch, "build", "solo")
    assert code == 1
    assert "solo: this handout is written in es, not in en; add --language es" in out


def test_without_a_declaration_a_project_builds_its_own_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main language and the project's own folders; not the built-in Spanish."""
    project = _project(tmp_path, config=None)
    code, out = _run(tmp_path, monkeypatch, "build", "--format", "html")
    assert code == 0, out
    built = sorted(project.output_files())
    assert "en/breath.html" in built and "es/breath.html" in built
    assert "en/withdrawal-response.html" in built
    (tmp_path / "content" / "handouts" / "es" / "breath.yaml").unlink()
    (tmp_path / "content" / "handouts" / "es").rmdir()
    for path in (tmp_path / "output").rglob("*.html"):
        path.unlink()
    code, out = _run(tmp_path, monkeypatch, "build", "--format", "html")
    assert code == 0, out
    assert not any(name.startswith("es/") for name in project.output_files())
    # Nothing is declared: no handout is missing a translation.
    _, out = _run(tmp_path, monkeypatch, "check")
    assert "translation.missing" not in out


def test_a_language_with_no_handouts_is_refused_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    code, out = _run(tmp_path, monkeypatch, "build", "--language", "fr")
    assert code == 1
    assert "--language: there are no handouts in `fr`; the handouts here are in en, es" in out
    assert "Traceback" not in out
    assert project.output_files() == {}


def test_the_main_language_must_be_among_those_declared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, config="language: en\nlanguages: [es, fr]\n")
    code, out = _run(tmp_path, monkeypatch, "build")
    assert code == 1
    assert re.search(r"handouts\.yaml:2:\d+: languages: does not include `en`", out), out


def test_bumping_the_source_version_makes_check_warn_at_the_translation_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    code, out = _run(tmp_path, monkeypatch, "check", "--strict")
    assert "translation" not in out, out
    project.add("breath.yaml", MINIMAL.replace('version: "1.0"', 'version: "1.1"'))
    code, out = _run(tmp_path, monkeypatch, "check")
    # The line of `version:` under `translation_of:` in the Spanish file.
    assert "content/handouts/es/breath.yaml\n  8:12    warning translation.behind" in out, out
    assert (
        "translated from version 1.0 of the `en` handout `breath`, which is now at version 1.1"
        in out
    )
    assert 'then set this version to "1.1"' in out
    # `list` says the same.
    code, out = _run(tmp_path, monkeypatch, "list")
    assert code == 0
    rows = {tuple(line.split("\t")[:2]): line.split("\t")[-1] for line in out.splitlines()}
    assert rows[("breath", "es")] == "behind (from en 1.0; en breath is 1.1)"
    assert rows[("breath", "en")] == "source"


def test_a_missing_translation_is_a_warning_on_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    project.add("sleep.yaml", MINIMAL.replace("Noticing your breath", "Sleep"))
    _, out = _run(tmp_path, monkeypatch, "check")
    assert "content/handouts/en/sleep.yaml\n  4:11    warning translation.missing" in out, out
    assert "no translation in `es`, which the project publishes in" in out
    assert "translate it into content/handouts/es/sleep.yaml" in out
    _, out = _run(tmp_path, monkeypatch, "list", "--language", "en")
    rows = {line.split("\t")[0]: line.split("\t")[-1] for line in out.splitlines()}
    assert rows["sleep"] == "missing: es"
    assert rows["breath"] == "source"
    # The built-in handouts come with their Spanish: none is missing one.
    assert rows["withdrawal-response"] == "source"


@pytest.mark.parametrize(
    ("of", "said"),
    [
        (
            '  language: en\n  version: "1.0"\n  id: nothing-here\n',
            "there is no `en` handout `nothing-here` for this to be a translation of",
        ),
        ('  language: es\n  version: "1.0"\n', "names `es`, this handout's own language"),
        (
            '  language: en\n  version: "2.0"\n',
            "names version 2.0, but the `en` handout `breath` is at version 1.0, an earlier one",
        ),
    ],
)
def test_a_translation_of_nothing_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, of: str, said: str
) -> None:
    project = _project(tmp_path)
    project.add(
        "breath.yaml",
        SPANISH.replace(
            'translation_of:\n  language: en\n  version: "1.0"\n', f"translation_of:\n{of}"
        ),
        language="es",
    )
    code, out = _run(tmp_path, monkeypatch, "check")
    assert code == 1
    assert "error   translation.source" in out and said in out, out


def test_a_packet_keeps_to_its_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = _project(tmp_path)
    project.add("solo.yaml", MINIMAL.replace("Noticing your breath", "Only in English"))
    packets = tmp_path / "content" / "packets"
    packets.mkdir(parents=True)
    manifest = BREATH_PACKET.replace("language: en", "language: es").replace(
        "handouts: [breath]", "handouts: [breath, solo]"
    )
    (packets / "mixed.yaml").write_text(manifest, encoding="utf-8")
    code, out = _run(tmp_path, monkeypatch, "packet", "mixed")
    assert code == 1
    assert re.search(
        r"mixed\.yaml:6:\d+: sections\[0\]\.handouts\[1\]: no `es` handout with the id `solo`; "
        r"there is one in `en`, but this packet is in `es`",
        out,
    ), out
    assert not (tmp_path / "output").exists()


def test_init_can_start_a_bilingual_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "clinic", "--languages", "es,en"])
    assert result.exit_code == 0, result.output
    config = (tmp_path / "clinic" / "handouts.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: es\n" in config and "\nlanguages: [es, en]\n" in config
    assert (tmp_path / "clinic" / "content" / "handouts" / "es").is_dir()
    assert (tmp_path / "clinic" / "content" / "handouts" / "en").is_dir()
    # Without the option, the line is there to uncomment.
    result = CliRunner().invoke(main, ["init", "plain"])
    assert "\n# languages: [en, es]\n" in (tmp_path / "plain" / "handouts.yaml").read_text()
    result = CliRunner().invoke(main, ["init", "bad", "--languages", "en,Spanish"])
    assert result.exit_code == 2 and "`Spanish` must be a language tag" in result.output
    assert not (tmp_path / "bad").exists()


def test_a_footer_note_in_each_language_prints_on_its_pages(project: Project, cli) -> None:
    """A visual review's: one footer_note printed in English on every Spanish page."""
    import pypdf

    config = project.root / "handouts.yaml"
    config.write_text(
        'languages: [en, es]\nfooter_note: {en: "Questions? Ask at your next session.", '
        'es: "¿Preguntas? Consulte en su próxima sesión."}\n',
        encoding="utf-8",
    )
    result = cli("build", "window-of-tolerance")
    assert result.exit_code == 0, result.output
    for line in result.stdout.split():
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(line).pages)
        english = "Questions? Ask at your next session." in text
        spanish = "¿Preguntas? Consulte en su próxima sesión." in text
        assert (english, spanish) == ((True, False) if "/en/" in line else (False, True))
    # One note for both languages: the check says the Spanish pages print it as written.
    config.write_text('languages: [en, es]\nfooter_note: "Questions?"\n', encoding="utf-8")
    said = cli("check", "--json").stdout
    import json

    found = [f for f in json.loads(said)["findings"] if f["path"] == "handouts.yaml"]
    assert [(f["rule"], f["line"]) for f in found] == [("translation.missing", 2)]
    assert "pages in `es` print it" in found[0]["message"]
    config.write_text('languages: [en, es]\nfooter_note: {en: "Questions?"}\n', encoding="utf-8")
    found = [
        f
        for f in json.loads(cli("check", "--json").stdout)["findings"]
        if f["path"] == "handouts.yaml"
    ]
    assert "has no note in `es`" in found[0]["message"]
