"""`pocket_card`: a short practice to cut out, four to a page (two in large print)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import Project, handout_text
from generator.card import MAX_CARD_TEXT


def card(
    title: str, steps: list[str], stop: str | None = "Stop at any step.", extra: str = ""
) -> str:
    lines = ["  - type: pocket_card", f'    title: "{title}"']
    if stop:
        lines.append(f'    stop: "{stop}"')
    lines.append("    steps:")
    lines += [f'      - "{step}"' for step in steps]
    return "\n".join(lines) + "\n" + extra


#: A card as long as a card may be: six steps, MAX_CARD_TEXT characters in all.
TITLE = "Back to the room"
STOP = "Stop at any step. Keep your eyes open."
_SENTENCES = [
    "Look around the room and name the things you can see there, one by one.",
    "Listen for the nearest sound, and say to yourself what it is, if you can.",
    "Press your feet into the floor, and notice the ground holding you up.",
    "Hold something cool or rough in your hand, if that feels okay to you.",
    "Say the day, the date and the place you are in, out loud or to yourself.",
    "Then choose what you might do next: rest, call someone, or carry on slowly.",
]
_room = MAX_CARD_TEXT - len(TITLE) - len(STOP)
# Six steps sharing the room left, each cut to its share and ended with a full stop.
_shares = [_room // 6 + (index < _room % 6) for index in range(6)]
LONGEST_STEPS = [
    (cut := sentence[: share - 1].rstrip()) + "." * (share - len(cut))
    for sentence, share in zip(_SENTENCES, _shares, strict=True)
]

INTRO = "  - type: paragraph\n    text: You might keep a card with you.\n"


def pages(path: Path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages]


@pytest.mark.parametrize(
    ("args", "copies"),
    [((), 4), (("--paper", "a4"), 4), (("--large-print",), 2)],
)
def test_the_longest_card_prints_four_to_a_page_after_the_sources(
    project: Project, cli, args: tuple[str, ...], copies: int
) -> None:
    text = handout_text("Cards", "A card to keep.", INTRO + card(TITLE, LONGEST_STEPS, STOP))
    text = text.replace(
        "sources: []", 'sources:\n  - {author: "A. Author", title: "A source", year: 2020}'
    )
    project.add("cards.yaml", text)
    assert sum(map(len, LONGEST_STEPS)) + len(TITLE) + len(STOP) == MAX_CARD_TEXT
    result = cli("build", "cards", "--strict", *args)
    assert result.exit_code == 0, result.output
    texts = pages(Path(result.stdout.strip()))
    # Every copy on the last page, whole, with the crisis line; nothing else after the sources.
    assert texts[-1].count(TITLE) == copies
    assert texts[-1].count(LONGEST_STEPS[-1][:30]) == copies
    assert texts[-1].count("Call or text 988") == copies + 1  # and the page's own footer
    assert sum(t.count(TITLE) for t in texts) == copies
    assert "Where these ideas come from" in texts[-2]


#: A clinic's details, as `init` invites them: six footer lines, a taller footer.
PRACTICE = """practice:
  name: "Northgate Community Counselling and Trauma Recovery Service"
  clinician: "Dr. Jordan Ellis-Whitaker"
  credentials: "PhD, LMFT"
  phone: "555-0142"
  email: "hello@northgate-counselling.example"
  website: "https://northgate-counselling.example"
  address: "Suite 4B, 1200 Harbour View Boulevard, Springfield"
