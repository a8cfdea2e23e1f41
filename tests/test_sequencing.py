"""`sequencing.*`: a practice starts outward, and says how to stop before its steps."""

from __future__ import annotations

import json

import pytest

from conftest import DATA, Project, handout_text

# The first step of the library's "1-2-3" practice as it was printed before the
# content guide's order was applied: breath and body first, the way out after.
OLD_RESPONDING = """\
  - type: section
    title: Trying 1-2-3
  - type: steps
    title: Our 1-2-3, if you want to try it
    items:
      - "**Notice.** When the alarm starts, pause for one breath. What do you feel in your body?"
      - "**Name.** Put a few words to it, such as *I feel tense*."
      - "**Choose.** Ask yourself, *What small thing might help right now?*"
  - type: callout
    tone: info
    text: "There is no right way to do this. You can stop at any step."
"""

# The same practice as the guide asks: the way to stop first, the room first.
NEW_RESPONDING = """\
  - type: section
    title: Trying 1-2-3
  - type: callout
    tone: info
    text: "There is no right way to do this. You can stop at any step, or look around."
  - type: steps
    title: Our 1-2-3, if you want to try it
    items:
      - "**Notice.** Pause and look around. If it feels okay, notice your breath."
      - "**Name.** Put a few words to it, such as *I feel tense*."
      - "**Choose.** Ask yourself, *What small thing might help right now?*"
"""


