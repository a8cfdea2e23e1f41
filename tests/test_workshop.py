"""A workshop's own pages: the timed agenda, front and back matter, scripts and certificates."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import Project, handout_text
from generator.workshop import Clock, clock, schedule, schedule_problems, total_minutes

#: A client handout with a note for the clinician, to see where the note goes.
NOTED = handout_text(
    "Looking around the room",
    "A short way to come back to the room.",
    "  - type: paragraph\n    text: You might look around and name three things you see.\n"
    "  - type: clinician_note\n    text: Offer this before any inward step.\n",
)

WORKSHOP = """\
title: A practice morning
audience: clinician
language: en
facilitator: Jordan Lee
agenda_for_participants: true
objectives:
  - Guide a short practice that starts outward.
agenda:
  - time: "9:00"
    minutes: 15
    title: Arriving
    script: [Show the way to the quiet room.]
  - time: "9:15"
    minutes: 50
    title: Practice
    script: ["**Pairs (20 min):** share the process, not the content."]
  - time: "10:05"
    minutes: 10
    title: Questions and closing
pages:
  - title: Our group agreements
    items: [Watching is a full way to take part.]
knowledge_check:
  intro: Tick one answer in each column.
  questions:
    - ask: When should a client hear how to stop a practice?
      choices: [Before the first step, After the last step, Only if asked]
      answer: 1
      why: Knowing the way out first is part of safety.
sections:
  - title: Looking outward
    handouts: [noted]
    facilitator_notes: [Keep eyes open as the default.]
    vignettes:
      - title: "Case 1: Robin"
        text: Robin goes quiet when asked about the week.
notes_pages: 1
evaluation:
  intro: No name needed.
  ratings: [The pace was right for me., The aims were clear.]
  questions: [What would you change?]
certificate:
  hours: 1.25
