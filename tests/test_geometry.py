"""Page geometry: one value per print profile places the margins, the footer and the
page numbers. Built PDFs are measured against it for two margin settings: the
profiles' own, and wide ones patched into that one place."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from conftest import MINIMAL, invoke_in
from generator import geometry
from generator.config import find_project
from generator.content import load_handout
from generator.geometry import POINTS_PER_INCH, Margins, PageGeometry
from generator.options import RenderOptions
from generator.render import Renderer

# One worker runs this whole module, so its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("test_geometry")

#: A footer of many lines: the practice's details and a long note.
LONG_FOOTER = """\
practice:
  name: Riverside Counselling and Family Therapy
  clinician: Dr. Alex Morgan
  credentials: PsyD
  phone: "555-0100"
  website: https://riverside.example
  address: 12 River Street, Springfield
footer_note: Questions about this handout? Ask at your next session, or call the front desk.
"""
FOOTER_TEXTS = (
    "Riverside Counselling and Family Therapy",
    "12 River Street, Springfield",
    "call the front desk.",
)
TITLE = "Noticing your breath, slowly, in the middle of a long and busy day"
PARAGRAPH = (
    "  - type: paragraph\n"
    "    text: You might notice your breath for a moment, and how your shoulders feel "
    "when you breathe out. There is no right way to do this.\n"
)
#: Two pages at least, in every profile: numbers run "Page 1 of N" and on.
HANDOUT = MINIMAL.replace("Noticing your breath", TITLE) + PARAGRAPH * 14
PACKET = "title: A small packet\naudience: client\nlanguage: en\nsections:\n"
PACKET += "  - title: One\n    handouts: [breath]\n"

#: Margins clearly unlike either profile's own.
WIDE = Margins(top=1.4, sides=1.5)
SETTINGS = ("default", "wide")


@dataclass(frozen=True)
class Built:
    """One PDF, the geometry it was laid out with, and the handout's footer estimate."""

    path: Path
    page: PageGeometry
    #: The bottom margin (pt) the renderer sized for the handout's footer.
    footer_pt: float


@dataclass(frozen=True)
class Page:
    """One page as measured: its footer rule, footer text, page number and body."""

    width: float
    height: float
    #: The rule above the footer: left, right, top (None on a cover).
    rule: tuple[float, float, float] | None
    footer: list[dict[str, Any]]
    number: dict[str, Any] | None
    body: list[dict[str, Any]]


def measure(path: Path, page: PageGeometry) -> list[Page]:
    """Every page, its footer told from the body by the geometry's footer size."""
    found = []
    with pdfplumber.open(path) as pdf:
        for plumbed in pdf.pages:
            width, height = float(plumbed.width), float(plumbed.height)
            number = next(iter(plumbed.search(r"Page \d+ of \d+", regex=True)), None)
            small = [c for c in plumbed.chars if abs(c["size"] - page.footer.size) < 0.1]
            footer = [c for c in small if number is None or not _within(c, number)]
            body = [c for c in plumbed.chars if abs(c["size"] - page.footer.size) >= 0.1]
            # WeasyPrint draws the footer box's top border as the region
            # between two rectangles that reach the page's bottom edge.
            edges = [r for r in plumbed.rects if abs(r["bottom"] - height) < 0.5]
            rule = None
            if edges:
                top = min(edges, key=lambda r: r["top"])
                rule = (float(top["x0"]), float(top["x1"]), float(top["top"]))
            found.append(Page(width, height, rule, footer, number, body))
    return found


