"""Every command meets the bad input it can meet: a clear message, the right exit, no trace."""

from __future__ import annotations

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
