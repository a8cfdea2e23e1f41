"""How pages break (pagequality): each kind of bad break made on purpose, found, and
placed at its page and block; and a page that breaks well says nothing."""

from __future__ import annotations

import io
import json
from typing import Any

import pdfplumber
import pikepdf
import pytest

from conftest import Project, handout_text
from generator.engine import load_engine
from generator.pagequality import PageNote, page_quality

#: A small page whose footer has a rule 20 px below the text area, as a handout's does.
PAGE = """
<style>
@page { size: 400px 400px; margin: 20px 20px 60px 20px;
        @bottom-center { content: "footer"; border-top: 1px solid black; vertical-align: top; } }
body { margin: 0; font: 16px/20px sans-serif; }
p { margin: 0; }
</style>
"""


def notes(body: str, *, one_page: bool = False) -> tuple[PageNote, ...]:
    load_engine()
    from weasyprint import HTML

    return page_quality(HTML(string=PAGE + body).render(), one_page=one_page)


def test_a_page_left_mostly_empty() -> None:
    # 320 px of text area: a line, then a block too tall for what is left.
    body = '<p>A short start.</p><div data-field="blocks[1]" style="height: 310px; break-inside: avoid; border: 1px solid">x</div>'
    assert notes(body) == (PageNote("sparse", 1, ""),)


def test_a_heading_stranded_at_the_foot() -> None:
    # Headings keep with what follows (the browser's style and ours): this one is
    # made not to, as a project's own style might.
    body = (
        '<div style="height: 280px"></div><h2 data-field="blocks[1]" style="margin: 0; font-size: 16px; break-after: auto">Small steps</h2>'
        '<p data-field="blocks[2]" style="orphans: 3">' + "Words that go on. " * 12 + "</p>"
    )
    assert PageNote("stranded-heading", 1, "blocks[1]", "Small steps") in notes(body)


def test_a_paragraph_with_one_line_alone() -> None:
    body = (
        '<div style="height: 300px"></div>'
        '<p data-field="blocks[1]" style="orphans: 1; widows: 1">'
        + "Everyone can rest. " * 12
        + "</p>"
    )
    found = notes(body)
    assert [(n.kind, n.page, n.field) for n in found if n.kind == "lone-line"] == [
        ("lone-line", 1, "blocks[1]")
    ]
    assert found[0].text.startswith("Everyone can rest.")


def test_text_too_near_the_footer_rule() -> None:
    # Sixteen lines of 20 px fill the 320 px text area: the last line's foot is on the rule.
    body = '<p data-field="blocks[0]">' + "Line of text here. " * 40 + "</p>"
    assert PageNote("near-footer", 1, "") in notes(body)
    # With a line to spare, 20 px (15 pt) of room: nothing to say.
    assert notes('<div style="height: 280px"></div><p>One line.</p>') == ()


def test_a_one_page_document_that_spilled() -> None:
    body = (
        '<div style="height: 300px"></div><p data-field="blocks[1]">' + "More words. " * 30 + "</p>"
    )
    # Where it runs over: the block, and the first words on the second page.
    spill = [n for n in notes(body, one_page=True) if n.kind == "spilled"]
    assert [(n.page, n.field) for n in spill] == [(2, "blocks[1]")]
    assert spill[0].text.startswith("More words.")
    assert all(n.kind != "spilled" for n in notes(body))
    # The clinician's notes set apart on a page of their own are not a spill.
    apart = (
        '<p>One line.</p><div class="notes-apart" style="break-before: page"><p>A note.</p></div>'
    )
    assert all(n.kind != "spilled" for n in notes(apart, one_page=True))
    after = notes(apart + "<p>Not a note.</p>", one_page=True)
    assert [n.kind for n in after if n.kind == "spilled"] == ["spilled"]


