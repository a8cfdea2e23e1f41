"""Encodings: UTF-8 with or without a BOM is read; anything else is named and refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import MINIMAL, Project

PACKET = (
    "title: Mini\naudience: client\nlanguage: en\nsections:\n  - title: One\n    handouts: [h]\n"
)

ENCODINGS = [
    ("utf-8", None),
    ("utf-8-sig", None),
    ("utf-16", "the file is saved as UTF-16; save it as UTF-8 instead"),
    ("utf-16-be", "the file is saved as UTF-16; save it as UTF-8 instead"),
    ("utf-32", "the file is saved as UTF-16; save it as UTF-8 instead"),
    ("latin-1", "the file is not valid UTF-8 text; save it as UTF-8"),
]


def encode(text: str, encoding: str) -> bytes:
    return text.replace("breath", "breath, café").encode(encoding)


@pytest.mark.parametrize(("encoding", "error"), ENCODINGS)
def test_handout_encodings(project: Project, cli, encoding: str, error: str | None) -> None:
    (project.handouts / "h.yaml").write_bytes(encode(MINIMAL, encoding))
    result = cli("build", "h")
    if error is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("content/handouts/en/h.yaml")
        assert error in result.stderr.splitlines()[0]
        assert project.output_files() == {}


@pytest.mark.parametrize(("encoding", "error"), ENCODINGS)
def test_config_encodings(project: Project, cli, encoding: str, error: str | None) -> None:
    project.add("h.yaml")
    (project.root / "handouts.yaml").write_bytes(encode("footer_note: Our café\n", encoding))
    result = cli("list")
    if error is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("handouts.yaml")
        assert error in result.stderr


@pytest.mark.parametrize(("encoding", "error"), ENCODINGS)
def test_packet_encodings(project: Project, cli, encoding: str, error: str | None) -> None:
    project.add("h.yaml")
    folder = project.root / "content" / "packets"
    folder.mkdir(parents=True)
    (folder / "mini.yaml").write_bytes(encode(PACKET.replace("Mini", "Mini café"), encoding))
    result = cli("packet", "mini")
    if error is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("content/packets/mini.yaml")
        assert error in result.stderr


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("name\nZoë\n".encode("utf-8-sig"), None),
        ("name\nZoë\n".encode("utf-16"), "people.csv:1: the file is not UTF-8 text"),
        (b"name\nZo\xeb\n", "people.csv:2: the file is not UTF-8 text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "people.csv:1: the file is not UTF-8 text"),
    ],
)
def test_participant_file_encodings(project: Project, cli, raw: bytes, error: str | None) -> None:
    project.add("h.yaml")
    folder = project.root / "content" / "packets"
    folder.mkdir(parents=True)
    (folder / "mini.yaml").write_text(PACKET)
    csv = project.root / "people.csv"
    csv.write_bytes(raw)
    result = cli("packet", "mini", "--participants", str(csv))
    if error is None:
        assert result.exit_code == 0, result.output
        assert Path(result.stdout.strip()).name == "mini-001.pdf"
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith(error)


def test_project_messages_encoding(project: Project, cli) -> None:
    project.add("h.yaml")
    folder = project.root / "templates" / "messages"
    folder.mkdir(parents=True)
    (folder / "en.yaml").write_bytes('care_note: "Soins café"\n'.encode("utf-16"))
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "templates/messages/en.yaml: the file is saved as UTF-16; save it as UTF-8 instead"
    )
