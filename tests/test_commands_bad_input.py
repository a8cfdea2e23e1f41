"""Every command meets the bad input it can meet: a clear message, the right exit, no trace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import MINIMAL, Project

BAD_HANDOUT = MINIMAL.replace("title: Noticing your breath\n", "titel: x\n")
BAD_PACKET = "title: P\naudience: client\nlanguage: en\nsections: []\n"


@pytest.fixture
def broken_project(project: Project) -> Project:
    project.add("bad.yaml", BAD_HANDOUT)
    (project.root / "content" / "packets").mkdir(parents=True)
    (project.root / "content" / "packets" / "bad.yaml").write_text(BAD_PACKET)
    return project


CASES = [
    (["build"], 1, "content/handouts/en/bad.yaml:1:1: titel: unknown field `titel`"),
    (["build", "nope"], 1, "nope: no handout with this id"),
    (["build", "--paper", "tabloid"], 2, "Invalid value for '--paper'"),
    (["build", "--format", "docx"], 2, "Invalid value for '--format'"),
    (["build", "--config", "missing.yaml"], 1, "missing.yaml: file not found"),
    (["packet"], 2, "Missing argument 'IDS...'"),
    (["packet", "bad"], 1, "content/packets/bad.yaml:4:11: sections: needs at least 1 item"),
    (["packet", "nope"], 1, "nope: no packet with this id"),
    (["packet", "bad", "--participants", "missing.csv"], 1, "missing.csv: file not found"),
    (["packet", "bad", "--edition", "director"], 2, "Invalid value for '--edition'"),
    (["check"], 1, "content/handouts/en/bad.yaml"),
    (["check", "--pdf", "nope"], 1, "nope"),
    (["check", "--frobnicate"], 2, "No such option '--frobnicate'"),
    (["list"], 1, "content/handouts/en/bad.yaml:1:1: titel: unknown field `titel`"),
    (["new", "Bad Id!"], 1, "`Bad Id!` can't be a handout id"),
    (["new", "bad"], 1, "content/handouts/en/bad.yaml already exists"),
    (["new", "a" * 300], 1, "is 300 characters long; an id can have at most 100, because"),
    # Longer than a file name may be: asked whether it names a packet, not a traceback.
    (["build", "a" * 300], 1, "no handout with this id"),
    (["packet", "a" * 300], 1, "no packet with this id"),
    (["new"], 2, "Missing argument 'ID'"),
    (["init"], 2, "Missing argument 'FOLDER'"),
    (["schema", "recipe"], 2, "'recipe' is not one of 'handout', 'packet', 'config'"),
    (["frobnicate"], 2, "No such command 'frobnicate'"),
]


@pytest.mark.parametrize(("args", "code", "message"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input(broken_project: Project, cli, args: list[str], code: int, message: str) -> None:
    result = cli(*args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert message in result.output
    assert broken_project.output_files() == {}


def test_init_over_a_file(tmp_path: Path, cli) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    result = cli("init", str(target))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for 'FOLDER': this is a file, not a folder; give a folder "
        "to write into (it is made if it is missing)"
    )


def test_init_with_a_name_longer_than_the_disk_allows(tmp_path: Path, cli) -> None:
    result = cli("init", str(tmp_path / ("a" * 300)))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: can't make a project in ")
    assert "File name too long; choose another folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_where_it_cannot_write(cli) -> None:
    result = cli("init", "/proc/clinic")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: could not create the project in /proc/clinic")


def test_broken_config_stops_every_project_command(project: Project, cli) -> None:
    project.add("h.yaml")
    (project.root / "handouts.yaml").write_text("paper: [a4\n")
    for args in (["build"], ["list"], ["check"], ["new", "x"], ["packet", "p"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("handouts.yaml:2:1: this is not valid YAML"), args


@pytest.mark.parametrize(
    ("setting", "place"),
    [
        ('accent_colour: "#1f4e4\\ud800"\n', "handouts.yaml:1:23: accent_colour"),
        ('theme: {margins: {top: "1\\ud800in"}}\n', "handouts.yaml:1:26: theme.margins.top"),
    ],
)
def test_half_a_character_in_the_config(project: Project, cli, setting: str, place: str) -> None:
    project.add("h.yaml")
    (project.root / "handouts.yaml").write_text(setting)
    for args in (["build"], ["check", "--json"], ["list"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "Traceback" not in result.output
        assert "ud800, only half of a character" in result.output, args
    assert result.stderr.startswith(place + ": has the escape \\ud800")
    assert project.output_files() == {}


def test_check_says_what_a_name_is_when_it_cannot_check_it(project: Project, cli) -> None:
    project.add("breath.yaml")
    (project.root / "notes.txt").write_text("not YAML")
    (project.root / "elsewhere").mkdir()
    (project.root / "elsewhere" / "handouts.yaml").write_text("paper: a4\n")
    takes = "check takes handout and packet files (.yaml), their ids, or handouts.yaml"
    for target, message in {
        "content/" + "a" * 300 + ".yaml": "the name is too long to be a file's",
        "content/handouts": "this is a folder; check takes files or ids, not folders. "
        "To check what is in it: handouts check breath",
        "content/packets": f"this is a folder with no handouts or packets in it; {takes}",
        "/dev/null": f"this is a device, not a file; {takes}",
        "notes.txt": f"this is not a YAML file; {takes}",
        "elsewhere/handouts.yaml": "this is another project's handouts.yaml; check that "
        "project in its own folder, or pass --config with this file",
        "nope": "no handout or packet with this id, and no such file",
    }.items():
        (project.root / "content" / "packets").mkdir(exist_ok=True)
        result = cli("check", target)
        assert result.exit_code == 1, target
        assert "Traceback" not in result.output
        assert message in " ".join(result.output.split()), target
        assert "breath" not in result.output.replace("handouts check breath", ""), target


def test_check_takes_the_config_by_name(project: Project, cli) -> None:
    """As the README says: the config named alone is checked alone, not as a handout."""
    project.add("breath.yaml", MINIMAL.replace("You might notice", "You must notice"))
    config = project.root / "handouts.yaml"
    config.write_text('crisis: us\npractice:\n  name: "Your practice name"\n')
    result = cli("check", "handouts.yaml")
    assert result.exit_code == 1
    assert "config.placeholder" in result.output
    assert "schema" not in result.output
    assert "breath" not in result.output
    config.write_text("crisis: us\npaper: a4\n")
    result = cli("check", "handouts.yaml")
    assert (result.exit_code, result.output) == (0, "No problems found in 1 file.\n")


@pytest.mark.parametrize(
    ("where", "kind"), [("handouts/en/x.yaml", "handout"), ("packets/x.yaml", "packet")]
)
def test_check_says_once_why_a_file_in_content_cannot_be_read(
    project: Project, cli, where: str, kind: str
) -> None:
    """Found by looking in the folder and named as well, it is one problem; a packet
    whose language can't be read is checked too, not passed over."""
    project.add("breath.yaml")
    fifo = project.root / "content" / where
    fifo.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(fifo)
    for args in (["check"], ["check", f"content/{where}"], ["check", "x"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "Traceback" not in result.output
        said = f"this is a pipe (FIFO), not a file; a {kind} is a YAML file"
        assert result.output.count("(FIFO)") == result.output.count(said) == 1, args
        assert "no such file" not in result.output, args


def test_new_where_the_language_folder_is_a_file(tmp_path: Path, cli, monkeypatch) -> None:
    """`new` has no --out, so its message offers none."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "handouts.yaml").write_text("language: en\n")
    (tmp_path / "content" / "handouts").mkdir(parents=True)
    (tmp_path / "content" / "handouts" / "en").write_text("a file")
    result = cli("new", "sleep")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.endswith(
        "is a file, where this run needs a folder to write "
        f"{tmp_path}/content/handouts/en/sleep.yaml; nothing was written. Move or rename it\n"
    )
    assert "--out" not in result.output


def test_a_title_of_characters_that_print_nothing_is_refused(project, cli) -> None:  # type: ignore[no-untyped-def]
    """A zero-width space alone passed, where spaces alone were refused as empty."""
    from conftest import MINIMAL

    project.add("h.yaml", MINIMAL.replace("title: Noticing your breath", 'title: "\\u200b\\u2060"'))
    result = cli("build", "h")
    assert result.exit_code == 1
    assert "h.yaml:1:8: title: has only characters that print nothing; write the text" in (
        result.stderr
    ), result.stderr
    assert project.output_files() == {}


def test_accents_stacked_past_any_language_are_refused(project, cli) -> None:  # type: ignore[no-untyped-def]
    """A red team's: a table cell of one letter and a hundred accents drew above the page."""
    from conftest import MINIMAL

    zalgo = "\u02bb" + "\u0301\u0308\u0333" * 34
    project.add("h.yaml", MINIMAL.replace("for a moment.", f"for a moment {zalgo}."))
    project.add("v.yaml", MINIMAL.replace("for a moment.", "for a moment, Ti\u1ebfng Vi\u1ec7t."))
    result = cli("build", "h")
    assert result.exit_code == 1
    assert "text: has 102 accents stacked on one letter" in result.stderr, result.stderr
    assert cli("build", "v").exit_code == 0


def test_check_of_a_folder_with_a_link_that_loops_says_what_it_is(project, cli) -> None:  # type: ignore[no-untyped-def]
    """It was a RuntimeError traceback, from resolving the loop to list the folder's ids."""
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "loop.yaml").symlink_to("loop.yaml")
    project.add("h.yaml")
    result = cli("check", ".")
    assert "Traceback" not in result.output
    assert result.exit_code == 1
    assert "this is a folder" in result.output


def test_a_packet_and_a_handout_are_told_apart(mini_packet: Project, cli) -> None:  # type: ignore[no-untyped-def]
    """Each command, given the other kind's id, says which command makes it."""
    told = {
        ("build", "mini"): "mini: this is a packet; build it with `handouts packet mini`",
        ("build", "breath", "content/packets/mini.yaml"): (
            "content/packets/mini.yaml: this is a packet; build it with `handouts packet mini`"
        ),
        ("packet", "breath"): "breath: this is a handout; build it with `handouts build breath`",
        ("packet", "mini", "--name-pattern", "{n}"): (
            "Error: --name-pattern names participants' copies; add --participants, or leave it out"
        ),
    }
    for args, message in told.items():
        result = cli(*args)
        assert result.exit_code == (2 if "--name-pattern" in args else 1), result.output
        assert message in result.output.splitlines()
        assert mini_packet.output_files() == {}


def test_check_finds_what_is_named_in_a_language_the_project_does_not_publish(
    project: Project, cli
) -> None:  # type: ignore[no-untyped-def]
    """`check ID` finds a packet in any language, as `packet ID` builds it; a handout
    only in another language is said to be so, as `build ID` says."""
    (project.root / "handouts.yaml").write_text("languages: [en]\n", encoding="utf-8")
    project.add("respiro.yaml", MINIMAL.replace("language: en", "language: es"), language="es")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    packet = "title: Un paquete\naudience: client\nlanguage: es\n"
    (packets / "paquete.yaml").write_text(
        packet + "sections:\n  - title: Uno\n    handouts: [respiro]\n", encoding="utf-8"
    )
    result = cli("check", "paquete")
    assert result.exit_code == 0, result.output
    assert "No problems found in 2 files." in result.output
    (packets / "paquete.yaml").write_text(packet + "sections: []\n", encoding="utf-8")
    result = cli("check", "paquete")
    assert result.exit_code == 1 and "sections: needs at least 1 item" in result.output
    result = cli("check", "respiro")
    assert result.exit_code == 1
    assert (
        "this handout is written in es, not in en; add --language es, or add `es` to "
        "`languages` in handouts.yaml" in " ".join(result.output.split())
    )
    assert cli("check", "respiro", "--language", "es").exit_code == 0


def test_a_handout_a_packet_uses_has_each_problem_said_once(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    worksheet = (
        "  - type: worksheet\n    prompts:\n"
        "      - {kind: lines, text: Date, inline: true, lines: 2}\n"
    )
    project.add("dup.yaml", MINIMAL.replace("blocks:\n", "blocks:\n" + worksheet))
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "pk.yaml").write_text(
        "title: Pk\naudience: clinician\nlanguage: en\nsections: [{title: One, handouts: [dup]}]\n",
        encoding="utf-8",
    )
    result = cli("check")
    assert result.exit_code == 1
    assert result.output.count("an `inline` answer is one line") == 1
    assert "1 error in 1 file" in result.output


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        # A list where the settings go: the hint names the config's own fields.
        ("- a\n", "handouts.yaml:1:1: the file must be a set of `field: value` lines (practice,"),
        # YAML 1.1 reads 1e1 as text; the user wrote no quotes to take out.
        (
            "readability:\n  client:\n    flesch_kincaid: 1e1\n",
            "handouts.yaml:3:21: readability.client.flesch_kincaid: should be a number; YAML "
            "reads `1e1` as text, not a number: write it in plain digits, like 1.5",
        ),
        (
            'readability:\n  client:\n    flesch_kincaid: "7"\n',
            "should be a number, not text; write it without quotes, like 1.5",
        ),
    ],
)
def test_a_config_is_told_about_in_its_own_terms(
    project: Project, cli, config: str, expected: str
) -> None:  # type: ignore[no-untyped-def]
    (project.root / "handouts.yaml").write_text(config, encoding="utf-8")
    result = cli("list")
    assert result.exit_code == 1
    assert expected in result.output
    assert "title, purpose" not in result.output


