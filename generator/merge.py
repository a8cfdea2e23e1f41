"""PDF stage, assembly: join tagged PDFs into one, keeping structure, links and forms.

A packet is laid out in parts (a cover, the front matter, each divider and
each handout) so that an unchanged part comes from the cache. This module
joins the parts page by page. Each part is a tagged PDF/UA document with its
own structure tree; the joined document gets one tree holding every part's
elements, its pages renumbered in the parent tree, the parts' named
destinations and form fields, one copy of each embedded font, and a new
bookmark tree.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pikepdf


@dataclass
class Bookmark:
    """One entry of the bookmark tree: a title, a page (0-based) and children."""

    title: str
    page: int
    children: list[Bookmark] = field(default_factory=list)


def outline_of(data: bytes) -> list[Bookmark]:
    """A PDF's bookmark tree, with 0-based page numbers."""
    return pages_and_outline(data)[1]


def pages_and_outline(data: bytes) -> tuple[int, list[Bookmark]]:
    """A PDF's page count and bookmark tree (0-based page numbers), from one reading."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages: dict[Any, int] = {page.objgen: index for index, page in enumerate(pdf.pages)}
        dests = named_dests(pdf)

        def convert(items: Any) -> list[Bookmark]:
            result = []
            for item in items:
                target: Any = item.destination
                if isinstance(target, (str, pikepdf.String)):
                    target = dests.get(str(target))
                if target is None and item.action is not None:
                    target = item.action.get("/D")
                page = -1
                if isinstance(target, pikepdf.Array) and len(target):
                    page = pages.get(target[0].objgen, -1)
                result.append(Bookmark(str(item.title), page, convert(item.children)))
            return result

        with pdf.open_outline() as outline:
            return len(pages), convert(outline.root)


def named_dests(pdf: pikepdf.Pdf) -> dict[str, Any]:
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return {}
    tree = pikepdf.NameTree(names.Dests)
    return {str(key): tree[key] for key in tree.keys()}  # noqa: SIM118 - NameTree


def join(parts: Sequence[bytes]) -> pikepdf.Pdf:
    """Join tagged PDFs into one tagged PDF; the first part gives the metadata."""
    base = pikepdf.open(io.BytesIO(parts[0]))
    tree = base.Root.StructTreeRoot
    document = tree.K[0]
    nums = tree.ParentTree.Nums
    next_key = _next_key(base)
    dests = named_dests(base)
    for data in parts[1:]:
        source = pikepdf.open(io.BytesIO(data))
        next_key = _append(base, document, nums, next_key, dests, source)
    tree.ParentTreeNextKey = next_key
    if dests:
        _write_dests(base, dests)
    return base


def _write_dests(base: pikepdf.Pdf, dests: dict[str, Any]) -> None:
    """The joined document's named destinations (link targets), as one sorted name tree."""
    names = base.Root.get("/Names") or base.make_indirect(pikepdf.Dictionary())
    base.Root.Names = names
    ordered = pikepdf.Array()
    for name in sorted(dests):
        ordered.append(pikepdf.String(name))
        ordered.append(dests[name])
    names.Dests = base.make_indirect(pikepdf.Dictionary(Names=ordered))


def _next_key(pdf: pikepdf.Pdf) -> int:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    return max(keys, default=-1) + 1


def _append(
    base: pikepdf.Pdf,
    document: Any,
    nums: Any,
    next_key: int,
    dests: dict[str, Any],
    source: pikepdf.Pdf,
) -> int:
    source_tree = source.Root.StructTreeRoot
    source_document = source_tree.K[0]
    # Detach the part's top-level elements from its Document element, so that
    # copying them does not copy the whole foreign tree; they are re-parented below.
    pairs = source_tree.ParentTree.Nums
    top_level = _top_level(source_document, [pairs[i] for i in range(1, len(pairs), 2)])
    for element in top_level:
        del element["/P"]
    keys: dict[int, int] = {}
    for page in source.pages:
        if "/StructParents" in page.obj:
            keys[int(page.obj.StructParents)] = next_key
            next_key += 1
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                keys[int(annot.StructParent)] = next_key
                next_key += 1
    first = len(base.pages)
    with warnings.catch_warnings():
        # pikepdf warns that named destinations and form fields are not carried
        # over by extend(); this module carries them over itself.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        base.pages.extend(source.pages)
    for page in base.pages[first:]:
        if "/StructParents" in page.obj:
            page.obj.StructParents = keys[int(page.obj.StructParents)]
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                annot.StructParent = keys[int(annot.StructParent)]
    for element in top_level:
        copy = base.copy_foreign(element)
        copy.P = document
    for element in source_document.K:
        document.K.append(base.copy_foreign(element))
    # Copied in one call (each page's entry is an array of many elements).
    copied = base.copy_foreign(source.make_indirect(pairs))
    for index in range(0, len(copied), 2):
        nums.append(keys[int(copied[index])])
        nums.append(copied[index + 1])
    for name, target in named_dests(source).items():
        dests[name] = _copy(base, target)
    _merge_form(base, source)
    return next_key