@pytest.mark.parametrize("large_print", [False, True])
def test_check_pdf_places_each_note_at_its_block(
    project: Project, cli: Any, large_print: bool
) -> None:
    # A worksheet whose writing lines need more than a page.
    prompts = "".join(
        f"      - kind: lines\n        text: Something you noticed ({n})\n        lines: 6\n"
        for n in range(6)
    )
    text = handout_text(
        "A long check-in",
        "A worksheet with room to write.",
        "  - type: worksheet\n    title: Your turn\n    prompts:\n" + prompts,
    ).replace("blocks:", "one_page: true\nblocks:")
    project.add("long.yaml", text)
    args = ["check", "long", "--pdf", "--json", *(["--large-print"] if large_print else [])]
    report = json.loads(cli(*args).stdout)
    spilled = [f for f in report["findings"] if f["rule"] == "pdf.spilled"]
    if large_print:
        assert spilled == []  # large print is not meant to fit one page
    else:
        (finding,) = spilled
        assert finding["message"].startswith(
            "this handout is meant to fit one page (`one_page: true`), and runs onto page 2 "
            "from \u201cSomething"
        )
        # At the worksheet (line 12: `one_page` comes before the blocks).
        assert (finding["line"], finding["severity"]) == (12, "warning")


def test_each_note_is_a_finding_of_its_rule_at_its_block(project: Project) -> None:
    from generator.check.pdf import page_findings
    from generator.yamlfile import read_yaml

    path = project.add(
        "h.yaml", handout_text("Notes", "Each kind.", "  - type: paragraph\n    text: Hi.\n")
    )
    kinds = {
        "sparse": "pdf.sparse-page",
        "stranded-heading": "pdf.stranded-heading",
        "lone-line": "pdf.lone-line",
        "spilled": "pdf.spilled",
        "near-footer": "pdf.near-footer",
    }
    found = page_findings(
        read_yaml(path), [PageNote(kind, 2, "blocks[0]", "Hi.") for kind in kinds]
    )
    assert [(f.rule, f.severity, f.line, f.column) for f in found] == [
        (rule, "warning", 11, 5) for rule in kinds.values()
    ]
    assert "page 2" in found[0].message


SOURCES_PAGE = """<!DOCTYPE html><html lang="en"><head><title>t</title><style>
@page { size: 400px 400px; margin: 20px; }
body { margin: 0; font: 16px/20px sans-serif; }
.sources { line-height: 40px; }
[data-fit=end] .sources { line-height: 16px; }
</style></head><body>
<div style="height: {spacer}px"></div><p>{last}</p>
<section class="sources"><ul><li>One source</li><li>Another source</li><li>A third</li></ul></section>
</body></html>"""


@pytest.mark.parametrize(
    ("spacer", "last", "pages"),
    [
        (250, "The end of the text.", 1),  # set closer, the sources fit the first page
        (250, "The end. " * 40, 2),  # the text runs on too: nothing to save
        (330, "The end of the text.", 2),  # they can't fit, so they stay as they were
    ],
)
def test_sources_alone_on_a_last_page_are_set_closer_where_that_saves_it(
    spacer: int, last: str, pages: int
) -> None:
    from generator.pdf import html_to_pdf

    html = SOURCES_PAGE.replace("{spacer}", str(spacer)).replace("{last}", last)
    result = html_to_pdf(html, "file:///nowhere/", ())
    with pikepdf.open(io.BytesIO(result.data)) as pdf:
        assert len(pdf.pages) == pages


def test_a_lead_in_keeps_to_the_page_of_its_list(project: Project, cli: Any) -> None:
    """Wherever the page breaks near it, a paragraph ending in a colon is on the page
    its list starts on, and is marked as leading in to it."""
    import pdfplumber

    lead = "  - type: paragraph\n    text: 'Some signs you might notice:'\n"
    items = "  - type: list\n    items: [Tired, Tense, Restless, Flat, Numb, Jumpy, Far away]\n"
    after = "  - type: paragraph\n    text: 'Then a paragraph: not a lead-in.'\n"
    broken = []
    for filler in range(8, 24):
        body = "  - type: paragraph\n    text: One line of filler here.\n" * filler
        text = handout_text("Lead-ins", "Keeping a lead-in.", body + lead + items + after)
        project.add("lead.yaml", text)
        result = cli("build", "lead", "--out", "o")
        assert result.exit_code == 0, result.output
        with pdfplumber.open(project.root / "o" / "en" / "lead.pdf") as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
        lead_page = next(n for n, t in enumerate(pages, 1) if "Some signs" in t)
        list_page = next(n for n, t in enumerate(pages, 1) if "Tired" in t)
        if lead_page != list_page:
            broken.append(filler)
    assert broken == []
    html = cli("build", "lead", "--format", "html", "--out", "h")
    assert html.exit_code == 0
    written = (project.root / "h" / "en" / "lead.html").read_text(encoding="utf-8")
    assert written.count('class="lead-in"') == 1
    assert '<p class="lead-in" data-field="blocks[23]">Some signs you might notice:</p>' in written