def _within(char: dict[str, Any], box: dict[str, Any]) -> bool:
    return (
        box["x0"] - 0.1 <= char["x0"]
        and char["x1"] <= box["x1"] + 0.1
        and abs(char["top"] - box["top"]) < 0.5
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, bool], Built]:
    """A handout and a packet, normal and large print, with each margin setting."""
    root = tmp_path_factory.mktemp("geometry") / "clinic"
    (root / "content" / "handouts" / "en").mkdir(parents=True)
    (root / "content" / "packets").mkdir()
    (root / "handouts.yaml").write_text(LONG_FOOTER, encoding="utf-8")
    handout = root / "content" / "handouts" / "en" / "breath.yaml"
    handout.write_text(HANDOUT, encoding="utf-8")
    (root / "content" / "packets" / "small.yaml").write_text(PACKET, encoding="utf-8")
    project = find_project(root)
    item = load_handout(handout, root)
    results = {}
    for setting in SETTINGS:
        with pytest.MonkeyPatch.context() as patch:
            if setting == "wide":
                # The one place margins are set: each print profile's value.
                for name in ("NORMAL", "LARGE_PRINT"):
                    profile = getattr(geometry, name)
                    patch.setattr(geometry, name, dataclasses.replace(profile, margins=WIDE))
            for large_print in (False, True):
                options = RenderOptions(large_print=large_print).resolved(project.config)
                context = Renderer(project).handout_context(item, options)
                flag = ["--large-print"] if large_print else []
                for what, args in (
                    ("handout", ["build", "breath"]),
                    ("packet", ["packet", "small"]),
                ):
                    out = root.parent / f"{setting}-{what}-{large_print}"
                    code, output = invoke_in(root, *args, *flag, "--strict", "--out", str(out))
                    assert code == 0, output
                    (path,) = out.rglob("*.pdf")
                    page = options.geometry
                    results[setting, what, large_print] = Built(
                        path, page, context["page_footer"].height
                    )
    return results


CASES = [(s, w, large) for s in SETTINGS for w in ("handout", "packet") for large in (False, True)]


def case_id(case: tuple[str, str, bool]) -> str:
    setting, what, large_print = case
    return f"{setting}-{what}-{'large' if large_print else 'normal'}"


@pytest.fixture(scope="module")
def measured(built: dict[Any, Built]) -> dict[Any, list[Page]]:
    return {case: measure(b.path, b.page) for case, b in built.items()}


@pytest.fixture(params=CASES, ids=case_id)
def case(
    request: pytest.FixtureRequest, built: dict[Any, Built], measured: dict[Any, list[Page]]
) -> tuple[tuple[str, str, bool], Built, list[Page]]:
    return request.param, built[request.param], measured[request.param]


def edges(page: PageGeometry, width: float) -> tuple[float, float]:
    """The text area's left and right edges (pt), from the geometry."""
    side = page.margins.sides * POINTS_PER_INCH
    return side, width - side


def test_the_geometry_is_the_one_asked_for(built: dict[Any, Built]) -> None:
    assert built["default", "handout", False].page.margins == Margins(top=0.8, sides=0.9)
    assert built["default", "handout", True].page.margins == Margins(top=1.0, sides=1.0)
    assert built["wide", "handout", False].page.margins == WIDE
    assert built["wide", "packet", True].page.margins == WIDE


def test_the_footer_rule_spans_the_text_width(case: Any) -> None:
    (_, what, _), built, pages = case
    footed = pages[1:] if what == "packet" else pages
    assert len(footed) >= 2
    if what == "packet":
        assert pages[0].rule is None, "a packet's cover has no footer"
    for page in footed:
        left, right = edges(built.page, page.width)
        assert page.rule is not None
        assert page.rule[0] == pytest.approx(left, abs=0.05)
        assert page.rule[1] == pytest.approx(right, abs=0.05)


def test_the_bottom_margin_is_the_estimated_footer_height(case: Any) -> None:
    (_, what, _), built, pages = case
    # A packet's handout pages have the handout's footer (its version line);
    # the contents and divider pages have the packet's.
    handout_pages = [p for p in pages if "Version 1.0" in "".join(c["text"] for c in p.footer)]
    others = 3 if what == "packet" else 0  # the cover, the contents, the divider
    assert len(handout_pages) == len(pages) - others >= 2
    for page in handout_pages:
        assert page.rule is not None
        # The margin holds the footer, and the room kept above its rule.
        clearance = built.page.footer.clearance
        assert page.rule[2] == pytest.approx(page.height - built.footer_pt + clearance, abs=0.05)


