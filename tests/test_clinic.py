"""A clinic's own project: config and branding, own content and templates, print profiles."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from pypdf import PdfReader

from conftest import MINIMAL, Project, handout_text, tiny_png
from generator.config import builtin_root
from generator.content import load_handouts

CONFIG = """\
practice:
  name: Riverside Counselling
  clinician: Dr. Alex Morgan
  phone: "020 7946 0000"
logo:
  src: assets/logo.png
  alt: Riverside Counselling logo
crisis: uk-ie
"""


@pytest.fixture
def clinic(project: Project) -> Project:
    (project.root / "assets").mkdir()
    (project.root / "assets" / "logo.png").write_bytes(tiny_png())
    (project.root / "handouts.yaml").write_text(CONFIG, encoding="utf-8")
    return project


def page_texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_branding_and_region_on_every_page(clinic: Project, cli) -> None:
    result = cli("build", "withdrawal-response", "--strict")
    assert result.exit_code == 0, result.output
    texts = page_texts(clinic.root / "output/en/withdrawal-response.pdf")
    assert len(texts) == 4  # three pages to read, and the pocket cards
    for text in texts:
        assert "Riverside Counselling" in text
        assert "Samaritans free on 116 123" in text
        assert "988" not in text
    # Each of the four cards carries the region's line too, as does the footer.
    assert texts[-1].count("Samaritans free on 116 123") == 5
    with pikepdf.open(clinic.root / "output/en/withdrawal-response.pdf") as pdf:
        assert str(pdf.docinfo["/Author"]) == "Riverside Counselling"
    with pdfplumber.open(clinic.root / "output/en/withdrawal-response.pdf") as pdf:
        # The logo heads the first page only.
        assert [len(page.images) for page in pdf.pages] == [1] + [0] * (len(pdf.pages) - 1)


def test_packets_honour_the_config(clinic: Project, cli) -> None:
    # A client handout (with its crisis lines) and the clinician's guide, in a packet.
    (clinic.root / "content" / "packets").mkdir(parents=True)
    (clinic.root / "content" / "packets" / "pair.yaml").write_text(
        "title: A pair\naudience: clinician\nlanguage: en\nsections:\n  - title: One\n"
        "    handouts: [withdrawal-response, self-attunement-clinician-guide]\n",
        encoding="utf-8",
    )
    result = cli("packet", "pair", "--strict")
    assert result.exit_code == 0, result.output
    texts = page_texts(Path(result.stdout.strip()))
    for text in texts[1:]:  # the cover has no footer
        assert "Riverside Counselling" in text
    assert all("988" not in t for t in texts)
    # The region's crisis line on each of the client handout's pages.
    assert ["Samaritans" in t for t in texts] == [False] * 3 + [True] * 4 + [False] * 6


def test_custom_crisis_lines(project: Project, cli) -> None:
    (project.root / "handouts.yaml").write_text(
        "crisis:\n"
        "  - text: Call the county crisis line on 555-0199, day or night.\n"
        "    verified: 2026-10-01\n"
        "  - text: In an emergency, call 911.\n"
        "    verified: 2026-10-01\n",
        encoding="utf-8",
    )
    project.add("breath.yaml")
    assert cli("build", "breath", "--strict").exit_code == 0
    (text,) = page_texts(project.root / "output/en/breath.pdf")
    assert "Call the county crisis line on 555-0199, day or night." in text
    assert "In an emergency, call 911." in text
    assert "988" not in text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'accent_colour: "#ffcc00"',
            "handouts.yaml:1:16: accent_colour: `#ffcc00` has a "
            "contrast of 1.51:1 on white; text in it needs at least 4.5:1 to be readable (WCAG "
            "AA). Choose a darker colour",
        ),
        (
            "accent_colour: tealish",
            "handouts.yaml:1:16: accent_colour: `tealish` is not a "
            "colour; write it like #1f4e4a or a CSS colour name",
        ),
        (
            "crisis: mars",
            "handouts.yaml:1:9: crisis: should be one of 'us', 'ca', 'uk-ie' or "
            "'au', not `mars`; or it should be a list (one \"- item\" a line), not text",
        ),
        (
            "paper: legal",
            "handouts.yaml:1:8: paper: should be one of 'letter' or 'a4', not `legal`",
        ),
        (
            "crisis:" + "\n  - {text: Call 555-0199., verified: 2026-01-01}" * 4,
            "handouts.yaml:2:3: crisis: should be one of 'us', 'ca', 'uk-ie' or 'au', not a "
            "list of 4 items; or it has too many items; at most 3 are allowed",
        ),
        (
            "practise:\n  name: X",
            "handouts.yaml:1:1: practise: unknown field `practise`; did you mean `practice`?",
        ),
        (
            "practice:\n  name: X\n  email: not-an-email",
            "handouts.yaml:3:10: practice.email: should be an email address like name@example.org",
        ),
        (
            "logo:\n  src: assets/logo.png",
            "handouts.yaml:2:3: logo.alt: required field is missing; add `alt:`",
        ),
        (
            "logo:\n  src: ../outside.png\n  alt: x",
            "handouts.yaml:2:8: logo.src: `../outside.png` "
            "points outside the project; put the image in the project's content/ or assets/ folder",
        ),
        (
            "logo:\n  src: assets/none.png\n  alt: x",
            "handouts.yaml:2:8: logo.src: no image at "
            "`assets/none.png`; check the file name and folder",
        ),
    ],
)
def test_config_errors_are_located(clinic: Project, cli, line: str, expected: str) -> None:
    (clinic.root.parent / "outside.png").write_bytes(tiny_png())
    (clinic.root / "handouts.yaml").write_text(line + "\n", encoding="utf-8")
    result = cli("build", "withdrawal-response")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == expected
    assert clinic.output_files() == {}


@pytest.mark.parametrize("paper", ["A4", "a4", "Letter"])
def test_paper_in_the_config_takes_any_case(project: Project, cli, paper: str) -> None:
    (project.root / "handouts.yaml").write_text(f"paper: {paper}\n", encoding="utf-8")
    project.add("breath.yaml")
    result = cli("build", "breath", "--format", "html")
    assert result.exit_code == 0, result.output
    expected = "breath-a4.html" if paper.lower() == "a4" else "breath.html"
    assert Path(result.stdout.strip()).name == expected


def test_accent_colour_reaches_the_css(clinic: Project, cli) -> None:
    (clinic.root / "handouts.yaml").write_text('accent_colour: "#5B2C6F"\n', encoding="utf-8")
    assert cli("build", "withdrawal-response", "--format", "html").exit_code == 0
    html = (clinic.root / "output/en/withdrawal-response.html").read_text()
    assert "color: #5b2c6f;" in html
    assert "1f4e4a" not in html


def test_config_option_picks_another_file(clinic: Project, cli, tmp_path: Path) -> None:
    other = clinic.root / "other.yaml"
    other.write_text("crisis: au\n", encoding="utf-8")
    assert cli("build", "withdrawal-response", "--config", str(other)).exit_code == 0
    text = " ".join(page_texts(clinic.root / "output/en/withdrawal-response.pdf"))
    assert "Lifeline on 13 11 14" in text
    assert "Riverside" not in text


def test_no_config_means_defaults(project: Project, cli) -> None:
    project.add("breath.yaml")
    (project.root / "handouts.yaml").write_text("# nothing set yet\n", encoding="utf-8")
    assert cli("build", "breath", "--strict").exit_code == 0
    assert "Call or text 988" in page_texts(project.root / "output/en/breath.pdf")[0]


# --- own content and templates ----------------------------------------------------


def test_project_templates_and_messages_come_first(project: Project, cli) -> None:
    project.add("breath.yaml", MINIMAL + "  - type: quote\n    text: One breath.\n    who: Me\n")
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text(
        'care_note: "Our own care note, from the clinic."\n', encoding="utf-8"
    )
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir()
    (blocks / "quote.html").write_text(
        '<p class="own-quote">Said: {{ block.text }}</p>\n', encoding="utf-8"
    )
    assert cli("build", "breath", "--format", "html").exit_code == 0
    html = (project.root / "output/en/breath.html").read_text()
    assert "Our own care note, from the clinic." in html
    assert '<p class="own-quote">Said: One breath.</p>' in html
    assert "Call or text 988" in html  # the rest of the messages fall through


def test_a_typo_in_project_messages_is_located(project: Project, cli) -> None:
    project.add("breath.yaml")
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text('care_nite: "x"\n', encoding="utf-8")
    result = cli("build", "breath")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "templates/messages/en.yaml:1:1: care_nite: unknown field `care_nite`; "
        "did you mean `care_note`?"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            'page: "Page {page} of {total}"',
            "templates/messages/en.yaml:2:7: page: uses {total}, which is not filled in here; "
            "this message may use only {page} and {pages}, written exactly so",
        ),
        (
            'version: "Version {number}"',
            "templates/messages/en.yaml:2:10: version: uses {number}, which is not filled in "
            "here; this message may use only {version}, written exactly so",
        ),
        (
            'part: "Part {Number}"',
            "templates/messages/en.yaml:2:7: part: uses {Number}, which is not filled in here; "
            "this message may use only {number}, written exactly so",
        ),
        # A slot with a format, an attribute or an index, or a brace alone, was printed
        # as typed or dropped the number, with no error.
        (
            'page: "Page {page:>99999999}"',
            "templates/messages/en.yaml:2:7: page: writes `{page:>99999999}`, which is not a "
            "slot; this message may use only {page} and {pages}, written exactly so",
        ),
        (
            'page: "Page {page[0]}"',
            "templates/messages/en.yaml:2:7: page: writes `{page[0]}`, which is not a slot; "
            "this message may use only {page} and {pages}, written exactly so",
        ),
        (
            'prepared_for: "For {name.upper}"',
            "templates/messages/en.yaml:2:15: prepared_for: writes `{name.upper}`, which is "
            "not a slot; this message may use only {name}, written exactly so",
        ),
        (
            'reviewed: "Reviewed {"',
            "templates/messages/en.yaml:2:11: reviewed: writes `{`, which is not a slot; "
            "this message may use only {date}, written exactly so",
        ),
        # Without its slot, the client's name (or the date) would silently not be printed.
        (
            'prepared_for: "Prepared for you"',
            "templates/messages/en.yaml:2:15: prepared_for: leaves out {name}, so it would "
            "not be printed; put {name} in it",
        ),
    ],
)
def test_a_wrong_slot_in_project_messages_is_located(
    project: Project, cli, line: str, expected: str
) -> None:
    project.add("breath.yaml")
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text(f'care_note: "Ours."\n{line}\n', encoding="utf-8")
    result = cli("build", "breath")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [expected, "1 problem in 1 file; nothing was written."]


def test_project_templates_are_sandboxed(project: Project, cli) -> None:
    project.add("breath.yaml", MINIMAL + "  - type: quote\n    text: One breath.\n")
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "quote.html").write_text(
        "{{ block.__class__.__init__.__globals__ }}\n", encoding="utf-8"
    )
    result = cli("build", "breath")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "unsafe" in result.stderr
    assert project.output_files() == {}


def test_init_new_build_and_list(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "clinic"
    result = cli("init", str(folder))
    assert result.exit_code == 0, result.output
    starter = Path(__file__).resolve().parents[1] / "generator" / "scaffold" / "handouts.yaml"
    assert (folder / "handouts.yaml").read_bytes() == starter.read_bytes()
    assert (folder / ".gitignore").read_text() == "output/\n.handouts-cache/\n"
    assert (folder / "content" / "handouts" / "en").is_dir()
    assert (folder / "templates").is_dir()
    assert "handouts new" in result.stderr
    assert cli("init", str(folder)).exit_code == 1  # never overwrites

    monkeypatch.chdir(folder)
    new = cli("new", "my-handout")
    assert new.exit_code == 0, new.output
    starter = folder / "content/handouts/en/my-handout.yaml"
    assert new.stdout.strip() == str(starter)
    assert cli("new", "my-handout").exit_code == 1
    assert cli("new", "My Handout").exit_code == 1
    (folder / "content/handouts/en/withdrawal-response.yaml").write_text(MINIMAL)

    build = cli("build", "--strict")
    assert build.exit_code == 0, build.output
    assert (folder / "output/en/my-handout.pdf").is_file()
    listing = cli("list").stdout.splitlines()
    assert "my-handout\ten\tclient\tMy handout\tproject" in listing
    assert "withdrawal-response\ten\tclient\tNoticing your breath\tproject" in listing
    assert "body-alarm-system\ten\tclient\tYour body's alarm system\tbuilt-in" in listing


def test_new_refuses_a_builtin_id_unless_forced(project: Project, cli) -> None:
    refused = cli("new", "withdrawal-response")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "Error: `withdrawal-response` is the id of the built-in handout \u201cThe withdrawal "
        "response\u201d, and a new handout with it would replace that one in this project. "
        "Pick another id, or pass --force to replace the built-in handout on purpose\n"
    )
    path = project.root / "content/handouts/en/withdrawal-response.yaml"
    assert not path.exists()
    forced = cli("new", "withdrawal-response", "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.stdout == f"{path}\n"
    assert forced.stderr.splitlines()[0] == (
        "It replaces the built-in handout \u201cThe withdrawal response\u201d in this project."
    )
    # The project's own starter now stands in for the built-in handout.
    assert "withdrawal-response\ten\tclient\tWithdrawal response\tproject" in (
        cli("list").stdout.splitlines()
    )


def test_the_starter_uses_every_block_type(tmp_path: Path, cli, monkeypatch) -> None:
    from generator.blocks import BLOCKS

    cli("init", str(tmp_path / "c"))
    monkeypatch.chdir(tmp_path / "c")
    cli("new", "starter")
    text = (tmp_path / "c/content/handouts/en/starter.yaml").read_text()
    shown = set(re.findall(r"^ *#? *- type: (\w+)", text, re.M))
    assert shown == set(BLOCKS.tags())


# --- print profiles ------------------------------------------------------------------


def test_variant_names_never_collide(project: Project, cli) -> None:
    project.add("breath.yaml")
    for flags in (
        [],
        ["--paper", "a4"],
        ["--large-print"],
        ["--fillable"],
        ["--ink-saver"],
        ["--edition", "clinician", "--paper", "a4", "--large-print"],
    ):
        assert cli("build", "breath", *flags).exit_code == 0
    assert sorted(project.output_files()) == [
        "en/breath-a4.pdf",
        "en/breath-clinician-a4-large-print.pdf",
        "en/breath-fillable.pdf",
        "en/breath-ink-saver.pdf",
        "en/breath-large-print.pdf",
        "en/breath.pdf",
    ]


def test_large_print_sizes_measured_from_the_pdf(project: Project, cli) -> None:
    ids = ["withdrawal-response", "daily-check-in", "reacting-and-responding"]
    result = cli("build", *ids, "--large-print", "--strict")
    assert result.exit_code == 0, result.output
    for handout_id in ids:
        path = project.root / f"output/en/{handout_id}-large-print.pdf"
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                body = [c for c in page.chars if c["size"] >= 17.95]
                small = [c for c in page.chars if c["size"] < 17.95]
                assert body, f"{handout_id} page {page.page_number} has no body text"
                lowest_body = max(c["bottom"] for c in body)
                # Only the footer is smaller than 18 pt, it sits below all body
                # text, and it is 14 pt or more.
                assert all(c["top"] > lowest_body for c in small)
                assert all(c["size"] >= 13.95 for c in small)
                footer = "".join(c["text"] for c in small)
                assert re.search(r"Version1\.\d", footer.replace(" ", ""))
        with pikepdf.open(path) as pdf:
            box = [round(float(v)) for v in pdf.pages[0].mediabox]
            assert box == [0, 0, 612, 792]


def test_fillable_check_in_has_a_field_per_line_checkbox_and_scale(project: Project, cli) -> None:
    from generator.config import find_project

    assert cli("build", "daily-check-in", "--fillable", "--strict").exit_code == 0
    (item,) = load_handouts(find_project().roots, ["daily-check-in"], ["en"])
    prompts = [p for b in item.handout.blocks if b.type == "worksheet" for p in b.prompts]
    lines = sum(p.lines for p in prompts if p.kind == "lines")
    others = sum(1 for p in prompts if p.kind == "checkboxes" and p.other)
    boxes = sum(len(p.options) for p in prompts if p.kind == "checkboxes") + others
    scales = sum(1 for p in prompts if p.kind == "scale")
    # The handout's worksheet: three one-line answers, and nine options in three
    # groups and "Something else", a box with a line to say what.
    assert (lines, boxes, scales, others) == (3, 10, 0, 1)
    with pikepdf.open(project.root / "output/en/daily-check-in-fillable.pdf") as pdf:
        fields = list(pdf.Root.AcroForm.Fields)
        text = [f for f in fields if f.get("/FT") == "/Tx"]
        radio_groups = [f for f in fields if "/Kids" in f]
        checkboxes = [
            f for f in fields if f.get("/FT") == "/Btn" and "/Kids" not in f and "/Parent" not in f
        ]
        assert len(text) == lines + others
        assert len(checkboxes) == boxes
        assert len(radio_groups) == scales
        assert all(len(group.Kids) == 11 for group in radio_groups)
        assert all(str(f.get("/TU", "")) for f in text + checkboxes + radio_groups)


#: A worksheet whose prompts end in their own colon, with an inline answer that
#: gives no `lines` (one line, as an inline answer is), and a long last option.
COLONS = (
    "  - type: worksheet\n    prompts:\n"
    '      - {kind: lines, text: "Day and time:", inline: true}\n'
    '      - {kind: lines, text: "Who could I call?", inline: true}\n'
    "      - kind: checkboxes\n        text: Things I might try\n"
    '        options: ["Looking around and naming what I see", "Going for a walk"]\n'
    '        other: "Something else I might try:"\n'
)


@pytest.mark.parametrize("args", [(), ("--large-print", "--paper", "a4")])
def test_every_typed_answer_has_room_for_its_words_and_no_colon_is_doubled(
    project: Project, cli, args: tuple[str, ...]
) -> None:
    """A field shorter than its font clips what is typed; "Day and time::" doubled the
    author's own colon."""
    project.add("colons.yaml", handout_text("Colons", "Prompts with colons.", COLONS))
    result = cli("build", "colons", "--fillable", *args)
    assert result.exit_code == 0, result.output
    (path,) = (project.root / "output" / "en").glob("colons*fillable.pdf")
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "::" not in text and "?:" not in text
    assert "Day and time:" in text and "Something else I might try:" in text
    with pikepdf.open(path) as pdf:
        typed = [f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Tx"]
        assert len(typed) == 3  # two inline answers, one line each; "Something else"
        for field in typed:
            size = float(re.search(r"([\d.]+) Tf", str(field.DA)).group(1))
            low, high = float(field.Rect[1]), float(field.Rect[3])
            assert abs(high - low) >= size, (str(field.T), abs(high - low), size)


def test_a_wrapped_option_and_its_line_stay_in_their_column(project: Project, cli) -> None:
    """On A4 the "Something else" line ran 5 pt past the text's right edge."""
    project.add("colons.yaml", handout_text("Colons", "Prompts with colons.", COLONS))
    assert cli("build", "colons", "--paper", "a4").exit_code == 0
    with pdfplumber.open(project.root / "output/en/colons-a4.pdf") as pdf:
        page = pdf.pages[0]
        words = page.extract_words()
        rules = [e for e in page.edges if e["orientation"] == "h"]
        # The footer's rule spans the text's width; nothing above it is wider.
        edge = max(e["x1"] for e in rules if e["top"] > page.height * 0.8)
        assert max(e["x1"] for e in rules if e["top"] < page.height * 0.8) <= edge + 0.5
        # A wrapped option goes on under its words, not under its box.
        looking = next(w for w in words if w["text"] == "Looking")
        see = next(w for w in words if w["text"] == "see")
        assert see["top"] > looking["top"] and abs(see["x0"] - looking["x0"]) < 1


def test_a_fillable_scale_is_one_radio_group_of_eleven(project: Project, cli) -> None:
    # No built-in worksheet has a 0 to 10 scale since the check-in's three zones.
    blocks = (
        "  - type: worksheet\n    prompts:\n      - kind: scale\n"
        "        text: How settled do I feel?\n        low: not at all\n        high: very\n"
    )
    project.add("scale.yaml", handout_text("A scale", "One scale to fill in.", blocks))
    assert cli("build", "scale", "--fillable", "--strict").exit_code == 0
    with pikepdf.open(project.root / "output/en/scale-fillable.pdf") as pdf:
        groups = [f for f in pdf.Root.AcroForm.Fields if "/Kids" in f]
        assert len(groups) == 1 and len(groups[0].Kids) == 11
        assert str(groups[0].get("/TU", "")).startswith("How settled do I feel?")


def test_ink_saver_has_no_background_fills(project: Project, cli) -> None:
    assert cli("build", "withdrawal-response").exit_code == 0
    assert cli("build", "withdrawal-response", "--ink-saver").exit_code == 0

    def tinted_areas(path: Path) -> int:
        count = 0
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                for rect in page.rects:
                    colour = rect.get("non_stroking_color")
                    tinted = (
                        isinstance(colour, (list, tuple))
                        and len(colour) == 3
                        and (0.8 < min(colour) < 1)
                    )
                    if rect["fill"] and tinted and rect["height"] > 5 and rect["width"] > 5:
                        count += 1
        return count

    assert tinted_areas(project.root / "output/en/withdrawal-response.pdf") == 1
    assert tinted_areas(project.root / "output/en/withdrawal-response-ink-saver.pdf") == 0


# --- a client's name ---------------------------------------------------------------------


def test_client_name_goes_on_the_page_only(project: Project, cli) -> None:
    name = "Alex Rivera"
    result = cli("build", "withdrawal-response", "--client-name", name, "--strict")
    assert result.exit_code == 0, result.output
    assert name not in result.output
    written = [p for p in project.root.rglob("*") if p.is_file()]
    assert [p.name for p in written if p.suffix == ".pdf"] == ["withdrawal-response.pdf"]
    assert all("alex" not in str(p).lower() for p in written)
    # Apart from the generic files, which it never replaces.
    assert not (project.root / "output/en").exists()
    path = project.root / "output/personal/en/withdrawal-response.pdf"
    assert "Prepared for Alex Rivera" in page_texts(path)[0]
    assert all(name not in t for t in page_texts(path)[1:])
    with pikepdf.open(path) as pdf:
        info = " ".join(str(v) for v in pdf.docinfo.values())
        with pdf.open_metadata() as xmp:
            xmp_text = str(xmp)
    assert "Alex" not in info and "Rivera" not in info
    assert "Alex" not in xmp_text and "Rivera" not in xmp_text
    # Outside the compressed page content, the name is nowhere in the file.
    assert b"Rivera" not in path.read_bytes()


def test_out_name_is_the_users_choice(project: Project, cli) -> None:
    result = cli(
        "build",
        "withdrawal-response",
        "--client-name",
        "Alex Rivera",
        "--out-name",
        "alex-rivera-withdrawal",
    )
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.strip())
    assert written == project.root / "output/personal/en/alex-rivera-withdrawal.pdf"
    # Mistakes in typing the command are usage errors: exit 2, nothing written.
    two = cli("build", "withdrawal-response", "daily-check-in", "--out-name", "x.pdf")
    assert two.exit_code == 2
    assert two.stderr.splitlines()[-1] == (
        "Error: --out-name names one file, but 2 handouts were asked for; name one handout id"
    )
    for typed in ("../x.pdf", "sub/x.pdf", "sub\\x", ".hidden.pdf", " "):
        bad = cli("build", "withdrawal-response", "--out-name", typed)
        assert bad.exit_code == 2, typed
        assert bad.stderr.splitlines()[-1] == (
            "Error: Invalid value for --out-name: give a plain file name like "
            "my-handout.pdf, not a path; use --out for the folder"
        )
    txt = cli("build", "withdrawal-response", "--out-name", "notes.txt")
    assert txt.exit_code == 2
    assert txt.stderr.splitlines()[-1] == (
        "Error: Invalid value for --out-name: the name ends in .txt, but the file is PDF; "
        "end it in .pdf or leave the ending off"
    )
    assert written.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in written.parent.iterdir()) == ["alex-rivera-withdrawal.pdf"]


