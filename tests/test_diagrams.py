"""Diagrams drawn from YAML: five kinds, at the page's own type size, tagged as figures
with alt text read from their labels, in every print profile."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
import pytest
from coloraide import Color
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import Project, handout_text, invoke_in
from generator.diagram import Diagram
from generator.diagrams import alt_text, draw
from generator.drawing import INK, MARKED_TINT, TINT, DiagramTooTall, pen_for, tint
from generator.fonts import text_width
from generator.geometry import page_geometry
from generator.messages import Messages

SVG = "{http://www.w3.org/2000/svg}"

FIVE_BLOCKS = """\
  - type: paragraph
    text: "One way to picture this:"
  - type: diagram
    kind: zones
    zones:
      - label: Too much
        notes: [Racing heart, "On edge, hard to settle"]
      - label: Within the window
        notes: [Able to think and feel at the same time]
      - label: Too little
        notes: [Numb, Far away]
    caption: "One way to picture this: the window of tolerance."
  - type: diagram
    kind: cascade
    stages:
      - label: Alarm
        note: Your body notices danger
      - branches:
          - label: Fight
          - label: Flight
          - label: Freeze
      - label: Withdrawal
        note: A later layer of pulling away
  - type: diagram
    kind: ladder
    steps:
      - Look around and name three things you see
      - Listen for the nearest sound
      - Feel your feet on the floor
      - Hold something cool in your hand
  - type: diagram
    kind: loop
    steps: [Notice, Name it, Ask what you need, Offer it, Notice again]
  - type: diagram
    kind: paths
    start: Something upsetting happens
    highlight: 2
    paths:
      - label: Reacting
        steps: [The alarm takes over, You act on the first urge]
      - label: Responding
        steps: [You notice the alarm, You pause, You choose a next step]
    alt: Two paths from something upsetting. Reacting acts on the first urge; responding pauses first.
"""
FIVE = handout_text("Five pictures", "Each kind of diagram once.", FIVE_BLOCKS)
PROFILES = {"normal": (), "large-print": ("--large-print",), "ink-saver": ("--ink-saver",)}
BODY_SIZE = {"normal": 12.5, "large-print": 18.0, "ink-saver": 12.5}


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The five diagrams built once in each profile: profile → PDF."""
    root = tmp_path_factory.mktemp("t") / "clinic"
    project = Project(root)
    project.add("five.yaml", FIVE)
    built = {}
    for name, flags in PROFILES.items():
        code, output = invoke_in(root, "build", "five", "--strict", *flags)
        assert code == 0, output
        built[name] = Path(output.strip().splitlines()[0])
    return built


