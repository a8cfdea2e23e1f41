"""PDF stage: tagged, titled, fonts embedded, the right paper, real text."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import MINIMAL, Project

# One worker runs this whole module, so its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("test_pdf")

LETTER = [0, 0, 612, 792]
A4 = [0, 0, 595, 842]


@pytest.fixture(scope="module")
def builtin_pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The built-in withdrawal handout, built once as Letter and as A4."""
    from click.testing import CliRunner

    from generator.cli import main

    out = tmp_path_factory.mktemp("out")
    runner = CliRunner()
    # Run from the tmp folder, so that the build cache goes there, not into the checkout.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(out)
        letter = runner.invoke(
            main,
            ["build", "withdrawal-response", "--language", "en", "--out", str(out), "--strict"],
        )
        a4 = runner.invoke(
            main,
            [
                "build",
                "withdrawal-response",
                "--language",
                "en",
                "--out",
                str(out),
                "--paper",
                "a4",
                "--strict",
            ],
        )
    assert letter.exit_code == 0, letter.output
    assert a4.exit_code == 0, a4.output
    return {
        "letter": Path(letter.stdout.strip()),
        "a4": Path(a4.stdout.strip()),
    }


def test_paper_sizes(builtin_pdfs: dict[str, Path]) -> None:
    for name, box in (("letter", LETTER), ("a4", A4)):
        with pikepdf.open(builtin_pdfs[name]) as pdf:
            sizes = {tuple(round(float(v)) for v in page.mediabox) for page in pdf.pages}
            assert sizes == {tuple(box)}


def test_tagged_with_language_and_title(builtin_pdfs: dict[str, Path]) -> None:
    with pikepdf.open(builtin_pdfs["letter"]) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo["/Title"]) == "The withdrawal response"
        assert str(pdf.docinfo["/Author"]) == "handouts"
        assert str(pdf.docinfo["/Subject"]).startswith("Why you might pull away")
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"


def test_body_font_is_embedded(builtin_pdfs: dict[str, Path]) -> None:
    with pikepdf.open(builtin_pdfs["letter"]) as pdf:
        fonts: dict[str, bool] = {}
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                name = str(descriptor.FontName).split("+", 1)[-1]
                fonts[name] = "/FontFile2" in descriptor or "/FontFile3" in descriptor
    # The handout's regular, bold and italic text, each font embedded.
    assert fonts == {
        "Atkinson-Hyperlegible": True,
        "Atkinson-Hyperlegible-Bold": True,
        "Atkinson-Hyperlegible-Italic": True,
    }


def test_bookmarks_follow_headings(builtin_pdfs: dict[str, Path]) -> None:
    with pikepdf.open(builtin_pdfs["letter"]) as pdf, pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
        assert top == ["The withdrawal response"]
        sections = [item.title for item in outline.root[0].children]
        assert "What may help" in sections
        assert "Key points" in sections


def test_text_is_extractable_with_footer(builtin_pdfs: dict[str, Path]) -> None:
    reader = PdfReader(builtin_pdfs["letter"])
    pages = [page.extract_text() for page in reader.pages]
    text = " ".join(" ".join(pages).split())
    assert "The withdrawal response" in text
    assert "A pulling away that the body does on its own" in text
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert f"Page {number} of {len(pages)}" in flat
        assert "Call or text 988" in flat
        assert "does not replace, care from a qualified professional" in flat
        assert "Version 1.2" in flat


def test_content_script_and_template_syntax_print_literally(project: Project, cli) -> None:
    text = MINIMAL.replace(
        "You might notice your breath for a moment.",
        "'Literal {{ 7*7 }} and <script>alert(1)</script> here.'",
    )
    project.add("h.yaml", text)
    result = cli("build", "h")
    assert result.exit_code == 0, result.output
    reader = PdfReader(project.root / "output" / "en" / "h.pdf")
    flat = " ".join(reader.pages[0].extract_text().split())
    assert "Literal {{ 7*7 }} and <script>alert(1)</script> here." in flat


def test_a_clinician_handout_has_no_client_footer(project: Project, cli) -> None:
    project.add("h.yaml", MINIMAL.replace("audience: client", "audience: clinician"))
    assert cli("build", "h").exit_code == 0
    flat = " ".join(PdfReader(project.root / "output/en/h.pdf").pages[0].extract_text().split())
    assert "Call or text 988" not in flat
    assert "Page 1 of 1" in flat


def test_pdf_is_written_whole(project: Project, cli) -> None:
    project.add("h.yaml")
    assert cli("build", "h").exit_code == 0
    data = (project.root / "output/en/h.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1
    leftovers = [p.name for p in (project.root / "output/en").iterdir() if p.name != "h.pdf"]
    assert leftovers == []