def test_the_footer_is_whole_on_the_page_below_the_body(case: Any) -> None:
    (_, what, _), built, pages = case
    lift = built.page.footer.lift * POINTS_PER_INCH
    for page in pages[1:] if what == "packet" else pages:
        assert page.rule is not None
        left, right = edges(built.page, page.width)
        text = "".join(c["text"] for c in page.footer)
        for detail in FOOTER_TEXTS:
            assert detail.replace(" ", "") in text.replace(" ", ""), (detail, text)
        for char in page.footer:
            assert left - 0.5 <= char["x0"] and char["x1"] <= right + 0.5, char["text"]
            assert char["top"] >= page.rule[2], char["text"]
            assert char["bottom"] <= page.height - lift + 0.5, char["text"]
        # Body text keeps its room above the rule (pagequality.FOOTER_GAP_PT).
        assert (
            max(c["bottom"] for c in page.body) <= page.rule[2] - built.page.footer.clearance + 0.05
        )


def test_page_numbers_are_where_the_geometry_puts_them(case: Any) -> None:
    (_, what, _), built, pages = case
    footer = built.page.footer
    for index, page in enumerate(pages):
        if what == "packet" and index == 0:
            assert page.number is None, "a packet's cover has no number"
            continue
        assert page.number is not None
        assert page.number["text"] == f"Page {index + 1} of {len(pages)}"
        _, right = edges(built.page, page.width)
        assert page.number["x1"] == pytest.approx(right, abs=0.5)
        # The number's line box ends `lift` above the page's bottom edge.
        line_bottom = page.height - footer.lift * POINTS_PER_INCH
        line_height = footer.size * footer.number_leading
        assert line_bottom - line_height <= page.number["bottom"] <= line_bottom
        # The footer's last line is beside it.
        assert max(c["bottom"] for c in page.footer) == pytest.approx(
            page.number["bottom"], abs=1.0
        )


def test_the_body_starts_at_the_margins(case: Any) -> None:
    (_, what, _), built, pages = case
    top = built.page.margins.top * POINTS_PER_INCH
    for page in pages[1:] if what == "packet" else pages:
        left, right = edges(built.page, page.width)
        assert min(c["x0"] for c in page.body) == pytest.approx(left, abs=1.0)
        assert max(c["x1"] for c in page.body) <= right + 0.5
        highest = min(c["top"] for c in page.body)
        assert highest >= top
        if what == "handout":  # (a packet's dividers start lower down)
            assert highest <= top + built.page.h1


def test_wide_margins_move_everything_by_the_same_amount(measured: dict[Any, list[Page]]) -> None:
    for large_print, own, own_top in ((False, 0.9, 0.8), (True, 1.0, 1.0)):
        shift = (WIDE.sides - own) * POINTS_PER_INCH
        default = measured["default", "handout", large_print][0]
        wide = measured["wide", "handout", large_print][0]
        assert default.rule is not None and wide.rule is not None
        assert wide.rule[0] - default.rule[0] == pytest.approx(shift, abs=0.05)
        assert wide.rule[1] - default.rule[1] == pytest.approx(-shift, abs=0.05)
        assert default.number is not None and wide.number is not None
        assert wide.number["x1"] - default.number["x1"] == pytest.approx(-shift, abs=0.5)
        assert wide.number["bottom"] == pytest.approx(default.number["bottom"], abs=0.05)
        first = min(c["top"] for c in wide.body) - min(c["top"] for c in default.body)
        assert first == pytest.approx((WIDE.top - own_top) * POINTS_PER_INCH, abs=0.05)
