"""Bounded work: files within the limits take time in proportion to their size, and
pictures, SVG drawings and layouts beyond what a page needs are refused with a
message that names the file, the limit and what to do.

Timings are compared, never taken alone: a file four times the size may take
at most eight times as long (four, give or take the machine's noise; work
that grows with the square of the size would take sixteen).
"""

from __future__ import annotations

import base64
import io
import re
import signal
import struct
import subprocess
import sys
import time
import uuid
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from conftest import MINIMAL, Project, tiny_png
from generator.content import load_handout, load_packets
from generator.errors import ProblemsError
from generator.images import bounded_decoding, check, explain
from generator.markup import inline, markup_depth
from generator.model import MAX_MARKUP_DEPTH
from generator.raster import MAX_PIXELS

# --- helpers --------------------------------------------------------------------


def problems(path: Path, root: Path) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        load_handout(path, root)
    return [str(p) for p in caught.value.problems]


def fastest(work: Callable[[], object], repeats: int = 3) -> float:
    """The shortest of a few timings of this process's own CPU time.

    Not the wall clock: on a machine busier than its cores (other test runs
    beside this one), a short run may fit in one time slice while a longer one
    waits for several, and its ratio grew to 16 for 4 times the work.
    """
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def nothing_written(project: Project) -> None:
    assert project.output_files() == {}
    assert not list(project.root.rglob("*.tmp"))
    assert not list(project.root.rglob("*.pdf"))


def grows_linearly(make: Callable[[int], str], project: Project, small: int) -> None:
    """Refusing a file 4x the size takes < 8x as long, and every problem is reported.

    The two sizes are timed in turn, several rounds, so that a busy moment of
    the machine (another test running beside this one) slows both alike.
    """
    paths = {}
    for size in (small, 4 * small):
        paths[size] = project.add(f"big{size}.yaml", make(size))
        found = problems(paths[size], project.root)  # also warms up the first run
        assert len(found) >= size - 1, found[:3]
    timings = {size: float("inf") for size in paths}
    for _ in range(4):
        for size, path in paths.items():
            timings[size] = min(
                timings[size], fastest(lambda path=path: problems(path, project.root), repeats=1)
            )
    ratio = timings[4 * small] / timings[small]
    assert ratio < 8, f"{small}: {timings[small]:.3f}s, {4 * small}: {timings[4 * small]:.3f}s"


def unique() -> str:
    """A word no earlier run used: caches of earlier runs must not help a timing."""
    return "k" + uuid.uuid4().hex[:8]


# --- validation takes time in proportion to the file ----------------------------


def duplicate_keys(count: int) -> str:
    return MINIMAL + "".join(f"title: Title {n}\n" for n in range(count))


def unknown_keys(count: int) -> str:
    word = unique()
    return MINIMAL + "".join(f"{word}{n}: value\n" for n in range(count))


def duplicate_keys_in_a_block(count: int) -> str:
    lines = "".join(f"    text: Text {n}\n" for n in range(count))
    return MINIMAL + "  - type: paragraph\n" + lines


def unknown_keys_in_a_block(count: int) -> str:
    word = unique()
    lines = "".join(f"    {word}{n}: x\n" for n in range(count))
    return MINIMAL + "  - type: paragraph\n    text: Hello.\n" + lines


def misspelled_keys(count: int) -> str:
    # Close to real field names, so each gets a "did you mean" suggestion.
    return MINIMAL + "".join(f"titl{unique()}{n}: x\n" for n in range(count))


def duplicate_keys_in_deep_mappings(count: int) -> str:
    inner = "".join(f"      a{n % 50}: {n}\n" for n in range(count))
    return MINIMAL + "  - type: paragraph\n    text: Hi.\n    extra:\n     deeper:\n" + inner


@pytest.mark.xdist_group("timing")  # compares timings: see pyproject.toml
@pytest.mark.parametrize(
    "make, small",
    [
        # Sizes where one run takes a few tenths of a second: shorter, and
        # the machine's noise would be most of what is measured.
        (duplicate_keys, 3000),
        (unknown_keys, 1000),
        (duplicate_keys_in_a_block, 3000),
        (unknown_keys_in_a_block, 600),
        (misspelled_keys, 1000),
    ],
)
def test_problems_take_time_in_proportion_to_their_number(
    project: Project, make: Callable[[int], str], small: int
) -> None:
    grows_linearly(make, project, small)


def test_each_duplicate_key_is_reported_where_it_is(project: Project) -> None:
    path = project.add("dups.yaml", duplicate_keys_in_a_block(3000))
    found = problems(path, project.root)
    assert len(found) == 2999
    assert found[0] == (
        "content/handouts/en/dups.yaml:15:5: blocks[1].text: duplicate key `text` "
        "(first at line 14); keep only one"
    )
    assert found[-1].startswith("content/handouts/en/dups.yaml:3013:5: blocks[1].text:")


def test_duplicate_keys_deep_inside_an_unknown_field(project: Project) -> None:
    path = project.add("deep.yaml", duplicate_keys_in_deep_mappings(2000))
    found = problems(path, project.root)
    assert sum("duplicate key" in p for p in found) == 1950
    assert found[1] == (
        "content/handouts/en/deep.yaml:67:7: blocks[1].extra.deeper.a0: duplicate key `a0` "
        "(first at line 17); keep only one"
    )