"""


@pytest.fixture
def workshop(project: Project) -> Project:
    project.add("noted.yaml", NOTED)
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "morning.yaml").write_text(WORKSHOP, encoding="utf-8")
    return project


def pages_text(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


# --- the timed agenda -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:00", 540), ("09:05", 545), ("13.30", 810), ("0:00", 0), ("23:59", 1439)],
)
def test_a_start_time_is_a_clock_time(text: str, expected: int) -> None:
    found = clock(text)
    assert found is not None and found.minutes == expected


@pytest.mark.parametrize("text", ["9", "9:00 am", "24:00", "9:60", "nine", "9:00-10:30", ""])
def test_anything_else_is_not_a_start_time(text: str) -> None:
    assert clock(text) is None


def test_ends_are_worked_out_in_the_manifests_own_style() -> None:
    slots = schedule([("9:00", 20), ("9.20", 45), ("10:05", None)])
    assert [str(s.end) for s in slots[:2]] == ["9:20", "10.05"]
    assert slots[2].end is None
    assert str(Clock(23 * 60 + 50 + 20)) == "0:10"
    assert total_minutes([("9:00", 20), ("9:20", 100)]) == 120
    assert total_minutes([("9:00", None)]) is None


def test_an_untimed_agenda_is_not_checked() -> None:
    assert list(schedule_problems([("Morning", None), ("9:00-10:30", None)])) == []


def test_a_timed_agenda_is_checked_item_by_item() -> None:
    found = list(
        schedule_problems([("9:00", 30), ("9:15", 30), ("about ten", 10), ("11:00", None)])
    )
    assert [(index, field) for index, field, _ in found] == [
        (2, "time"),
        (3, "minutes"),
        (1, "time"),
    ]
    assert "starts at 9:15, but the item before it runs to 9:30" in found[2][2]


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        # Runs past midnight: said once, of the item, not as an overlap with the next.
        ([("23:30", 60), ("0:30", 30)], [(0, "minutes", "runs past midnight, to 0:30")]),
        ([("22:00", 30), ("23.45", 20)], [(1, "minutes", "runs past midnight, to 0.05")]),
        # Ends as the day ends: 24:00, and the overlap says so without a contradiction.
        (
            [("23:00", 60), ("23:45", 10)],
            [(1, "time", "starts at 23:45, but the item before it runs to 24:00")],
        ),
        ([("23:00", 60)], []),
        ([("0:00", 1440)], []),
        ([("0:00", 1441)], [(0, "minutes", "runs past midnight, to 0:01")]),
    ],
)
def test_an_agenda_is_one_days_times(
    items: list[tuple[str, int]], expected: list[tuple[int, str, str]]
) -> None:
    found = list(schedule_problems(items))
    assert [(i, field) for i, field, _ in found] == [(i, field) for i, field, _ in expected]
    for (_, _, message), (_, _, words) in zip(found, expected, strict=True):
        assert words in message
    assert str(Clock(24 * 60)) == "24:00" and str(Clock(0)) == "0:00"


# --- the manifest's mistakes, located ---------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            '  - time: "9:15"\n    minutes: 50',
            '  - time: "9:10"\n    minutes: 50',
            r"morning\.yaml:\d+:\d+: agenda\[1\]\.time: starts at 9:10, but the item before "
            r"it runs to 9:15",
        ),
        (
            '  - time: "10:05"\n    minutes: 10',
            '  - time: "10:05"',
            r"agenda\[2\]\.minutes: is missing; the other items give their length",
        ),
        (
            '  - time: "10:05"',
            '  - time: "after the break"',
            r"agenda\[2\]\.time: \"after the break\" is not a start time",
        ),
        (
            "      answer: 1\n",
            "      answer: 4\n",
            r"knowledge_check\.questions\[0\]: `answer` is 4, but there are 3 choices",
        ),
        (
            "  hours: 1.25",
            "  hours: 2",
            r"certificate\.hours: is 2, but the agenda runs 1 h 15 min from start to end",
        ),
        ("  hours: 1.25", "  hours: 1.3", r"certificate\.hours: should be a multiple of 0\.25, "),
        # YAML reads yes as true, and "1" in quotes as text: neither is taken for a number.
        (
            "      answer: 1\n",
            "      answer: yes\n",
            r"answer: should be a whole number, not `yes` \(YAML reads yes, no, true",
        ),
        ("      answer: 1\n", '      answer: "1"\n', r"answer: should be a whole number, not text"),
        ("notes_pages: 1", "notes_pages: yes", r"notes_pages: should be a whole number, not `yes`"),
        ("  hours: 1.25", '  hours: "1.25"', r"certificate\.hours: should be a number, not text"),
        ("  hours: 1.25", "  hours: .nan", r"certificate\.hours: should be a number, not \.nan"),
        ("notes_pages: 1", "notes_pages: 40", r"notes_pages: .*10"),
        (
            "  ratings: [The pace was right for me., The aims were clear.]\n"
            "  questions: [What would you change?]\n",
            "  intro: Thanks.\n",
            r"evaluation: give `ratings`, `questions` or both",
        ),
        (
            '    vignettes:\n      - title: "Case 1: Robin"\n',
            '    vignettes:\n      - name: "Case 1: Robin"\n',
            r"sections\[0\]\.vignettes\[0\]",
        ),
    ],
)
def test_a_mistake_in_the_workshop_pages_is_located_and_nothing_is_written(
    workshop: Project, cli, before: str, after: str, expected: str
) -> None:
    path = workshop.root / "content" / "packets" / "morning.yaml"
    text = path.read_text(encoding="utf-8")
    assert before in text
    path.write_text(text.replace(before, after, 1), encoding="utf-8")
    result = cli("packet", "morning")
    assert result.exit_code != 0
    assert re.search(expected, result.output), result.output
    assert "Traceback" not in result.output
    assert workshop.output_files() == {}


# --- the pages ------------------------------------------------------------------


def test_participants_get_the_client_pages_and_the_trainer_adds_script_notes_and_answers(
    workshop: Project, cli
) -> None:
    texts = {}
    for edition in ("participant", "trainer"):
        result = cli("packet", "morning", "--edition", edition, "--strict")
        assert result.exit_code == 0, result.output
        texts[edition] = pages_text(Path(result.stdout.strip()))
    participant, trainer = (" ".join(texts[e]) for e in ("participant", "trainer"))
    for both in (participant, trainer):
        # The agenda's times, lengths and end are worked out from the start times.
        assert "9:00–9:15 15 min" in both and "10:05–10:15 10 min" in both
        assert "We finish at 10:15." in both
        assert "By the end, you will be able to: Guide a short practice" in both
        assert "Our group agreements" in both and "Knowledge check" in both
        assert "a. Before the first step" in both
        assert "Case 1: Robin Robin goes quiet" in both
        assert "Your feedback" in both and "Strongly disagree" in both
        assert "Certificate of attendance" in both and "1.25 hours" in both
    for trainer_only in (
        "Facilitator script",
        "Show the way to the quiet room.",
        "Answer: a Knowing the way out first",
        "Keep eyes open as the default.",
    ):
        assert trainer_only in trainer and trainer_only not in participant
    # The handout's note is on the trainer's divider; both editions' handout
    # pages are the client's, word for word.
    note = "Offer this before any inward step."
    assert note not in participant
    divider = next(t for t in texts["trainer"] if t.startswith("Part 1"))
    assert note in divider

    def unnumbered(pages: list[str]) -> list[str]:
        return [re.sub(r"Page \d+ of \d+", "", t) for t in pages if t.startswith("Looking around")]

    assert unnumbered(texts["participant"]) == unnumbered(texts["trainer"]) != []
    assert not any(note in t for t in texts["trainer"] if t.startswith("Looking around"))


def test_the_contents_lists_the_pages_after_the_handouts(workshop: Project, cli) -> None:
    result = cli("packet", "morning")
    assert result.exit_code == 0, result.output
    texts = pages_text(Path(result.stdout.strip()))
    contents = next(t for t in texts if t.startswith("Contents"))
    for title in ("Notes", "Your feedback", "Certificate of attendance"):
        page = int(re.search(re.escape(title) + r" (\d+)", contents).group(1))  # type: ignore[union-attr]
        assert texts[page - 1].startswith(title), (title, page)
    assert texts[-1].startswith("Certificate of attendance")
    # The certificate is the last page and, like the cover, has no page number.
    assert not re.search(r"Page \d+ of", texts[-1])
    assert f"Page {len(texts) - 1} of {len(texts)}" in texts[-2]


NAMES = ["Alex Rivera", "Nguyễn Thị Mai", "Σοφία Παπαδοπούλου"]


def test_each_participant_gets_a_certificate_with_their_name_only_on_the_page(
    workshop: Project, cli
) -> None:
    csv = workshop.root / "people.csv"
    csv.write_text("name\n" + "\n".join(NAMES) + "\n", encoding="utf-8")
    result = cli("packet", "morning", "--participants", str(csv))
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.stdout.splitlines()]
    assert len(paths) == 3
    for name in NAMES:
        assert name not in result.output
    for path, name in zip(paths, NAMES, strict=True):
        texts = pages_text(path)
        # Text extraction may split a letter from its combining mark: compare without spaces.
        last = texts[-1].replace(" ", "")
        assert f"Thiscertifiesthat{name}tookpartinApracticemorning".replace(" ", "") in last
        assert "Signed: Jordan Lee" in texts[-1]
        others = [n.replace(" ", "") for n in NAMES if n != name]
        assert not any(other in "".join(texts).replace(" ", "") for other in others)
        with pikepdf.open(path) as pdf:
            info = " ".join(str(v) for v in pdf.docinfo.values())
            with pdf.open_metadata() as xmp:
                said = info + str(xmp)
            marks = [item.title for item in pdf.open_outline().root]
        for part in name.split():
            assert part not in said
        assert marks[-1] == "Certificate of attendance"
        assert not any(name in mark for mark in marks)
    for file in workshop.root.rglob("*"):
        assert not any(part.lower() in file.name.lower() for n in NAMES for part in n.split())


def test_the_certificate_without_a_name_has_a_line_to_write_it_on(workshop: Project, cli) -> None:
    result = cli("packet", "morning")
    assert result.exit_code == 0, result.output
    last = pages_text(Path(result.stdout.strip()))[-1]
    assert "This certifies that took part in A practice morning" in last


@pytest.mark.parametrize("args", [(), ("--large-print",)])
def test_the_dates_rule_and_the_signatures_are_level(
    workshop: Project, cli, args: tuple[str, ...]
) -> None:
    """With a date printed on its rule, the rule sat 8 pt above the signature's."""
    import pdfplumber

    path = workshop.root / "content" / "packets" / "morning.yaml"
    path.write_text(WORKSHOP.replace("facilitator:", "date: 2026-12-10\nfacilitator:"))
    result = cli("packet", "morning", *args)
    assert result.exit_code == 0, result.output
    with pdfplumber.open(Path(result.stdout.strip())) as pdf:
        page = pdf.pages[-1]
        assert "December 10, 2026" in (page.extract_text() or "")
        # The two rules under the date and the signature: the lowest short ones.
        short = [
            e for e in page.edges if e["orientation"] == "h" and e["x1"] - e["x0"] < page.width / 2
        ]
        lowest = sorted(short, key=lambda e: -e["top"])[:2]
        assert len(lowest) == 2 and lowest[0]["x0"] != lowest[1]["x0"]
        assert abs(lowest[0]["top"] - lowest[1]["top"]) < 0.5