footer_note: "Questions? Ask at your next session."
"""


@pytest.mark.parametrize("args", [(), ("--paper", "a4")])
def test_four_cards_share_a_page_under_a_clinics_tall_footer(
    project: Project, cli, args: tuple[str, ...]
) -> None:
    """A visual review's: with a practice's details the footer grew, and the cards'
    second row went to a page of its own."""
    (project.root / "handouts.yaml").write_text(PRACTICE, encoding="utf-8")
    project.add(
        "cards.yaml",
        handout_text("Cards", "A card to keep.", INTRO + card(TITLE, LONGEST_STEPS, STOP)),
    )
    result = cli("build", "cards", "--strict", *args)
    assert result.exit_code == 0, result.output
    texts = pages(Path(result.stdout.strip()))
    assert texts[-1].count(TITLE) == 4 and "Cut along" in texts[-1]
    assert texts[-1].count(LONGEST_STEPS[-1][:30]) == 4


def test_a_card_can_leave_out_the_crisis_line(project: Project, cli) -> None:
    blocks = INTRO + card(TITLE, ["Look around."], extra="    crisis: false\n")
    project.add("cards.yaml", handout_text("Cards", "A card to keep.", blocks))
    result = cli("build", "cards")
    assert result.exit_code == 0, result.output
    last = pages(Path(result.stdout.strip()))[-1]
    assert last.count(TITLE) == 4 and last.count("Call or text 988") == 1


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (["Look around."] * 7, r"blocks\[1\]\.steps: .*at most 6"),
        (
            ["Look around the room, and name what you see there, slowly. " * 3] * 2,
            rf"blocks\[1\]: the card holds \d+ characters; at most {MAX_CARD_TEXT} fit on a pocket card",
        ),
        ([], r"blocks\[1\]\.steps: .*at least 1"),
    ],
)
def test_a_card_too_long_for_a_card_is_a_located_error(
    project: Project, cli, steps: list[str], message: str
) -> None:
    import re

    blocks = INTRO + (
        card(TITLE, steps) if steps else card(TITLE, []).replace("    steps:\n", "    steps: []\n")
    )
    project.add("cards.yaml", handout_text("Cards", "A card to keep.", blocks))
    result = cli("build", "cards")
    assert result.exit_code != 0
    assert re.search(r"cards\.yaml:\d+:\d+: " + message, result.output), result.output
    assert "Traceback" not in result.output
    assert project.output_files() == {}


def test_a_card_is_a_practice_the_sequencing_check_reads(project: Project, cli) -> None:
    inward_first = card(
        TITLE, ["Close your eyes and follow your breath.", "Look around."], stop=None
    )
    project.add("cards.yaml", handout_text("Cards", "A card to keep.", INTRO + inward_first))
    found = json.loads(cli("check", "cards", "--json").stdout)["findings"]
    rules = sorted(f["rule"] for f in found if f["rule"].startswith("sequencing."))
    assert rules == ["sequencing.body-first", "sequencing.stop-after"]
    # The same card, the room first and the stop on it, is not.
    fixed = card(TITLE, ["Look around.", "If it feels okay, notice your breath."], stop=STOP)
    project.add("cards.yaml", handout_text("Cards", "A card to keep.", INTRO + fixed))
    found = json.loads(cli("check", "cards", "--json").stdout)["findings"]
    assert [f for f in found if f["rule"].startswith("sequencing.")] == []


def test_the_reading_may_end_short_before_the_cards(project: Project, cli) -> None:
    # A page and a little more of reading: its short last page is the reading's
    # end, as a handout's last page is, though the card sheet comes after it.
    para = (
        "  - type: paragraph\n    text: "
        + "You might look around the room and name what you see. " * 9
        + "\n"
    )
    blocks = para * 5 + para.replace("see. " * 9, "see. " * 4) + card(TITLE, ["Look around."], STOP)
    project.add("cards.yaml", handout_text("Cards", "A card to keep.", blocks))
    result = cli("build", "cards", "--strict")
    assert result.exit_code == 0, result.output
    texts = pages(Path(result.stdout.strip()))
    assert len(texts) == 3 and texts[-1].count(TITLE) == 4
    # The reading's second page is short: the sparse-page rule would flag it
    # on a page that is not the reading's last.
    assert texts[1].count("You might look around") < texts[0].count("You might look around") / 3
    found = json.loads(cli("check", "cards", "--pdf", "--json").stdout)["findings"]
    assert [f["rule"] for f in found if f["rule"].startswith("pdf.")] == []


def test_a_one_page_worksheet_may_have_its_cards_after_it(project: Project, cli) -> None:
    blocks = INTRO + card(TITLE, ["Look around."], STOP)
    text = handout_text("Cards", "A card to keep.", blocks).replace(
        "audience: client", "audience: client\none_page: true"
    )
    project.add("cards.yaml", text)
    result = cli("build", "cards", "--strict")
    assert result.exit_code == 0, result.output
    assert len(pages(Path(result.stdout.strip()))) == 2
