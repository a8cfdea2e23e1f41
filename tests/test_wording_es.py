"""The Spanish wording rules on labelled Spanish sentences: precision and recall per
family, the register (tú among usted) in whole handouts, and findings with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from test_wording import _scores

from conftest import Project
from generator.check.parse import Hit
from generator.check.spanish import data
from generator.check.wording import judge_spanish
from generator.cli import main

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: The first set the rules were written against; the held-out set, written apart
#: and then used to widen the word lists (so no longer unseen); and a second
#: held-out set, written by someone who had not seen the rules, measured as it came;
#: and what a red-team pass found, which the word lists were then changed to read.
CORPORA = {
    part: TESTS / "data" / f"wording-corpus-es{part}.yaml"
    for part in ("", "-heldout", "-heldout-2", "-heldout-3", "-redteam")
}
FAMILIES = ("directive", "shaming", "promise", "register")
PRECISION, RECALL = 0.95, 0.90


def _entries(*parts: str) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for part in parts or tuple(CORPORA):
        entries.extend(yaml.safe_load(CORPORA[part].read_text(encoding="utf-8")))
    return entries


def _judged(entries: list[dict[str, object]]) -> list[list[Hit]]:
    return [judge_spanish([str(e["text"])], heading=e["where"] == "heading")[0] for e in entries]


def scores(entries: list[dict[str, object]]) -> dict[str, tuple[float, float]]:
    return _scores(list(zip(entries, _judged(entries), strict=True)), FAMILIES)


def test_the_corpus_is_large_and_labelled_with_known_families() -> None:
    entries = _entries()
    assert len(entries) >= 150
    assert len({str(e["text"]) for e in entries}) == len(entries), "a sentence twice"
    for entry in entries:
        assert set(entry["rules"]) <= set(FAMILIES), entry  # type: ignore[call-overload]
        assert entry["where"] in ("sentence", "heading"), entry
    for family in FAMILIES:
        assert sum(family in e["rules"] for e in entries) >= 30, family  # type: ignore[operator]
    assert sum(not e["rules"] for e in entries) >= 100


def test_every_family_is_precise_and_finds_what_it_should() -> None:
    entries = _entries()
    judged = _judged(entries)
    misses = [
        (family, entry["text"], sorted(h.family for h in hits))
        for entry, hits in zip(entries, judged, strict=True)
        for family in FAMILIES
        if (family in {h.family for h in hits}) != (family in entry["rules"])  # type: ignore[operator]
    ]
    for family, (precision, recall) in scores(entries).items():
        assert precision >= PRECISION, (family, precision, misses)
        assert recall >= RECALL, (family, recall, misses)


@pytest.mark.parametrize("part", ["-redteam", "-heldout-3"])
def test_the_newest_sets_alone_clear_the_bar(part: str) -> None:
    for family, (precision, recall) in scores(_entries(part)).items():
        assert precision >= PRECISION and recall >= RECALL, family


def test_the_readme_reports_each_set_as_measured() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for part in CORPORA:
        entries = _entries(part)
        for family, (precision, recall) in scores(entries).items():
            row = f"| {part or 'first'} | `{family}` | {precision:.2f} | {recall:.2f} |"
            assert row.replace("| -", "| ") in readme, f"README should say {row}"
    assert f"{len(_entries())} labelled Spanish sentences" in readme


@pytest.mark.parametrize(
    ("text", "family", "said"),
    [
        ("Usted debe hablar con su médico hoy.", "directive", "debe"),
        ("No se rinda ahora.", "directive", "No se rinda"),
        ("Tranquilícese.", "directive", "Tranquilícese"),
        ("Las personas que se aíslan son débiles.", "shaming", "débiles"),
        ("Con este método, ya está a salvo.", "promise", "ya está a salvo"),
        ("Si quieres, puedes parar.", "register", "quieres"),
    ],
)
def test_each_family_names_the_words_it_flags(text: str, family: str, said: str) -> None:
    (hits,) = judge_spanish([text])
    assert [(h.family, h.said) for h in hits if h.family == family] == [(family, said)]


@pytest.mark.parametrize(
    "text",
    [
        "No tiene que decidir nada hoy.",
        "Su terapeuta debe pedirle permiso antes de grabar.",
        "Usted no está roto.",
        "Se rompió un vaso: el vaso está roto.",
        "Nadie puede garantizar que el miedo se vaya.",
        "*Tú puedes con esto*, se dice a veces.",
        "«Ya estoy a salvo», pensó.",
        "¿Tiene que irse ya?",
    ],
)
def test_denied_reported_quoted_and_asked_text_is_left_alone(text: str) -> None:
    assert judge_spanish([text]) == [[]]


def test_a_heading_is_judged_for_labels_and_for_orders_as_titles_give_them() -> None:
    (hits,) = judge_spanish(["Cómo tratar a los pacientes manipuladores"], heading=True)
    assert [h.family for h in hits] == ["shaming"]
    orders = ["Debe calmarse", "Nunca te rindas", "Tranquilícese", "No se rinda"]
    orders += ["Pasos que tiene que seguir", "Lo que debe hacer cuando llega un recuerdo"]
    topics = ["Lo que debe saber", "Lo que necesita saber sobre la insulina"]
    topics += ["Cuándo debe ir a urgencias", "Hay que hablar del alcohol"]
    topics += ["Preguntas que debe hacerle a su médico", "No deje de pedir ayuda"]
    topics += ["No se rinda: dónde encontrar apoyo", "Qué hacer si se vuelve demasiado"]
    found = judge_spanish([*orders, *topics], heading=True)
    got = [sorted({h.family for h in hits if h.family != "register"}) for hits in found]
    assert got == [["directive"]] * len(orders) + [[]] * len(topics)


#: From a blind test set's misses and false alarms, with their neighbours.
BLIND_CASES = [
    ("Usted falló a la hora de protegerse.", {"shaming"}),
    ("El plan falló la primera vez.", set()),
    ("Debió saberlo mejor antes de confiar en él.", {"shaming"}),
    ("Su médico debió avisarle.", set()),
    ("Nadie debió hacerle daño.", set()),
    ("Deje de hacerse la víctima.", {"directive", "shaming"}),
    ("Este ejercicio detendrá el ataque de pánico en minutos.", {"promise"}),
    ("Este ejercicio puede ayudar a frenar el pánico.", set()),
    ("El grupo parará en agosto.", set()),
    # A short order in italics after "le dice" is someone's words.
    ("A veces la gente le dice *cálmese*, y eso no ayuda.", set()),
    ("Le decían *relájese*.", set()),
]


def test_register_follows_the_form_the_handout_mostly_speaks_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One tú sentence in an usted handout is flagged at its line; a handout all in
    tú is left alone (a clinic may choose tú); in a mostly-tú handout, usted is flagged."""
    usted = (
        "title: Su sueño\npurpose: Ideas para dormir un poco mejor.\naudience: client\n"
        'language: es\nversion: "1.0"\nreviewed:\n  date: 2026-11-01\n  by: Equipo\n'
        "sources: []\nblocks:\n"
        "  - type: paragraph\n    text: Usted puede probar una rutina corta. Siéntese un momento.\n"
        "  - type: paragraph\n    text: Si quieres, apaga la luz antes.\n"
    )
    tu = usted.replace(
        "Usted puede probar una rutina corta. Siéntese un momento.",
        "Tú puedes probar una rutina corta. Siéntate un momento.",
    )
    project = Project(tmp_path)
    project.add("usted.yaml", usted, language="es")
    project.add("tu.yaml", tu, language="es")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--language", "es"])
    out = result.output
    usted_part = out.split("content/handouts/es/usted.yaml")[1].split("content/handouts/")[0]
    assert "14:14   error   wording.register" in usted_part, out
    assert "\u201cquieres\u201d speaks to the reader as tú" in out
    # The handout all in tú has no register finding.
    assert (
        "wording.register"
        not in out.split("content/handouts/es/tu.yaml")[1].split("content/handouts/es/usted.yaml")[
            0
        ]
    )
    assert result.exit_code == 1

    mostly_tu = tu.replace("Si quieres, apaga la luz antes.", "Usted puede apagar la luz antes.")
    project.add("tu.yaml", mostly_tu, language="es")
    result = CliRunner().invoke(main, ["check", "--language", "es", "tu"])
    assert "\u201cUsted\u201d speaks to the reader as usted" in result.output, result.output
    # What to write instead is the handout's own form, tú, not the usted it flags.
    assert "hable al lector de tú en todo el material" in result.output, result.output
    assert "de usted en todo" not in result.output
    result = CliRunner().invoke(main, ["check", "--language", "es", "usted"])
    assert "hable al lector de usted en todo el material" in result.output, result.output