def test_a_fillable_workshop_has_its_checks_and_form_as_fields(workshop: Project, cli) -> None:
    result = cli("packet", "morning", "--fillable", "--strict")
    assert result.exit_code == 0, result.output
    with pikepdf.open(Path(result.stdout.strip())) as pdf:
        fields = list(pdf.Root.AcroForm.Fields)
        groups = {str(f.T): len(f.Kids) for f in fields if "/Kids" in f}
        names = Counter(str(f.T) for f in fields if "/T" in f and "/Parent" not in f)
    # The knowledge check: one choice of three at the start, one at the end;
    # the form: one of five for each statement, then the open question's lines.
    assert groups == {
        "knowledge-1-start": 3,
        "knowledge-1-end": 3,
        "evaluation-1": 5,
        "evaluation-2": 5,
    }
    assert sum(n.startswith("evaluation-question-1-") for n in names) == 3
    assert names["notes-1"] == 1


def test_without_the_agenda_the_objectives_stand_under_their_own_heading(
    workshop: Project, cli
) -> None:
    path = workshop.root / "content" / "packets" / "morning.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("agenda_for_participants: true\n", ""),
        encoding="utf-8",
    )
    result = cli("packet", "morning", "--strict")
    assert result.exit_code == 0, result.output
    front = pages_text(Path(result.stdout.strip()))[1]
    assert front.startswith("By the end, you will be able to Guide a short practice")
    assert "9:00–9:15" not in front and "Agenda" not in front
    marks = [
        item.title
        for item in PdfReader(result.stdout.strip()).outline
        if not isinstance(item, list)
    ]
    assert marks[0] == "By the end, you will be able to"


