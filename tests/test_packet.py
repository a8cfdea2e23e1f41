"""Workshop packets: one PDF, page numbers that run through it, a true contents page."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import MINIMAL, Project
from generator.check.text import plain
from generator.cli import main
from generator.config import builtin_root
from generator.content import load_packets

# One worker runs this whole module, so its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("test_packet")

WORKSHOP = "self-attunement-workshop"


@pytest.fixture(scope="module")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The built-in workshop, participant and trainer editions, built strictly."""
    out = tmp_path_factory.mktemp("packets")
    runner = CliRunner()
    paths = {}
    # Run from the tmp folder, so that the build cache goes there, not into the checkout.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(out)
        for edition in ("participant", "trainer"):
            result = runner.invoke(
                main, ["packet", WORKSHOP, "--edition", edition, "--strict", "--out", str(out)]
            )
            assert result.exit_code == 0, result.output
            assert result.stderr == ""
            paths[edition] = Path(result.stdout.strip())
    return paths


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def texts(workshop: dict[str, Path]) -> dict[str, list[str]]:
    """Each edition's pages as text, read once (a packet's pages take seconds to read)."""
    return {
        edition: [flat(page.extract_text()) for page in PdfReader(path).pages]
        for edition, path in workshop.items()
    }


def test_output_names(workshop: dict[str, Path]) -> None:
    assert workshop["participant"].name == f"{WORKSHOP}.pdf"
    assert workshop["trainer"].name == f"{WORKSHOP}-trainer.pdf"
    assert workshop["trainer"].parent.name == "packets"
    assert workshop["trainer"].parent.parent.name == "en"


