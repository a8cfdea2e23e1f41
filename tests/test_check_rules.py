"""The check's rule registry: every finding's rule is registered, `check --rules` lists them,
and `allow:` lists name registered rules or listed phrases."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from test_check import EXPECTED

from conftest import MINIMAL, Project
from generator.check import all_rules
from generator.check.parse import wording_data
from generator.check.rules import RULES, Rule, read_rules, registry
from generator.check.wording import CATEGORIES

TESTS = Path(__file__).resolve().parent
GENERATOR = TESTS.parent / "generator"

#: Rules that `breaks-every-rule.yaml` can't trigger (it is one valid handout), and
#: the test that triggers each: file and function.
TRIGGERED_ELSEWHERE = {
    "schema": ("test_check.py", "test_schema_problems_are_findings"),
    "config.placeholder": ("test_check.py", "test_every_example_practice_detail_is_found"),
    "structure.crisis-verified": ("test_check.py", "test_every_rule_fires_once_on_the_right_line"),
    "structure.no-crisis": ("test_safety.py", "test_no_crisis_line_at_all_is_an_error"),
    "structure.crisis-number": ("test_safety.py", "test_a_crisis_line_with_no_number"),
    "structure.crisis-date": ("test_safety.py", "test_a_crisis_line_checked_in_the_future"),
    "readability.sentence-length": (
        "test_safety.py",
        "test_long_sentences_on_average_are_a_warning_in_english_and_spanish",
    ),
    "structure.no-purpose": (
        "test_outline.py",
        "test_a_client_handout_without_a_purpose_builds_and_the_check_asks_for_one",
    ),
    "allow.unknown": ("test_check_rules.py", "test_typos_in_a_blocks_allow_list"),
    "readability.unscored": ("test_check.py", "test_a_language_with_no_formula_is_said_unscored"),
    "structure.term": (
        "test_check.py",
        "test_an_abbreviation_is_spelled_out_where_a_client_first_reads_it",
    ),
    "structure.visual": ("test_check.py", "test_a_client_handout_needs_a_picture_and_a_tool"),
    "pdf.layout": ("test_check_pdf.py", "test_a_layout_given_up_is_a_finding"),
    "pdf.image": ("test_check_pdf.py", "test_what_the_layout_engine_said_is_found"),
    "pdf.accessibility": ("test_check_pdf.py", "test_what_the_layout_engine_said_is_found"),
    "pdf.tagged": ("test_check.py", "test_pdf_rules_fire_on_an_inaccessible_pdf"),
    "pdf.language": ("test_check.py", "test_pdf_rules_fire_on_an_inaccessible_pdf"),
    "pdf.title": ("test_check.py", "test_pdf_rules_fire_on_an_inaccessible_pdf"),
    "pdf.contrast": ("test_check.py", "test_pdf_rules_fire_on_an_inaccessible_pdf"),
    "pdf.font-size": ("test_check.py", "test_pdf_rules_fire_on_an_inaccessible_pdf"),
    "pdf.fonts": ("test_check.py", "test_unembedded_fonts_are_found"),
    **{
        rule: ("test_wording_es.py", "test_a_spanish_handout_breaks_each_spanish_rule_at_its_line")
        for rule in (
            "readability.fernandez-huerta",
            "readability.szigriszt-pazos",
            "wording.register",
        )
    },
    "translation.behind": (
        "test_languages.py",
        "test_bumping_the_source_version_makes_check_warn_at_the_translation_line",
    ),
    "translation.missing": (
        "test_languages.py",
        "test_a_missing_translation_is_a_warning_on_the_source",
    ),
    "translation.source": ("test_languages.py", "test_a_translation_of_nothing_is_an_error"),
    **{
        rule: ("test_page_quality.py", "test_each_note_is_a_finding_of_its_rule_at_its_block")
        for rule in (
            "pdf.sparse-page",
            "pdf.stranded-heading",
            "pdf.lone-line",
            "pdf.spilled",
            "pdf.near-footer",
        )
    },
}


def test_every_registered_rule_has_a_test_that_triggers_it() -> None:
    in_the_handout = {rule_id for rule_id, *_ in EXPECTED}
    assert {r.id for r in all_rules()} == in_the_handout | set(TRIGGERED_ELSEWHERE)
    assert not in_the_handout & set(TRIGGERED_ELSEWHERE)
    for rule_id, (file, name) in TRIGGERED_ELSEWHERE.items():
        tree = ast.parse((TESTS / file).read_text(encoding="utf-8"))
        (test,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
        assert rule_id in ast.unparse(test), (rule_id, name)


def test_findings_are_made_only_by_their_rule() -> None:
    """A `Problem(rule=...)` is made in one place, so every finding's rule is a registered one."""
    calls = []
    for path in sorted(GENERATOR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "Problem"
                and any(k.arg in ("rule", "severity") for k in node.keywords)
            ):
                calls.append(path.relative_to(GENERATOR).as_posix())
    assert calls == ["check/rules.py"]