def _copy(base: pikepdf.Pdf, value: Any) -> Any:
    """A foreign object in `base`: indirect ones through pikepdf's copier (which
    maps pages already copied), direct arrays and dictionaries element by element."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return base.copy_foreign(value)
    if isinstance(value, pikepdf.Array):
        return pikepdf.Array([_copy(base, item) for item in value])
    if isinstance(value, pikepdf.Dictionary):
        return pikepdf.Dictionary({key: _copy(base, item) for key, item in value.items()})
    return value


def _top_level(document: Any, values: Sequence[Any]) -> list[Any]:
    """Every structure element whose parent is the Document element."""
    found: dict[tuple[int, int], Any] = {}
    for element in document.K:
        found[element.objgen] = element
    for value in values:
        for element in value if isinstance(value, pikepdf.Array) else [value]:
            current = element
            for _ in range(200):  # the tree is shallow; this only guards a loop
                parent = current.get("/P")
                if parent is None:
                    break
                if parent.objgen == document.objgen:
                    found[current.objgen] = current
                    break
                current = parent
    return list(found.values())


def _merge_form(base: pikepdf.Pdf, source: pikepdf.Pdf) -> None:
    form = source.Root.get("/AcroForm")
    if form is None:
        return
    if "/AcroForm" not in base.Root:
        base.Root.AcroForm = base.make_indirect(_copy(base, form))
        return
    fields = base.Root.AcroForm.Fields
    for entry in form.get("/Fields", []):
        fields.append(_copy(base, entry))


def _share_fonts(pdf: pikepdf.Pdf) -> None:
    """Keep one copy of each font: every part embeds the same whole fonts.

    Parts are laid out with whole fonts, so their font dictionaries (glyph
    widths, Unicode map and font file) are the same byte for byte; all but
    one of each are dropped when the file is written.
    """
    canonical: dict[str, Any] = {}
    # A part's pages share its fonts: each font object is read once.
    keys: dict[tuple[int, int], str] = {}
    for page in pdf.pages:
        for resources in _resources(page.obj.get("/Resources")):
            fonts = resources.get("/Font")
            if fonts is None:
                continue
            for name, font in list(fonts.items()):
                key = keys.get(font.objgen) if font.is_indirect else None
                if key is None:
                    key = _font_key(font)
                    if font.is_indirect:
                        keys[font.objgen] = key
                if key in canonical:
                    fonts[name] = canonical[key]
                else:
                    canonical[key] = font


def _resources(resources: Any) -> list[Any]:
    """A resource dictionary and those of the forms it draws, nested."""
    if resources is None:
        return []
    found = [resources]
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form":
            found += _resources(xobject.get("/Resources"))
    return found


def _font_key(font: Any) -> str:
    digest = hashlib.sha256()
    descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
    for value in (font.get("/BaseFont"), font.get("/Subtype"), descendant.get("/W")):
        digest.update(repr(value).encode())
    for stream in _font_streams(font):
        if isinstance(stream, pikepdf.Stream):
            digest.update(stream.read_raw_bytes())
        else:
            digest.update(repr(stream).encode())
    return digest.hexdigest()


def _font_streams(font: Any) -> list[Any]:
    """A font's Unicode map, glyph map and font file (each a stream, a name or None)."""
    descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
    descriptor = descendant.get("/FontDescriptor")
    streams = [font.get("/ToUnicode"), descendant.get("/CIDToGIDMap")]
    if descriptor is not None:
        streams += [descriptor.get(k) for k in ("/FontFile", "/FontFile2", "/FontFile3")]
    return streams


#: Font streams compressed already, by a digest of their bytes.
_PACKED: dict[bytes, bytes] = {}
_MAX_PACKED = 32


def compact(data: bytes) -> bytes:
    """A part made ready to join: every stream compressed, objects in object streams.

    Parts are laid out uncompressed (see `pdf.html_to_pdf`), and every part
    embeds the same whole fonts: so each font is compressed once per process
    and the bytes reused for every part after. Object streams make the part
    quicker to read when it is joined.
    """
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for resources in _resources(page.obj.get("/Resources")):
                for font in resources.get("/Font", {}).values():
                    for stream in _font_streams(font):
                        if isinstance(stream, pikepdf.Stream) and "/Filter" not in stream:
                            packed = _pack(stream.read_raw_bytes())
                            stream.write(packed, filter=pikepdf.Name.FlateDecode)
        out = io.BytesIO()
        _save(pdf, out)
    return out.getvalue()