def test_builtin_library_needs_no_config() -> None:
    handouts = load_handouts([builtin_root()])
    english = [item.id for item in handouts if item.language == "en"]
    # Every one is in Spanish too.
    assert [item.id for item in handouts if item.language == "es"] == english
    assert english == [
        "body-alarm-system",
        "coming-back-from-withdrawal",
        "daily-check-in",
        "early-signs-and-supports",
        "feeling-far-away",
        "from-noticing-to-kindness",
        "intentional-self-attunement",
        "reacting-and-responding",
        "self-attunement-clinician-guide",
        "staged-safety-plan",
        "when-self-compassion-feels-out-of-reach",
        "when-someone-pulls-away",
        "window-of-tolerance",
        "withdrawal-response",
    ]


def test_packets_take_the_print_profiles(clinic: Project, cli) -> None:
    packets = clinic.root / "content" / "packets"
    packets.mkdir()
    (packets / "mini.yaml").write_text(
        "title: A small packet\naudience: client\nlanguage: en\n"
        "sections:\n  - title: One\n    handouts: [withdrawal-response, daily-check-in]\n",
        encoding="utf-8",
    )
    result = cli("packet", "mini", "--large-print", "--client-name", "Sam Lee", "--strict")
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert path.name == "mini-large-print.pdf"
    assert "Sam Lee" not in result.output
    with pdfplumber.open(path) as pdf:
        cover = pdf.pages[0].extract_text()
        assert "Prepared for Sam Lee" in " ".join(cover.split())
        for page in pdf.pages:
            body = [c for c in page.chars if c["size"] >= 17.95]
            lowest = max((c["bottom"] for c in body), default=0)
            assert all(
                c["top"] > lowest and c["size"] >= 13.95 for c in page.chars if c["size"] < 17.95
            )
        later = " ".join(p.extract_text() or "" for p in pdf.pages[1:])
        assert "Sam Lee" not in later
        assert "Riverside Counselling" in later
    with pikepdf.open(path) as pdf:
        assert "Sam" not in " ".join(str(v) for v in pdf.docinfo.values())
