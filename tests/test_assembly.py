"""Packets assembled from parts: only what changed is laid out, and the joined PDF is whole."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import MINIMAL, Project
from generator.cache import CACHE_FOLDER

PACKET = (
    "title: A small packet\naudience: client\nlanguage: en\n"
    "sections:\n"
    "  - title: First part\n    intro: The first part.\n    handouts: [one, two]\n"
    "  - title: Second part\n    handouts: [three]\n"
)


@pytest.fixture
def packet(project: Project) -> Project:
    for name in ("one", "two", "three"):
        project.add(f"{name}.yaml", MINIMAL.replace("Noticing your breath", f"Handout {name}"))
    folder = project.root / "content" / "packets"
    folder.mkdir(parents=True)
    (folder / "mini.yaml").write_text(PACKET)
    return project


def summary(path: Path) -> tuple[list[str], list[tuple[int, str, int]]]:
    """Every page's text and the bookmark tree, to compare two builds."""
    reader = PdfReader(path)
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    marks: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                marks.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return texts, marks


def test_an_edit_lays_out_only_that_handout(
    packet: Project, cli, laid_out: list[tuple[str, str]]
) -> None:
    assert cli("packet", "mini", "-j", "1").exit_code == 0
    # cover, contents, two dividers, three handouts and the page numbers
    assert len(laid_out) == 8
    laid_out.clear()
    assert cli("packet", "mini", "-j", "1").exit_code == 0
    assert laid_out == []

    packet.add("two.yaml", MINIMAL.replace("Noticing your breath", "Handout two, edited"))
    result = cli("packet", "mini", "-j", "1")
    assert result.exit_code == 0
    # The edited handout, and the two pages that print its title: its section's
    # divider and the contents.
    assert len(laid_out) == 3
    assert ["Handout two, edited" in html for html, _ in laid_out] == [True, True, True]
    assembled = summary(packet.root / "output/en/packets/mini.pdf")

    (packet.root / CACHE_FOLDER).rename(packet.root / "old-cache")
    (packet.root / "output/en/packets/mini.pdf").unlink()
    assert cli("packet", "mini", "-j", "1").exit_code == 0
    assert summary(packet.root / "output/en/packets/mini.pdf") == assembled


def test_participants_share_the_body(packet: Project, cli, laid_out: list[tuple[str, str]]) -> None:
    assert cli("packet", "mini", "-j", "1").exit_code == 0
    laid_out.clear()
    people = packet.root / "people.csv"
    people.write_text("name\nAlex\nSam\nZoë\n", encoding="utf-8")
    result = cli("packet", "mini", "--participants", str(people), "-j", "1")
    assert result.exit_code == 0, result.output
    assert len(laid_out) == 3  # one cover each; the rest comes from the cache
    assert all("Prepared for" in html for html, _ in laid_out)
    names = [
        " ".join(PdfReader(p).pages[0].extract_text().split())
        for p in map(Path, result.stdout.splitlines())
    ]
    assert [
        n.endswith(f"Prepared for {who}")
        for n, who in zip(names, ["Alex", "Sam", "Zoë"], strict=True)
    ] == [True] * 3
    # Personal covers are never kept.
    cached = b"".join(p.read_bytes() for p in (packet.root / CACHE_FOLDER).iterdir())
    assert b"Alex" not in cached and b"Prepared for" not in cached


def test_the_joined_pdf_is_one_whole_tagged_document(packet: Project, cli) -> None:
    assert cli("packet", "mini", "--strict").exit_code == 0
    with pikepdf.open(packet.root / "output/en/packets/mini.pdf") as pdf:
        pages = {page.objgen for page in pdf.pages}
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        for page in pdf.pages:
            assert int(page.obj.StructParents) in keys
            for annot in page.obj.get("/Annots", []):
                assert int(annot.StructParent) in keys
        assert int(tree.ParentTreeNextKey) > max(keys)

        def walk(element, depth=0):  # type: ignore[no-untyped-def]
            if "/Pg" in element:
                assert element.Pg.objgen in pages, "a structure element points at a lost page"
            for kid in element.get("/K", []):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    assert kid.P.objgen == element.objgen
                    walk(kid, depth + 1)

        document = tree.K[0]
        # The cover, the contents, and each divider and handout, in order.
        assert [str(kid.S) for kid in document.K] == [
            "/Sect",
            "/NonStruct",
            "/Sect",
            "/Art",
            "/Art",
            "/Sect",
            "/Art",
        ]
        walk(document)
        # Every part embeds the same whole fonts; the joined file keeps one of each.
        files = set()
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                files.add(descriptor.FontFile2.objgen)
        assert len(files) == 2  # regular and bold
        # Nor does any font come twice elsewhere (the page numbers' layer).
        embedded = [
            o.read_bytes() for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/Length1" in o
        ]
        assert len(embedded) == len(set(embedded))
        # The stamped page numbers are artifacts, outside the structure tree.
        stamp = pdf.pages[1].obj.Contents[-1].read_bytes()
        assert stamp.strip().endswith(b"Do Q EMC")
        assert b"/Artifact BMC" in stamp