@pytest.mark.xdist_group("timing")  # compares timings: see pyproject.toml
def test_unknown_handout_ids_in_a_packet_take_time_in_proportion(project: Project) -> None:
    for n in range(100):
        project.add(f"handout-number-{n}.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)

    def manifest(sections: int) -> None:
        word = unique()
        body = "".join(
            "  - title: Part\n    handouts: ["
            + ", ".join(f"{word}-{s}-{n}" for n in range(100))
            + "]\n"
            for s in range(sections)
        )
        (packets / "p.yaml").write_text(
            f"title: P\naudience: client\nlanguage: en\nsections:\n{body}"
        )

    def refused() -> list[str]:
        with pytest.raises(ProblemsError) as caught:
            load_packets([project.root], ["p"])
        return [str(p) for p in caught.value.problems]

    timings = {}
    for sections in (10, 40):
        manifest(sections)
        found = refused()
        assert len(found) == sections * 100
        # Only the first few get a suggestion: each costs a look at every handout.
        assert sum("did you mean" in p for p in found) <= 20
        timings[sections] = fastest(refused)
    assert timings[40] / timings[10] < 8, timings


def test_many_kinds_of_problems_in_one_file(project: Project) -> None:
    blocks = "".join(
        f"  - type: paragraph\n    text: Hi {n}.\n    {unique()}: x\n" for n in range(290)
    )
    text = MINIMAL.replace("title: Noticing", "titel: Noticing") + blocks
    text += "audience: client\n" * 50
    path = project.add("many.yaml", text)
    found = problems(path, project.root)
    assert sum("unknown field" in p for p in found) == 291
    assert sum("duplicate key `audience`" in p for p in found) == 50
    # A misspelled field is one mistake: not also a missing `title`.
    assert not any("required field is missing; add `title:`" in p for p in found)
    assert found[0] == (
        "content/handouts/en/many.yaml:1:1: titel: unknown field `titel`; did you mean `title`?"
    )


def test_nesting_just_within_the_limit_is_read(project: Project) -> None:
    nested = "x:\n" + "".join("  " * d + "- \n" for d in range(1, 48)) + "  " * 48 + "- end\n"
    path = project.add("nested.yaml", MINIMAL + nested)
    assert problems(path, project.root) == [
        "content/handouts/en/nested.yaml:13:1: x: unknown field `x`; the fields allowed here "
        "are: `audience`, `blocks`, `byline`, `language`, `one_page`, `purpose`, `reviewed`, `sources`, "
        "`subtitle`, `title`, `translation_of`, `version`"
    ]


def test_nesting_past_the_limit_is_refused(project: Project) -> None:
    path = project.add("nested.yaml", MINIMAL + "x: " + "[" * 60 + "]" * 60 + "\n")
    assert problems(path, project.root) == [
        "content/handouts/en/nested.yaml:13:1: x: unknown field `x`; the fields allowed here "
        "are: `audience`, `blocks`, `byline`, `language`, `one_page`, `purpose`, `reviewed`, `sources`, "
        "`subtitle`, `title`, `translation_of`, `version`",
        "content/handouts/en/nested.yaml:13:54: the YAML is nested too deeply (more than 50 "
        "levels)",
    ]


# --- how much text one handout holds ---------------------------------------------------


def paragraphs(count: int, length: int, unit: str = "Some words to read. ") -> str:
    text = (unit * (length // len(unit) + 1))[:length].strip()
    return "".join(f"  - type: paragraph\n    text: '{text}'\n" for _ in range(count))


def test_too_many_characters_in_one_handout(project: Project) -> None:
    path = project.add("long.yaml", MINIMAL + paragraphs(7, 4900))
    assert problems(path, project.root) == [
        "content/handouts/en/long.yaml:1:1: the handout holds 34,427 characters of text; at "
        "most 30,000 fit in one handout (about ten pages). Split it into several handouts"
    ]


def test_too_many_pieces_in_one_handout(project: Project) -> None:
    lists = "".join("  - type: list\n    items:\n" + "      - An item\n" * 100 for _ in range(6))
    path = project.add("pieces.yaml", MINIMAL + lists)
    assert problems(path, project.root) == [
        "content/handouts/en/pieces.yaml:1:1: the handout holds 607 pieces (titles, paragraphs, "
        "list items, table cells, writing lines); at most 600 fit in one handout. Split it "
        "into several handouts"
    ]


def test_a_table_of_many_cells(project: Project) -> None:
    row = "      - [" + ", ".join(["cell"] * 20) + "]\n"
    table = "  - type: table\n    header: [" + ", ".join(["h"] * 20) + "]\n    rows:\n"
    path = project.add("table.yaml", MINIMAL + table + row * 40)
    assert problems(path, project.root)[0].endswith(
        "the handout holds 827 pieces (titles, paragraphs, list items, table cells, writing "
        "lines); at most 600 fit in one handout. Split it into several handouts"
    )


def test_writing_lines_count_as_pieces(project: Project) -> None:
    prompt = "      - kind: lines\n        text: What do you notice?\n        lines: 20\n"
    path = project.add("sheet.yaml", MINIMAL + "  - type: worksheet\n    prompts:\n" + prompt * 30)
    assert problems(path, project.root)[0].endswith(
        "the handout holds 637 pieces (titles, paragraphs, list items, table cells, writing "
        "lines); at most 600 fit in one handout. Split it into several handouts"
    )


def test_a_handout_just_within_the_text_limits_is_read(project: Project) -> None:
    path = project.add("full.yaml", MINIMAL + paragraphs(6, 4900))
    assert load_handout(path, project.root).handout.blocks


def test_too_much_text_in_a_packet_manifest(project: Project) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    notes = "".join(f"      - '{'A note to read aloud. ' * 200}'\n" for _ in range(8))
    (packets / "p.yaml").write_text(
        "title: P\naudience: client\nlanguage: en\nsections:\n"
        f"  - title: One\n    handouts: [breath]\n    facilitator_notes:\n{notes}"
    )
    with pytest.raises(ProblemsError) as caught:
        load_packets([project.root], ["p"])
    assert [str(p) for p in caught.value.problems] == [
        "content/packets/p.yaml:1:1: the packet holds 35,204 characters of text; at most "
        "30,000 fit in one packet (about ten pages). Split it into several packets"
    ]


# --- inline Markdown ------------------------------------------------------------


NESTED = [
    pytest.param("*" * 24 + "deep" + "*" * 24, 12, id="star-runs"),
    pytest.param("_" * 30 + "deep" + "_" * 30, 15, id="underscore-runs"),
    pytest.param(
        "*a _b **c __d *e [f **g __h *i _j **k x** j_ i* h__ g**](https://x.org) e* d__ c** b_ a*",
        11,
        id="words-between",
    ),
    pytest.param("[" + "**" * 10 + "link" + "**" * 10 + "](https://example.org)", 11, id="link"),
    pytest.param("*" * 2400 + "a" + "*" * 2400, 1200, id="thousands"),
    pytest.param("***" * 8 + "x" + "***" * 8, 12, id="triples"),
]


@pytest.mark.parametrize(("text", "depth"), NESTED)
def test_deeply_nested_markup_is_refused_where_it_is(
    project: Project, text: str, depth: int
) -> None:
    path = project.add("nest.yaml", MINIMAL + f"  - type: paragraph\n    text: '{text}'\n")
    assert problems(path, project.root) == [
        f"content/handouts/en/nest.yaml:14:11: blocks[1].text: has bold, italics or links "
        f"nested {depth} deep; at most {MAX_MARKUP_DEPTH} levels are allowed. Remove some of "
        "the * and _ marks, or put a \\ before each one that should print as it is"
    ]


def test_markup_nested_to_the_limit_is_allowed(project: Project) -> None:
    deepest = "**" * 10 + "x" + "**" * 10
    assert markup_depth(deepest) == MAX_MARKUP_DEPTH
    path = project.add("ok.yaml", MINIMAL + f"  - type: paragraph\n    text: '{deepest}'\n")
    assert load_handout(path, project.root).handout.blocks[1]
    assert str(inline(deepest)).count("<strong>") == MAX_MARKUP_DEPTH


MANY_MARKS = [
    pytest.param("*a" * 2450, id="stars"),
    pytest.param("_a" * 2450, id="underscores"),
    pytest.param("[" * 4900, id="open-brackets"),
    pytest.param("[a" * 2450, id="brackets-and-words"),
    pytest.param("`" * 4900, id="backticks"),
    pytest.param("`a" * 2450, id="backticks-and-words"),
    pytest.param("*[`_" * 1225, id="mixed"),
    pytest.param("[a](https://x.org " * 272, id="unclosed-links"),
    pytest.param("[[a](https://x.org)]" * 245, id="links-in-brackets"),
    pytest.param("\\*" * 2450, id="escaped"),
    pytest.param("**a __b__ *c* _d_ ** " * 233, id="words-and-marks"),
    pytest.param("<" * 2000 + "&#" * 1000, id="html-like"),
]


@pytest.mark.xdist_group("timing")  # compares timings: see pyproject.toml
@pytest.mark.parametrize("text", MANY_MARKS)
def test_many_marks_read_and_render_in_proportion(project: Project, text: str) -> None:
    """Six fields of marks (as much as a handout holds) are checked and rendered in a
    second or two, and what they render to nests no deeper than the limit."""
    quoted = text.replace("'", "''")
    blocks = "".join(f"  - type: paragraph\n    text: '{quoted}'\n" for _ in range(6))
    path = project.add("marks.yaml", MINIMAL + blocks)
    started = time.perf_counter()
    load_handout(path, project.root)
    for _ in range(6):
        html = inline(text)
    assert time.perf_counter() - started < 10
    # What a page would lay out: nested no deeper than the limit, and no more
    # elements than the text has marks.
    assert markup_depth(text) <= MAX_MARKUP_DEPTH
    assert html.count("<em>") + html.count("<strong>") + html.count("<a ") < len(text)


# --- pictures -------------------------------------------------------------------------


def png(width: int, height: int, *, data: bytes = b"") -> bytes:
    """A PNG whose header declares any size: the pixels need not be there."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", data or zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def made(fmt: str, size: tuple[int, int] = (8, 8), **options: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA" if fmt == "WEBP" else "RGB", size, "gray").save(out, format=fmt, **options)
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    data = bytearray(made("JPEG"))
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif(width: int, height: int) -> bytes:
    data = bytearray(made("GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    at = data.index(b"\x2c")
    data[at + 5 : at + 9] = struct.pack("<HH", width, height)
    return bytes(data)


def webp(width: int, height: int) -> bytes:
    data = bytearray(made("WEBP", lossless=True))
    at = data.index(b"VP8L")
    bits = (width - 1) | ((height - 1) << 14) | (1 << 28)
    data[at + 9 : at + 13] = struct.pack("<I", bits)
    return bytes(data)


def bmp(width: int, height: int) -> bytes:
    data = bytearray(made("BMP"))
    data[18:26] = struct.pack("<ii", width, height)
    return bytes(data)


def cut_short(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


def noisy_png() -> bytes:
    out = io.BytesIO()
    Image.effect_noise((200, 200), 50).convert("RGB").save(out, format="PNG")
    return out.getvalue()


IMAGE_BLOCK = "  - type: image\n    src: ../../../assets/{name}\n    alt: A picture\n"


def with_image(project: Project, name: str, data: bytes) -> Path:
    assets = project.root / "assets"
    assets.mkdir(exist_ok=True)
    (assets / name).write_bytes(data)
    return project.add("pic.yaml", MINIMAL + IMAGE_BLOCK.format(name=name))


def image_problem(project: Project, name: str, data: bytes) -> str:
    found = problems(with_image(project, name, data), project.root)
    assert len(found) == 1, found
    prefix = f"content/handouts/en/pic.yaml:14:10: blocks[1].src: assets/{name} "
    assert found[0].startswith(prefix), found[0]
    return found[0].removeprefix(prefix)


TOO_MANY_PIXELS = [
    pytest.param("big.png", png(12000, 12000), "12,000 by 12,000 pixels (144", id="png"),
    pytest.param("huge.png", png(65535, 65535), "65,535 by 65,535 pixels (4,295", id="png-max"),
    pytest.param("thin.png", png(1, 13_000_000), "1 by 13,000,000 pixels (13", id="png-thin"),
    pytest.param("photo.jpg", jpeg(60000, 60000), "60,000 by 60,000 pixels (3,600", id="jpeg"),
    pytest.param("anim.gif", gif(65535, 65535), "65,535 by 65,535 pixels (4,295", id="gif"),
    pytest.param("pic.webp", webp(16384, 16384), "16,384 by 16,384 pixels (268", id="webp"),
    pytest.param("named.jpeg", png(5000, 5000), "5,000 by 5,000 pixels (25", id="png-as-jpeg"),
]


@pytest.mark.parametrize(("name", "data", "size"), TOO_MANY_PIXELS)
def test_a_picture_of_too_many_pixels(project: Project, name: str, data: bytes, size: str) -> None:
    assert image_problem(project, name, data) == (
        f"is {size} megapixels); the limit is {MAX_PIXELS // 1_000_000} megapixels: make it "
        "smaller, 2,000 pixels across is plenty for a printed page"
    )


BROKEN = [
    pytest.param(
        "cut.png", cut_short(noisy_png()), "is a damaged or cut-short PNG image", id="png"
    ),
    pytest.param("cut.jpg", cut_short(made("JPEG", (300, 300))), "is a damaged", id="jpeg"),
    pytest.param("garbage.png", b"\x89PNG but not really" * 50, "is not a picture", id="garbage"),
    pytest.param("text.gif", b"GIF? no, words.\n" * 10, "is not a picture", id="text"),
    pytest.param("zero.png", png(0, 0), "is not a picture", id="zero-size"),
    pytest.param("old.png", made("BMP"), "is a BMP image; handouts use PNG", id="bmp-as-png"),
    pytest.param("tiff.jpg", made("TIFF"), "is a TIFF image; handouts use PNG", id="tiff-as-jpg"),
]


@pytest.mark.parametrize(("name", "data", "start"), BROKEN)
def test_a_damaged_or_strange_picture_says_why(
    project: Project, name: str, data: bytes, start: str
) -> None:
    message = image_problem(project, name, data)
    assert message.startswith(start), message
    assert message.endswith(("save it again", "export it again as PNG or JPEG", "PNG or JPEG"))


def test_an_empty_picture(project: Project) -> None:
    assert image_problem(project, "empty.jpg", b"") == "is empty; put the picture in it again"


def test_a_picture_file_over_the_byte_limit_is_not_read(project: Project) -> None:
    path = with_image(project, "heavy.png", png(100, 100))
    with (project.root / "assets" / "heavy.png").open("r+b") as handle:
        handle.truncate(25 * 1024 * 1024)  # sparse: no 25 MB written
    assert problems(path, project.root) == [
        "content/handouts/en/pic.yaml:14:10: blocks[1].src: `../../../assets/heavy.png`: the "
        "file is 25.0 MB; the limit is 20.0 MB for a picture; make it smaller (fewer pixels, "
        "or JPEG)"
    ]


@pytest.mark.parametrize(
    "name, data",
    [
        pytest.param("small.png", tiny_png(), id="png"),
        pytest.param("small.jpg", made("JPEG", (2000, 1500)), id="jpeg"),
        pytest.param("small.gif", made("GIF"), id="gif"),
        pytest.param("small.webp", made("WEBP"), id="webp"),
        pytest.param("wide.png", made("PNG", (4000, 3000)), id="at-the-limit"),
    ],
)
def test_pictures_within_the_limits_are_used(project: Project, name: str, data: bytes) -> None:
    path = with_image(project, name, data)
    assert load_handout(path, project.root).handout.blocks[1]


def test_a_logo_of_too_many_pixels_is_refused_in_the_config(project: Project, cli) -> None:
    project.add("h.yaml")
    (project.root / "assets").mkdir()
    (project.root / "assets" / "logo.png").write_bytes(png(20000, 20000))
    (project.root / "handouts.yaml").write_text("logo:\n  src: assets/logo.png\n  alt: Logo\n")
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "handouts.yaml:2:8: logo.src: assets/logo.png is 20,000 by 20,000 pixels (400 "
        "megapixels); the limit is 12 megapixels: make it smaller, 2,000 pixels across is "
        "plenty for a printed page"
    )
    nothing_written(project)


def test_pillow_never_warns_aloud_while_laying_out() -> None:
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        for side in (4000, 5000, 40000):
            bomb = (Image.DecompressionBombWarning, Image.DecompressionBombError)
            with bounded_decoding(), pytest.raises(bomb):
                Image.open(io.BytesIO(png(side, side)))
        assert check(png(50000, 50000), "x.png") is not None
    assert said == []
    assert Image.MAX_IMAGE_PIXELS != MAX_PIXELS  # put back as it was


@pytest.mark.parametrize(
    "said, expected",
    [
        (
            "Failed to load image at 'file:///nowhere/assets/odd.tga': ",
            "/nowhere/assets/odd.tga could not be used as a picture: it may be damaged, not a "
            "picture, or more than 12 megapixels. Export it again as PNG or JPEG, 2,000 pixels "
            "across is plenty for a printed page",
        ),
        (
            "Failed to load image at 'data:image/png;base64,AAAA': URLFetchingError: bad",
            "a picture written into the page as a data: address could not be used as a picture "
            "(URLFetchingError: bad): it may be damaged, not a picture, or more than 12 "
            "megapixels. Export it again as PNG or JPEG, 2,000 pixels across is plenty for a "
            "printed page",
        ),
        (
            "Failed to render SVG image file:///nowhere/loop.svg",
            "/nowhere/loop.svg could not be drawn (an SVG image that is broken or too "
            "complex); simplify it, or save it as a PNG",
        ),
        ('Missing required "lang" attribute', None),
    ],
)
def test_the_engines_picture_failures_say_why(said: str, expected: str | None) -> None:
    assert explain(said) == expected


# --- SVG ------------------------------------------------------------------------


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def svg(body: str, attributes: str = 'width="100" height="100"') -> bytes:
    return f"{SVG} {attributes}>{body}</svg>".encode()


def use_bomb(width: int, levels: int, attribute: str = "href") -> bytes:
    groups = ['<g id="l0"><rect width="1" height="1"/></g>']
    groups += [
        f'<g id="l{n}">' + f'<use {attribute}="#l{n - 1}"/>' * width + "</g>"
        for n in range(1, levels + 1)
    ]
    return svg("<defs>" + "".join(groups) + f'</defs><use {attribute}="#l{levels}"/>')


def pattern_bomb() -> bytes:
    patterns = ['<pattern id="p0" width="1" height="1"><rect width="1" height="1"/></pattern>']
    patterns += [
        f'<pattern id="p{n}" width="1" height="1">'
        + f'<rect width="1" height="1" fill="url(#p{n - 1})"/>' * 10
        + "</pattern>"
        for n in range(1, 8)
    ]
    return svg("<defs>" + "".join(patterns) + '</defs><rect fill="url(#p7)"/>')


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol">'
    + b"".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">'.encode() for n in range(9)
    )
    + b']><svg xmlns="http://www.w3.org/2000/svg"><text>&j;</text></svg>'
)

EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>'
)

PARAMETER = (
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY % remote SYSTEM "file:///etc/passwd">'
    b'%remote;]><svg xmlns="http://www.w3.org/2000/svg"/>'
)

ENTITIES = "declares XML entities (<!ENTITY"
TOO_MANY = "draws more than 10,000 elements (counting each one a <use> or url(#…) repeats)"

SVG_REFUSED = [
    pytest.param(use_bomb(10, 9), TOO_MANY, id="use-bomb"),
    pytest.param(use_bomb(10, 9, "xlink:href"), TOO_MANY, id="use-bomb-xlink"),
    pytest.param(use_bomb(3, 12), TOO_MANY, id="use-bomb-narrow"),
    pytest.param(use_bomb(2, 9), None, id="use-bomb-within"),
    pytest.param(use_bomb(1, 60), "nests elements more than 50 deep", id="use-chain"),
    pytest.param(pattern_bomb(), TOO_MANY, id="pattern-bomb"),
    pytest.param(
        svg('<g id="a"><use href="#a"/></g>'),
        "has a <use> or url(#…) reference that leads back to itself",
        id="use-loop",
    ),
    pytest.param(
        svg('<g id="a"><use href="#b"/></g><g id="b"><rect fill="url(#a)"/></g>'),
        "has a <use> or url(#…) reference that leads back to itself",
        id="mutual-loop",
    ),
    pytest.param(LAUGHS, ENTITIES + " a …>)", id="billion-laughs"),
    pytest.param(EXTERNAL, ENTITIES + " secret …>)", id="external-entity"),
    pytest.param(PARAMETER, ENTITIES + " remote …>)", id="parameter-entity"),
    pytest.param(svg("<g>" * 60 + "</g>" * 60), "nests elements more than 50 deep", id="deep"),
    pytest.param(
        svg("".join(f'<rect x="{n % 100}" width="1" height="1"/>' for n in range(12000))),
        "draws more than 10,000 elements",
        id="many-elements",
    ),
    pytest.param(
        svg('<path d="M0 0' + " L1 2" * 120_000 + '"/>'),
        "draws more than 100,000 path points (counting each one a <use> or url(#…) repeats)",
        id="many-points",
    ),
    pytest.param(
        svg('<polyline points="' + "1,2 " * 60_000 + '"/>'),
        None,
        id="points-within",
    ),
    pytest.param(svg("", 'width="1e9" height="10"'), 'has width="1e9"; the limit', id="width"),
    pytest.param(svg("", 'width="10" height="5000in"'), 'has height="5000in"', id="height-in"),
    pytest.param(
        svg("", 'viewBox="0 0 1e30 1e30"'), 'has viewBox="0 0 1e30 1e30", with numbers', id="box"
    ),
    pytest.param(svg("", 'viewBox="0 0 1e-9 1e-9"'), 'has viewBox="0 0 1e-9 1e-9"', id="tiny-box"),
    pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><g>', "is not a valid SVG", id="cut"),
    pytest.param(b"<html><body>hi</body></html>", "is not an SVG image (its first", id="html"),
    pytest.param(
        svg(
            f'<image href="data:image/png;base64,{base64.b64encode(png(30000, 30000)).decode()}"/>'
        ),
        "(a picture inside it) is 30,000 by 30,000 pixels",
        id="embedded-png",
    ),
]


@pytest.mark.parametrize(("data", "start"), SVG_REFUSED)
def test_an_svg_beyond_the_limits_is_refused(
    project: Project, data: bytes, start: str | None
) -> None:
    path = with_image(project, "drawing.svg", data)
    if start is None:
        assert load_handout(path, project.root).handout.blocks[1]
        return
    message = image_problem(project, "drawing.svg", data)
    assert start in message, message
    advice = ("save it", "remove", "export", "simplify", "flatten", "make it", "give it")
    assert any(what in message.rpartition(";")[2] for what in advice), message


def test_an_svg_over_the_byte_limit(project: Project) -> None:
    data = svg("<!--" + "x" * (1024 * 1024) + "-->")
    assert image_problem(project, "heavy.svg", data) == (
        "is 1.0 MB; the limit for an SVG image is 1.0 MB: simplify it, or save it as a PNG"
    )


def test_a_drawing_exported_with_its_doctype_is_used(project: Project) -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n' + use_bomb(3, 4)
    )
    path = with_image(project, "ok.svg", data)
    assert load_handout(path, project.root).handout.blocks[1]


# --- whole builds: nothing written, within the bounds ----------------------------


def test_a_bomb_of_each_kind_is_refused_by_the_command(project: Project, hostile) -> None:
    """The refusals above, in one build of the real command: every problem named,
    nothing decoded, nothing written, within the time and memory bounds."""
    (project.root / "assets").mkdir()
    files = {
        "big.png": png(12000, 12000),
        "bomb.svg": use_bomb(10, 9),
        "laughs.svg": LAUGHS,
        "cut.png": cut_short(noisy_png()),
    }
    for name, data in files.items():
        (project.root / "assets" / name).write_bytes(data)
        project.add(f"{Path(name).stem}.yaml", MINIMAL + IMAGE_BLOCK.format(name=name))
    run = hostile("build")
    run.assert_refused()
    lines = run.err.splitlines()
    assert lines[-1] == "4 problems in 4 files; nothing was written."
    for name in files:
        assert any(f"blocks[1].src: assets/{name} " in line for line in lines), name
    assert "DecompressionBomb" not in run.text
    assert run.peak_mb < 300
    nothing_written(project)


def picture_in_a_template(project: Project, name: str, data: bytes) -> None:
    """A picture the content never names: a project's own template shows it."""
    (project.root / "assets").mkdir(exist_ok=True)
    (project.root / "assets" / name).write_bytes(data)
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True, exist_ok=True)
    (blocks / "paragraph.html").write_text(
        f'<p>{{{{ block.text|md }}}}<img src="{{{{ "../../../assets/{name}"|url_from(asset_base)'
        ' }}" alt=""></p>\n'
    )
    project.add("h.yaml")


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, data, said",
    [
        pytest.param("big.png", png(12000, 12000), "is 12,000 by 12,000 pixels", id="png"),
        pytest.param("bomb.svg", use_bomb(10, 9), "draws more than 10,000", id="svg"),
        pytest.param("junk.png", b"junk" * 100, "is not a picture that can be read", id="junk"),
        pytest.param("deep.bmp", bmp(40000, 40000), "is 40,000 by 40,000 pixels", id="bmp"),
    ],
)
def test_a_picture_only_a_template_shows_is_refused_at_layout(
    project: Project, hostile, name: str, data: bytes, said: str
) -> None:
    picture_in_a_template(project, name, data)
    run = hostile("build", "h")
    run.assert_refused()
    first = run.err.splitlines()[0]
    assert first.startswith(f"content/handouts/en/h.yaml: assets/{name} {said}"), first
    assert "Failed to load image" not in run.err
    assert "DecompressionBomb" not in run.text
    nothing_written(project)


@pytest.mark.slow
def test_a_picture_written_into_a_template_as_data(project: Project, hostile) -> None:
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    data = base64.b64encode(png(15000, 15000)).decode()
    (blocks / "paragraph.html").write_text(
        f'<p>{{{{ block.text|md }}}}<img src="data:image/png;base64,{data}" alt=""></p>\n'
    )
    project.add("h.yaml")
    run = hostile("build", "h")
    run.assert_refused()
    assert run.err.splitlines()[0] == (
        "content/handouts/en/h.yaml: a data: address is 15,000 by 15,000 pixels (225 "
        "megapixels); the limit is 12 megapixels: make it smaller, 2,000 pixels across is "
        "plenty for a printed page"
    )
    nothing_written(project)


@pytest.mark.slow
def test_an_svg_drawing_a_file_outside_the_project(
    project: Project, hostile, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(tiny_png())
    data = svg(f'<image href="{secret.as_uri()}" width="10" height="10"/>')
    with_image(project, "outside.svg", data)
    run = hostile("build", "pic")
    run.assert_refused()
    assert f"blocked a file or address outside the project: {secret.as_uri()}" in run.err
    nothing_written(project)


AT_THE_LIMITS = {
    "marked-up-items": "".join(
        "  - type: list\n    items:\n"
        + "      - '*a* _b_ [c](https://example.org) **d** e f g h i j k l m n o p q'\n" * 99
        for _ in range(4)
    ),
    "nested-markup": paragraphs(
        280, 99, "*_*_*" + "**" * 4 + "x" + "**" * 4 + "*_*_* [l](https://x.org) "
    ),
    "table": "  - type: table\n    header: ["
    + ", ".join(["h"] * 20)
    + "]\n    rows:\n"
    + ("      - [" + ", ".join(["'**cell** text'"] * 20) + "]\n") * 28,
    "worksheet": "  - type: worksheet\n    prompts:\n"
    + "      - kind: lines\n        text: What do you notice?\n        lines: 20\n" * 28,
}


@pytest.mark.slow
@pytest.mark.parametrize("blocks", AT_THE_LIMITS.values(), ids=AT_THE_LIMITS.keys())
def test_a_handout_at_the_limits_is_laid_out_within_the_bounds(
    project: Project, hostile, blocks: str
) -> None:
    project.add("full.yaml", MINIMAL + blocks)
    run = hostile("build", "full", "--fillable")
    run.assert_clean(code=0)
    assert (project.root / "output" / "en" / "full-fillable.pdf").is_file()


# --- the layout time limit ---------------------------------------------------------


def test_a_layout_over_the_time_limit_is_stopped(project: Project, hostile) -> None:
    lists = "".join("  - type: list\n    items:\n" + "      - An item\n" * 100 for _ in range(4))
    project.add("slow.yaml", MINIMAL + lists)
    run = hostile("build", "slow", env={"HANDOUTS_LAYOUT_SECONDS": "0.3"})
    run.assert_refused()
    assert run.err.splitlines() == [
        "content/handouts/en/slow.yaml: laying it out took longer than 0.3 seconds, the limit "
        "for one document; make it shorter or split it, or allow more time with "
        "HANDOUTS_LAYOUT_SECONDS=60 (a project's own templates and styles may be the slow part)",
        "1 problem in 1 file; nothing was written.",
    ]
    nothing_written(project)


@pytest.mark.slow
def test_the_time_limit_holds_in_every_worker(project: Project, hostile) -> None:
    for n in range(3):
        project.add(f"h{n}.yaml", MINIMAL + paragraphs(40, 300))
    run = hostile("build", "h0", "h1", "h2", "--jobs", "2", env={"HANDOUTS_LAYOUT_SECONDS": "0.2"})
    run.assert_refused()
    # Each document that ran out of time in either worker is named once, with
    # the others given up (those already laying out when the first ran out are
    # finished, so one, two or all three are named).
    *stopped, summary = run.err.splitlines()
    for line in stopped:
        assert re.fullmatch(
            r"content/handouts/en/h[012]\.yaml: laying it out took longer than 0\.2 seconds, "
            r"the limit for one document; make it shorter or split it, or allow more time with "
            r"HANDOUTS_LAYOUT_SECONDS=60 \(a project's own templates and styles may be the slow "
            r"part\)",
            line,
        ), line
    files = {line.split(":")[0] for line in stopped}
    assert len(files) == len(stopped) in (1, 2, 3), stopped
    count = len(stopped)
    plural = "" if count == 1 else "s"
    assert summary == f"{count} problem{plural} in {count} file{plural}; nothing was written."
    # A document that was laid out in time may be kept in the build cache, for
    # the next run; nothing else is written.
    assert project.output_files() == {}
    assert not list(project.root.rglob("*.tmp"))
    laid_out = [p.relative_to(project.root) for p in project.root.rglob("*.pdf")]
    assert all(p.parts[0] == ".handouts-cache" for p in laid_out), laid_out
    assert len(laid_out) <= 3 - count


def test_the_time_limit_in_this_process_leaves_no_alarm_behind(
    project: Project, cli, laid_out, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.add("slow.yaml", MINIMAL + paragraphs(30, 400))
    monkeypatch.setenv("HANDOUTS_LAYOUT_SECONDS", "0.05")
    result = cli("build", "slow")
    assert result.exit_code == 1
    assert result.stderr == (
        "content/handouts/en/slow.yaml: laying it out took longer than 0.05 seconds, the limit "
        "for one document; make it shorter or split it, or allow more time with "
        "HANDOUTS_LAYOUT_SECONDS=60 (a project's own templates and styles may be the slow part)\n"
        "1 problem in 1 file; nothing was written.\n"
    )
    # Laid out in this process, once.
    assert [base for _, base in laid_out] == [project.handouts.as_uri() + "/"]
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    nothing_written(project)


@pytest.mark.parametrize("value", ["abc", "0", "-5", "inf", "nan", "1e999", "1e10"])
def test_a_wrong_time_limit_is_a_clear_error(
    project: Project, cli, laid_out, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    project.add("h.yaml")
    monkeypatch.setenv("HANDOUTS_LAYOUT_SECONDS", value)
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the environment variable HANDOUTS_LAYOUT_SECONDS is '{value}', which is not a "
        "number of seconds up to a day (86400); set it to the most seconds one document may "
        "take to lay out (like 120), or unset it for the default of 60\n"
    )
    nothing_written(project)


def test_a_page_nested_too_deeply_to_lay_out(project: Project, cli, laid_out) -> None:
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "paragraph.html").write_text(
        "{% for n in range(3000) %}<span>{% endfor %}{{ block.text|md }}"
        "{% for n in range(3000) %}</span>{% endfor %}\n"
    )
    project.add("h.yaml")
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "content/handouts/en/h.yaml: its page is nested too deeply to lay out (elements inside "
        "elements, hundreds deep); a project's own templates may be making it so"
    )
    nothing_written(project)


@pytest.mark.slow
def test_check_pdf_reports_the_time_limit(
    project: Project, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.add("slow.yaml", MINIMAL + paragraphs(30, 400))
    monkeypatch.setenv("HANDOUTS_LAYOUT_SECONDS", "0.05")
    result = cli("check", "slow", "--pdf")
    assert "pdf.layout" in result.output
    assert "laying it out took longer than 0.05 seconds" in result.output


# --- the sizes the issue named ---------------------------------------------------------


@pytest.mark.xdist_group("timing")  # compares timings: see pyproject.toml
@pytest.mark.slow
@pytest.mark.parametrize("make", [duplicate_keys, unknown_keys], ids=["duplicate", "unknown"])
def test_thirty_two_thousand_keys(project: Project, make: Callable[[int], str]) -> None:
    """1k, 4k, 16k and 32k keys: each step costs in proportion, and 32k takes seconds."""
    timings = {}
    for size in (1000, 4000, 16000, 32000):
        path = project.add("keys.yaml", make(size))
        timings[size] = fastest(lambda path=path: problems(path, project.root))
    print({k: round(v, 3) for k, v in timings.items()})
    assert timings[32000] < 20
    # In proportion, 8 times as many keys take 8 times as long; squared, 64.
    assert timings[16000] / timings[4000] < 8, timings
    assert timings[32000] / timings[4000] < 16, timings


def test_a_time_limit_ringing_while_the_engine_loads_spoils_nothing(tmp_path: Path) -> None:
    """The engine loads before the clock starts: a later layout in the process still works."""
    script = (
        "import os\n"
        "from pathlib import Path\n"
        "from generator.pdf import Layout, LayoutCall, LayoutStopped, lay_out_one\n"
        "html = '<html><head><title>x</title></head><body><p>hello</p></body></html>'\n"
        "call = LayoutCall(html, Path.cwd().as_uri() + '/', (Path.cwd(),), Layout())\n"
        "os.environ['HANDOUTS_LAYOUT_SECONDS'] = '0.05'\n"
        "try:\n"
        "    lay_out_one(call)\n"
        "    print('laid-out')\n"
        "except LayoutStopped:\n"
        "    print('stopped')\n"
        "os.environ['HANDOUTS_LAYOUT_SECONDS'] = '60'\n"
        "print(lay_out_one(call).data[:5].decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.split()
    assert first in ("stopped", "laid-out")
    assert second == "%PDF-"
    assert "Traceback" not in result.stderr