def test_every_rule_the_code_names_is_registered_and_every_registered_rule_is_used() -> None:
    named: dict[str, list[str]] = {}
    for path in sorted((GENERATOR / "check").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Name)
                and node.value.id == "RULES"
            ):
                assert isinstance(node.slice, ast.Constant), ast.unparse(node)
                named.setdefault(node.slice.value, []).append(path.name)
    assert set(named) == set(RULES)
    assert named["pdf.tagged"] == ["pdf.py"]
    assert sorted(named["schema"]) == [
        "__init__.py",
        "__init__.py",
        "packets.py",
        "pdf.py",
        "pdf.py",
        "rules.py",
    ]


def test_a_rule_is_registered_once() -> None:
    with pytest.raises(ValueError, match=r"the check rule wording\.directive is registered twice"):
        registry(
            Rule("wording.directive", "error", "one"), Rule("wording.directive", "note", "two")
        )


def test_a_rule_with_an_unknown_severity_is_refused(tmp_path: Path) -> None:
    listed = tmp_path / "rules.toml"
    listed.write_text(
        'rules = [\n  { id = "wording.directive", severity = "fatal", description = "x" },\n]\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"rules\.toml: the rule wording\.directive has no known"):
        read_rules(listed)
    listed.write_text(listed.read_text(encoding="utf-8").replace("fatal", "note"), "utf-8")
    assert read_rules(listed) == [Rule("wording.directive", "note", "x")]


def test_the_word_list_has_a_rule_per_category() -> None:
    assert set(wording_data()) - {"roles"} == set(CATEGORIES)
    assert [r.id for r in CATEGORIES.values()] == [
        "wording.directive",
        "wording.shaming",
        "wording.promise",
    ]


# --- check --rules --------------------------------------------------------------------


def test_rules_lists_every_rule_with_its_severity_and_description(cli) -> None:
    result = cli("check", "--rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(all_rules()) == 55
    assert lines[0] == (
        "schema                       error   "
        "the file does not match the handout, packet or config format"
    )
    assert lines[10] == (
        "wording.directive            error   an order where an invitation would do"
    )
    assert lines[-1] == (
        "pdf.near-footer              warning text within 6 pt of the footer's rule"
    )
    assert [line.split()[0] for line in lines] == [r.id for r in all_rules()]
    assert [line.split()[1] for line in lines] == [r.severity for r in all_rules()]


def test_rules_as_json(cli) -> None:
    listed = json.loads(cli("check", "--rules", "--json").stdout)
    assert len(listed) == 55
    assert listed[18] == {
        "id": "allow.unknown",
        "severity": "error",
        "description": "an `allow:` entry naming no wording rule or listed phrase",
    }


def test_rules_takes_no_targets(cli) -> None:
    result = cli("check", "--rules", "h")
    assert result.exit_code == 2
    assert "--rules lists the rules; give it no ID or PATH" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--rules", "--pdf"], "--rules lists the rules and checks nothing: leave out --pdf"),
        (
            ["--rules", "--strict", "--language", "es"],
            "--rules lists the rules and checks nothing: leave out --strict, --language",
        ),
        (["--large-print"], "--large-print: these choose the PDF to check; add --pdf"),
        (["--paper", "a4", "--fillable"], "--paper, --fillable: these choose the PDF"),
    ],
)
def test_options_check_would_ignore_are_refused(cli, args: list[str], said: str) -> None:
    """A red team's: they were taken and silently did nothing."""
    result = cli("check", *args)
    assert result.exit_code == 2
    assert said in result.stderr


def test_rules_still_takes_json(cli) -> None:
    result = cli("check", "--rules", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)


# --- allow: lists ---------------------------------------------------------------------