def test_the_word_list_has_a_pattern_for_every_kind_it_can_find() -> None:
    patterns = data()["patterns"]
    for kind in ("obligation", "prohibition", "always", "state"):
        assert patterns[kind].startswith(("ofrezca", "diga", "ofrézcalo"))
    for family in ("shaming", "promise", "register"):
        assert family in patterns


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("amor", 2),  # a-mor: a syllable of one letter, which hyphenation leaves out
        ("oído", 3),  # o-í-do: a stressed í stands apart
        ("ahora", 3),
        ("piano", 2),  # pia-no: i with a is one syllable
        ("leer", 2),  # le-er: two open vowels stand apart
        ("cualquier", 2),
        ("guerra", 2),  # the u of gue is not said
        ("pingüino", 3),  # but ü is
        ("hoy", 1),
        ("y", 1),
        ("respiración", 4),
        ("autocompasión", 5),
    ],
)
def test_spanish_syllables_are_read_from_the_spelling(word: str, syllables: int) -> None:
    from generator.check.readability import _textstat, spanish_syllables

    assert spanish_syllables(word) == syllables
    # textstat's Spanish formulas count with it too.
    textstat = _textstat()
    textstat.set_lang("es")
    assert textstat.syllable_count(word) == syllables
    textstat.set_lang("en")


