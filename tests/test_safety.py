"""The content guide's safety lines: a crisis line with a number on every client handout,
hopelessness paired with reaching out, real danger never denied, and short sentences."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import Project, handout_text
from generator.check.crisis import has_number
from generator.check.readability import Readability as Scores
from generator.config import Readability, builtin_root

PLAIN = "  - type: paragraph\n    text: You might look around the room.\n"


def spanish_text(blocks: str) -> str:
    """A valid Spanish client handout with these blocks."""
    return handout_text("Su sueño", "Ideas para dormir un poco mejor.", blocks).replace(
        "language: en", "language: es"
    )


def found(cli, rule: str, *targets: str) -> list[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    """Path, line, column and message of each finding of one rule."""
    report = json.loads(cli("check", *targets, "--json").stdout)
    return [
        (f["path"], f["line"], f["column"], f["message"])
        for f in report["findings"]
        if f["rule"] == rule
    ]


def config(project: Project, text: str) -> None:
    (project.root / "handouts.yaml").write_text(text, encoding="utf-8")


# --- crisis lines ---------------------------------------------------------------------


def test_no_crisis_line_at_all_is_an_error(project: Project, cli) -> None:
    project.add("h.yaml", handout_text("Noticing", "A small way to notice.", PLAIN))
    config(project, "paper: a4\ncrisis: []\n")
    result = cli("check", "--json")
    assert result.exit_code == 1
    ((path, line, column, message),) = found(cli, "structure.no-crisis")
    assert (path, line, column) == ("handouts.yaml", 2, 9)
    assert "client handouts would print none" in message
    suggestion = next(
        f["suggestion"]
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == "structure.no-crisis"
    )
    assert "`crisis: us`" in suggestion and "`verified`" in suggestion
    config(project, "paper: a4\ncrisis: uk-ie\n")
    assert found(cli, "structure.no-crisis") == []


def test_a_region_the_messages_have_no_line_for_is_an_error(project: Project, cli) -> None:
    """A project writing in a language of its own, whose messages leave the region out."""
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    english = (builtin_root() / "templates" / "messages" / "en.yaml").read_text("utf-8")
    start = english.index("  us:\n")
    end = english.index("  ca:\n")
    (messages / "fr.yaml").write_text(english[:start] + english[end:], encoding="utf-8")
    config(project, "language: fr\ncrisis: us\n")
    ((path, line, _, message),) = found(cli, "structure.no-crisis")
    assert path == "templates/messages/fr.yaml"
    # At the region list, which goes on with `ca`.
    assert english[:start].splitlines()[-1] == "crisis:"
    assert (messages / "fr.yaml").read_text("utf-8").splitlines()[line - 1] == "  ca:"
    assert "no crisis line for the region `us` in the `fr` messages" in message
    config(project, "language: fr\ncrisis: ca\n")
    assert found(cli, "structure.no-crisis") == []


NO_NUMBER = [
    "Take care of yourself, and be kind to your mind.",
    "Call the crisis line, open 24 hours a day since 1999.",
    "Reach out to us any time, 9:00 to 17:00, 24/7.",
    "Visit 988lifeline.org for help.",
    "Call us. Help is free for 365 days a year.",
    "Llame a la línea de crisis, abierta las 24 horas.",
]
NUMBERS = [
    "Call or text 988, the Suicide & Crisis Lifeline.",
    "Call or text 9-8-8.",
    "Call Samaritans free on 116 123.",
    "In danger now, call 911.",
    "Call 999 (UK) or 112 (Ireland).",
    "In danger now, call 000.",
    "Text HOME to 741741.",
    "Call Lifeline on 13 11 14.",
    "Call the county crisis line on 555-0199, day or night.",
    "Call +44 116 123, or +1 (555) 010-0199.",
    "Llame al 988 (marque 2: español).",
    "Envíe AYUDA por texto al 988.",
]


@pytest.mark.parametrize("text", NO_NUMBER)
def test_text_with_no_number_to_dial(text: str) -> None:
    assert not has_number(text)


@pytest.mark.parametrize("text", NUMBERS)
def test_numbers_and_short_codes_to_dial(text: str) -> None:
    assert has_number(text)


def test_a_crisis_line_with_no_number(project: Project, cli) -> None:
    project.add("h.yaml", handout_text("Noticing", "A small way to notice.", PLAIN))
    today = dt.date.today().isoformat()
    config(
        project,
        "crisis:\n"
        "  - text: Call or text 988.\n"
        f"    verified: {today}\n"
        "  - text: Take care of yourself, and be kind to your mind.\n"
        f"    verified: {today}\n",
    )
    ((path, line, column, message),) = found(cli, "structure.crisis-number")
    assert (path, line, column) == ("handouts.yaml", 4, 11)
    assert message == (
        "this crisis line gives no number to call or text: "
        "\u201cTake care of yourself, and be kind to your mind.\u201d"
    )
    assert cli("check").exit_code == 1


def test_a_region_line_with_no_number_in_the_project_messages(project: Project, cli) -> None:
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "es.yaml").write_text(
        f"crisis:\n  us:\n    text: Cuídese mucho.\n    verified: {dt.date.today().isoformat()}\n",
        encoding="utf-8",
    )
    project.add("h.yaml", spanish_text(PLAIN), language="es")
    ((path, line, column, message),) = found(cli, "structure.crisis-number")
    assert (path, line, column) == ("templates/messages/es.yaml", 3, 11)
    assert message.startswith("the `us` crisis line gives no number")


def test_a_crisis_line_checked_in_the_future(project: Project, cli) -> None:
    project.add("h.yaml", handout_text("Noticing", "A small way to notice.", PLAIN))
    today = dt.date.today()
    ahead = today + dt.timedelta(days=30)
    config(project, f"crisis:\n  - text: Call or text 988.\n    verified: {ahead.isoformat()}\n")
    ((path, line, column, message),) = found(cli, "structure.crisis-date")
    assert (path, line, column) == ("handouts.yaml", 3, 15)
    assert message == f"this crisis line was checked on {ahead.isoformat()}, a date still to come"
    assert found(cli, "structure.crisis-verified") == []
    # A day ahead is today somewhere else; today and the past are fine.
    for date in (today + dt.timedelta(days=1), today, today - dt.timedelta(days=300)):
        config(project, f"crisis:\n  - text: Call or text 988.\n    verified: {date}\n")
        assert found(cli, "structure.crisis-date") == []


def test_a_region_line_checked_in_the_future_in_the_project_messages(project: Project, cli) -> None:
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    ahead = dt.date.today() + dt.timedelta(days=400)
    (messages / "en.yaml").write_text(
        f"crisis:\n  ca:\n    text: Call or text 9-8-8.\n    verified: {ahead}\n",
        encoding="utf-8",
    )
    config(project, "crisis: ca\n")
    ((path, line, _, message),) = found(cli, "structure.crisis-date")
    assert (path, line) == ("templates/messages/en.yaml", 4)
    assert message.startswith("the `ca` crisis line was checked on")


# --- hopelessness beside a line on reaching out ----------------------------------------


def list_block(*items: str, title: str | None = None) -> str:
    heading = f"    title: {json.dumps(title)}\n" if title else ""
    return (
        "  - type: list\n"
        + heading
        + "    items:\n"
        + "".join(f"      - {json.dumps(item, ensure_ascii=False)}\n" for item in items)
    )


HOPELESS_EN = [
    "Thinking no one would miss you",
    "Wondering what the point is",
    "*What is the point?*",
    "Feeling everyone would be better off without you",
    "Wanting to die",
    "Not wanting to be here anymore",
    "Feeling there is no way out",
    "Thinking you can't go on",
    "Thinking of ending it all",
    "Feeling hopeless",
    "Thoughts of suicide",
]
HOPELESS_ES = [
    "Pensar que nadie le echaría de menos",
    "*¿Para qué?*",
    "*No quiero seguir.*",
    "Sentir que estarían mejor sin usted",
    "Pensar que no vale la pena vivir",
    "Sentir que no hay salida",
    "Ganas de morir",
]


@pytest.mark.parametrize("sign", HOPELESS_EN)
def test_hopelessness_listed_as_a_harmless_sign(project: Project, cli, sign: str) -> None:
    blocks = PLAIN + list_block("Trouble sleeping", sign, "Feeling tired")
    project.add("h.yaml", handout_text("Signs", "Signs of stress to notice.", blocks))
    ((path, line, _, message),) = found(cli, "structure.hopelessness", "h")
    assert (path, line) == ("content/handouts/en/h.yaml", 16)
    assert "nothing in the same list says how to reach out" in message


@pytest.mark.parametrize("sign", HOPELESS_ES)
def test_hopelessness_listed_as_a_harmless_sign_in_spanish(
    project: Project, cli, sign: str
) -> None:
    blocks = PLAIN + list_block("Problemas para dormir", sign)
    project.add("h.yaml", spanish_text(blocks), language="es")
    ((path, line, _, _),) = found(cli, "structure.hopelessness", "h")
    assert (path, line) == ("content/handouts/es/h.yaml", 16)


@pytest.mark.parametrize(
    ("language", "items", "title"),
    [
        ("en", ["Trouble sleeping", "Reaching out when you feel hopeless"], None),
        ("en", ["Thinking no one would miss you", "If so, call or text 988."], None),
        ("en", ["Wondering what the point is", "Tell someone you trust."], None),
        ("en", ["*What is the point?* Please reach out."], None),
        ("en", ["Thinking no one would miss you"], "If you notice these, talk to your doctor"),
        ("en", ["Wanting to die", "Call Samaritans on 116 123"], None),
        ("es", ["Pensar que nadie le echaría de menos", "Hable con alguien de confianza."], None),
        ("es", ["*¿Qué sentido tiene?* Por favor, busque apoyo."], None),
        ("es", ["No quiero seguir", "Llame o envíe un mensaje al 988."], None),
    ],
)
def test_hopelessness_paired_with_reaching_out(
    project: Project, cli, language: str, items: list[str], title: str | None
) -> None:
    blocks = PLAIN + list_block(*items, title=title)
    text = handout_text("Signs", "Signs of stress to notice.", blocks)
    project.add("h.yaml", spanish_text(blocks) if language == "es" else text, language)
    assert found(cli, "structure.hopelessness", "h") == []


@pytest.mark.parametrize(
    "item",
    [
        "There is no point in rushing",
        "Try ending it early if it feels like too much",
        "What's the point of this worksheet?",
        "You can go on to the next step",
        "Si no quiere seguir, puede parar.",
        "¿Para qué sirve esta hoja?",
    ],
)
def test_words_like_hopelessness_that_are_not(project: Project, cli, item: str) -> None:
    project.add("h.yaml", handout_text("Steps", "Small steps.", PLAIN + list_block(item)))
    assert found(cli, "structure.hopelessness", "h") == []


def test_the_line_on_reaching_out_must_be_in_the_same_list(project: Project, cli) -> None:
    """A list group's other list, a compare's other column, a later paragraph: not beside it."""
    blocks = (
        "  - type: list_group\n    lists:\n"
        "      - title: In your thoughts\n        items: [Thinking no one would miss you]\n"
        "      - title: What helps\n        items: [Call or text 988]\n"
        "  - type: compare\n"
        "    left: {label: Reacting, items: [Feeling there is no way out]}\n"
        "    right: {label: Responding, items: [Tell someone you trust]}\n"
        "  - type: worksheet\n    prompts:\n"
        "      - kind: checkboxes\n        text: What have you noticed?\n"
        "        options: [Trouble sleeping, Wondering what the point is]\n"
        "  - type: table\n    header: [Sign, Often]\n"
        "    rows: [[Feeling hopeless, Most days]]\n"
        "  - type: paragraph\n    text: If you feel this way, call or text 988.\n"
    )
    project.add("h.yaml", handout_text("Signs", "Signs of stress.", PLAIN + blocks))
    assert [line for _, line, _, _ in found(cli, "structure.hopelessness", "h")] == [
        16,
        20,
        26,
        29,
    ]
    # The same blocks, each with reaching out inside it, are fine.
    paired = (
        blocks.replace("[Call or text 988]", "[Call or text 988, Sleep]")
        .replace("[Thinking no one would miss you]", "[Thinking no one would miss you, Reach out]")
        .replace("items: [Feeling there is no way out]", "items: [No way out, Call 988]")
        .replace("you noticed?", "you noticed? Tell someone you trust.")
        .replace("[[Feeling hopeless, Most days]]", "[[Feeling hopeless, Call your doctor]]")
    )
    project.add("h.yaml", handout_text("Signs", "Signs of stress.", PLAIN + paired))
    assert found(cli, "structure.hopelessness", "h") == []


def test_clinician_text_may_name_hopelessness(project: Project, cli) -> None:
    note = "  - type: clinician_note\n    text: Ask about hopelessness and suicidal thoughts.\n"
    project.add("h.yaml", handout_text("Signs", "Signs.", PLAIN + note))
    guide = handout_text("Guide", "For clinicians.", PLAIN + list_block("Feeling hopeless"))
    project.add("g.yaml", guide.replace("audience: client", "audience: clinician"))
    assert found(cli, "structure.hopelessness", "h", "g") == []


# --- real danger ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "sentence", "said"),
    [
        ("en", "The alarm can ring even when there is no real danger.", "no real danger"),
        ("en", "Right now there's no danger here.", "there's no danger"),
        ("en", "You are not in any danger.", "You are not in any danger"),
        ("en", "The body reacts as if nothing is actually wrong.", "nothing is actually wrong"),
        ("en", "The danger isn\u2019t real.", "The danger isn\u2019t real"),
        ("en", "It's all in your head.", "It's all in your head"),
        ("en", "Even if there is no danger nearby, it rings.", "there is no danger"),
        ("es", "La alarma suena aunque no hay peligro real.", "no hay peligro real"),
        # The subjunctive after "aunque", as Spanish usually says it.
        ("es", "Los recuerdos pesan, aunque no haya peligro real.", "no haya peligro real"),
        ("es", "Todo está en su cabeza.", "Todo está en su cabeza"),
        ("es", "El peligro no es real.", "El peligro no es real"),
        ("es", "Usted no está en peligro.", "no está en peligro"),
    ],
)
def test_words_that_deny_real_danger(
    project: Project, cli, language: str, sentence: str, said: str
) -> None:
    block = f"  - type: paragraph\n    text: {sentence}\n"
    text = handout_text("Alarm", "How the alarm works.", PLAIN + block)
    project.add("h.yaml", spanish_text(PLAIN + block) if language == "es" else text, language)
    ((_, line, column, message),) = found(cli, "wording.real-danger", "h")
    assert line == 14
    assert column == 11 + sentence.index(said)
    assert message.startswith(f"\u201c{said.replace(chr(0x2019), chr(39))}\u201d denies a danger")


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        ("en", "If there is no danger nearby, you might look around the room."),
        ("en", "If you are not in danger right now, you might try this."),
        ("en", "You may have been told it was all in your head."),
        ("en", "It is not all in your head."),
        ("en", "There is nothing wrong with you, and you did nothing wrong."),
        ("en", "People may say \u201cit's all in your head\u201d, and it hurts."),
        ("en", "It can happen even when the danger has passed, or is smaller than it feels."),
        ("es", "Si no hay peligro cerca, puede mirar alrededor."),
        ("es", "No está todo en su cabeza."),
        ("es", "Si hay peligro ahora, llame a emergencias."),
    ],
)
def test_words_about_danger_that_do_not_deny_it(
    project: Project, cli, language: str, sentence: str
) -> None:
    block = f"  - type: paragraph\n    text: {sentence}\n"
    text = handout_text("Alarm", "How the alarm works.", PLAIN + block)
    project.add("h.yaml", spanish_text(PLAIN + block) if language == "es" else text, language)
    assert found(cli, "wording.real-danger", "h") == []


def test_denying_danger_can_be_allowed_or_quoted(project: Project, cli) -> None:
    said = "There is no real danger."
    quote = f"  - type: quote\n    text: {said}\n    who: What I used to hear\n"
    allowed = f"  - type: paragraph\n    allow: [wording.real-danger]\n    text: {said}\n"
    project.add("h.yaml", handout_text("Alarm", "How it works.", PLAIN + quote + allowed))
    assert found(cli, "wording.real-danger", "h") == []
    plain = f"  - type: paragraph\n    text: {said}\n"
    project.add("h.yaml", handout_text("Alarm", "How it works.", PLAIN + plain))
    assert len(found(cli, "wording.real-danger", "h")) == 1
    config(project, "wording:\n  allow: [wording.real-danger]\n")
    assert found(cli, "wording.real-danger", "h") == []


# --- reading level and sentence length ---------------------------------------------------


def test_the_default_smog_target_is_8(project: Project, monkeypatch) -> None:
    """The content guide: SMOG 8 or lower for client handouts."""
    from generator.check import readability as module
    from generator.config import Project as Settings
    from generator.content import load_handout

    assert Readability().client.smog == 8.0
    path = project.add("h.yaml", handout_text("Alarm", "How it works.", PLAIN))
    item = load_handout(path, project.root)
    rules = []
    # Judged as printed: 8.04 is "grade 8.0", which passes a target of 8.
    for smog in (8.0, 8.04, 8.06, 8.4):
        score = Scores(3.0, smog, 0.0, 0.0, sentences=40, words=400)
        monkeypatch.setattr(module, "readability", lambda handout, s=score: s)
        found_now = module.readability_findings(Settings(project.root), item, _located(path))
        rules.append([f.message for f in found_now if f.severity == "error"])
    assert rules[:2] == [[], []]
    assert [len(r) for r in rules[2:]] == [1, 1]
    assert "grade 8.1;" in rules[2][0] and "grade 8.4;" in rules[3][0]


def _located(path: Path):  # type: ignore[no-untyped-def]
    from generator.yamlfile import read_yaml

    return read_yaml(path)


def sentences_of(words: int, count: int, spanish: bool = False) -> str:
    """`count` plain sentences of `words` short words each."""
    first, word, last = ("Mi", "pan", "va.") if spanish else ("Your", "cat", "sat.")
    return " ".join([" ".join([first, *[word] * (words - 2), last])] * count)


@pytest.mark.parametrize("language", ["en", "es"])
def test_long_sentences_on_average_are_a_warning_in_english_and_spanish(
    project: Project, cli, language: str
) -> None:
    def add(words: int) -> None:
        body = sentences_of(words, 6, language == "es")
        block = f"  - type: paragraph\n    text: {body}\n"
        text = handout_text("Cats", "About cats.", block)
        project.add("h.yaml", spanish_text(block) if language == "es" else text, language)

    add(16)
    ((_, line, _, message),) = found(cli, "readability.sentence-length", "h")
    assert line == 11
    assert message.startswith("sentences average 16.0 words")
    # The longest sentences are named, as they are when a grade is missed.
    assert len(found(cli, "readability.long-sentence", "h")) == 3
    add(14)
    assert found(cli, "readability.sentence-length", "h") == []
    assert found(cli, "readability.long-sentence", "h") == []


def test_one_very_long_sentence_is_named_even_when_the_grade_passes(project: Project, cli) -> None:
    short = sentences_of(6, 10)
    long = "Your " + " ".join(["cat"] * 29) + " sat."  # 31 words
    block = f"  - type: paragraph\n    text: {short} {long}\n"
    project.add("h.yaml", handout_text("Cats", "About cats.", block))
    report = json.loads(cli("check", "h", "--json").stdout)
    assert not [f for f in report["findings"] if f["rule"] in ("readability.flesch-kincaid",)]
    ((_, line, _, message),) = found(cli, "readability.long-sentence", "h")
    assert line == 12 and message.startswith("31 words:")
    shorter = long.replace("cat cat sat.", "sat.")  # 29 words
    project.add("h.yaml", handout_text("Cats", "About cats.", block.replace(long, shorter)))
    assert found(cli, "readability.long-sentence", "h") == []