def test_contents_links_reach_their_pages(packet: Project, cli) -> None:
    assert cli("packet", "mini").exit_code == 0
    reader = PdfReader(packet.root / "output/en/packets/mini.pdf")
    contents = reader.pages[1]
    targets: dict[str, int] = {}
    for annot in contents.get("/Annots", []):
        dest = annot.get_object().get("/Dest")
        if dest is not None:
            page = reader.named_destinations[str(dest)].page
            targets[str(dest)] = reader.get_page_number(page) + 1
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    assert targets == {
        "section-1": 3,
        "handout-one": 4,
        "handout-two": 5,
        "section-2": 6,
        "handout-three": 7,
    }
    for name, page in targets.items():
        expected = "Part" if name.startswith("section") else "Handout " + name.split("-")[1]
        assert texts[page - 1].startswith(expected)


def test_a_fillable_packet_keeps_every_worksheets_fields(project: Project, cli) -> None:
    # The built-in worksheets, each in a section of its own, with a handout between.
    (project.root / "content" / "packets").mkdir(parents=True)
    (project.root / "content" / "packets" / "worksheets.yaml").write_text(
        "title: Worksheets\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    handouts: [daily-check-in, withdrawal-response]\n"
        "  - title: Two\n    handouts: [early-signs-and-supports]\n",
        encoding="utf-8",
    )
    result = cli("packet", "worksheets", "--fillable", "--strict")
    assert result.exit_code == 0, result.output
    with pikepdf.open(Path(result.stdout.strip())) as pdf:
        pages = {page.objgen for page in pdf.pages}
        names = Counter(str(field.T) for field in pdf.Root.AcroForm.Fields if "/T" in field)
        # Both worksheets' fields: every writing line and every option its own field.
        assert names == Counter(
            {
                # The check-in's worksheet is its fourth block, after the
                # key points, the loop and the heading.
                **dict.fromkeys(["daily-check-in-4-1-line-1", "daily-check-in-4-2-line-1"], 1),
                **{f"daily-check-in-4-3-option-{n}": 1 for n in range(1, 4)},
                **{f"daily-check-in-4-4-option-{n}": 1 for n in range(1, 4)},
                "daily-check-in-4-5-line-1": 1,
                **{f"daily-check-in-4-6-option-{n}": 1 for n in range(1, 4)},
                # "Something else": a box to tick, and a field to say what.
                "daily-check-in-4-6-other": 1,
                "daily-check-in-4-6-other-text": 1,
                **{f"early-signs-and-supports-4-1-option-{n}": 1 for n in range(1, 5)},
                **dict.fromkeys(
                    [
                        "early-signs-and-supports-4-2-line-1",
                        "early-signs-and-supports-4-3-line-1",
                        "early-signs-and-supports-4-3-line-2",
                        "early-signs-and-supports-4-4-line-1",
                        "early-signs-and-supports-4-4-line-2",
                        "early-signs-and-supports-4-5-line-1",
                    ],
                    1,
                ),
            }
        )
        widgets = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.get("/FT")]
        assert len(widgets) == 24
        assert [widget.P.objgen in pages for widget in widgets] == [True] * 24


def test_a_part_is_compressed_with_each_font_compressed_once(project: Project) -> None:
    import io

    from generator.config import find_project
    from generator.layout import allowed_folders
    from generator.merge import _PACKED, compact
    from generator.pdf import html_to_pdf

    html = (
        "<!DOCTYPE html><html lang='en'><head><title>T</title></head>"
        "<body><h1>A heading</h1><p>Some <b>bold</b> and plain words.</p></body></html>"
    )
    allowed = allowed_folders(find_project(project.root))
    base = project.root.as_uri() + "/"
    laid_out = html_to_pdf(html, base, allowed, part=True).data
    plain = html_to_pdf(html, base, allowed).data

    def streams(data: bytes) -> list[tuple[str, bool, bool, bytes]]:
        """Each stream's type, whether it is a font file and compressed, and its bytes."""
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return [
                (str(o.get("/Type", "")), "/Length1" in o, "/Filter" in o, o.read_raw_bytes())
                for o in pdf.objects
                if isinstance(o, pikepdf.Stream)
            ]

    # WeasyPrint writes a part uncompressed, whole fonts included (regular and bold) ...
    assert [packed for _, font, packed, _ in streams(laid_out) if font] == [False, False]
    _PACKED.clear()
    first, second = compact(laid_out), compact(laid_out)
    fonts = []
    for data in (first, second):
        found = streams(data)
        # ... and it is kept compressed (the XMP metadata stays readable, as
        # PDF/A and PDF/UA readers expect), its objects in object streams.
        assert all(packed for kind, _, packed, _ in found if kind != "/Metadata")
        assert any(kind == "/ObjStm" for kind, _, _, _ in found)
        fonts.append(sorted(raw for _, font, _, raw in found if font))
    # The second compaction reused the first's compressed fonts, byte for byte.
    assert len(fonts[0]) == 2
    assert fonts[0] == fonts[1]
    # Each font's file and glyph map, compressed once.
    assert len(_PACKED) == 4
    assert PdfReader(io.BytesIO(first)).pages[0].extract_text() == (
        PdfReader(io.BytesIO(plain)).pages[0].extract_text()
    )