#: A Spanish handout that breaks each Spanish rule once, at a line of its own.
ROMPE_REGLAS = (
    "title: Comprender la ansiedad\n"  # 1
    "purpose: Información sobre la ansiedad.\n"
    "audience: client\n"
    "language: es\n"
    'version: "1.0"\n'  # 5
    "reviewed:\n  date: 2026-11-01\n  by: Equipo clínico\n"
    "sources:\n  - title: Una fuente\n    year: 2020\n"  # 9
    "blocks:\n"  # 12
    "  - type: paragraph\n"
    "    text: >-\n"
    "      Las manifestaciones fisiológicas características de la ansiedad generalizada"
    " comprenden habitualmente taquicardia, hiperventilación, sudoración excesiva,"
    " tensión muscular persistente y dificultades considerables de concentración"
    " intelectual, circunstancias que frecuentemente interfieren significativamente"
    " con el funcionamiento cotidiano.\n"  # 15
    "  - type: paragraph\n"
    "    text: Usted debe practicar todos los días.\n"  # 17
    "  - type: paragraph\n"
    "    text: Las personas ansiosas son débiles.\n"  # 19
    "  - type: paragraph\n"
    "    text: Con esta práctica ya está a salvo.\n"  # 21
    "  - type: paragraph\n"
    "    text: Usted puede parar cuando quiera, y si quieres, descansa.\n"  # 23
)