@pytest.mark.parametrize("edition", ["participant", "trainer"])
def test_every_footer_counts_through_the_packet(texts: dict[str, list[str]], edition: str) -> None:
    total = len(texts[edition])
    # The trainer edition adds the facilitator script (two pages) and, on each
    # divider, the clinician notes of its handouts (a page or two more each).
    assert total == {"participant": 53, "trainer": 61}[edition]
    # The cover and the certificate have no footer; every other page says where it is.
    for number, text in enumerate(texts[edition][1:-1], start=2):
        assert f"Page {number} of {total}" in text
    assert "Certificate of attendance" in texts[edition][-1]
    assert not re.search(r"Page \d+ of", texts[edition][0] + texts[edition][-1])


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number) for every bookmark, in order."""
    rows: list[tuple[int, str, int]] = []

    def walk(items: list, depth: int) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                rows.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return rows


@pytest.mark.parametrize("edition", ["participant", "trainer"])
def test_contents_bookmarks_and_titles_agree(
    workshop: dict[str, Path], texts: dict[str, list[str]], edition: str
) -> None:
    (packet,) = load_packets([builtin_root()], [WORKSHOP])
    reader = PdfReader(workshop[edition])
    pages = texts[edition]
    contents_page = next(i for i, t in enumerate(pages) if t.startswith("Contents"))
    contents = pages[contents_page]
    marks = outline(reader)
    sections = [(title, page) for depth, title, page in marks if depth == 0]
    handouts = [(title, page) for depth, title, page in marks if depth == 1]

    expected_sections = [section.title for section, _ in packet.sections]
    expected_handouts = [h.handout.title for _, items in packet.sections for h in items]
    front = ["Agenda", "Contents", *(page.title for page in packet.packet.pages)]
    front += ["Knowledge check", *(["Facilitator script"] if edition == "trainer" else [])]
    back = ["Notes", "Your feedback", "Certificate of attendance"]
    assert [t for t, _ in sections] == [*front, *expected_sections, *back]
    assert [t for t, _ in handouts] == expected_handouts

    for title, page in [*sections, *handouts]:
        if title in front:
            # Short front pages may share a page: the title is on it, if not first.
            assert title in pages[page - 1], f"page {page} does not have {title}"
            continue
        # The contents page gives the same number as the bookmark ...
        match = re.search(re.escape(title) + r" (\d+)", contents)
        assert match, f"{title} is missing from the contents"
        assert int(match.group(1)) == page, title
        # ... and that page opens with the title (text extraction may put a
        # floated label or two first, so allow a short lead-in).
        assert title in pages[page - 1][:120], f"page {page} does not open with {title}"


def test_handouts_keep_their_crisis_and_care_notes(
    workshop: dict[str, Path], texts: dict[str, list[str]]
) -> None:
    marks = outline(PdfReader(workshop["participant"]))
    client_titles = {
        h.handout.title
        for _, items in load_packets([builtin_root()], [WORKSHOP])[0].sections
        for h in items
        if h.handout.audience == "client"
    }
    first_pages = [page for depth, title, page in marks if depth == 1 and title in client_titles]
    assert len(first_pages) == len(client_titles) > 0
    for page in first_pages:
        text = texts["participant"][page - 1]
        assert "Call or text 988" in text
        assert "does not replace, care from a qualified professional" in text


def test_facilitator_notes_only_in_trainer_edition(texts: dict[str, list[str]]) -> None:
    (packet,) = load_packets([builtin_root()], [WORKSHOP])
    notes = [flat(plain(n)) for section, _ in packet.sections for n in section.facilitator_notes]
    assert len(notes) == 14  # three for each section, and one for each case in Part 4
    trainer = " ".join(texts["trainer"])
    participant = " ".join(texts["participant"])
    for note in notes:
        assert note in trainer
        assert note not in participant
    assert "Facilitator notes" not in participant
    # The agenda is for everyone in this workshop (agenda_for_participants).
    assert "Agenda" in trainer and "Agenda" in participant


def test_packet_metadata(workshop: dict[str, Path]) -> None:
    with pikepdf.open(workshop["trainer"]) as pdf:
        assert str(pdf.Root.Lang) == "en"
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.docinfo["/Title"]).startswith("After complex trauma")
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"


# --- participants ---------------------------------------------------------------

NAMES = ["Alex Rivera", "Sam O'Neill", "Zoë Chen"]


@pytest.fixture
def small_packet(project: Project) -> Project:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "mini.yaml").write_text(
        "title: A small packet\n"
        "audience: client\n"
        "language: en\n"
        "sections:\n"
        "  - title: One\n"
        "    handouts: [breath, withdrawal-response]\n",
        encoding="utf-8",
    )
    return project


@pytest.mark.parametrize("audience", ["client", "clinician"])
def test_a_client_packets_own_pages_carry_the_crisis_line(
    small_packet: Project, cli, audience: str
) -> None:
    """A visual review's: the contents, dividers and notes of a client packet had none."""
    path = small_packet.root / "content" / "packets" / "mini.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("audience: client", f"audience: {audience}")
        + "notes_pages: 1\n",
        encoding="utf-8",
    )
    result = cli("packet", "mini")
    assert result.exit_code == 0, result.output
    pages = [p.extract_text() or "" for p in PdfReader(result.stdout.strip()).pages]
    own = [t for t in pages[1:] if t.startswith(("Contents", "Part 1", "Notes"))]
    assert len(own) == 3
    crisis = "Call or text 988, the Suicide & Crisis Lifeline."
    # The cover has no footer; a clinician packet's own pages keep theirs as they were.
    assert crisis not in pages[0]
    assert all((crisis in t) is (audience == "client") for t in own), own