def _found(project: Project, cli, blocks: str) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    project.add("p.yaml", handout_text("A practice", "Something to try.", blocks))
    result = cli("check", "p", "--json")
    return [
        (f["rule"], f["line"], f["message"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"].startswith("sequencing.")
    ]


def test_a_practice_that_starts_with_the_breath_and_stops_after_is_flagged_twice(
    project: Project, cli
) -> None:
    found = _found(project, cli, OLD_RESPONDING)
    assert [(rule, line) for rule, line, _ in found] == [
        ("sequencing.body-first", 16),
        ("sequencing.stop-after", 13),
    ]
    first, stop = found
    assert "\u201cbreath\u201d" in first[2] and "start with the room" in first[2]
    assert "only after the steps" in stop[2]


def test_the_same_practice_outward_first_with_the_stop_before_passes(project: Project, cli) -> None:
    assert _found(project, cli, NEW_RESPONDING) == []


def test_the_first_step_that_turns_attention_anywhere_is_the_one_read(
    project: Project, cli
) -> None:
    # A first step that turns attention nowhere ("Pause") is passed over: the body
    # in step two is still the first place the practice sends the reader.
    blocks = (
        "  - type: paragraph\n    text: You can stop at any time.\n"
        "  - type: steps\n    items:\n"
        '      - "Pick a calm moment."\n'
        '      - "Check in with your body. Notice one thing, such as tight shoulders."\n'
        '      - "Look around the room."\n'
    )
    assert [(r, line) for r, line, _ in _found(project, cli, blocks)] == [
        ("sequencing.body-first", 16)
    ]


@pytest.mark.parametrize(
    "first",
    [
        "Notice your feet on the floor.",
        "Look around and name three things you can see.",
        "Notice your breath, or look around the room if that feels better.",
        "Listen for the nearest sound.",
    ],
)
def test_an_outward_first_step_or_one_beside_the_body_passes(
    project: Project, cli, first: str
) -> None:
    blocks = (
        "  - type: steps\n    title: You can stop at any step\n    items:\n"
        f'      - "{first}"\n'
        '      - "If it feels okay, notice your breath."\n'
    )
    assert _found(project, cli, blocks) == []


@pytest.mark.parametrize(
    ("blocks", "where"),
    [
        ('  - type: steps\n    items:\n      - "Notice your breath."\n', "nowhere"),
        (
            '  - type: steps\n    items:\n      - "Look around."\n      - "Notice your breath."\n'
            "  - type: paragraph\n    text: You can stop whenever you like.\n",
            "only after the steps",
        ),
        (
            # A stop under the next heading belongs to another part of the page.
            '  - type: steps\n    items:\n      - "Look around."\n      - "Notice your breath."\n'
            "  - type: section\n    title: Later\n"
            "  - type: paragraph\n    text: You can stop whenever you like.\n",
            "nowhere",
        ),
    ],
)
def test_a_practice_that_turns_inward_says_how_to_stop_first(
    project: Project, cli, blocks: str, where: str
) -> None:
    found = _found(project, cli, blocks)
    assert [r for r, _, _ in found if r == "sequencing.stop-after"] == ["sequencing.stop-after"]
    assert f"printed {where}:" in next(m for r, _, m in found if r == "sequencing.stop-after")


def test_a_stop_in_the_title_the_first_step_or_above_under_the_same_heading_counts(
    project: Project, cli
) -> None:
    for blocks in (
        "  - type: steps\n    title: Stop whenever you like\n    items:\n"
        '      - "Look around."\n      - "Notice your breath."\n',
        '  - type: steps\n    items:\n      - "Look around. You can skip any step."\n'
        '      - "Notice your breath."\n',
        "  - type: section\n    title: Try it\n"
        "  - type: callout\n    tone: info\n    text: You can stop at any time.\n"
        '  - type: steps\n    items:\n      - "Look around."\n      - "Notice your breath."\n',
    ):
        assert _found(project, cli, blocks) == [], blocks


def test_an_outward_practice_needs_no_stop_line(project: Project, cli) -> None:
    blocks = (
        '  - type: steps\n    items:\n      - "Look around the room."\n'
        '      - "Name three things you can see."\n'
    )
    assert _found(project, cli, blocks) == []


def test_worksheet_prompts_and_marked_lists_are_practices(project: Project, cli) -> None:
    blocks = (
        "  - type: worksheet\n    prompts:\n"
        "      - kind: lines\n        text: How does your body feel right now?\n"
        "  - type: section\n    title: Ideas\n"
        "  - type: list\n    practice: true\n    items:\n"
        '      - "Breathe slowly for a minute."\n'
        "  - type: section\n    title: Not a practice\n"
        '  - type: list\n    items:\n      - "Your breath can speed up."\n'
    )
    assert sorted((r, line) for r, line, _ in _found(project, cli, blocks)) == [
        ("sequencing.body-first", 14),
        ("sequencing.body-first", 20),
        ("sequencing.stop-after", 11),
        ("sequencing.stop-after", 17),
    ]


def test_a_practice_in_a_column_is_read(project: Project, cli) -> None:
    blocks = (
        "  - type: columns\n    columns:\n"
        "      - blocks:\n"
        '          - {type: steps, items: ["Notice your heartbeat."]}\n'
        "      - blocks:\n"
        '          - {type: paragraph, text: "Something else."}\n'
    )
    assert {r for r, _, _ in _found(project, cli, blocks)} == {
        "sequencing.body-first",
        "sequencing.stop-after",
    }


def test_a_block_can_allow_a_sequencing_rule(project: Project, cli) -> None:
    blocks = (
        "  - type: steps\n    allow: [sequencing.body-first, sequencing.stop-after]\n"
        '    items: ["Notice your breath."]\n'
    )
    assert _found(project, cli, blocks) == []
    blocks = (
        '  - type: steps\n    allow: [sequencing.stop-after]\n    items: ["Notice your breath."]\n'
    )
    assert [r for r, _, _ in _found(project, cli, blocks)] == ["sequencing.body-first"]


#: The library's practices as they were before the content guide's order was
#: applied to them (copies of the files then): each is flagged, as it should be.
BEFORE = DATA / "before-revision"
FLAGGED_BEFORE = {
    "daily-check-in": ["sequencing.body-first", "sequencing.stop-after"],
    "intentional-self-attunement": ["sequencing.stop-after"],
    "reacting-and-responding": ["sequencing.body-first", "sequencing.stop-after"],
    "when-self-compassion-feels-out-of-reach": ["sequencing.body-first"],
    "withdrawal-response": ["sequencing.stop-after"],
}


@pytest.mark.parametrize("name", sorted(FLAGGED_BEFORE))
def test_the_library_practices_as_they_were_are_flagged(project: Project, cli, name: str) -> None:
    project.add(f"{name}.yaml", (BEFORE / f"{name}.yaml").read_text(encoding="utf-8"))
    found = json.loads(cli("check", name, "--json").stdout)["findings"]
    assert (
        sorted(f["rule"] for f in found if f["rule"].startswith("sequencing."))
        == (FLAGGED_BEFORE[name])
    )


def test_every_practice_in_the_library_now_starts_outward_with_the_stop_first(cli) -> None:
    assert sorted(p.stem for p in BEFORE.glob("*.yaml")) == sorted(FLAGGED_BEFORE)
    found = json.loads(cli("check", "--json").stdout)["findings"]
    assert [f for f in found if f["rule"].startswith("sequencing.")] == []


# The same two practices, in Spanish: the order is read in the handout's language.
OLD_ES = """\
  - type: section
    title: Probar el 1-2-3
  - type: steps
    title: Nuestro 1-2-3, si quiere probarlo
    items:
      - "**Notar.** Cuando empiece la alarma, haga una pausa y note su respiración."
      - "**Nombrar.** Ponga unas palabras, como *siento tensión*."
      - "**Elegir.** Pregúntese: *¿Qué cosa pequeña me ayudaría ahora?*"
  - type: callout
    tone: info
    text: "No hay una forma correcta. Puede parar en cualquier paso."
"""
NEW_ES = """\
  - type: section
    title: Probar el 1-2-3
  - type: callout
    tone: info
    text: "No hay una forma correcta. Puede parar en cualquier paso, o mirar a su alrededor."
  - type: steps
    title: Nuestro 1-2-3, si quiere probarlo
    items:
      - "**Notar.** Haga una pausa y mire a su alrededor. Si le parece bien, note su respiración."
      - "**Nombrar.** Ponga unas palabras, como *siento tensión*."
      - "**Elegir.** Pregúntese: *¿Qué cosa pequeña me ayudaría ahora?*"
"""


@pytest.mark.parametrize(("blocks", "expected"), [(OLD_ES, 2), (NEW_ES, 0)])
def test_a_spanish_practice_is_read_in_spanish(
    project: Project, cli, blocks: str, expected: int
) -> None:
    text = handout_text("Una práctica", "Algo para probar.", blocks).replace(
        "language: en", "language: es"
    )
    project.add("p.yaml", text, language="es")
    result = cli("check", "p", "--language", "es", "--json")
    found = [
        (f["rule"], f["line"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"].startswith("sequencing.")
    ]
    if expected:
        assert found == [("sequencing.body-first", 16), ("sequencing.stop-after", 13)]
    else:
        assert found == []