def test_the_paragraph_before_an_untitled_worksheet_keeps_to_its_page(
    project: Project, cli: Any
) -> None:
    """Moved whole to the next page, an untitled worksheet started there with nothing
    saying what it was for; its heading and intro were left at the last page's foot."""
    import pdfplumber

    intro = "  - type: paragraph\n    text: 'Write down who you could call.'\n"
    sheet = (
        "  - type: worksheet\n    prompts:\n"
        + "      - {kind: lines, text: 'Name and phone number', inline: true}\n" * 3
        + "      - {kind: lines, text: 'Places that help', lines: 4}\n"
    )
    broken = []
    for filler in range(14, 30, 2):
        body = "  - type: paragraph\n    text: One line of filler here.\n" * filler
        text = handout_text("Plans", "A plan.", body + intro + sheet)
        project.add("plan.yaml", text)
        result = cli("build", "plan", "--out", "o")
        assert result.exit_code == 0, result.output
        with pdfplumber.open(project.root / "o" / "en" / "plan.pdf") as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
        intro_page = next(n for n, t in enumerate(pages, 1) if "who you could call" in t)
        sheet_page = next(n for n, t in enumerate(pages, 1) if "Name and phone" in t)
        if intro_page != sheet_page:
            broken.append(filler)
    assert broken == []
    # A worksheet with a title of its own says what it is: no lead-in then.
    titled = sheet.replace("    prompts:", "    title: Who to call\n    prompts:", 1)
    project.add("plan.yaml", handout_text("Plans", "A plan.", intro + titled))
    assert cli("build", "plan", "--format", "html", "--out", "h").exit_code == 0
    written = (project.root / "h" / "en" / "plan.html").read_text(encoding="utf-8")
    assert 'class="lead-in"' not in written


@pytest.mark.parametrize("kind", ["list", "steps"])
def test_a_long_list_breaks_between_items_and_a_short_one_keeps_together(
    project: Project, cli: Any, kind: str
) -> None:
    import pdfplumber

    filler = "  - type: paragraph\n    text: One line of filler here.\n" * 12
    long_items = ", ".join(f"Item number {n} on the list" for n in range(1, 15))
    short_items = ", ".join(f"Short item {n}" for n in range(1, 7))

    def pages_of(items: str, word: str, count: int) -> list[int]:
        block = f"  - type: {kind}\n    title: A list\n    items: [{items}]\n"
        project.add("long.yaml", handout_text("Long lists", "Where a list breaks.", filler + block))
        result = cli("build", "long", "--out", "o")
        assert result.exit_code == 0, result.output
        with pdfplumber.open(project.root / "o" / "en" / "long.pdf") as pdf:
            texts = [" ".join((page.extract_text() or "").split()) + " " for page in pdf.pages]
        return [
            next(p for p, t in enumerate(texts, 1) if f"{word} {n} " in t)
            for n in range(1, count + 1)
        ]

    # Fourteen items start on the first page, under their title, and go on over.
    long = pages_of(long_items, "Item number", 14)
    assert long[0] == 1 and long[-1] == 2
    assert long.count(1) >= 2 and long.count(2) >= 2
    assert long == sorted(long)
    # Six keep together (on the first page here, or all on the next).
    assert len(set(pages_of(short_items, "Short item", 6))) == 1