def test_an_empty_messages_file_is_not_told_it_needs_a_title(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    project.add("h.yaml")
    messages = project.root / "templates" / "messages"
    messages.mkdir(parents=True)
    (messages / "en.yaml").write_text("", encoding="utf-8")
    result = cli("build", "h")
    assert result.exit_code == 1
    assert "templates/messages/en.yaml: the file is empty; write its `field: value` lines" in (
        result.output
    )


def test_check_says_a_language_has_no_messages_as_build_would(
    tmp_path: Path, cli, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """`init --languages fr,en`, then `new x`: the build stops for want of French messages,
    and `check x` once said nothing of it."""
    assert cli("init", str(tmp_path / "p"), "--languages", "fr,en").exit_code == 0
    monkeypatch.chdir(tmp_path / "p")
    assert cli("new", "x").exit_code == 0
    result = cli("check", "x")
    assert result.exit_code == 1
    assert "there are no template messages for the language `fr`; add " in result.output
    build = cli("build", "x")
    assert build.exit_code == 1 and "no template messages for the language `fr`" in build.output


def test_control_characters_in_a_value_are_shown_not_sent_to_the_terminal(
    mini_packet: Project, cli
) -> None:
    """A red team's: an id holding an escape sequence retitled the terminal when the
    message quoted it. Every message shows such characters as escapes."""
    packets = mini_packet.root / "content" / "packets"
    (packets / "odd.yaml").write_text(
        "title: Odd\naudience: client\nlanguage: en\nsections:\n  - title: S\n"
        '    handouts: ["RED\\e]0;pwned\\a", "b\\u202eackwards", breath]\n',
        encoding="utf-8",
    )
    mini_packet.add("esc.yaml", MINIMAL.replace("type: paragraph", 'type: "para\\e[31m"'))
    for args in (["packet", "odd"], ["build", "esc"], ["check"]):
        result = cli(*args)
        assert result.exit_code == 1, args
        assert "\x1b" not in result.output and "\x07" not in result.output, args
        assert "\u202e" not in result.output, args
    assert "RED\\x1b]0;pwned\\x07" in cli("packet", "odd").output
    assert "para\\x1b[31m" in cli("build", "esc").output
