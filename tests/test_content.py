"""Content stage: YAML is read with line marks and every problem is located."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, Project
from generator.content import load_handout, load_handouts
from generator.errors import ProblemsError


def problems_of(path: Path, root: Path) -> list[str]:
    with pytest.raises(ProblemsError) as caught:
        load_handout(path, root)
    return [str(p) for p in caught.value.problems]


def test_minimal_handout_loads(project: Project) -> None:
    path = project.add("breath.yaml")
    item = load_handout(path, project.root)
    assert item.id == "breath"
    assert item.handout.title == "Noticing your breath"
    assert item.handout.blocks[0].type == "paragraph"


def test_three_problems_in_one_run(image_project: Project) -> None:
    path = image_project.add_data("three-problems.yaml")
    assert problems_of(path, image_project.root) == [
        "content/handouts/en/three-problems.yaml:1:1: titel: "
        "unknown field `titel`; did you mean `title`?",
        "content/handouts/en/three-problems.yaml:13:5: blocks[0].text: "
        "duplicate key `text` (first at line 12); keep only one",
        "content/handouts/en/three-problems.yaml:14:5: blocks[1].alt: "
        "required field is missing; add `alt:`",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "audience: client",
            "audience: patient",
            "content/handouts/en/h.yaml:3:11: audience: "
            "should be one of 'client' or 'clinician', not `patient`",
        ),
        (
            'version: "1.0"',
            "version: 1.0",
            "content/handouts/en/h.yaml:5:10: version: should be text, not a number; "
            'put it in quotes, like "1.0"',
        ),
        (
            "  date: 2026-11-01",
            "  date: November 2026",
            "content/handouts/en/h.yaml:7:9: reviewed.date: "
            "should be a date written like 2026-11-29",
        ),
        (
            "  - type: paragraph",
            "  - type: paragraf",
            "content/handouts/en/h.yaml:11:5: blocks[0]: unknown type `paragraf`; "
            "did you mean `paragraph`? the choices are: section, subsection, paragraph, list, "
            "list_group, steps, callout, compare, table, definition, key_points, quote, "
            "worksheet, image, clinician_note, pocket_card, columns, contact, diagram",
        ),
        (
            "    text: You might notice your breath for a moment.",
            "    text:",
            "content/handouts/en/h.yaml:12:10: blocks[0].text: "
            "is empty; write the text, or remove the line",
        ),
        (
            "sources: []",
            "sources: Neff",
            'content/handouts/en/h.yaml:9:10: sources: should be a list (one "- item" '
            "a line), not text",
        ),
        (
            "title: Noticing your breath\n",
            "",
            "content/handouts/en/h.yaml:1:1: title: required field is missing; add `title:`",
        ),
        (
            "purpose: A short way to notice how you are breathing.",
            "purpose: |\n  Two lines\n  of purpose.",
            "content/handouts/en/h.yaml:2:10: purpose: must be one line; "
            "join the lines or shorten it",
        ),
        (
            "language: en",
            "language: English",
            "content/handouts/en/h.yaml:4:11: language: must be a language tag such as "
            '"en", "es" or "fr-CA"',
        ),
        # A value YAML reads as something else is named as such and quoted as typed.
        (
            "    text: You might notice your breath for a moment.",
            "    text: 2001-12-14t21:59:43.10-05:00",
            "content/handouts/en/h.yaml:12:11: blocks[0].text: should be text, not a date "
            'and time (YAML reads it as one); put it in quotes, like "2001-12-14t21:59:43.10-05:00"',
        ),
        (
            "    text: You might notice your breath for a moment.",
            "    text: 2026-01-01",
            "content/handouts/en/h.yaml:12:11: blocks[0].text: should be text, not a date "
            '(YAML reads it as one); put it in quotes, like "2026-01-01"',
        ),
        (
            "    text: You might notice your breath for a moment.",
            "    text: yes",
            "content/handouts/en/h.yaml:12:11: blocks[0].text: should be text, not yes/no; "
            'put it in quotes, like "yes"',
        ),
        (
            'version: "1.0"',
            "version: 1.50",
            "content/handouts/en/h.yaml:5:10: version: should be text, not a number; "
            'put it in quotes, like "1.50"',
        ),
        # Never a Python list or dict in a message.
        (
            "audience: client",
            "audience: [client, {a: 1}]",
            "content/handouts/en/h.yaml:3:11: audience: "
            "should be one of 'client' or 'clinician', not a list of 2 items",
        ),
        (
            "  - type: paragraph",
            "  - type: {paragraph: 1}",
            "content/handouts/en/h.yaml:11:5: blocks[0]: `type` should be one of: section, "
            "subsection, paragraph, list, list_group, steps, callout, compare, table, "
            "definition, key_points, quote, worksheet, image, clinician_note, pocket_card, "
            "columns, contact, diagram; not a set of 1 field",
        ),
    ],
)
def test_field_errors_are_located(project: Project, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL
    path = project.add("h.yaml", MINIMAL.replace(old, new))
    assert problems_of(path, project.root) == [expected]


def test_unknown_field_without_close_match_lists_allowed(project: Project) -> None:
    path = project.add("h.yaml", MINIMAL + "colour: blue\n")
    assert problems_of(path, project.root) == [
        "content/handouts/en/h.yaml:13:1: colour: unknown field `colour`; the fields "
        "allowed here are: `audience`, `blocks`, `byline`, `language`, `one_page`, `purpose`, `reviewed`, "
        "`sources`, `subtitle`, `title`, `translation_of`, `version`"
    ]


def test_nested_worksheet_prompt_error(project: Project) -> None:
    text = MINIMAL + (
        "  - type: worksheet\n"
        "    prompts:\n"
        "      - kind: scale\n"
        "        text: How tired are you?\n"
        "        low: not at all\n"
    )
    path = project.add("h.yaml", text)
    assert problems_of(path, project.root) == [
        "content/handouts/en/h.yaml:15:9: blocks[1].prompts[0].high: "
        "required field is missing; add `high:`"
    ]


def test_table_rows_must_match_header(project: Project) -> None:
    text = MINIMAL + ("  - type: table\n    header: [When, What]\n    rows:\n      - [Morning]\n")
    path = project.add("h.yaml", text)
    assert problems_of(path, project.root) == [
        "content/handouts/en/h.yaml:13:5: blocks[1]: row 1 has 1 cell but the header "
        "has 2; give every row one cell per column"
    ]


def test_empty_list_is_refused(project: Project) -> None:
    path = project.add("h.yaml", MINIMAL + "  - type: list\n    items: []\n")
    assert problems_of(path, project.root) == [
        "content/handouts/en/h.yaml:14:12: blocks[1].items: needs at least 1 item"
    ]


def test_a_list_group_needs_two_lists(project: Project) -> None:
    text = MINIMAL + (
        "  - type: list_group\n    lists:\n      - title: In your body\n        items: [Heavy]\n"
    )
    path = project.add("h.yaml", text)
    assert problems_of(path, project.root) == [
        "content/handouts/en/h.yaml:15:7: blocks[1].lists: needs at least 2 items"
    ]


def test_language_must_match_folder(project: Project) -> None:
    path = project.add("h.yaml", MINIMAL.replace("language: en", "language: es"))
    assert problems_of(path, project.root) == [
        "content/handouts/en/h.yaml:4:11: language: is `es` but the file is in the `en` "
        "folder; move it to content/handouts/es/ or fix the tag"
    ]


def test_file_name_must_be_an_id(project: Project) -> None:
    path = project.add("My Handout.yaml")
    assert problems_of(path, project.root) == [
        "content/handouts/en/My Handout.yaml: the file name `My Handout` is not a valid "
        "handout id; use lowercase letters, digits and hyphens, like "
        "`withdrawal-response.yaml`"
    ]


@pytest.mark.parametrize(
    ("src", "message"),
    [
        (
            "/etc/hostname",
            "must be a path relative to the handout's folder, not an absolute path",
        ),
        (
            "../../../../../../etc/hostname",
            "`../../../../../../etc/hostname` points "
            "outside the project; put the image in the project's content/ or assets/ folder",
        ),
        (
            "https://example.org/a.png",
            "must be a path to a file in the project, not a web address",
        ),
        (
            "file:///etc/hostname",
            "must be a path to a file in the project, not a web address",
        ),
        (
            "../../images/missing.png",
            "no image at `../../images/missing.png`; check the file name and folder",
        ),
        ("../../images/notes.txt", "should be a PNG, JPEG, GIF, SVG or WebP image"),
    ],
)
def test_image_paths_stay_in_the_project(image_project: Project, src: str, message: str) -> None:
    (image_project.root / "content" / "images" / "notes.txt").write_text("x")
    text = MINIMAL + f"  - type: image\n    src: {src}\n    alt: A picture\n"
    path = image_project.add("h.yaml", text)
    assert problems_of(path, image_project.root) == [
        f"content/handouts/en/h.yaml:14:10: blocks[1].src: {message}"
    ]


def test_symlinked_image_pointing_outside_is_refused(image_project: Project) -> None:
    outside = image_project.root.parent / "private.png"
    outside.write_bytes(b"secret")
    (image_project.root / "content" / "images" / "link.png").symlink_to(outside)
    text = MINIMAL + "  - type: image\n    src: ../../images/link.png\n    alt: A picture\n"
    path = image_project.add("h.yaml", text)
    assert problems_of(path, image_project.root) == [
        "content/handouts/en/h.yaml:14:10: blocks[1].src: `../../images/link.png` points "
        "outside the project through the link content/images/link.png; put the image in the "
        "project's content/ or assets/ folder"
    ]


def test_aliases_are_refused(project: Project) -> None:
    text = MINIMAL.replace("title: Noticing your breath", "title: &t Noticing your breath").replace(
        "  by: Clinical reviewer", "  by: *t"
    )
    path = project.add("h.yaml", text)
    assert problems_of(path, project.root) == [
        "content/handouts/en/h.yaml:8:7: anchors and aliases (& and *) are not "
        "supported here; write the text out in full"
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            b"",
            "content/handouts/en/h.yaml: the file is empty; a handout needs a title, "
            "purpose and blocks",
        ),
        (
            b"- just\n- a list\n",
            "content/handouts/en/h.yaml:1:1: the file must be a set "
            "of `field: value` lines (title, audience, language, ...)",
        ),
        (
            "title: é".encode("utf-16"),
            "content/handouts/en/h.yaml: the file is saved as UTF-16; save it as UTF-8 instead",
        ),
        (
            b"title: ok\npurpose: caf\xe9\n",
            "content/handouts/en/h.yaml:2:13: the file is "
            "not valid UTF-8 text; save it as UTF-8 (your editor's Save As or Encoding menu "
            "can do that)",
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "content/handouts/en/h.yaml: this looks like a binary file, not YAML text",
        ),
        (
            b"title: [unclosed\n",
            "content/handouts/en/h.yaml:2:1: this is not valid YAML: "
            "while parsing a flow sequence expected ',' or ']', but got '<stream end>'. "
            "Check the indentation and quotes on this line and the one before it",
        ),
        (
            b"title: ok\x07 then\n",
            "content/handouts/en/h.yaml:1:10: the character U+0007 (a control character, "
            "which prints nothing) can't be in YAML text; delete it (it may have come in "
            "with pasted text)",
        ),
        (
            b"title: ok\npurpose: \x1b[31mred\n",
            "content/handouts/en/h.yaml:2:10: the character U+001B (a control character, "
            "which prints nothing) can't be in YAML text; delete it (it may have come in "
            "with pasted text)",
        ),
        (
            b"reviewed:\n  date: 2026-13-45\n",
            "content/handouts/en/h.yaml:2:9: reviewed.date: this value "
            "can't be read (month must be in 1..12); check it",
        ),
    ],
)
def test_unreadable_files(project: Project, raw: bytes, expected: str) -> None:
    path = project.handouts / "h.yaml"
    path.write_bytes(raw)
    assert expected in problems_of(path, project.root)


HALF = "has the escape {}, only half of a character that takes two \\u escapes: "


def test_half_a_character_is_refused_where_its_escape_is(project: Project) -> None:
    """A lone \\u escape of a surrogate can't be written to any file or page: each is
    refused at the escape, in a value or a key, and an unread value is not also empty."""
    text = MINIMAL.replace("title: Noticing your breath", 'title: "Noticing\\uD83D your breath"')
    text += '"x\\udc00": 1\n'
    path = project.add("h.yaml", text)
    shown = [line.split(" (like")[0] for line in problems_of(path, project.root)]
    assert shown == [
        "content/handouts/en/h.yaml:1:17: title: "
        + HALF.format("\\ud83d")
        + "write the character itself, or both halves",
        "content/handouts/en/h.yaml:13:3: x\\udc00: "
        + HALF.format("\\udc00")
        + "write the character itself, or both halves",
    ]


def test_both_halves_make_the_character(project: Project) -> None:
    """As JSON reads them; PyYAML alone would keep the two halves apart."""
    text = MINIMAL.replace("title: Noticing your breath", 'title: "He\\ud83d\\ude00 llo"')
    path = project.add("h.yaml", text.replace("text: You", 'text: "\\U0001F600 You'))
    path.write_text(path.read_text().replace("a moment.", 'a moment."'))
    handout = load_handout(path, project.root).handout
    assert handout.title == "He\N{GRINNING FACE} llo"
    assert handout.blocks[0].text.startswith("\N{GRINNING FACE} You")


def test_an_id_too_long_to_name_files_after(project: Project) -> None:
    path = project.add("b" * 101 + ".yaml")
    assert problems_of(path, project.root) == [
        f"content/handouts/en/{path.name}: the file name `{'b' * 24}...` is 101 characters "
        "long; an id can have at most 100, because the files made from it are named after "
        "it; rename the file"
    ]
    assert load_handout(project.add("b" * 100 + ".yaml"), project.root).id == "b" * 100


def test_utf8_bom_is_accepted(project: Project) -> None:
    path = project.handouts / "h.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_handout(path, project.root).handout.title == "Noticing your breath"


def test_every_file_is_reported_at_once(project: Project) -> None:
    project.add("one.yaml", MINIMAL.replace("audience: client", "audience: x"))
    project.add("two.yaml", MINIMAL.replace('version: "1.0"', "version:"))
    with pytest.raises(ProblemsError) as caught:
        load_handouts([project.root], ["one", "two"])
    paths = [p.path for p in caught.value.problems]
    assert paths == ["content/handouts/en/one.yaml", "content/handouts/en/two.yaml"]
    assert caught.value.summary == "2 problems in 2 files; nothing was written."


def test_ids_that_differ_only_in_extension_clash(project: Project) -> None:
    project.add("calm.yaml")
    project.add("calm.yml")
    with pytest.raises(ProblemsError) as caught:
        load_handouts([project.root])
    assert [str(p) for p in caught.value.problems] == [
        "content/handouts/en/calm.yml: the handout id `calm` is also used by "
        "content/handouts/en/calm.yaml; rename or remove one of them"
    ]


def test_unknown_id_suggests_a_close_one(project: Project) -> None:
    project.add("breathing.yaml")
    with pytest.raises(ProblemsError) as caught:
        load_handouts([project.root], ["breathng"])
    assert [str(p) for p in caught.value.problems] == [
        "breathng: no handout with this id; did you mean `breathing`? "
        "`handouts list` shows them all"
    ]


def test_project_handout_replaces_builtin_of_same_id(project: Project) -> None:
    from generator.config import find_project

    project.add("withdrawal-response.yaml", MINIMAL)
    loaded = load_handouts(find_project().roots, ["withdrawal-response"], ["en"])
    assert [item.handout.title for item in loaded] == ["Noticing your breath"]
    assert loaded[0].root == project.root


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # A key with no name, however it is written, is said to be one, where it is.
        ("~: 3", "h.yaml:{n}:1: a key with no name; write the field's name before the colon"),
        ("null: 3", "h.yaml:{n}:1: a key with no name; write the field's name before the colon"),
        ('"": 3', "h.yaml:{n}:1: a key with no name; write the field's name before the colon"),
        ("' ': 3", "h.yaml:{n}:1: a key with no name; write the field's name before the colon"),
        # A key is the word written, not what YAML 1.1 would make of it.
        ("yes: 3", "h.yaml:{n}:1: yes: unknown field `yes`"),
        ("Off: 3", "h.yaml:{n}:1: Off: unknown field `Off`"),
        ("0x1F: 3", "h.yaml:{n}:1: 0x1F: unknown field `0x1F`"),
        # A tag is named as written and refused, never run; in a key, once.
        (
            "subtitle: !!python/object/apply:os.system [ls]",
            "h.yaml:{n}:11: subtitle: the YAML tag `!!python/object/apply:os.system` is not "
            "read here",
        ),
        ("subtitle: !!python/name:os.system ''", "the YAML tag `!!python/name:os.system`"),
        ("subtitle: !clinic note", "h.yaml:{n}:11: subtitle: the YAML tag `!clinic` is not read"),
        ("subtitle: !!set {a, b}", "h.yaml:{n}:11: subtitle: the YAML tag `!!set` is not read"),
        ("subtitle: !mine {a: b}", "h.yaml:{n}:11: subtitle: the YAML tag `!mine` is not read"),
        ("!mine key: 3", "h.yaml:{n}:1: the YAML tag `!mine` is not read here"),
    ],
)
def test_keys_and_tags_are_said_as_written(project: Project, line: str, expected: str) -> None:
    text = MINIMAL + line + "\n"
    path = project.add("h.yaml", text)
    found = problems_of(path, project.root)
    wanted = expected.format(n=text.count("\n"))
    assert any(wanted in problem for problem in found), found
    # One problem for that line: not also an unknown `None`, `True` or `key` there.
    line_number = f"h.yaml:{text.count(chr(10))}:"
    assert len([p for p in found if line_number in p]) == 1, found
    assert not any("`None`" in p or "`True`" in p or "`False`" in p for p in found)