def write_csv(project: Project, text: str | bytes) -> Path:
    path = project.root / "people.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_one_copy_per_participant_with_names_only_on_the_page(small_packet: Project, cli) -> None:
    csv = write_csv(
        small_packet, "email,name\na@x.org,Alex Rivera\nb@x.org,Sam O'Neill\n,Zoë Chen\n"
    )
    result = cli("packet", "mini", "--participants", str(csv))
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == ["mini-001.pdf", "mini-002.pdf", "mini-003.pdf"]
    for name in NAMES:
        assert name not in result.output
    for path, name in zip(paths, NAMES, strict=True):
        cover = flat(PdfReader(path).pages[0].extract_text())
        assert f"Prepared for {name}" in cover
        with pikepdf.open(path) as pdf:
            info = " ".join(str(v) for v in pdf.docinfo.values())
            with pdf.open_metadata() as xmp:
                xmp_text = str(xmp)
            for anyone in NAMES:
                assert anyone not in info
                assert anyone not in xmp_text
                assert anyone.split()[0] not in info + xmp_text
    for path in (small_packet.root / "output").rglob("*"):
        for name in NAMES:
            assert name.split()[0].lower() not in path.name.lower()


def test_one_named_copy_has_the_name_on_its_cover_only(small_packet: Project, cli) -> None:
    # One copy is joined with its cover as the first part: the file's
    # metadata must still be the packet's, not the person's.
    result = cli("packet", "mini", "--client-name", "Alex Rivera")
    assert result.exit_code == 0, result.output
    assert "Alex" not in result.output
    (path,) = [Path(line) for line in result.stdout.splitlines()]
    assert path.name == "mini.pdf"
    assert "Prepared for Alex Rivera" in flat(PdfReader(path).pages[0].extract_text())
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/Title"]) == "A small packet"
        info = " ".join(str(v) for v in pdf.docinfo.values())
        with pdf.open_metadata() as xmp:
            xmp_text = str(xmp)
    assert "Alex" not in info + xmp_text and "Rivera" not in info + xmp_text
    assert b"Rivera" not in path.read_bytes()
    assert not any("alex" in p.name.lower() for p in small_packet.root.rglob("*"))


def test_names_go_into_file_names_only_when_asked(small_packet: Project, cli) -> None:
    csv = write_csv(small_packet, "name\nAlex Rivera\nZoë Chen\n")
    result = cli("packet", "mini", "--participants", str(csv), "--name-pattern", "{n}-{name}")
    assert result.exit_code == 0, result.output
    assert [Path(x).name for x in result.stdout.splitlines()] == [
        "001-alex-rivera.pdf",
        "002-zoe-chen.pdf",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "email\na@x.org\n",
            "people.csv:1: there is no `name` column; the first row must "
            "name the columns, with one called name",
        ),
        ("", "people.csv: the file is empty; it needs a header row with a `name` column"),
        ("name\n", "people.csv: there are no participants under the header row"),
        (
            "name,email\nAlex,a@x.org\n,b@x.org\n",
            "people.csv:3: name: is empty; fill it in or delete the row",
        ),
        (
            b"name\nZo\xeb\n",
            "people.csv:2: the file is not UTF-8 text: the byte at offset 7 (in this row) "
            'is not UTF-8; save it as "CSV UTF-8" from your spreadsheet',
        ),
    ],
)
def test_bad_participant_files(
    small_packet: Project, cli, content: str | bytes, expected: str
) -> None:
    csv = write_csv(small_packet, content)
    result = cli("packet", "mini", "--participants", str(csv))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == expected
    assert small_packet.output_files() == {}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("{id}", "it needs {n} or {name}, or every copy would get the same name"),
        (
            "{id}-{email}",
            "{email} is not a field; use only {id}, {n} (the row number, 001, 002...) and {name}",
        ),
        (
            "{n:>5}",
            "{n:>5} is not a field; use only {id}, {n} (the row number, 001, 002...) and {name}",
        ),
        ("../{n}", "it must give a plain file name, not a path; use --out for the folder"),
        ("a/{n}", "it must give a plain file name, not a path; use --out for the folder"),
        (".{n}", "it must give a plain file name, not a path; use --out for the folder"),
        (
            "{id}-{n}{",
            "a { or } is unpaired; write fields as {id}, {n} or {name}, and nothing else in braces",
        ),
        (
            "{id}-}{n}",
            "a { or } is unpaired; write fields as {id}, {n} or {name}, and nothing else in braces",
        ),
    ],
)
def test_bad_name_patterns(small_packet: Project, cli, pattern: str, expected: str) -> None:
    csv = write_csv(small_packet, "name\nAlex\nSam\n")
    result = cli("packet", "mini", "--participants", str(csv), "--name-pattern", pattern)
    # A mistake in typing the command: exit 2, as Click gives for any usage error.
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for --name-pattern: {expected}"
    assert small_packet.output_files() == {}