def figures(pdf_path: Path) -> list[str]:
    """The alt text of every Figure in the PDF's tag tree, in reading order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if str(node.get("/S", "")) == "/Figure":
            found.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary):
                walk(kid)

    with pikepdf.open(pdf_path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    return found


@pytest.mark.parametrize("profile", PROFILES)
def test_each_diagram_is_a_figure_whose_alt_text_reads_its_labels(
    five: dict[str, Path], profile: str
) -> None:
    alts = figures(five[profile])
    assert alts == [
        "A band of 3 zones, from top to bottom. Too much: Racing heart, On edge, hard to "
        "settle. Within the window: Able to think and feel at the same time. Too little: "
        "Numb, Far away.",
        "3 stages, each leading to the next. Alarm: Your body notices danger. Fight, Flight "
        "or Freeze. Withdrawal: A later layer of pulling away.",
        "A ladder of 4 steps, from the lowest to the highest. 1. Look around and name three "
        "things you see. 2. Listen for the nearest sound. 3. Feel your feet on the floor. "
        "4. Hold something cool in your hand.",
        "A loop of 5 steps, the last leading back to the first. 1. Notice. 2. Name it. "
        "3. Ask what you need. 4. Offer it. 5. Notice again.",
        # The author's own alt text replaces the one made from the labels.
        "Two paths from something upsetting. Reacting acts on the first urge; responding "
        "pauses first.",
    ]


@pytest.mark.parametrize("profile", PROFILES)
def test_diagram_words_are_selectable_text_in_the_body_face_at_body_size(
    five: dict[str, Path], profile: str
) -> None:
    with pdfplumber.open(five[profile]) as pdf:
        words = [
            w
            for page in pdf.pages
            for w in page.extract_words(extra_attrs=["fontname", "size", "non_stroking_color"])
        ]
    labels = {"Withdrawal", "Freeze", "Responding", "Racing", "cool", "Notice", "upsetting"}
    seen = {w["text"]: w for w in words if w["text"] in labels}
    assert set(seen) == labels
    for word in seen.values():
        assert "Atkinson-Hyperlegible" in word["fontname"], word
        assert word["size"] == pytest.approx(BODY_SIZE[profile], abs=0.05), word
        # The body's ink, as dark as the text around it.
        assert Color("srgb", list(word["non_stroking_color"])).contrast("white") >= 7, word


@pytest.mark.parametrize("flags", [(), ("--large-print",), ("--paper", "a4")])
def test_the_page_checks_pass_with_diagrams(five: dict[str, Path], flags: tuple[str, ...]) -> None:
    root = five["normal"].parents[2]
    code, output = invoke_in(root, "check", "five", "--pdf", "--json", *flags)
    assert code == 0, output
    rules = {finding["rule"] for finding in json.loads(output)["findings"]}
    # Size, contrast, fonts, tags, and how the pages break: none has a finding.
    assert not {rule for rule in rules if rule.startswith("pdf.")}, output


# --- drawing, measured -----------------------------------------------------------------

ACCENTS = ["#1f4e4a", "#000000", "#0000ee", "#8b0000", "#595959", "#6a1b9a"]


def diagram(**fields: Any) -> Diagram:
    return Diagram.model_validate({"type": "diagram", **fields})


ZONES = diagram(
    kind="zones",
    zones=[{"label": "Too much", "notes": ["Tense"]}, {"label": "Within"}, {"label": "Too little"}],
)
PATHS = diagram(
    kind="paths",
    highlight=1,
    paths=[{"label": "One", "steps": ["a"]}, {"label": "Two", "steps": ["b"]}],
)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize("accent", ACCENTS)
def test_the_ink_keeps_seven_to_one_on_every_fill(accent: str) -> None:
    # Any accent the config allows (4.5:1 on white or darker) gives fills pale enough.
    pen = pen_for(page_geometry("letter", large_print=False), accent, ink_saver=False, room=600)
    fills = {
        rect.get("fill")
        for svg in (draw(ZONES, pen), draw(PATHS, pen))
        for rect in parse(svg).iter(f"{SVG}rect")
    } - {"none"}
    assert len(fills) == 2  # the tint, and the stronger one of a marked part
    for fill in fills:
        assert Color(INK).contrast(fill, method="wcag21") >= 7, fill


def test_ink_saver_fills_nothing_and_marks_by_a_thicker_line() -> None:
    pen = pen_for(page_geometry("letter", large_print=False), "#1f4e4a", ink_saver=True, room=600)
    for shape in (ZONES, PATHS):
        rects = list(parse(draw(shape, pen)).iter(f"{SVG}rect"))
        assert {r.get("fill") for r in rects} == {"none"}
        widths = sorted({float(r.get("stroke-width", 0)) for r in rects})
        assert len(widths) == 2 and widths[1] >= 2 * widths[0]


def test_large_print_draws_larger_type_and_stacks_what_would_be_cramped() -> None:
    three = diagram(
        kind="paths",
        paths=[{"label": f"Path {n}", "steps": ["One step", "Another step"]} for n in range(3)],
    )
    normal = pen_for(
        page_geometry("letter", large_print=False), "#1f4e4a", ink_saver=False, room=600
    )
    large = pen_for(page_geometry("letter", large_print=True), "#1f4e4a", ink_saver=False, room=900)
    assert parse(draw(three, normal)).get("font-size") == "12.5"
    assert parse(draw(three, large)).get("font-size") == "18"

    def lefts(svg: str) -> set[float]:
        return {round(float(r.get("x", 0))) for r in parse(svg).iter(f"{SVG}rect")}

    # Three columns side by side in normal print; one after another in large print.
    assert len(lefts(draw(three, normal))) == 3
    assert len(lefts(draw(three, large))) == 1


def _texts(root: ET.Element) -> Iterator[tuple[float, float, float, str]]:
    """Each line of text: its left and right edge, its baseline, and its words."""
    for text in root.iter(f"{SVG}text"):
        words = text.text or ""
        bold = text.get("font-weight") == "700"
        width = text_width(words, bold=bold) * float(root.get("font-size", 0))
        x, y = float(text.get("x", 0)), float(text.get("y", 0))
        left = x - width / 2 if text.get("text-anchor") == "middle" else x
        yield left, left + width, y, words


def _rects(root: ET.Element) -> list[tuple[float, float, float, float]]:
    return [
        tuple(float(r.get(k, 0)) for k in ("x", "y", "width", "height"))  # type: ignore[misc]
        for r in root.iter(f"{SVG}rect")
    ]


label = (
    st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzWMÉ  "), min_size=1, max_size=60)
    .map(str.strip)
    .filter(bool)
)
note = (
    st.text(alphabet=st.sampled_from("abcdefgmwW  ,"), min_size=1, max_size=100)
    .map(str.strip)
    .filter(bool)
)


@st.composite
def diagrams(draw_: st.DrawFn) -> Diagram:
    kind = draw_(st.sampled_from(["zones", "cascade", "ladder", "loop", "paths"]))
    if kind == "zones":
        zones = draw_(
            st.lists(
                st.builds(
                    lambda said, n: {"label": said, "notes": n}, label, st.lists(note, max_size=4)
                ),
                min_size=2,
                max_size=5,
            )
        )
        return diagram(kind=kind, zones=zones)
    if kind == "cascade":
        box = st.builds(lambda said, n: {"label": said, "note": n}, label, st.none() | note)
        stage = box | st.builds(lambda b: {"branches": b}, st.lists(box, min_size=2, max_size=4))
        return diagram(kind=kind, stages=draw_(st.lists(stage, min_size=2, max_size=6)))
    if kind in ("ladder", "loop"):
        most = 8 if kind == "ladder" else 6
        return diagram(kind=kind, steps=draw_(st.lists(label, min_size=3, max_size=most)))
    path = st.builds(
        lambda said, s: {"label": said, "steps": s}, label, st.lists(note, min_size=1, max_size=6)
    )
    return diagram(
        kind=kind,
        start=draw_(st.none() | label),
        paths=draw_(st.lists(path, min_size=2, max_size=3)),
    )


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=diagrams(), large=st.booleans(), a4=st.booleans())
def test_every_word_stays_inside_its_box_and_no_boxes_collide(
    shape: Diagram, large: bool, a4: bool
) -> None:
    page = page_geometry("a4" if a4 else "letter", large_print=large)
    pen = pen_for(page, "#1f4e4a", ink_saver=False, room=10_000)
    root = parse(draw(shape, pen))
    width = float(root.get("viewBox", "0 0 0 0").split()[2])
    assert width <= page.text_width + 0.01
    rects = _rects(root)
    for x, _, w, _ in rects:
        assert x >= -0.01 and x + w <= width + 0.01
    for left, right, baseline, words in _texts(root):
        # Inside the box it sits in, with the box's padding kept on either side.
        home = [r for r in rects if r[0] <= left <= r[0] + r[2] and r[1] <= baseline <= r[1] + r[3]]
        assert home, words
        x, _, w, _ = min(home, key=lambda r: r[2] * r[3])
        padding = 0.5 * 0.6 * float(root.get("font-size", 0))
        assert left >= x + padding and right <= x + w - padding, (words, left, right, x, x + w)
    if shape.kind != "ladder":  # a ladder's steps share their edges, as stairs do
        for i, a in enumerate(rects):
            for b in rects[i + 1 :]:
                apart = (
                    a[0] + a[2] <= b[0] + 0.01
                    or b[0] + b[2] <= a[0] + 0.01
                    or a[1] + a[3] <= b[1] + 0.01
                    or b[1] + b[3] <= a[1] + 0.01
                )
                assert apart, (a, b)


def test_labels_are_text_never_markup() -> None:
    hostile = '<b onclick="x">&amp; "quoted" ]]></b>'
    shape = diagram(kind="loop", steps=[hostile, "**Bold** and *leaning*", "plain"])
    pen = pen_for(page_geometry("letter", large_print=False), "#1f4e4a", ink_saver=False, room=600)
    root = parse(draw(shape, pen))
    lines = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    # One element per line of words, and nothing else: no element came from a label.
    assert {e.tag for e in root.iter()} == {
        f"{SVG}{t}" for t in ("svg", "rect", "text", "path", "polygon")
    }
    assert '<b onclick="x">' in lines and '"quoted" ]]></b>' in lines
    # A character XML can't hold is refused before drawing, as no font has it.
    with pytest.raises(ValueError, match="that the handout's font does not have"):
        diagram(kind="loop", steps=["a \ufffe", "b", "c"])
    # Inline Markdown is reduced to its words, as the text is elsewhere.
    assert "Bold and leaning" in lines and "**" not in lines


def test_a_diagram_too_tall_for_the_page_is_refused_not_drawn() -> None:
    long = "a long note that goes on and on to fill the whole of its box with words to read"
    shape = diagram(
        kind="paths",
        paths=[{"label": f"Path {n}", "steps": [long] * 6} for n in range(3)],
    )
    pen = pen_for(page_geometry("letter", large_print=True), "#1f4e4a", ink_saver=False, room=600)
    with pytest.raises(DiagramTooTall):
        draw(shape, pen)


def test_alt_text_words_come_from_the_template_messages() -> None:
    messages = Messages.model_construct(
        diagram_zones="Una banda de {count} zonas, de arriba abajo.", diagram_or="o"
    )
    assert alt_text(ZONES, messages) == (
        "Una banda de 3 zonas, de arriba abajo. Too much: Tense. Within. Too little."
    )


# --- what an author can get wrong --------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "says"),
    [
        ("{type: diagram, kind: zones}", "a `zones` diagram needs 2 to 5 `zones`; it has 0"),
        (
            "{type: diagram, kind: zones, zones: [{label: A}, {label: B}], steps: [x]}",
            "`steps` is for a `ladder` or `loop` diagram, not a `zones` one",
        ),
        (
            "{type: diagram, kind: ladder, steps: [a, b]}",
            "a `ladder` diagram needs 3 to 8 `steps`; it has 2",
        ),
        (
            "{type: diagram, kind: cascade, stages: [{label: A, branches: [{label: B}, "
            "{label: C}]}, {label: D}]}",
            "give a stage a `label` (and a `note`), or `branches`, not both",
        ),
        (
            "{type: diagram, kind: cascade, stages: [{branches: [{label: B}]}, {label: D}]}",
            "a stage branches into two to four `branches`",
        ),
        (
            "{type: diagram, kind: zones, highlight: 4, zones: [{label: A}, {label: B}, "
            "{label: C}]}",
            "`highlight` is 4, but there are 3 `zones`",
        ),
        ("{type: diagram, kind: pyramid, steps: [a, b, c]}", "kind"),
        (
            "{type: diagram, kind: loop, steps: [a, b, " + "x" * 61 + "]}",
            "a label in a diagram holds at most 60",
        ),
    ],
    ids=[
        "no zones",
        "wrong field",
        "too few",
        "label and branches",
        "one branch",
        "highlight",
        "unknown kind",
        "long label",
    ],
)
def test_a_wrong_diagram_is_refused_at_its_line(
    project: Project, cli: Any, block: str, says: str
) -> None:
    project.add("h.yaml", handout_text("Pictures", "A picture.", f"  - {block}\n"))
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/handouts/en/h.yaml:11:"), result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert project.output_files() == {}


def test_a_diagram_too_tall_in_large_print_names_its_block(project: Project, cli: Any) -> None:
    long = "a long note that goes on and on to fill the whole of its box with words to read"
    paths = "".join(
        f"      - label: Path {n}\n        steps: [{', '.join([long] * 6)}]\n" for n in range(3)
    )
    project.add(
        "h.yaml",
        handout_text(
            "Pictures",
            "A picture.",
            "  - type: paragraph\n    text: Before it.\n"
            f"  - type: diagram\n    kind: paths\n    paths:\n{paths}",
        ),
    )
    result = cli("build", "h", "--large-print")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/handouts/en/h.yaml:13:5: blocks[1]: this diagram"), (
        result.stderr
    )
    assert "tall in large print" in result.stderr and "fewer parts" in result.stderr
    assert project.output_files() == {}


def test_a_diagram_stays_out_of_columns(project: Project, cli: Any) -> None:
    text = handout_text(
        "Columns",
        "What goes in a column.",
        "  - type: columns\n    columns:\n      - blocks:\n          - {type: paragraph, text: One.}\n"
        "      - blocks:\n          - {type: diagram, kind: loop, steps: [a, b, c]}\n",
    )
    project.add("h.yaml", text)
    result = cli("build", "h")
    assert result.exit_code == 1
    assert "columns[1].blocks[0] is a `diagram`, which can't go in a column" in result.stderr


def test_a_lead_in_keeps_to_the_page_of_its_diagram(
    project: Project, cli: Any, laid_out: list[tuple[str, str]]
) -> None:
    project.add("five.yaml", FIVE)
    assert cli("build", "five").exit_code == 0
    html = laid_out[0][0]
    assert re.search(r'<p class="lead-in"[^>]*>One way to picture this:</p>\s*<figure', html)


def test_the_schema_offers_the_diagram_kinds(cli: Any) -> None:
    schema = json.loads(cli("schema", "handout").output)
    found = json.dumps(schema)
    for kind in ("zones", "cascade", "ladder", "loop", "paths"):
        assert f'"{kind}"' in found
    assert "Diagram" in schema.get("$defs", {})


def test_an_alt_text_that_says_nothing_is_a_finding(project: Project, cli: Any) -> None:
    block = "{type: diagram, kind: loop, alt: A diagram, steps: [Notice, Name it, Offer it]}"
    project.add("h.yaml", handout_text("Pictures", "A picture.", f"  - {block}\n"))
    result = cli("check", "h", "--json")
    found = [f for f in json.loads(result.output)["findings"] if f["rule"] == "structure.image-alt"]
    assert [(f["line"], f["column"]) for f in found] == [(11, 38)]
    assert "leave `alt` out" in found[0]["suggestion"]


def test_a_numbered_label_keeps_its_number() -> None:
    # Labels are one paragraph, read as inline Markdown only: "1." is not a list.
    shape = diagram(kind="loop", steps=["1. Notice", "2. Name", "3. Choose"])
    pen = pen_for(page_geometry("letter", large_print=False), "#1f4e4a", ink_saver=False, room=600)
    texts = [t.text for t in parse(draw(shape, pen)).iter(f"{SVG}text")]
    assert texts == ["1. Notice", "2. Name", "3. Choose"]


@pytest.mark.parametrize(
    ("label", "named"),
    [
        ("\u0644\u0627\u062d\u0638 \u0645\u0627 \u064a\u062d\u062f\u062b", "arabic letter lam"),
        ("\u05e9\u05dc\u05d5\u05dd", "hebrew letter shin"),
        ("\u0928\u092e\u0938\u094d\u0924\u0947", "devanagari sign virama"),
        ("\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35", "thai character mai han-akat"),
    ],
    ids=["arabic", "hebrew", "devanagari", "thai"],
)
def test_a_script_a_diagram_cannot_draw_is_refused_at_its_label(
    project: Project, cli: Any, label: str, named: str
) -> None:
    # WeasyPrint draws an SVG's text a letter at a time: joined, combined or
    # right-to-left letters would print broken, so they are refused, not drawn.
    block = f'{{type: diagram, kind: loop, steps: ["{label}", Name it, Offer it]}}'
    project.add("h.yaml", handout_text("Pictures", "A picture.", f"  - {block}\n"))
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/handouts/en/h.yaml:11:41: blocks[0].steps[0]: has ")
    assert named in result.stderr and "steps, a list or a table" in result.stderr
    assert project.output_files() == {}


def test_accents_typed_as_combining_marks_are_composed() -> None:
    shape = diagram(
        kind="loop", steps=["Cafe\u0301 time", "Nin\u0303o, Zoe\u0308, A\u030angstro\u0308m", "c"]
    )
    pen = pen_for(page_geometry("letter", large_print=False), "#1f4e4a", ink_saver=False, room=600)
    texts = [t.text for t in parse(draw(shape, pen)).iter(f"{SVG}text")]
    assert texts[:2] == ["Caf\u00e9 time", "Ni\u00f1o, Zo\u00eb, \u00c5ngstr\u00f6m"]


@settings(max_examples=3000, deadline=None)
@example(0x2D0000, 0.35)  # 181.5 over 255 by dividing, just under it by coloraide's 1/255
@given(
    st.integers(min_value=0, max_value=0xFFFFFF),
    st.floats(min_value=0, max_value=1, allow_nan=False) | st.sampled_from([TINT, MARKED_TINT]),
)
def test_a_tint_is_what_coloraide_mixes(rgb: int, share: float) -> None:
    # Drawn without importing coloraide (a twentieth of a second at every start):
    # the same hex for every colour and share, both cases of hex digits.
    for colour in (f"#{rgb:06x}", f"#{rgb:06X}"):
        expected = Color(colour).mix("white", 1 - share, space="srgb").to_string(hex=True)
        assert tint(colour, share) == expected


def test_every_channel_value_is_tinted_as_coloraide_tints_it() -> None:
    # Channels are tinted one by one, so the greys hold every value a channel can have;
    # the shares are every hundredth and the two the diagrams use.
    shares = [k / 100 for k in range(101)] + [TINT, MARKED_TINT]
    for value in range(256):
        grey = "#" + f"{value:02x}" * 3
        for share in shares:
            expected = Color(grey).mix("white", 1 - share, space="srgb").to_string(hex=True)
            assert tint(grey, share) == expected, (grey, share)


def test_a_colour_that_is_not_hex_is_tinted_by_coloraide() -> None:
    assert tint("teal", 0.5) == Color("teal").mix("white", 0.5, space="srgb").to_string(hex=True)
    assert tint("#1f4e4a", 0.15) == "#dde4e4"


@pytest.mark.parametrize(
    ("label", "named"),
    [
        ("Smile \U0001f600 \u263a \u2713", "emoji or symbols"),
        ("\u4e2d\u6587\u5b57", "Chinese, Japanese or Korean characters"),
        ("\u041f\u0440\u0438\u0432\u0435\u0442", "Cyrillic script"),
    ],
    ids=["emoji", "cjk", "cyrillic"],
)
def test_a_label_the_body_font_cannot_set_is_refused_at_its_label(
    project: Project, cli: Any, label: str, named: str
) -> None:
    """A red team's: an emoji in a diagram was drawn in this computer's font with no word
    (even under --strict), and Chinese as empty boxes with the engine's warning alone."""
    block = f'{{type: diagram, kind: loop, steps: ["{label}", Name it, Offer it]}}'
    project.add("h.yaml", handout_text("Pictures", "A picture.", f"  - {block}\n"))
    result = cli("build", "h", "--strict")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/handouts/en/h.yaml:11:41: blocks[0].steps[0]: has ")
    assert named in result.stderr and "Write the label in words" in result.stderr
    assert project.output_files() == {}
