"""Make docs/previews.png: the first page of a few built-in handouts, side by side,
and one in Spanish;
and docs/workshop-previews.png: the workshop packet's own pages (agenda,
knowledge check, facilitator script, evaluation and a certificate).

Run after changing templates or content: `python scripts/previews.py`.
Needs the docs extra (`pip install -e '.[docs]'`) for pypdfium2, which renders
PDF pages to images without any system tools.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import pypdfium2
from click.testing import CliRunner
from PIL import Image, ImageOps

from generator.cli import main

ROOT = Path(__file__).resolve().parents[1]
HANDOUTS = ("withdrawal-response", "reacting-and-responding", "daily-check-in")
#: A Spanish handout, shown after the English ones.
SPANISH = "withdrawal-response"
WIDTH = 340  # pixels per page in the strip
GAP = 24


WORKSHOP = "self-attunement-workshop"
#: The workshop's pages to show: (edition, the text the page opens with).
WORKSHOP_PAGES = (
    ("participant", "Agenda"),
    ("participant", "Knowledge check"),
    ("trainer", "Facilitator script"),
    ("participant", "Your feedback"),
    ("participant", "Certificate of attendance"),
)


def first_page(pdf: Path, opening: str | None = None) -> Image.Image:
    """The first page of a PDF (or the first that opens with `opening`) as an
    image WIDTH pixels wide, with a thin border."""
    document = pypdfium2.PdfDocument(pdf)
    index = 0
    if opening is not None:
        index = next(
            i
            for i in range(len(document))
            if document[i].get_textpage().get_text_range().lstrip().startswith(opening)
        )
    page = document[index]
    scale = WIDTH / page.get_width()
    image = page.render(scale=scale).to_pil().convert("RGB")
    document.close()
    return ImageOps.expand(image, border=1, fill=(150, 150, 150))


def workshop_pages(out: str) -> list[Image.Image] | None:
    """The workshop's own pages, from both editions; a made-up name on the certificate."""
    paths = {}
    for edition in ("participant", "trainer"):
        args = ["packet", WORKSHOP, "--edition", edition, "--out", out, "--strict"]
        if edition == "participant":
            args += ["--client-name", "Alex Rivera"]
        result = CliRunner().invoke(main, args)
        if result.exit_code != 0:
            sys.stderr.write(result.output)
            return None
        paths[edition] = Path(result.stdout.strip())
    return [first_page(paths[edition], opening) for edition, opening in WORKSHOP_PAGES]


def save_strip(pages: list[Image.Image], name: str) -> Path:
    """The pages side by side on white, saved in docs/."""
    height = max(p.height for p in pages)
    sheet = Image.new(
        "RGB",
        (sum(p.width for p in pages) + GAP * (len(pages) + 1), height + 2 * GAP),
        "white",
    )
    x = GAP
    for page in pages:
        sheet.paste(page, (x, GAP))
        x += page.width + GAP
    target = ROOT / "docs" / name
    sheet.save(target, optimize=True)
    return target


def main_script() -> int:
    with tempfile.TemporaryDirectory() as out:
        pages = []
        for ids, language in ((HANDOUTS, "en"), ((SPANISH,), "es")):
            args = ["build", *ids, "--language", language, "--out", out, "--strict"]
            result = CliRunner().invoke(main, args)
            if result.exit_code != 0:
                sys.stderr.write(result.output)
                return 1
            pages += [first_page(Path(line)) for line in result.stdout.splitlines()]
        workshop = workshop_pages(out)
        if workshop is None:
            return 1
    for strip, name in ((pages, "previews.png"), (workshop, "workshop-previews.png")):
        sys.stdout.write(f"{save_strip(strip, name)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_script())
