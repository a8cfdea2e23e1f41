"""`sequencing.*`: a practice starts outward, says how to stop before its steps, and
offers touch only as a choice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, Project, handout_text
from generator.check.sequencing import sequencing_findings
from generator.content import load_handout
from generator.yamlfile import read_yaml

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
    # Its "you can stop" stands just above the heading over the worksheet: before it.
    "daily-check-in": ["sequencing.body-first"],
    "intentional-self-attunement": ["sequencing.stop-after"],
    "reacting-and-responding": ["sequencing.body-first", "sequencing.stop-after"],
    "when-self-compassion-feels-out-of-reach": ["sequencing.body-first"],
    # "Check in with your body" opens its first step, the feet on the floor after.
    "withdrawal-response": ["sequencing.body-first", "sequencing.stop-after"],
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


# --- the classes of cue, read in process (quicker than the command) ---------------

STOP_EN = "  - type: callout\n    text: You can stop at any step.\n"
STOP_ES = "  - type: callout\n    text: Puede parar en cualquier paso.\n"


def _rules(tmp_path: Path, blocks: str, language: str = "en", audience: str = "client") -> list:
    """The sequencing rules a handout of these blocks breaks, with their lines."""
    folder = tmp_path / language
    folder.mkdir(exist_ok=True)
    path = folder / "p.yaml"
    text = handout_text("A practice", "Something to try.", blocks)
    text = text.replace("language: en", f"language: {language}")
    path.write_text(text.replace("audience: client", f"audience: {audience}"), encoding="utf-8")
    found = sequencing_findings(load_handout(path, tmp_path), read_yaml(path))
    return [(f.rule, f.line, f.message, f.suggestion) for f in found]


def _steps(*items: str) -> str:
    return "  - type: steps\n    items:\n" + "".join(f"      - {json.dumps(i)}\n" for i in items)


@pytest.mark.parametrize(
    ("language", "first"),
    [
        ("en", "Take three slow breaths."),
        ("en", "Inhale for a count of four, then exhale for a count of six."),
        ("en", "Let your eyes close, or lower your eyelids."),
        ("en", "Scan slowly from head to toe."),
        ("en", "Listen to the sounds inside you: your heartbeat and your breath."),
        ("en", "Close your eyes and listen to the sound of your breathing."),
        # The room beside the belly, not instead of it: the breath is still not a choice.
        ("en", "Breathe deeply into your belly while you look around the room."),
        ("en", "Notice any tension or tightness in your shoulders."),
        ("en", "Feel the warmth in your hands."),
        ("en", "Tune in to how you feel inside."),
        ("en", "Turn your attention inward for a moment."),
        ("en", "Begin with a short body scan."),
        ("en", "Can you hear your heartbeat?"),
        ("en", "Feel the air moving in and out of your nose."),
        ("en", "With eyes closed, listen to the rhythm of your breath."),
        ("es", "Inhale contando hasta cuatro y exhale despacio."),
        ("es", "Con los ojos cerrados, intente escuchar su propia respiración."),
        ("es", "Deje que se le cierren los ojos."),
        ("es", "Note cualquier tensión en los hombros."),
        ("es", "Dirija su atención hacia dentro."),
        ("es", "Recorra su cuerpo de la cabeza a los pies."),
        ("es", "Cierra los ojos y escucha los latidos de tu corazón."),
        ("es", "Tome aire por la nariz y suéltelo despacio."),
        ("es", "Siente el calor en tus manos y cuenta tus respiraciones."),
    ],
)
def test_an_inward_first_step_is_flagged_in_any_wording(
    tmp_path: Path, language: str, first: str
) -> None:
    stop = STOP_ES if language == "es" else STOP_EN
    found = _rules(tmp_path, stop + _steps(first, "Look around."), language)
    assert [(rule, line) for rule, line, _, _ in found] == [("sequencing.body-first", 15)]


@pytest.mark.parametrize(
    ("language", "first"),
    [
        ("en", "Listen to the sounds around you, then notice your breath if it feels okay."),
        ("en", "Close your eyes if you like, or keep them open and look around the room."),
        ("en", "Look out of the window, and name three things you can see."),
        ("en", "Notice the sounds in the room. If it feels okay, notice your breath."),
        ("en", "Close your eyes, or keep them open if you prefer, and find something blue."),
        ("es", "Escuche los sonidos a su alrededor."),
        ("es", "Mire a su alrededor. Si le parece bien, note su respiración."),
        ("es", "Note su respiración, o mire a su alrededor si le resulta mejor."),
    ],
)
def test_an_outward_first_step_passes_in_any_wording(
    tmp_path: Path, language: str, first: str
) -> None:
    stop = STOP_ES if language == "es" else STOP_EN
    assert _rules(tmp_path, stop + _steps(first, "Notice your breath."), language) == []


@pytest.mark.parametrize(
    ("language", "above", "stops"),
    [
        ("en", "Stop, drop and breathe", False),
        ("en", "A pit stop for busy days", False),
        ("en", "You can stop at any step.", True),
        ("en", "Feel free to skip any step.", True),
        ("en", "You may pause whenever you need to.", True),
        ("en", "Try one step, or none. Stop whenever you like.", True),
        ("en", "If a step feels like too much, open your eyes and look around.", True),
        ("en", "You may end the exercise at any time.", True),
        ("en", "How to stop worrying", False),
        ("es", "Un ejercicio para calmarse", False),
        ("es", "Este ejercicio es para la noche.", False),
        ("es", "Puede hacerlo en cualquier momento del día.", False),
        ("es", "Puede parar cuando quiera.", True),
        ("es", "Puede detenerse en cualquier momento.", True),
        ("es", "Siéntase libre de saltarse un paso.", True),
        ("es", "Puedes parar cuando quieras.", True),
        ("es", "Si en algún momento es demasiado, pare y mire a su alrededor.", True),
        ("es", "Parar el pánico: un ejercicio", False),
    ],
)
def test_the_way_to_stop_is_a_permission_not_the_word(
    tmp_path: Path, language: str, above: str, stops: bool
) -> None:
    blocks = f"  - type: callout\n    text: {json.dumps(above)}\n"
    steps = _steps("Mire a su alrededor.", "Note su respiración.")
    if language == "en":
        steps = _steps("Look around the room.", "Notice your breath.")
    found = [rule for rule, _, _, _ in _rules(tmp_path, blocks + steps, language)]
    assert found == ([] if stops else ["sequencing.stop-after"])


@pytest.mark.parametrize(
    ("language", "stop", "between", "flagged"),
    [
        # Just above a heading that only titles the steps: printed before them.
        ("en", "You can stop at any step, or look around.", "", False),
        ("es", "Puede parar en cualquier paso.", "", False),
        ("en", "You can stop at any step.", "  - type: paragraph\n    text: Here is how.\n", False),
        # Two headings up belongs to another part of the page.
        ("en", "You can stop at any step.", "  - type: section\n    title: Other\n", True),
    ],
)
def test_a_stop_just_above_the_heading_over_the_steps_comes_before_them(
    tmp_path: Path, language: str, stop: str, between: str, flagged: bool
) -> None:
    blocks = (
        f"  - type: callout\n    text: {stop}\n{between}"
        "  - type: section\n    title: The steps\n"
        + _steps("Look around the room.", "Notice your breath.")
    )
    found = [message for rule, _, message, _ in _rules(tmp_path, blocks, language)]
    assert found == (
        [
            "the way to stop is printed nowhere: a reader who is overwhelmed at a step "
            "needs it before they start"
        ]
        if flagged
        else []
    )


@pytest.mark.parametrize(
    ("language", "step"),
    [
        ("en", "Wrap your arms around yourself and give yourself a gentle squeeze."),
        ("en", "Place a hand on your heart."),
        ("en", "Ask someone you trust to hold you."),
        ("en", "Wrap up tightly in a weighted blanket."),
        ("en", "Hug yourself for as long as you like."),
        ("en", "Slowly stroke your arm from shoulder to wrist."),
        ("en", "Ask a loved one for a hug."),
        ("en", "Cradle your face in your hands."),
        ("en", "Curl up under a heavy blanket."),
        ("es", "Abrácese fuerte y acaricie sus brazos."),
        ("es", "Ponga una mano sobre el pecho."),
        ("es", "Pida a alguien de confianza que le abrace."),
        ("es", "Envuélvete en una manta pesada."),
        ("es", "Dese un abrazo y palmaditas en los hombros."),
    ],
)
def test_touch_without_a_choice_first_is_flagged(tmp_path: Path, language: str, step: str) -> None:
    stop, first = (STOP_ES, "Mire a su alrededor.") if language == "es" else (STOP_EN, "Look up.")
    found = _rules(tmp_path, stop + _steps(first, step), language)
    assert [(rule, line) for rule, line, _, _ in found] == [("sequencing.touch-choice", 16)]
    message, suggestion = found[0][2:]
    assert "reminder for survivors of abuse" in message
    assert "If touch feels okay" in suggestion and "hold a cushion" in suggestion


@pytest.mark.parametrize(
    ("language", "steps"),
    [
        ("en", ["If touch feels okay, place a hand on your heart. If not, hold a cushion."]),
        ("en", ["Only if it feels okay: wrap your arms around yourself.", "Or skip this step."]),
        ("en", ["Hug yourself, if you like, or hold something soft."]),
        (
            "en",
            [
                "Touch is a choice. If it feels okay, try the next step.",
                "Hug yourself.",
                "Or press your feet into the floor instead.",
            ],
        ),
        ("en", ["Hold a cushion or a cool stone in your hands."]),
        ("en", ["Feel what holds you up: the chair, the floor."]),
        ("en", ["Hold a mug of tea.", "When and if you\u2019re ready, rest a hand on your arm."]),
        ("en", ["Press your palms together, or rub your hands together to warm them."]),
        (
            "es",
            [
                "Si el contacto le resulta cómodo, ponga una mano sobre el pecho.",
                "Si no, sostenga algo fresco.",
            ],
        ),
        ("es", ["Si le parece bien, abrácese. Si no, sostenga un cojín."]),
        ("es", ["Sostenga una piedra fresca en la mano."]),
        ("es", ["Fíjese en lo que le sostiene: la silla, el piso."]),
    ],
)
def test_touch_offered_as_a_choice_or_an_object_held_passes(
    tmp_path: Path, language: str, steps: list[str]
) -> None:
    stop, first = (STOP_ES, "Mire a su alrededor.") if language == "es" else (STOP_EN, "Look up.")
    assert _rules(tmp_path, stop + _steps(first, *steps), language) == []


@pytest.mark.parametrize(
    ("language", "steps"),
    [
        ("en", ["Only if it feels okay: wrap your arms around yourself."]),
        ("en", ["Touch is a choice. If it feels okay, try the next step.", "Hug yourself."]),
        ("en", ["When and if you\u2019re ready, rest a hand on your arm."]),
        # Another touch is no way around touch.
        ("en", ["If touch feels okay, rest a hand on your chest, or on your arm."]),
        ("es", ["Si el contacto le resulta cómodo, ponga una mano sobre el pecho."]),
        ("es", ["Si lo desea, abrácese, o acaricie sus brazos."]),
    ],
)
def test_touch_as_a_choice_needs_a_way_beside_it_that_needs_no_touch(
    tmp_path: Path, language: str, steps: list[str]
) -> None:
    """The content guide: touch only with an opt-in, and a neutral alternative offered
    (holding a cushion or a cool object) for the reader who says no."""
    stop, first = (STOP_ES, "Mire a su alrededor.") if language == "es" else (STOP_EN, "Look up.")
    found = _rules(tmp_path, stop + _steps(first, *steps), language)
    assert [rule for rule, _, _, _ in found] == ["sequencing.touch-choice"]
    message, suggestion = found[0][2:]
    assert "offered as a choice" in message and "needs no touch" in message
    assert "hold a cushion" in suggestion


def test_the_title_can_give_the_choice_and_a_block_can_allow_the_rule(
    tmp_path: Path, project: Project, cli
) -> None:
    titled = _steps("Hug yourself, or hold a cushion.").replace(
        "    items:", "    title: If touch feels okay\n    items:"
    )
    assert _rules(tmp_path, titled, "en") == []
    allowed = _steps("Look up.", "Hug yourself.").replace(
        "    items:", "    allow: [sequencing.touch-choice]\n    items:"
    )
    found = _found(project, cli, allowed)
    assert found == []
    project.add("p.yaml", handout_text("A practice", "Something to try.", allowed))
    rules = [f["rule"] for f in json.loads(cli("check", "p", "--json").stdout)["findings"]]
    assert "allow.unknown" not in rules


@pytest.mark.parametrize(
    ("language", "blocks"),
    [
        (
            "en",
            "  - type: list\n    items:\n      - Close your eyes.\n"
            "      - Focus on your breathing.\n      - Feel your heartbeat in your chest.\n",
        ),
        (
            "en",
            "  - type: paragraph\n    text: >-\n      First, close your eyes. Then breathe "
            "in deeply and notice your heartbeat. Stay with it for a minute.\n",
        ),
        (
            "en",
            '  - type: list\n    items:\n      - "**Settle.** Sit back in your chair."\n'
            '      - "**Notice.** Count ten breaths."\n',
        ),
        (
            "es",
            "  - type: list\n    items:\n      - Cierre los ojos.\n"
            "      - Concéntrese en su respiración.\n      - Sienta los latidos en el pecho.\n",
        ),
        (
            "es",
            "  - type: paragraph\n    text: Primero, cierra los ojos. Luego siente tu "
            "respiración y cuenta hasta diez.\n",
        ),
    ],
)
def test_a_list_or_paragraph_of_instructions_is_a_practice(
    tmp_path: Path, language: str, blocks: str
) -> None:
    found = sorted(rule for rule, _, _, _ in _rules(tmp_path, blocks, language))
    assert found == ["sequencing.body-first", "sequencing.stop-after"]


@pytest.mark.parametrize(
    ("language", "blocks", "audience"),
    [
        (
            "en",
            "  - type: list\n    title: Signs\n    items:\n      - Your heart beats fast.\n"
            "      - Your breath gets short.\n      - You feel tense in your chest.\n",
            "client",
        ),
        (
            "en",
            "  - type: list\n    items:\n      - Breathing fast\n      - A racing heart\n"
            "      - Close to tears\n",
            "client",
        ),
        (
            "en",
            "  - type: paragraph\n    text: Your breath may speed up. Notice that this is "
            "common. Many people feel it in the chest.\n",
            "client",
        ),
        (
            "en",
            "  - type: list\n    items:\n      - Ask about the breath later.\n"
            "      - Offer the body as one option.\n",
            "clinician",
        ),
        (
            "es",
            "  - type: list\n    items:\n      - Su corazón late rápido.\n"
            "      - Respira rápido.\n      - Siente tensión en el pecho.\n",
            "client",
        ),
    ],
)
def test_a_list_of_signs_or_a_clinicians_to_do_list_is_not_a_practice(
    tmp_path: Path, language: str, blocks: str, audience: str
) -> None:
    assert _rules(tmp_path, blocks, language, audience) == []


#: The rules the held-out practices are labelled with, by their labels' names.
HELD_OUT_RULES = {
    "body-first": "sequencing.body-first",
    "stop-after": "sequencing.stop-after",
    "touch-choice": "sequencing.touch-choice",
    "hopelessness": "structure.hopelessness",
    "real-danger": "wording.real-danger",
}


def test_the_held_out_practices_get_what_they_are_labelled_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """56 handouts written from the content guide by someone who had not read the rules;
    each file, positive or negative, is held to its labels."""
    import shutil

    import yaml
    from click.testing import CliRunner

    from generator.cli import main

    source = DATA / "practice-heldout"
    shutil.copytree(source / "content", tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--json"])
    found: dict[str, set[str]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        name = finding["path"].removeprefix("content/handouts/")
        if finding["rule"] in HELD_OUT_RULES.values():
            found.setdefault(name, set()).add(finding["rule"])
    labels = yaml.safe_load((source / "labels.yaml").read_text(encoding="utf-8"))
    assert len(labels) == 56
    wrong = {
        name: (sorted(found.get(name, set())), sorted(HELD_OUT_RULES[w] for w in wanted))
        for name, wanted in labels.items()
        if found.get(name, set()) != {HELD_OUT_RULES[w] for w in wanted}
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("language", "blocks", "rules"),
    [
        # Outward only, with the way to stop printed only after: still after.
        (
            "en",
            _steps(
                "Look around and name the colours you see.",
                "Notice the nearest sound.",
                "If this gets to be too much at any point, stop and look around.",
            ),
            ["sequencing.stop-after"],
        ),
        (
            "es",
            _steps("Mire a su alrededor y nombre cuatro cosas.", "Escuche tres sonidos.")
            + "  - type: callout\n    text: Puede parar en cualquier momento.\n",
            ["sequencing.stop-after"],
        ),
        # Outward only, with no way to stop at all: looking around needs none.
        ("en", _steps("Look around the room.", "Name three things you see."), []),
        # Making a fist is a movement, not self-touch; letting the grip go is a step.
        (
            "en",
            STOP_EN
            + _steps(
                "Look around the room.",
                "Squeeze your hands into tight fists.",
                "Let go, and notice how your hands feel now.",
            ),
            [],
        ),
    ],
)
def test_a_way_to_stop_printed_late_and_a_fist_made_from_a_blind_set(
    tmp_path: Path, language: str, blocks: str, rules: list[str]
) -> None:
    found = _rules(tmp_path, blocks, language)
    assert [rule for rule, _, _, _ in found] == rules