def test_a_spanish_handout_breaks_each_spanish_rule_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    Project(tmp_path).add("ansiedad.yaml", ROMPE_REGLAS, language="es")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "ansiedad", "--language", "es", "--json"])
    found = {
        (f["rule"], f["line"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"].startswith(("readability.", "wording."))
        and f["rule"] not in ("readability.long-sentence", "readability.hard-word")
    }
    assert found == {
        ("readability.fernandez-huerta", 13),
        ("readability.szigriszt-pazos", 13),
        ("wording.directive", 17),
        ("wording.shaming", 19),
        ("wording.promise", 21),
        ("wording.register", 23),
    }
    # The English grades say nothing of Spanish text.
    assert "readability.flesch-kincaid" not in result.stdout
    assert "readability.smog" not in result.stdout


#: What a second blind set (2026-12-01) found: an order to let go, an obligation in
#: the passive with "se", people named by a diagnosis, labels and lacks, and
#: certainty; each with variants of our own and sentences that only look like them.
SECOND_BLIND_CASES: list[tuple[str, set[str]]] = [
    ("Simplemente deje ir el pasado.", {"directive"}),
    ("Los medicamentos deben tomarse exactamente como se le indicó.", {"directive"}),
    ("Los pacientes que no cumplen el tratamiento son irresponsables.", {"shaming"}),
    ("Los esquizofrénicos pueden llevar una vida plena.", {"shaming"}),
    ("Los depresivos ven todo de forma negativa.", {"shaming"}),
    ("Su sistema nervioso defectuoso reacciona de más.", {"shaming"}),
    ("Su falta de voluntad es la causa de la recaída.", {"shaming"}),
    ("Es vergonzoso no poder controlar sus emociones.", {"shaming"}),
    ("Aquí no le puede pasar nada malo.", {"promise"}),
    ("Este medicamento hará que sus síntomas desaparezcan.", {"promise"}),
    ("Su trauma será sanado con este programa.", {"promise"}),
    ("Estás completamente a salvo.", {"promise", "register"}),
    ("Con este plan, una recaída es imposible.", {"promise"}),
    ("La respiración profunda siempre calma el cuerpo.", {"promise"}),
    ("En seis semanas estará libre de síntomas.", {"promise"}),
    ("Los síntomas deben presentarse durante al menos un mes.", set()),
    ("Su médico debe revisar la dosis.", set()),
    ("Los síntomas depresivos pueden mejorar con tratamiento.", set()),
    ("Las personas con esquizofrenia pueden llevar una vida plena.", set()),
    ("No es vergonzoso pedir ayuda.", set()),
    ("Pedir ayuda no es una falta de voluntad.", set()),
    ("No podemos prometer que no le pasará nada malo.", set()),
    ("Si su hijo está a salvo, puede respirar un momento.", set()),
    ("Una recaída no es un fracaso.", set()),
    ("Es posible que la respiración lenta calme el cuerpo.", set()),
    ("A algunas personas les ayuda dejar ir la tensión de los hombros.", set()),
    ("El trastorno depresivo es común.", set()),
    ("Puede que se sienta irresponsable por descansar, y eso es comprensible.", set()),
    ("El grupo terminará en junio.", set()),
    ("Lo que debe saber antes de la primera cita", set()),
    ("Su tarea debe terminarse antes de la sesión.", {"directive"}),
    # Said of someone else, the reflexive is their own act, not a duty in the passive.
    ("Los niños con epilepsia deben tomarse la medicina a tiempo.", set()),
    ("Las personas con depresión pueden sentirse cansadas.", set()),
    ("Los bipolares no pueden trabajar.", {"shaming"}),
    ("Su falta de disciplina explica la recaída.", {"shaming"}),
    ("Con este método, la recaída es imposible.", {"promise"}),
    ("Nunca le va a pasar nada malo con nosotros.", {"promise"}),
    ("Si se siente a salvo, puede cerrar los ojos.", set()),
]


#: What a third blind set (2026-12-01) found in Spanish: bans ("está prohibido", "no
#: está permitido", "se le exige"), an order made an insistence ("pase lo que pase"),
#: people named by a diagnosis ("los insomnes", "los traumatizados"), judging words,
#: certainty ("recaer es imposible", "no hay duda de que… funcionará", "estará siempre
#: a salvo"), and a label set against another word ("fortaleza, no de debilidad").
THIRD_BLIND_CASES: list[tuple[str, set[str]]] = [
    ("Con este plan, dormir\u00e1 ocho horas cada noche en una semana.", {"promise"}),
    ("Los insomnes se buscan sus propios problemas.", {"shaming"}),
    ("Los que sufren de p\u00e1nico exageran todo.", {"shaming"}),
    ("Se le exige completar todas las tareas antes de cada sesi\u00f3n.", {"directive"}),
    ("Los traumatizados nunca vuelven a confiar en nadie.", {"shaming"}),
    ("Recaer es imposible si termina nuestro programa.", {"promise"}),
    ("Usted recay\u00f3 porque no tiene fuerza de voluntad.", {"shaming"}),
    ("T\u00f3mese el medicamento tal como se lo recetaron, pase lo que pase.", {"directive"}),
    ("No hay duda de que este tratamiento funcionar\u00e1 con usted.", {"promise"}),
    ("Sus delirios son puras tonter\u00edas.", {"shaming"}),
    ("Est\u00e1 prohibido faltar a las reuniones del grupo.", {"directive"}),
    ("En un mes estar\u00e1 completamente sobrio y feliz.", {"promise"}),
    ("Con este plan de crisis, usted estar\u00e1 siempre a salvo.", {"promise"}),
    ("Su cuerpo es asqueroso con ese peso.", {"shaming"}),
    ("No est\u00e1 permitido pesarse entre consultas.", {"directive"}),
    ("Los chavos que se portan mal despu\u00e9s de un trauma son unos malcriados.", {"shaming"}),
    ("Llamar a una l\u00ednea de crisis es una muestra de fortaleza, no de debilidad.", set()),
    ("Los pacientes con clozapina deben hacerse an\u00e1lisis de sangre cada mes.", set()),
    ("Est\u00e1 terminantemente prohibido fumar en la cl\u00ednica.", {"directive"}),
    ("Llame a su m\u00e9dico, pase lo que pase.", {"directive"}),
    ("Los insomnes duermen mal por su culpa.", {"shaming"}),
    ("No hay duda de que usted se curar\u00e1.", {"promise"}),
    ("Recaer ser\u00e1 imposible con este plan.", {"promise"}),
    ("No est\u00e1 prohibido pedir ayuda.", set()),
    ("Puede parecer una tonter\u00eda, pero a muchas personas les ayuda.", set()),
    ("Es una muestra de fortaleza y no de debilidad.", set()),
    ("Si algo le pasa, llame en todo momento al 988.", set()),
    ("La l\u00ednea atiende en todo momento.", set()),
]


@pytest.mark.parametrize(
    "cases",
    [BLIND_CASES, SECOND_BLIND_CASES, THIRD_BLIND_CASES],
    ids=["first", "second", "third"],
)
def test_what_each_blind_set_found_is_read_right(cases: list[tuple[str, set[str]]]) -> None:
    found = judge_spanish([text for text, _ in cases])
    got = {text: {h.family for h in hits} for (text, _), hits in zip(cases, found, strict=True)}
    assert got == dict(cases)
