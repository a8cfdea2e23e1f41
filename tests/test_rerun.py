"""A run whose every input and output is as at its last successful run is answered
from that run's record, without loading anything heavy; any change to an input, an
output or the options runs it in full; nothing personal is ever recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BREATH_PACKET, MINIMAL, Project, loaded_by
from generator.cache import CACHE_FOLDER

REPLAYED = "nothing changed since the last run"


def _records(project: Project) -> list[Path]:
    return sorted((project.root / CACHE_FOLDER).glob("*.run"))


def test_a_second_run_with_nothing_changed_is_answered_from_the_record(
    project: Project, cli
) -> None:
    project.add("breath.yaml")
    project.add("room.yaml", MINIMAL.replace("Noticing your breath", "Noticing the room"))
    first = cli("-v", "build", "breath", "room")
    assert first.exit_code == 0, first.output
    assert REPLAYED not in first.stderr
    assert len(_records(project)) == 1
    second = cli("-v", "build", "breath", "room")
    assert second.exit_code == 0 and REPLAYED in second.stderr
    # The same files, said the same way, as the run that wrote them.
    assert second.stdout == first.stdout
    assert "output/en/breath.pdf" in second.stdout


def test_a_replayed_run_imports_nothing_heavy(project: Project) -> None:
    project.add("breath.yaml")
    command = [sys.executable, "-m", "generator", "build", "breath"]
    assert subprocess.run(command, cwd=project.root, check=False).returncode == 0
    heavy = ("weasyprint", "pydantic", "jinja2", "pikepdf", "yaml", "generator.render")
    out, said, loaded = loaded_by(project.root, ["-v", "build", "breath"], heavy)
    assert REPLAYED in said
    assert loaded == []
    assert out.strip().endswith("output/en/breath.pdf")


def _edit_template(project: Project) -> None:
    folder = project.root / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "extra.css").write_text("h1 { letter-spacing: 0.01em; }\n", encoding="utf-8")


def _edit_config(project: Project) -> None:
    (project.root / "handouts.yaml").write_text("paper: a4\n", encoding="utf-8")


def _add_picture(project: Project) -> None:
    folder = project.root / "assets"
    folder.mkdir(exist_ok=True)
    (folder / "room.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", "utf-8")


def _change_output(project: Project) -> None:
    path = project.root / "output" / "en" / "breath.pdf"
    path.write_bytes(path.read_bytes() + b"\n% changed by hand\n")


def _remove_output(project: Project) -> None:
    (project.root / "output" / "en" / "breath.pdf").unlink()


def _add_handout(project: Project) -> None:
    project.add("room.yaml", MINIMAL.replace("Noticing your breath", "Noticing the room"))


def _edit_handout(project: Project) -> None:
    project.add("breath.yaml", MINIMAL.replace("for a moment", "for a while"))


def _garble_record(project: Project) -> None:
    (record,) = _records(project)
    data = bytearray(record.read_bytes())
    data[-5] ^= 1
    record.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "change",
    [
        _edit_handout,
        _add_handout,
        _edit_template,
        _edit_config,
        _add_picture,
        _change_output,
        _remove_output,
        _garble_record,
    ],
)
def test_any_change_to_an_input_or_an_output_runs_in_full(project: Project, cli, change) -> None:
    project.add("breath.yaml")
    assert cli("build", "breath").exit_code == 0
    assert REPLAYED in cli("-v", "build", "breath").stderr
    change(project)
    again = cli("-v", "build", "breath")
    assert again.exit_code == 0, again.output
    assert REPLAYED not in again.stderr
    # The full run is recorded in turn, and what it wrote is what a fresh run writes.
    assert REPLAYED in cli("-v", "build", "breath").stderr
    pdf = (project.root / "output" / "en" / "breath.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"changed by hand" not in pdf


def test_other_options_or_another_date_are_another_run(
    project: Project, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.add("breath.yaml")
    assert cli("build", "breath").exit_code == 0
    assert REPLAYED not in cli("-v", "build", "breath", "--paper", "a4").stderr
    assert REPLAYED not in cli("-v", "build", "breath", "--format", "html").stderr
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert REPLAYED not in cli("-v", "build", "breath").stderr
    assert REPLAYED in cli("-v", "build", "breath").stderr


def test_a_run_with_a_name_is_never_recorded(project: Project, cli) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "small.yaml").write_text(BREATH_PACKET, encoding="utf-8")
    people = project.root / "people.csv"
    people.write_text("name\nIfeoma Chukwu\nMateo Quispe\n", encoding="utf-8")
    for args in (
        ("build", "breath", "--client-name", "Ifeoma Chukwu"),
        ("packet", "small", "--participants", str(people)),
    ):
        for _ in range(2):
            result = cli("-v", *args)
            assert result.exit_code == 0, result.output
            assert REPLAYED not in result.stderr
    assert _records(project) == []
    for path in (project.root / CACHE_FOLDER).iterdir():
        assert b"Chukwu" not in path.read_bytes() and b"Quispe" not in path.read_bytes()


def test_a_packet_with_nothing_changed_is_answered_from_its_record(project: Project, cli) -> None:
    project.add("breath.yaml")
    packets = project.root / "content" / "packets"
    packets.mkdir(parents=True)
    (packets / "small.yaml").write_text(BREATH_PACKET, encoding="utf-8")
    first = cli("-v", "packet", "small")
    assert first.exit_code == 0, first.output
    second = cli("-v", "packet", "small")
    assert REPLAYED in second.stderr and second.stdout == first.stdout
    # The packet's handout is an input of the packet's run.
    _edit_handout(project)
    assert REPLAYED not in cli("-v", "packet", "small").stderr


def test_warnings_are_said_again_and_a_failed_run_is_not_recorded(project: Project, cli) -> None:
    project.add("breath.yaml", MINIMAL.replace("for a moment.", "for a moment &amp; a breath."))
    first = cli("build", "breath")
    assert first.exit_code == 0 and "warning" in first.stderr
    second = cli("-v", "build", "breath")
    assert REPLAYED in second.stderr
    assert [line for line in second.stderr.splitlines() if "warning" in line] == [
        line for line in first.stderr.splitlines() if "warning" in line
    ]
    project.add("broken.yaml", "title: [unclosed\n")
    for _ in range(2):
        failed = cli("-v", "build", "breath", "broken")
        assert failed.exit_code != 0 and REPLAYED not in failed.stderr


def test_an_input_changed_while_the_run_was_going_is_not_recorded(
    project: Project, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.build

    project.add("breath.yaml")
    real = generator.build.build

    def saved_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real(*args, **kwargs)
        _edit_handout(project)  # an author saves while the PDFs are written
        return result

    monkeypatch.setattr(generator.build, "build", saved_meanwhile)
    assert cli("build", "breath").exit_code == 0
    monkeypatch.setattr(generator.build, "build", real)
    # The PDF on disk is from before the save: the next run must make it again.
    again = cli("-v", "build", "breath")
    assert REPLAYED not in again.stderr
    assert REPLAYED in cli("-v", "build", "breath").stderr
