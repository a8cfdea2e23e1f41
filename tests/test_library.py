"""The built-in library: every handout builds, reads easily and words things kindly."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from generator.blocks import walk
from generator.check.readability import readability
from generator.check.text import printed
from generator.cli import main
from generator.config import builtin_root
from generator.content import load_handouts
from generator.model import HandoutFile

# One worker runs this whole module, so its module-scoped fixture is built once.
pytestmark = pytest.mark.xdist_group("test_library")

# The English library; the Spanish one is tested in test_spanish.py.
LIBRARY = load_handouts([builtin_root()], (), ["en"])
CLIENT = [h for h in LIBRARY if h.handout.audience == "client"]
SPANISH = load_handouts([builtin_root()], (), ["es"])

# Directive, shaming and labelling words that client text avoids (the content
# guide's trauma-informed wording), outside quoted thoughts.
AVOID = re.compile(
    r"\b(should|must|have to|has to|need to|failure|failed|broken|damaged|weak|"
    r"crazy|victims?)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"[\"“][^\"”]*[\"”]")


def ids(items: list[HandoutFile]) -> list[str]:
    return [item.id for item in items]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every built-in handout as a PDF, client and clinician editions, strict."""
    out = tmp_path_factory.mktemp("library")
    runner = CliRunner()
    paths: dict[str, Path] = {}
    # Run from the tmp folder, so that the build cache goes there, not into the checkout.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(out)
        for edition in ("client", "clinician"):
            result = runner.invoke(
                main,
                ["build", "--strict", "--language", "en", "--edition", edition, "--out", str(out)],
            )
            assert result.exit_code == 0, result.output
            assert result.stderr == ""
            for line in result.stdout.splitlines():
                paths[Path(line).stem] = Path(line)
    return paths


def test_the_library_has_its_handouts() -> None:
    expected = {
        "body-alarm-system",
        "withdrawal-response",
        "reacting-and-responding",
        "when-self-compassion-feels-out-of-reach",
        "intentional-self-attunement",
        "daily-check-in",
        "coming-back-from-withdrawal",
        "early-signs-and-supports",
        "window-of-tolerance",
        "when-someone-pulls-away",
        "from-noticing-to-kindness",
        "feeling-far-away",
        "staged-safety-plan",
        "self-attunement-clinician-guide",
    }
    assert set(ids(LIBRARY)) == expected
    assert {h.id for h in LIBRARY if h.handout.audience == "clinician"} == {
        "self-attunement-clinician-guide"
    }


def test_reading_level_of_client_handouts() -> None:
    rows = []
    failures = []
    for item in CLIENT:
        score = readability(item.handout)
        rows.append(
            f"{item.id:42} FK {score.flesch_kincaid:4.1f}  SMOG {score.smog:4.1f}  "
            f"{score.sentences:3} sentences  {score.words:4} words"
        )
        if score.flesch_kincaid > 7.0 or score.smog > 8.0:
            failures.append(item.id)
    print("\nReading level (client edition prose):\n" + "\n".join(rows))
    assert failures == []


def test_reading_ease_of_the_spanish_handouts() -> None:
    """Fernández Huerta 80 or more and Szigriszt-Pazos 65 or more (higher is easier)."""
    rows = []
    for item in SPANISH:
        if item.handout.audience != "client":
            continue
        score = readability(item.handout)
        rows.append((item.id, score.fernandez_huerta, score.szigriszt_pazos))
        assert score.fernandez_huerta >= 80 and score.szigriszt_pazos >= 65, rows[-1]
    # The README gives each handout's figures.
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for handout_id, huerta, szigriszt in rows:
        assert f"| {handout_id} | {huerta:.1f} | {szigriszt:.1f} |" in readme, handout_id