NOT_LISTED = "is neither a wording rule nor a phrase on the word list"
CANT = (
    "is a check rule that `allow:` can't switch off; it takes the wording rules "
    "(wording.directive, wording.shaming, wording.promise, wording.register, "
    "wording.real-danger), the sequencing rules, markup.literal "
    "or a phrase on the word list"
)


def located(result, rule_id: str) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    return [
        (f["line"], f["column"], f["message"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == rule_id
    ]


def test_typos_in_a_blocks_allow_list(project: Project, cli) -> None:
    project.add(
        "h.yaml",
        MINIMAL + "  - type: paragraph\n"
        "    allow: [wording.directiv, Wording.Shaming, brokn, MUST]\n"
        "    text: You should rest; you must rest.\n"
        "  - type: callout\n"
        "    allow:\n"
        "      - wordng.promise\n"
        "      - structure.sources\n"
        "      - xyzzy\n"
        "      - shoud\n"
        "    text: Take a breath.\n",
    )
    result = cli("check", "h", "--json")
    assert result.exit_code == 1
    assert located(result, "allow.unknown") == [
        (14, 13, f"`wording.directiv` {NOT_LISTED}; did you mean `wording.directive`?"),
        (14, 48, f"`brokn` {NOT_LISTED}; did you mean `broken`?"),
        (18, 9, f"`wordng.promise` {NOT_LISTED}; did you mean `wording.promise`?"),
        (19, 9, f"`structure.sources` {CANT}"),
        (
            20,
            9,
            f"`xyzzy` {NOT_LISTED}; `handouts check --rules` lists the rules, and "
            "docs/wording.md what each flags",
        ),
        (21, 9, f"`shoud` {NOT_LISTED}; did you mean `should`?"),
    ]
    # A misspelt rule allows nothing: "should" is still found; "must" is allowed by name.
    found = json.loads(result.stdout)["findings"]
    wording = [(f["rule"], f["message"][:8]) for f in found if f["rule"].startswith("wording.")]
    assert wording == [("wording.directive", "\u201cshould\u201d")]


def test_a_rule_without_its_family_gets_the_family(project: Project, cli) -> None:
    project.add(
        "h.yaml",
        MINIMAL + "  - type: paragraph\n    allow: [directive, promise]\n    text: Rest a while.\n",
    )
    assert located(cli("check", "h", "--json"), "allow.unknown") == [
        (14, 13, f"`directive` {NOT_LISTED}; did you mean `wording.directive`?"),
        (14, 24, f"`promise` {NOT_LISTED}; did you mean `wording.promise`?"),
    ]


def test_typos_in_the_projects_wording_allow(project: Project, cli) -> None:
    (project.root / "handouts.yaml").write_text(
        "wording:\n  allow: [need too, wording.promis, should, config.placeholder]\n",
        encoding="utf-8",
    )
    project.add("h.yaml")
    result = cli("check", "h")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    start = lines.index("handouts.yaml")
    assert lines[start:] == [
        "handouts.yaml",
        f"  2:11    error   allow.unknown                `need too` {NOT_LISTED}; did you mean "
        "`need to`?",
        f"  2:21    error   allow.unknown                `wording.promis` {NOT_LISTED}; did you "
        "mean `wording.promise`?",
        f"  2:45    error   allow.unknown                `config.placeholder` {CANT}",
        "",
        "3 errors, 4 warnings, 1 note in 2 files (2 checked).",
    ]


def test_the_project_can_allow_a_whole_wording_rule(project: Project, cli) -> None:
    (project.root / "handouts.yaml").write_text(
        "wording:\n  allow: [wording.directive, calm down]\n"
        "  extra:\n    - {phrase: calm down, rule: directive}\n",
        encoding="utf-8",
    )
    project.add("h.yaml", MINIMAL.replace("You might notice", "You must calm down and notice"))
    found = json.loads(cli("check", "h", "--json").stdout)["findings"]
    assert [f["rule"] for f in found if f["rule"].startswith(("wording.", "allow."))] == []


def test_an_unknown_allow_entry_does_not_stop_a_build(project: Project, cli) -> None:
    project.add(
        "h.yaml",
        MINIMAL.replace("  - type: paragraph\n", "  - type: paragraph\n    allow: [nonsense]\n"),
    )
    result = cli("build", "h")
    assert result.exit_code == 0, result.stderr
    assert (project.root / "output" / "en" / "h.pdf").is_file()
