"""generator/merge.py alone: tagged PDFs joined into one, on tiny PDFs made here.

Each part is made with pikepdf the way WeasyPrint makes one: a structure
tree with a Document element, a parent tree keyed from each page and link,
named destinations, and (for a worksheet) form fields. The joined packet
must keep every page in order, the first part's metadata, one whole
structure tree, every destination and field, and the bookmarks it is given.
`test_assembly.py` checks the same on packets WeasyPrint laid out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

from generator.merge import (
    Bookmark,
    compact,
    join,
    outline_of,
    pages_and_outline,
    prepend,
    set_outline,
    stamp,
    to_bytes,
)


def _helvetica(pdf: pikepdf.Pdf) -> pikepdf.Object:
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name.Helvetica,
            Encoding=Name.WinAnsiEncoding,
        )
    )


def _tagged_annot(
    pdf: pikepdf.Pdf,
    document: pikepdf.Object,
    nums: pikepdf.Array,
    key: int,
    page: pikepdf.Object,
    role: pikepdf.Name,
    fields: pikepdf.Dictionary,
) -> pikepdf.Object:
    """An annotation on `page`, tagged as a `role` element of the document (an OBJR)."""
    fields.Type = Name.Annot
    fields.StructParent = key
    annot = pdf.make_indirect(fields)
    element = pdf.make_indirect(
        Dictionary(
            Type=Name.StructElem,
            S=role,
            P=document,
            Pg=page,
            K=Dictionary(Type=Name.OBJR, Obj=annot),
        )
    )
    document.K.append(element)
    nums.extend([key, element])
    return annot


def part(
    title: str,
    texts: Sequence[str],
    *,
    dests: dict[str, int] | None = None,
    link: str | None = None,
    field: str | None = None,
    marks: Sequence[tuple[str, int]] = (),
) -> bytes:
    """A tagged PDF with a page for each text, a P element on each, and what is asked:

    named destinations (name: page), a link on the first page to a named
    destination, a text field on the last page, bookmarks (title, page).
    """
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.Document, P=tree, K=Array())
    )
    nums = Array()
    for index, text in enumerate(texts):
        page = pdf.add_blank_page(page_size=(200, 200))
        drawing = f"/P <</MCID 0>> BDC BT /F1 12 Tf 20 100 Td ({text}) Tj ET EMC"
        page.obj.Contents = pdf.make_stream(drawing.encode())
        page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
        page.obj.StructParents = index
        element = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.P, P=document, Pg=page.obj, K=0)
        )
        document.K.append(element)
        nums.extend([index, Array([element])])
    key = len(texts)
    annots: list[pikepdf.Object] = []
    if link is not None:
        first = pdf.pages[0].obj
        annot = _tagged_annot(
            pdf,
            document,
            nums,
            key,
            first,
            Name.Link,
            Dictionary(Subtype=Name.Link, Rect=[20, 20, 80, 40], Dest=String(link)),
        )
        key += 1
        first.Annots = Array([annot])
        annots.append(annot)
    if field is not None:
        last = pdf.pages[-1].obj
        widget = _tagged_annot(
            pdf,
            document,
            nums,
            key,
            last,
            Name.Form,
            Dictionary(
                Subtype=Name.Widget, FT=Name.Tx, T=String(field), Rect=[20, 150, 180, 170], P=last
            ),
        )
        key += 1
        last.Annots = Array([*last.get("/Annots", []), widget])
        pdf.Root.AcroForm = pdf.make_indirect(Dictionary(Fields=Array([widget])))
    tree.K = Array([document])
    tree.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree.ParentTreeNextKey = key
    pdf.Root.StructTreeRoot = tree
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    if dests:
        names = Array()
        for name, index in sorted(dests.items()):
            names.extend([String(name), Array([pdf.pages[index].obj, Name.Fit])])
        pdf.Root.Names = Dictionary(Dests=pdf.make_indirect(Dictionary(Names=names)))
    with pdf.open_outline() as outline:
        outline.root.extend(pikepdf.OutlineItem(name, page) for name, page in marks)
    pdf.docinfo[Name.Title] = String(title)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def numbers(count: int) -> bytes:
    """An untagged layer: "n" on page n, and nothing on the first page."""
    pdf = pikepdf.new()
    font = _helvetica(pdf)
    for number in range(1, count + 1):
        page = pdf.add_blank_page(page_size=(200, 200))
        if number > 1:
            page.obj.Contents = pdf.make_stream(f"BT /F1 8 Tf 170 10 Td ({number}) Tj ET".encode())
            page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def texts(data: bytes) -> list[str]:
    return [page.extract_text().strip() for page in PdfReader(io.BytesIO(data)).pages]


def whole_tree(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    """The Document element's children, as (type, page index), after checking every link.

    Every page's and annotation's key is in the parent tree, once; every
    element's parent is the Document and its page one of the document's.
    """
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    tree = pdf.Root.StructTreeRoot
    nums = tree.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert len(keys) == len(set(keys))
    used = []
    for page in pdf.pages:
        used.append(int(page.obj.StructParents))
        used.extend(int(a.StructParent) for a in page.obj.get("/Annots", []))
    assert sorted(used) == sorted(keys)
    assert int(tree.ParentTreeNextKey) == max(keys) + 1
    (document,) = tree.K
    found = []
    for element in document.K:
        assert element.P.objgen == document.objgen
        found.append((str(element.S), pages[element.Pg.objgen]))
    return found


def saved(pdf: pikepdf.Pdf) -> bytes:
    return to_bytes(pdf)


@pytest.fixture(scope="module")
def parts() -> list[bytes]:
    return [
        part("Packet", ["Cover"]),
        part(
            "Part A",
            ["A one", "A two"],
            dests={"handout-a": 0, "a-end": 1},
            link="handout-b",
            marks=[("Heading A", 0), ("Later in A", 1)],
        ),
        part("Part B", ["B one", "B two", "B three"], dests={"handout-b": 0}, field="b-notes"),
        part("Part C", ["C one"], field="c-notes"),
    ]


def test_the_joined_pdf_has_every_page_in_order(parts: list[bytes]) -> None:
    joined = saved(join(parts))
    assert texts(joined) == ["Cover", "A one", "A two", "B one", "B two", "B three", "C one"]
    assert pages_and_outline(joined) == (7, [])


def test_the_first_part_gives_the_metadata(parts: list[bytes]) -> None:
    with pikepdf.open(io.BytesIO(saved(join(parts)))) as pdf:
        assert str(pdf.docinfo["/Title"]) == "Packet"
        assert pdf.Root.MarkInfo.Marked is True


def test_the_joined_pdf_is_one_structure_tree(parts: list[bytes]) -> None:
    with pikepdf.open(io.BytesIO(saved(join(parts)))) as pdf:
        assert whole_tree(pdf) == [
            ("/P", 0),
            ("/P", 1),
            ("/P", 2),
            ("/Link", 1),
            ("/P", 3),
            ("/P", 4),
            ("/P", 5),
            ("/Form", 5),
            ("/P", 6),
            ("/Form", 6),
        ]


def test_named_destinations_and_links_reach_their_pages(parts: list[bytes]) -> None:
    reader = PdfReader(io.BytesIO(saved(join(parts))))
    assert {
        name: reader.get_page_number(dest.page) for name, dest in reader.named_destinations.items()
    } == {"handout-a": 1, "a-end": 2, "handout-b": 3}
    (link,) = reader.pages[1]["/Annots"]
    assert str(link.get_object()["/Dest"]) == "handout-b"


def test_every_parts_form_fields_are_kept(parts: list[bytes]) -> None:
    with pikepdf.open(io.BytesIO(saved(join(parts)))) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        fields = {str(f.T): pages[f.P.objgen] for f in pdf.Root.AcroForm.Fields}
    assert fields == {"b-notes": 5, "c-notes": 6}


def test_bookmarks_are_read_with_their_pages_and_replaced(parts: list[bytes]) -> None:
    assert outline_of(parts[1]) == [Bookmark("Heading A", 0), Bookmark("Later in A", 1)]
    joined = join(parts)
    marks = [
        Bookmark("Contents", 0),
        Bookmark("Part one", 1, [Bookmark("Handout A", 1, [Bookmark("Later in A", 2)])]),
        Bookmark("Handout B", 3),
    ]
    set_outline(joined, marks)
    data = saved(joined)
    assert outline_of(data) == marks
    # Set again, the old tree goes.
    again = pikepdf.open(io.BytesIO(data))
    set_outline(again, [Bookmark("Only", 6)])
    assert pages_and_outline(saved(again)) == (7, [Bookmark("Only", 6)])


def test_a_bookmark_to_a_named_destination_or_nowhere_is_read(parts: list[bytes]) -> None:
    pdf = pikepdf.open(io.BytesIO(parts[1]))
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("By name", "a-end"))
        outline.root.append(pikepdf.OutlineItem("Nowhere", "no-such-name"))
    out = io.BytesIO()
    pdf.save(out)
    assert outline_of(out.getvalue())[2:] == [Bookmark("By name", 1), Bookmark("Nowhere", -1)]


def test_a_cover_put_in_front_comes_first_everywhere(parts: list[bytes]) -> None:
    rest = saved(join(parts[1:]))
    cover = part("A personal cover", ["Prepared for someone"], field="cover-notes")
    with prepend(cover, rest) as pdf:
        assert whole_tree(pdf)[:3] == [("/P", 0), ("/Form", 0), ("/P", 1)]
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        fields = {str(f.T): pages[f.P.objgen] for f in pdf.Root.AcroForm.Fields}
        data = saved(pdf)
    assert fields == {"b-notes": 5, "c-notes": 6, "cover-notes": 0}
    assert texts(data) == [
        "Prepared for someone",
        "A one",
        "A two",
        "B one",
        "B two",
        "B three",
        "C one",
    ]
    reader = PdfReader(io.BytesIO(data))
    assert {
        name: reader.get_page_number(dest.page) for name, dest in reader.named_destinations.items()
    } == {"handout-a": 1, "a-end": 2, "handout-b": 3}
    # The metadata stays the packet's (here Part A's), never the cover's.
    assert reader.metadata is not None and reader.metadata.title == "Part A"


def test_a_cover_put_in_front_keeps_its_named_destinations(parts: list[bytes]) -> None:
    cover = part("A personal cover", ["Prepared for someone"], dests={"cover": 0})
    reader = PdfReader(io.BytesIO(saved(prepend(cover, saved(join(parts[1:]))))))
    assert {
        name: reader.get_page_number(dest.page) for name, dest in reader.named_destinations.items()
    } == {"cover": 0, "handout-a": 1, "a-end": 2, "handout-b": 3}


def test_page_numbers_are_stamped_as_artifacts_from_the_page_asked(parts: list[bytes]) -> None:
    joined = join(parts)
    stamp(joined, numbers(7), first=1)
    data = saved(joined)
    assert texts(data) == [
        "Cover",
        "A one\n2",
        "A two\n3",
        "B one\n4",
        "B two\n5",
        "B three\n6",
        "C one\n7",
    ]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/XObject" not in pdf.pages[0].obj.Resources
        for page in list(pdf.pages)[1:]:
            assert list(page.obj.Resources.XObject.keys()) == ["/PageNumber0"]
            last = page.obj.Contents[-1].read_bytes()
            assert last == b"\nQ\n/Artifact BMC q /PageNumber0 Do Q EMC\n"
            assert page.obj.Contents[0].read_bytes() == b"q\n"
        # Numbers are furniture: the structure tree is as it was.
        assert len(whole_tree(pdf)) == 10


def test_numbers_laid_out_for_the_whole_packet_skip_the_cover_to_come(
    parts: list[bytes],
) -> None:
    rest = join(parts[1:])
    # The numbers document counts the cover added later: its page 0.
    stamp(rest, numbers(7), offset=1)
    assert texts(saved(rest))[0] == "A one\n2"
    assert texts(saved(rest))[-1] == "C one\n7"


def test_the_same_parts_give_the_same_bytes(parts: list[bytes]) -> None:
    first = join(parts)
    stamp(first, numbers(7), first=1)
    set_outline(first, [Bookmark("A", 1)])
    second = join(parts)
    stamp(second, numbers(7), first=1)
    set_outline(second, [Bookmark("A", 1)])
    assert saved(first) == saved(second)


def test_each_font_is_kept_once(parts: list[bytes]) -> None:
    """Every part brings its own copy of the same font; the joined file keeps one."""
    joined = join(parts)
    stamp(joined, numbers(7), first=1)
    with pikepdf.open(io.BytesIO(saved(joined))) as pdf:
        fonts = [o for o in pdf.objects if isinstance(o, Dictionary) and o.get("/Type") == "/Font"]
        assert [str(f.BaseFont) for f in fonts] == ["/Helvetica"]


def test_a_part_is_compacted_without_changing_what_it_shows(parts: list[bytes]) -> None:
    compacted = compact(parts[2])
    assert texts(compacted) == texts(parts[2])
    with pikepdf.open(io.BytesIO(compacted)) as pdf:
        streams = [o for o in pdf.objects if isinstance(o, pikepdf.Stream)]
        assert [str(s.get("/Type", "")) for s in streams if "/Filter" not in s] == []
        assert any(s.get("/Type") == "/ObjStm" for s in streams)
        assert whole_tree(pdf) == [("/P", 0), ("/P", 1), ("/P", 2), ("/Form", 2)]
    # Joined after compaction as before it.
    assert texts(saved(join([compact(p) for p in parts]))) == texts(saved(join(parts)))