#: Words the Spanish client text avoids outside quoted thoughts: orders and labels.
AVOID_ES = re.compile(
    r"\b(debe|deben|debería|tiene que|hay que|fracas\w*|rot[oa]s?|dañad[oa]s?|débil(es)?|"
    r"loc[oa]s?|víctimas?)\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("item", SPANISH, ids=ids(SPANISH))
def test_spanish_wording_is_invitational(item: HandoutFile) -> None:
    found = []
    for passage in printed(item.handout):
        unquoted = QUOTED.sub("", passage.text)
        found += [f"{passage.field}: {m.group(0)}" for m in AVOID_ES.finditer(unquoted)]
    assert found == []


@pytest.mark.parametrize("item", CLIENT, ids=ids(CLIENT))
def test_client_wording_is_invitational(item: HandoutFile) -> None:
    found = []
    for passage in printed(item.handout):
        if ".who" in passage.field:
            continue
        unquoted = QUOTED.sub("", passage.text)
        found += [f"{passage.field}: {m.group(0)}" for m in AVOID.finditer(unquoted)]
    quote_blocks = {f"blocks[{i}]" for i, b in enumerate(item.handout.blocks) if b.type == "quote"}
    found = [f for f in found if f.split(".", 1)[0] not in quote_blocks]
    assert found == []


@pytest.mark.parametrize("item", LIBRARY, ids=ids(LIBRARY))
def test_every_handout_meets_the_structure_rules(item: HandoutFile) -> None:
    handout = item.handout
    types = [b.type for b in handout.blocks]
    assert "key_points" in types, "a key points block"
    assert "section" in types, "chunks under headings"
    if handout.audience == "client":
        # A picture that carries the main idea, and a tool to fill in or keep.
        inside = [block for _, block in walk(handout.blocks)]
        assert any(b.type in ("diagram", "image") for b in inside), "a picture"
        assert any(b.type in ("worksheet", "pocket_card") for b in inside), "a tool"
    assert handout.sources, "sources cited"
    for block in handout.blocks:
        for field in ("items",):
            assert len(getattr(block, field, [])) <= 7, f"{block.type} has over 7 items"
        for group in getattr(block, "lists", []):
            assert len(group.items) <= 7
    if handout.audience == "client":
        assert {"steps", "worksheet"} & set(types), "an action for the reader"
        assert "clinician_note" in types, "a note for the clinician who hands it out"


def pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


@pytest.mark.parametrize("item", CLIENT, ids=ids(CLIENT))
def test_client_handouts_fit_their_pages(item: HandoutFile, built: dict[str, Path]) -> None:
    count = pages(built[item.id])
    if item.handout.one_page:
        assert count == 1, "a one-page worksheet fits its page"
    else:
        # Reading pages: a sheet of pocket cards to cut out is a page after them.
        cards = sum(block.type == "pocket_card" for block in item.handout.blocks)
        assert 1 <= count - cards <= 3
    assert pages(built[f"{item.id}-clinician"]) >= count


#: Each built-in PDF's pages: a handout that grows a page is a change to look at.
PAGES = {
    # Client editions. A pocket card sheet is a page after the reading ones.
    "body-alarm-system": 3,
    "coming-back-from-withdrawal": 3,
    "daily-check-in": 1,
    "early-signs-and-supports": 1,
    "feeling-far-away": 4,  # three to read, and the cards
    "from-noticing-to-kindness": 2,
    "intentional-self-attunement": 4,  # three to read, and the cards
    "reacting-and-responding": 3,
    "self-attunement-clinician-guide": 5,
    "staged-safety-plan": 2,
    "when-self-compassion-feels-out-of-reach": 3,
    "when-someone-pulls-away": 2,
    "window-of-tolerance": 2,
    "withdrawal-response": 4,  # three to read, and the cards
    # Clinician editions: the notes for the clinician may take a page more.
    "body-alarm-system-clinician": 3,
    "coming-back-from-withdrawal-clinician": 3,
    "daily-check-in-clinician": 2,
    "early-signs-and-supports-clinician": 2,
    "feeling-far-away-clinician": 4,
    "from-noticing-to-kindness-clinician": 3,
    "intentional-self-attunement-clinician": 4,
    "reacting-and-responding-clinician": 3,
    "staged-safety-plan-clinician": 3,
    "when-self-compassion-feels-out-of-reach-clinician": 3,
    "when-someone-pulls-away-clinician": 3,
    "window-of-tolerance-clinician": 3,
    "withdrawal-response-clinician": 4,
}


def test_every_handout_built_in_both_editions(built: dict[str, Path]) -> None:
    expected = {item.id for item in LIBRARY} | {f"{item.id}-clinician" for item in CLIENT}
    assert set(built) == expected
    assert {name: pages(path) for name, path in built.items()} == PAGES
