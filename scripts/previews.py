"""Make docs/previews.png: the first page of a few built-in handouts, side by side.

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
WIDTH = 340  # pixels per page in the strip
GAP = 24


def first_page(pdf: Path) -> Image.Image:
    """The first page of a PDF as an image WIDTH pixels wide, with a thin border."""
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    scale = WIDTH / page.get_width()
    image = page.render(scale=scale).to_pil().convert("RGB")
    document.close()
    return ImageOps.expand(image, border=1, fill=(150, 150, 150))


def main_script() -> int:
    with tempfile.TemporaryDirectory() as out:
        result = CliRunner().invoke(main, ["build", *HANDOUTS, "--out", out, "--strict"])
        if result.exit_code != 0:
            sys.stderr.write(result.output)
            return 1
        pages = [first_page(Path(line)) for line in result.stdout.splitlines()]
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
    target = ROOT / "docs" / "previews.png"
    sheet.save(target, optimize=True)
    sys.stdout.write(f"{target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_script())