def test_a_pattern_may_end_in_pdf(small_packet: Project, cli) -> None:
    csv = write_csv(small_packet, "name\nAlex\nSam\n")
    result = cli("packet", "mini", "--participants", str(csv), "--name-pattern", "{id}-{n}.pdf")
    assert result.exit_code == 0, result.output
    assert sorted(Path(line).name for line in result.stdout.split()) == [
        "mini-001.pdf",
        "mini-002.pdf",
    ]


@pytest.mark.parametrize(
    ("pattern", "named"),
    [("{n}.PDF.pdf", "001.PDF.pdf"), ("{n}.pdf.pdf", "001.pdf.pdf"), ("{n}.PDF", "001.pdf")],
)
def test_only_the_last_pdf_of_a_pattern_is_its_ending(
    small_packet: Project, cli, pattern: str, named: str
) -> None:
    """A red team's: "{n}.PDF.pdf" lost both endings, as the pattern was read twice."""
    csv = write_csv(small_packet, "name\nAlex\nSam\n")
    result = cli("packet", "mini", "--participants", str(csv), "--name-pattern", pattern)
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.split()[0]).name == named


# --- manifest problems -----------------------------------------------------------


def test_manifest_problems_are_located(project: Project, cli) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "bad.yaml").write_text(
        "title: Bad\n"
        "audience: client\n"
        "language: en\n"
        "sections:\n"
        "  - title: One\n"
        "    handouts: [breath, breth]\n"
        "  - title: Two\n"
        "    handouts: [breath]\n"
        "  - title: Empty\n"
        "    handouts: []\n",
        encoding="utf-8",
    )
    # An empty section is a schema problem; the handout ids are checked all the same.
    result = cli("packet", "bad")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "content/packets/bad.yaml:6:24: sections[0].handouts[1]: no `en` handout with the id "
        "`breth`; did you mean `breath`? `handouts list` shows them all",
        "content/packets/bad.yaml:8:16: sections[1].handouts[0]: `breath` is already in "
        "sections[0] (line 6); a handout appears once in a packet",
        "content/packets/bad.yaml:10:15: sections[2].handouts: needs at least 1 item",
        "3 problems in 1 file; nothing was written.",
    ]
    (packets / "bad.yaml").write_text(
        (packets / "bad.yaml").read_text().replace("  - title: Empty\n    handouts: []\n", "")
    )
    result = cli("packet", "bad")
    assert result.stderr.splitlines()[-1] == "2 problems in 1 file; nothing was written."
    assert project.output_files() == {}


def test_a_wrong_language_does_not_make_every_id_unknown(project: Project, cli) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "bad.yaml").write_text(
        "title: Bad\naudience: client\nlanguage: English\n"
        "sections:\n  - title: One\n    handouts: [breath]\n",
        encoding="utf-8",
    )
    result = cli("packet", "bad")
    assert result.exit_code == 1
    (problem, summary) = result.stderr.splitlines()
    assert problem.startswith("content/packets/bad.yaml:3:11: language: ")
    assert summary == "1 problem in 1 file; nothing was written."


def test_unknown_packet(project: Project, cli) -> None:
    result = cli("packet", "nope")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "nope: no packet with this id; packets live in content/packets/<id>.yaml"
    )


def test_a_broken_handout_in_a_packet_is_reported(small_packet: Project, cli) -> None:
    small_packet.add("breath.yaml", MINIMAL.replace("audience: client", "audience: nobody"))
    result = cli("packet", "mini")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "content/handouts/en/breath.yaml:3:11: audience:"
    )