def test_check_pdf_looks_at_the_edition_and_paper_asked_for(project: Project, cli: Any) -> None:
    # Each prompt is one line on Letter and two on A4's narrower text: nine fit a
    # Letter page and run onto a second A4 page.
    prompt = "Something you noticed about your day and how it went, in few words or a list"
    prompts = "".join(
        f"      - kind: lines\n        text: {prompt} ({n})\n        lines: 1\n" for n in range(9)
    )
    note = "  - type: clinician_note\n    text: " + "Go at the client's pace. " * 60 + "\n"
    text = handout_text(
        "A check-in",
        "A worksheet with room to write.",
        "  - type: worksheet\n    title: Your turn\n    prompts:\n" + prompts + note,
    ).replace("blocks:", "one_page: true\nblocks:")
    project.add("notes.yaml", text)

    def spilled(*args: str) -> list[str]:
        report = json.loads(cli("check", "notes", "--pdf", "--json", *args).stdout)
        return [f["message"] for f in report["findings"] if f["rule"] == "pdf.spilled"]

    # The clinician edition sets its long note apart, after the client's page.
    assert spilled() == spilled("--edition", "clinician") == []
    a4 = spilled("--paper", "a4")
    assert a4 == spilled("--edition", "clinician", "--paper", "a4")
    assert len(a4) == 1
    assert a4[0].startswith(
        "this handout is meant to fit one page (`one_page: true`), and runs onto page 2"
    )
    assert cli("check", "notes", "--pdf", "--paper", "a4", "--strict").exit_code == 1


def test_a_long_table_breaks_between_rows_with_its_header_on_each_page(
    project: Project, cli: Any
) -> None:
    import pdfplumber

    rows = "".join(f"      - [Day {n}, A short walk, Ten minutes]\n" for n in range(1, 41))
    table = "  - type: table\n    caption: A month of walks\n    header: [When, What, How long]\n"
    project.add(
        "walks.yaml", handout_text("Walks", "A table of walks.", table + "    rows:\n" + rows)
    )
    result = cli("build", "walks", "--out", "o")
    assert result.exit_code == 0, result.output
    with pdfplumber.open(project.root / "o" / "en" / "walks.pdf") as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    assert len(pages) >= 2
    for text in pages:
        # Each page's part of the table opens with the column headings...
        assert "When What How long" in text
    # ...and every row is whole, on one page, in order.
    found = [
        n for text in pages for n in range(1, 41) if f"Day {n} A short walk Ten minutes" in text
    ]
    assert found == list(range(1, 41))


def test_a_tables_header_repeated_on_the_next_page_is_not_a_lone_line(
    project: Project, cli: Any
) -> None:
    rows = "".join(
        f'      - ["Row {n}", "Something that may help, in a few words", "How to offer it"]\n'
        for n in range(40)
    )
    text = handout_text(
        "A long table",
        "A table over two pages.",
        '  - type: table\n    header: ["Handout", "When it may help", "How"]\n    rows:\n' + rows,
    )
    project.add("table.yaml", text)
    report = json.loads(cli("check", "table", "--pdf", "--json").stdout)
    found = [f for f in report["findings"] if f["rule"].startswith("pdf.")]
    assert [f for f in found if f["rule"] == "pdf.lone-line"] == []
    # It does span pages: the header is printed on each.
    built = cli("build", "table")
    with pdfplumber.open(built.stdout.strip()) as pdf:
        heads = [p.extract_text().count("When it may help") for p in pdf.pages]
    assert len(heads) >= 2 and all(h == 1 for h in heads)


def test_a_table_keeps_its_caption_and_two_rows_together_wherever_the_page_breaks(
    project: Project, cli: Any
) -> None:
    """A visual review's: a long table left its caption, or its caption, header and one
    row, at the foot of a page, and could leave its last row alone on the next."""
    rows = "".join(
        f'      - ["Row {n:02d}", "A support", "A way to reach it"]\n' for n in range(1, 21)
    )
    table = (
        "  - type: table\n    caption: Kinds of support\n"
        '    header: ["Who", "When", "How"]\n    rows:\n' + rows
    )
    broken = []
    for filler in range(14, 34, 2):
        body = "  - type: paragraph\n    text: One line of filler here.\n" * filler
        project.add("table.yaml", handout_text("Tables", "Keeping a table.", body + table))
        result = cli("build", "table", "--out", "o")
        assert result.exit_code == 0, result.output
        with pdfplumber.open(project.root / "o" / "en" / "table.pdf") as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
        where = {t: next(n for n, page in enumerate(pages) if t in page) for t in _TABLE_MARKS}
        if not where["Kinds of support"] == where["Row 01"] == where["Row 02"]:
            broken.append((filler, "start"))
        if where["Row 19"] != where["Row 20"]:
            broken.append((filler, "end"))
    assert broken == []


_TABLE_MARKS = ("Kinds of support", "Row 01", "Row 02", "Row 19", "Row 20")
