"""The Spanish library as a reader gets it: every page in Spanish, down to the footer,
the dates and the bookmarks; its checks pass in every print profile; names with
accents print in the body face."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
import yaml
from click.testing import CliRunner

from generator.blocks import walk
from generator.cli import main
from generator.config import builtin_root
from generator.content import load_handouts
from generator.messages import SLOTS

pytestmark = pytest.mark.xdist_group("test_spanish")

SPANISH = load_handouts([builtin_root()], (), ["es"])
CLIENT = [item for item in SPANISH if item.handout.audience == "client"]
MESSAGES = builtin_root() / "templates" / "messages"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every Spanish handout, client and clinician editions, built strictly."""
    out = tmp_path_factory.mktemp("es")
    paths: dict[str, Path] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(out)
        for edition in ("client", "clinician"):
            result = CliRunner().invoke(
                main,
                ["build", "--strict", "--language", "es", "--edition", edition, "--out", str(out)],
            )
            assert result.exit_code == 0, result.output
            for line in result.stdout.splitlines():
                assert "/es/" in line, line
                paths[Path(line).stem] = Path(line)
    return paths


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def english_phrases() -> list[str]:
    """Every piece of the English message file that a page could print: each sentence,
    slots cut out, of four letters or more ("min" and "or" could be Spanish too)."""
    english = yaml.safe_load((MESSAGES / "en.yaml").read_text(encoding="utf-8"))
    phrases = set()
    for text in _strings(english):
        for part in re.split(r"\{\w+\}|(?<=\.)\s+", text):
            piece = part.strip(" .,:;·")
            if len(piece) >= 4 and not re.fullmatch(r"[\d\s-]+", piece):
                phrases.add(piece)
    return sorted(phrases)


def test_the_english_phrases_are_the_ones_a_page_prints() -> None:
    phrases = english_phrases()
    assert "Key points" in phrases and "Where these ideas come from" in phrases
    assert "Call or text 988, the Suicide & Crisis Lifeline" in phrases
    assert len(phrases) > 60
    assert set(SLOTS) <= set(yaml.safe_load((MESSAGES / "es.yaml").read_text("utf-8")))


def test_the_spanish_library_is_every_handout() -> None:
    english = load_handouts([builtin_root()], (), ["en"])
    assert {h.id for h in SPANISH} == {h.id for h in english}
    for item in SPANISH:
        assert item.handout.translation_of is not None
        assert item.handout.translation_of.language == "en"


def _text(pdf: Path) -> str:
    with pdfplumber.open(pdf) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.mark.parametrize("edition", ["", "-clinician"])
def test_no_english_message_is_left_on_a_spanish_page(built: dict[str, Path], edition: str) -> None:
    phrases = english_phrases()
    # A clinician's guide has one edition; a client handout has both.
    for item in SPANISH if not edition else CLIENT:
        text = _text(built[item.id + edition])
        left = [p for p in phrases if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
        assert left == [], (item.id + edition, left)


def test_the_page_furniture_is_spanish(built: dict[str, Path]) -> None:
    for item in SPANISH:
        text = _text(built[item.id])
        with pikepdf.open(built[item.id]) as pdf:
            count = len(pdf.pages)
            assert str(pdf.Root.Lang) == "es"
        assert f"Página 1 de {count}" in text, item.id
        assert "Revisado el 30 de noviembre de 2026" in " ".join(text.split()), item.id
        if item.handout.audience == "client":
            assert "Llame al 988 (marque 2: español)" in " ".join(text.split()), item.id


def test_the_bookmarks_are_the_spanish_headings(built: dict[str, Path]) -> None:
    for item in SPANISH:
        headings = {item.handout.title}
        headings |= {str(getattr(b, "title", "")) for _, b in walk(item.handout.blocks)}
        with pikepdf.open(built[item.id]) as pdf, pdf.open_outline() as outline:
            titles = [node.title for node in _nodes(outline.root)]
        assert titles, item.id
        assert set(titles) <= headings | {"De dónde vienen estas ideas", "Lo más importante"}, (
            item.id,
            set(titles) - headings,
        )


def _nodes(items: list[pikepdf.OutlineItem]) -> list[pikepdf.OutlineItem]:
    found = []
    for node in items:
        found.append(node)
        found.extend(_nodes(list(node.children)))
    return found


@pytest.mark.parametrize("profile", [[], ["--paper", "a4"], ["--large-print"]])
def test_the_spanish_library_passes_strict_with_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--strict", "--pdf", "--language", "es", *profile])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == f"No problems found in {len(SPANISH)} files."
    assert "error" not in result.output and "warning" not in result.output


@pytest.mark.parametrize("name", ["Begoña Muñoz Núñez", "José Ángel Ibáñez", "Inés Peña"])
def test_spanish_names_print_in_the_body_face(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main,
        ["build", "daily-check-in", "--language", "es", "--client-name", name, "--out", "out"],
    )
    assert result.exit_code == 0, result.output
    (pdf,) = (tmp_path / "out").rglob("*.pdf")
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        text = page.extract_text() or ""
        assert f"Preparado para {name}" in text
        accented = [c for c in page.chars if c["text"] in "ñÑáéíóúÁÉÍÓÚ"]
    assert accented and all("Atkinson" in c["fontname"] for c in accented)
    with pikepdf.open(pdf) as document:
        # The name is on the page only: not in the file's metadata.
        assert name not in str(document.docinfo) and name.encode() not in bytes(
            document.Root.Metadata.read_bytes() if "/Metadata" in document.Root else b""
        )