@pytest.mark.parametrize("args", [(), ("--large-print",)])
def test_a_long_name_keeps_the_certificate_to_its_page(
    workshop: Project, cli, args: tuple[str, ...]
) -> None:
    """A red team's: a name at the length limit with no spaces took two pages."""
    from generator.options import MAX_NAME

    names = ["W" * MAX_NAME, "Ana " + "W" * 60, "Begoña Quiñones-Ruiz de la Torre y Fernández"]
    csv = workshop.root / "people.csv"
    csv.write_text("name\n" + "\n".join(names) + "\n", encoding="utf-8")
    alone = cli("packet", "morning", *args)
    assert alone.exit_code == 0, alone.output
    pages = len(pages_text(Path(alone.stdout.strip())))
    result = cli("packet", "morning", "--participants", str(csv), *args)
    assert result.exit_code == 0, result.output
    for line in result.stdout.splitlines():
        texts = pages_text(Path(line))
        assert len(texts) == pages
        assert "took part in" in texts[-1] and "Signed: Jordan Lee" in texts[-1]


@pytest.mark.parametrize(("hours", "said"), [("1", "1 hour"), ("0.5", "0.5 hours")])
def test_one_hour_is_an_hour(workshop: Project, cli, hours: str, said: str) -> None:
    path = workshop.root / "content" / "packets" / "morning.yaml"
    path.write_text(
        WORKSHOP.replace("hours: 1.25", f"hours: {hours}")
        .replace("10:05", "9:50")
        .replace("minutes: 50", "minutes: 35"),
        encoding="utf-8",
    )
    result = cli("packet", "morning")
    assert result.exit_code == 0, result.output
    last = pages_text(Path(result.stdout.strip()))[-1]
    assert f" {said}" in last and f" {said}s" not in last


@pytest.mark.parametrize("args", [(), ("--large-print",), ("--paper", "a4"), ("--fillable",)])
def test_notes_and_feedback_keep_to_their_pages_under_a_clinics_tall_footer(
    workshop: Project, cli, args: tuple[str, ...]
) -> None:
    """A visual review's: with a practice's details in the footer, each notes page ran a
    line onto a page of its own, and the feedback form its last question."""
    from test_card import PRACTICE

    (workshop.root / "handouts.yaml").write_text(PRACTICE, encoding="utf-8")
    path = workshop.root / "content" / "packets" / "morning.yaml"
    path.write_text(WORKSHOP.replace("notes_pages: 1", "notes_pages: 2"), encoding="utf-8")
    result = cli("packet", "morning", *args)
    assert result.exit_code == 0, result.output
    texts = pages_text(Path(result.stdout.strip()))
    notes = [i for i, t in enumerate(texts) if t.startswith("Notes")]
    feedback = next(i for i, t in enumerate(texts) if t.startswith("Your feedback"))
    # Two notes pages, then the form, whole, then the certificate: nothing between.
    assert notes == [feedback - 2, feedback - 1]
    assert "What would you change?" in texts[feedback]
    assert texts[feedback + 1].startswith("Certificate of attendance")
