"""A project's theme: its own stylesheet after the built-in one, and its own margins.

The README's two examples ("Changing the look") are built and measured; a
stylesheet that would reach outside the project, or move what the page
geometry places, is refused with a message naming its file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pdfplumber
import pytest
from click.testing import Result

from conftest import MINIMAL, Project, tiny_png
from generator.geometry import POINTS_PER_INCH, MarginChoice, page_geometry
from generator.options import RenderOptions

#: The README's first example: a different heading colour.
HEADING_COLOUR = "h1, h2 { color: #8b1a1a; }\n"
#: ...and its second: wider margins, in handouts.yaml.
WIDER_MARGINS = "theme:\n  css: assets/extra.css\n  margins:\n    top: 1.2in\n    sides: 3.5cm\n"
WIDER = MarginChoice(top=1.2, sides=3.5 / 2.54)
HANDOUT = MINIMAL + "  - type: section\n    title: Try it\n"


def themed(project: Project, css: str, config: str = "theme:\n  css: assets/extra.css\n") -> None:
    project.add("breath.yaml", HANDOUT)
    (project.root / "assets").mkdir(exist_ok=True)
    (project.root / "assets" / "extra.css").write_text(css, encoding="utf-8")
    (project.root / "handouts.yaml").write_text(config, encoding="utf-8")


def built(cli: Callable[..., Result], *args: str) -> Path:
    result = cli("build", "breath", "--strict", *args)
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[0])


def refused(cli: Callable[..., Result], project: Project) -> list[str]:
    result = cli("build", "breath")
    assert result.exit_code == 1
    assert not (project.root / "output").exists()
    return result.output.splitlines()


@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large"])
def test_the_readme_examples(
    project: Project, cli: Callable[..., Result], large_print: bool
) -> None:
    themed(project, HEADING_COLOUR, WIDER_MARGINS)
    path = built(cli, *(["--large-print"] if large_print else []))
    page = RenderOptions(large_print=large_print, paper="letter", margins=WIDER).geometry
    # 3.5 cm is wider than large print's own inch, so both profiles use it.
    assert page.margins.sides == pytest.approx(3.5 / 2.54)
    left = page.margins.sides * POINTS_PER_INCH
    with pdfplumber.open(path) as pdf:
        (plumbed,) = pdf.pages
        width, height = float(plumbed.width), float(plumbed.height)
        body = [c for c in plumbed.chars if c["size"] > page.footer.size + 0.1]
        footer = [c for c in plumbed.chars if abs(c["size"] - page.footer.size) < 0.1]
        headings = {c["text"] for c in body if c["size"] >= page.h2 - 0.1}
        colours = {c["non_stroking_color"] for c in body if c["size"] >= page.h2 - 0.1}
        (number,) = plumbed.search(r"Page 1 of 1")
    assert headings >= set("Noticing your breath Try it".replace(" ", ""))
    # #8b1a1a, as the PDF writes it (without the theme: #111 and the accent #1f4e4a).
    assert colours == {(0.545098, 0.101961, 0.101961)}
    # The body moved in to the margins...
    assert min(c["x0"] for c in body) == pytest.approx(left, abs=1.0)
    assert min(c["top"] for c in body) >= 1.2 * POINTS_PER_INCH
    # ...and the footer and the number still fit, where the geometry puts them.
    assert min(c["x0"] for c in footer) == pytest.approx(left, abs=1.0)
    assert max(c["x1"] for c in [*footer, number]) <= width - left + 0.5
    assert max(c["bottom"] for c in body) < min(c["top"] for c in footer)
    assert number["x1"] == pytest.approx(width - left, abs=0.5)
    line_bottom = height - page.footer.lift * POINTS_PER_INCH
    assert line_bottom - page.footer.size * page.footer.number_leading <= number["bottom"]
    assert number["bottom"] <= line_bottom


def test_large_print_keeps_its_own_inch() -> None:
    narrow = MarginChoice(top=0.5, sides=0.6)
    assert page_geometry("letter", large_print=False, margins=narrow).margins.sides == 0.6
    large = page_geometry("a4", large_print=True, margins=narrow)
    assert (large.margins.top, large.margins.sides, large.paper.css) == (1.0, 1.0, "A4")


def test_a_theme_reaches_nothing_outside_the_project(
    project: Project, cli: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "outside.png").write_bytes(b"not for handouts")
    themed(
        project,
        "body { background-image: url(file:///etc/passwd); }\n"
        "h1 { background-image: url(http://example.org/x.png); }\n"
        "h2 { background-image: url(../../outside.png); }\n",
    )
    lines = refused(cli, project)
    policy = "handouts may only use files in the project's content, assets and templates folders"
    blocked = [
        "file:///etc/passwd",
        "http://example.org/x.png",
        (tmp_path / "outside.png").as_uri(),
    ]
    # Each at the stylesheet's line that asks for it, not at the handout.
    assert lines[:-1] == [
        f"assets/extra.css:{line}: blocked a file or address outside the project: {url}; {policy}"
        for line, url in enumerate(blocked, start=1)
    ]
    assert lines[-1] == "3 problems in 1 file; nothing was written."


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        (
            '@import url("file:///etc/passwd");\n@import "http://example.org/a.css";\n'
            '@import "../../outside.css";\n',
            [
                f"assets/extra.css:{line}:1: @import is not followed: a theme is one "
                "stylesheet; copy the rules you need into it"
                for line in (1, 2, 3)
            ],
        ),
        (
            "@page { margin-left: 2in; }\n@media print { @page :first { size: A5; } }\n",
            [
                "assets/extra.css:1:9: sets `margin-left` in @page; set the margins in "
                "handouts.yaml instead (theme: margins: top and sides), so that the footer "
                "and the page numbers move with them",
                "assets/extra.css:2:31: sets `size` in @page; set the margins in "
                "handouts.yaml instead (theme: margins: top and sides), so that the footer "
                "and the page numbers move with them",
            ],
        ),
        (
            ".page-footer { color: #333; font-size: 12pt; }\n",
            [
                "assets/extra.css:1:29: sets the footer's `font-size`; the footer's type and "
                "spacing are the page geometry's, which sizes the bottom margin to fit it: "
                "change its colour or weight only",
            ],
        ),
    ],
    ids=["import", "page-margins", "footer-type"],
)
def test_a_theme_may_not_import_or_move_the_geometry(
    project: Project, cli: Callable[..., Result], css: str, expected: list[str]
) -> None:
    themed(project, css)
    lines = refused(cli, project)
    assert lines[:-1] == expected
    count = f"{len(expected)} problem{'s' if len(expected) > 1 else ''}"
    assert lines[-1] == f"{count} in 1 file; nothing was written."


@pytest.mark.parametrize(
    ("css", "where", "words"),
    [
        ("footer { display: none }", "1:10", "sets the footer's `display`"),
        ("footer p { font-size: 30pt }", "1:12", "sets the footer's `font-size`"),
        ("footer>p{font-size:30pt}", "1:10", "sets the footer's `font-size`"),
        (".crisis { visibility: hidden }", "1:11", "sets the footer's `visibility`"),
        ("div.page-footer > .care { position: absolute }", "1:27", "sets the footer's `position`"),
        ("p { visibility: hidden }", "1:5", "`visibility: hidden` for every element of a kind"),
        ("h2, * { opacity: 0 }", "1:9", "`opacity: 0` for every element of a kind"),
        ("@media print { footer { height: 0 } }", "1:25", "sets the footer's `height`"),
    ],
)
def test_a_theme_may_not_hide_or_move_the_footer_and_its_crisis_line(
    project: Project, cli: Callable[..., Result], css: str, where: str, words: str
) -> None:
    """The README: every page of a client handout carries the crisis line."""
    themed(project, css)
    lines = refused(cli, project)
    assert lines[0].startswith(f"assets/extra.css:{where}: {words}")


@pytest.mark.parametrize(
    ("css", "said"),
    [
        # From a red team: each hid the crisis line with a build that said nothing.
        (".crisis, .care { background: #000; color: #000 }", "is #000000 on #000000"),
        (".crisis { color: transparent }", "is #ffffff on #ffffff"),
        ("html body footer.page-footer p.crisis, footer * { color: white !important }", "#ffffff"),
        (".crisis { text-decoration: line-through; text-decoration-thickness: 1.2em }", "struck"),
        # Not only a rule for the footer: the page it is drawn on, or a faint colour.
        ("html { background: #000 }", "on #000000"),
        ("body { background: #1a1a1a; color: #fff }", "on #1a1a1a"),
        ("@page { background: navy }", "on #000080"),
        (".page-footer { color: rgba(0, 0, 0, 0.2) }", "a contrast of"),
        (".crisis { color: #bbb }", "a contrast of 1.9"),
        ("footer > p.crisis:not(.x) { color: #eee }", "a contrast of"),
        (".page-footer { background-image: url(pattern.png) }", "drawn over a picture"),
    ],
)
def test_a_footer_a_theme_makes_unreadable_is_refused_whatever_the_rule(
    project: Project, cli: Callable[..., Result], css: str, said: str
) -> None:
    """What the layout made of the styles is judged, not how a rule is written."""
    themed(project, css)
    (project.root / "assets" / "pattern.png").write_bytes(tiny_png())
    lines = refused(cli, project)
    footer = [line for line in lines if "the footer's" in line]
    assert footer and all(line.startswith("content/handouts/en/breath.yaml: ") for line in footer)
    assert any(said in line for line in footer), lines
    assert "crisis line, must be easy to read" in footer[0]


def test_the_contrast_is_wcags_as_coloraide_reckons_it() -> None:
    from coloraide import Color

    from generator.legibility import contrast

    for first, second in [
        ("#000", "#fff"),
        ("#444", "#fff"),
        ("#1f4e4a", "#fff"),
        ("#767676", "#fff"),
        ("#ff0000", "#00ff00"),
        ("#0a0a0a", "#111"),
        ("navy", "#777"),
    ]:
        ours = contrast(
            (*Color(first).convert("srgb").coords(), 1.0),  # type: ignore[arg-type]
            (*Color(second).convert("srgb").coords(), 1.0),  # type: ignore[arg-type]
        )
        theirs = Color(first).contrast(second, method="wcag21")
        # coloraide weighs the channels by its sRGB-to-XYZ matrix (0.21264…), we by
        # WCAG's rounded ones (0.2126…): ratios differ by under a twentieth of a percent.
        assert ours == pytest.approx(theirs, rel=5e-4), (first, second)


@pytest.mark.parametrize(
    "css",
    [
        ".callout { display: none }",
        ".footer-notes-box { display: none }",
        "h2 { color: #1a3a5c }",
        ".page-footer { color: #222; font-weight: 700 }",
        ".crisis { color: #1f4e4a; text-decoration: underline }",
        ".page-footer { background: #fffbe6 }",
    ],
)
def test_a_theme_may_hide_its_own_things_and_colour_the_footer(
    project: Project, cli: Callable[..., Result], css: str
) -> None:
    themed(project, css)
    built(cli)


@pytest.mark.parametrize(
    "css",
    [
        "@media print {" * 400 + "h1{color:red}" + "}" * 400,
        "h1" + ":not(" * 1000 + "p" + ")" * 1000 + "{color:red}",
    ],
    ids=["media", "brackets"],
)
def test_a_theme_nested_too_deeply_is_refused_not_a_traceback(
    project: Project, cli: Callable[..., Result], css: str
) -> None:
    themed(project, css)
    lines = refused(cli, project)
    assert "nested" in lines[0] and lines[0].startswith("assets/extra.css:1:")
    assert not any("Traceback" in line for line in lines)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ("assets/missing.css", "there is no file `assets/missing.css`; check the name and folder"),
        (
            "assets/extra.txt",
            "`assets/extra.txt` is not a stylesheet; a theme is a file ending in .css",
        ),
        (
            "https://example.org/theme.css",
            "must be a path to a .css file in the project, not a web address",
        ),
        ("/etc/theme.css", "must be a path relative to the project's folder, not an absolute path"),
        (
            "../outside.css",
            "`../outside.css` is outside the project's content, assets and templates "
            "folders; move it into one of them",
        ),
        (
            "assets/big.css",
            "`assets/big.css`: the file is 300 KB; the limit is 256 KB; a theme adds a few "
            "rules to the built-in style",
        ),
    ],
    ids=["missing", "not-css", "web", "absolute", "outside", "too-big"],
)
def test_a_theme_file_that_cant_be_used_is_named_in_the_config(
    project: Project, cli: Callable[..., Result], config: str, expected: str
) -> None:
    themed(project, "h1 { color: #8b1a1a; }\n", f"theme:\n  css: {config}\n")
    (project.root / "assets" / "extra.txt").write_text("h1 {}", encoding="utf-8")
    (project.root / "assets" / "big.css").write_text("/*" + "x" * 300 * 1024 + "*/")
    (project.root.parent / "outside.css").write_text("h1 {}", encoding="utf-8")
    assert refused(cli, project) == [
        f"handouts.yaml:2:8: theme.css: {expected}",
        "1 problem in 1 file; nothing was written.",
    ]


@pytest.mark.parametrize(
    ("margin", "expected"),
    [
        ("5in", "`5in` is outside the margins this tool lays out: 0.4in to 2.0in"),
        ("1", "write the margin with its unit, like 1in, 2.5cm or 25mm"),
        ("wide", "`wide` is not a length; write it with a unit, like 1in, 2.5cm, 25mm or 72pt"),
    ],
)
def test_margins_are_lengths_within_reason(
    project: Project, cli: Callable[..., Result], margin: str, expected: str
) -> None:
    project.add("breath.yaml", HANDOUT)
    (project.root / "handouts.yaml").write_text(
        f"theme:\n  margins:\n    sides: {margin}\n", encoding="utf-8"
    )
    assert refused(cli, project) == [
        f"handouts.yaml:3:12: theme.margins.sides: {expected}",
        "1 problem in 1 file; nothing was written.",
    ]


def test_a_theme_linked_from_outside_is_refused(
    project: Project, cli: Callable[..., Result], tmp_path: Path
) -> None:
    themed(project, "")
    outside = tmp_path / "elsewhere.css"
    outside.write_text("h1 { color: #8b1a1a; }\n", encoding="utf-8")
    (project.root / "assets" / "extra.css").unlink()
    (project.root / "assets" / "extra.css").symlink_to(outside)
    assert refused(cli, project) == [
        "handouts.yaml:2:8: theme.css: `assets/extra.css` is a link to a file outside the "
        "project; copy the file into the project instead of linking to it",
        "1 problem in 1 file; nothing was written.",
    ]


@pytest.mark.parametrize(
    ("css", "at", "said"),
    [
        ("h1 { color: #000 }\n\nh2 { background: url(} }\n", "3:6", "Ignored `background: url("),
        ("h1 { color: #000 }\nh2 {\n  colour: red;\n}\n", "3:3", "Ignored `colour: red`"),
        ("p { font-size: big }\n", "1:5", "Ignored `font-size: big"),
    ],
    ids=["bad-url", "unknown-property", "bad-value"],
)
def test_a_theme_the_layout_skips_part_of_is_named_at_its_line_once(
    project: Project, cli: Callable[..., Result], css: str, at: str, said: str
) -> None:
    """Not at each handout's file (the built-in ones too), which is all it once said."""
    themed(project, css)
    project.add("second.yaml", HANDOUT)
    result = cli("build", "breath", "second")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warned) == 1, result.stderr
    assert warned[0].startswith(f"assets/extra.css:{at}: warning: {said}"), warned
    assert warned[0].endswith("the layout skips it: fix it or take it out")
    strict = cli("build", "breath", "second", "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines() == [
        warned[0].replace("warning: ", "warning treated as an error (--strict): "),
        "1 problem in 1 file; nothing was written.",
    ]