def _pack(raw: bytes) -> bytes:
    key = hashlib.sha256(raw).digest()
    packed = _PACKED.get(key)
    if packed is None:
        packed = zlib.compress(raw)
        if len(_PACKED) >= _MAX_PACKED:
            del _PACKED[next(iter(_PACKED))]
        _PACKED[key] = packed
    return packed


def set_outline(pdf: pikepdf.Pdf, bookmarks: Sequence[Bookmark]) -> None:
    """Replace the bookmark tree."""

    def item(mark: Bookmark) -> pikepdf.OutlineItem:
        entry = pikepdf.OutlineItem(mark.title, mark.page)
        entry.children.extend(item(child) for child in mark.children)
        return entry

    with pdf.open_outline() as outline:
        outline.root.clear()
        outline.root.extend(item(mark) for mark in bookmarks)


def prepend(cover: bytes, rest: bytes, last: bytes | None = None) -> pikepdf.Pdf:
    """A one-page cover put in front of a joined document, and a last page after, cheaply.

    The document is opened as it is and only the cover's (and the last
    page's) objects are copied in, so a hundred personalised copies cost a
    hundred small copies.
    """
    base = pikepdf.open(io.BytesIO(rest))
    put_in_front(base, cover)
    if last is not None:
        put_at_end(base, last)
    return base


def put_at_end(base: pikepdf.Pdf, part: bytes) -> None:
    """Add a part's pages after a joined document's, in place."""
    tree = base.Root.StructTreeRoot
    dests = named_dests(base)
    known = len(dests)
    next_key = _append(base, tree.K[0], tree.ParentTree.Nums, _next_key(base), dests, _open(part))
    tree.ParentTreeNextKey = next_key
    if len(dests) > known:
        _write_dests(base, dests)


def put_in_front(base: pikepdf.Pdf, cover: bytes) -> None:
    """Put a one-page cover in front of a joined document, in place."""
    tree = base.Root.StructTreeRoot
    document = tree.K[0]
    before = len(document.K)
    dests = named_dests(base)
    known = len(dests)
    next_key = _append(base, document, tree.ParentTree.Nums, _next_key(base), dests, _open(cover))
    tree.ParentTreeNextKey = next_key
    if len(dests) > known:  # the cover's own link targets
        _write_dests(base, dests)
    # Move the cover, added last, to the front: its page and its structure.
    page = base.pages[-1]
    del base.pages[-1]
    base.pages.insert(0, page)
    kids = list(document.K)
    document.K = pikepdf.Array(kids[before:] + kids[:before])


def _open(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(data))


def stamp(pdf: pikepdf.Pdf, numbers: bytes, *, first: int = 0, offset: int = 0) -> None:
    """Lay each page of a numbers document over the matching page, as an artifact.

    Pages from `first` on are stamped: page i with the numbers document's
    page i + `offset` (1 when the cover, numbers page 0, is added later).

    Page furniture is an artifact in a tagged PDF: screen readers skip it, and
    it needs no place in the structure tree.
    """
    layer = pikepdf.open(io.BytesIO(numbers))
    # Numbers pages past the document's own are for a last page added later.
    overlays = list(layer.pages)[first + offset :][: len(pdf.pages) - first]
    for page, overlay in zip(list(pdf.pages)[first:], overlays, strict=True):
        if not overlay.obj.get("/Contents"):
            continue
        form = pdf.copy_foreign(overlay.as_form_xobject())
        # A name of our choosing: pikepdf's prefix= adds random letters, and
        # the same packet must give the same bytes.
        resources = page.obj.get("/Resources") or pikepdf.Dictionary()
        taken = set(resources.get("/XObject", pikepdf.Dictionary()).keys())
        name = next(
            pikepdf.Name(f"/PageNumber{n}")
            for n in range(len(taken) + 1)
            if f"/PageNumber{n}" not in taken
        )
        page.add_resource(form, pikepdf.Name.XObject, name)
        # The page's own drawing may leave its coordinate system changed:
        # wrap it in q ... Q so the numbers are drawn on the plain page.
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        drawing = b"\nQ\n/Artifact BMC q " + bytes(name.unparse()) + b" Do Q EMC\n"
        page.contents_add(pdf.make_stream(drawing))


def to_bytes(pdf: pikepdf.Pdf) -> bytes:
    """The joined PDF, written compactly: each font once, whatever part or layer
    brought it, streams compressed, objects in object streams."""
    _share_fonts(pdf)
    out = io.BytesIO()
    _save(pdf, out)
    return out.getvalue()


def _save(pdf: pikepdf.Pdf, out: io.BytesIO) -> None:
    """Write compactly, with a file identifier made from the content, not the time."""
    pdf.save(
        out,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
        deterministic_id=True,
    )
