"""Reproducible PDFs: the same inputs give the same bytes, whenever and wherever built."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL

PACKET = (
    "title: A small packet\n"
    "audience: client\n"
    "language: en\n"
    "sections:\n"
    "  - title: One\n"
    "    handouts: [breath, withdrawal-response]\n"
)


def make_project(root: Path) -> Path:
    (root / "content/handouts/en").mkdir(parents=True)
    (root / "content/packets").mkdir()
    (root / "content/handouts/en/breath.yaml").write_text(MINIMAL, encoding="utf-8")
    (root / "content/packets/mini.yaml").write_text(PACKET, encoding="utf-8")
    (root / "people.csv").write_text("name\nAlex Rivera\nΕλένη Παπαδοπούλου\n", encoding="utf-8")
    return root


def digests(root: Path) -> dict[str, str]:
    out = root / "output"
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*.pdf"))
    }


COMMANDS = [
    ("build", "breath", "withdrawal-response", "-j", "1"),
    ("build", "breath", "--large-print", "--client-name", "Jordan Smith", "-j", "1"),
    ("packet", "mini", "-j", "1"),
    ("packet", "mini", "--edition", "trainer", "-j", "1"),
    ("packet", "mini", "--participants", "people.csv", "-j", "1"),
]


def build_everything(root: Path, cli, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(root)
    for command in COMMANDS:
        result = cli(*command)
        assert result.exit_code == 0, result.output
    return digests(root)


def test_two_folders_seconds_apart_give_the_same_bytes(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = build_everything(make_project(tmp_path / "a"), cli, monkeypatch)
    # Font files carry a time to the second: a second later, a careless build differs.
    time.sleep(1.1)
    second = build_everything(make_project(tmp_path / "elsewhere" / "b"), cli, monkeypatch)
    assert len(first) == 7
    # Laid out afresh (a new folder has no cache) in another place, and later
    # by the time the first build took and more: the same bytes.
    assert first == second


def test_dates_come_from_the_content(project, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project.add("breath.yaml")
    assert cli("build", "breath", "-j", "1").exit_code == 0
    with pikepdf.open(project.root / "output/en/breath.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20261101")
        assert str(pdf.docinfo["/ModDate"]).startswith("D:20261101")
        identifier = pdf.trailer.ID
        assert bytes(identifier[0]) == bytes(identifier[1])


def test_source_date_epoch_sets_every_date(project, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    project.add("breath.yaml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    assert cli("build", "breath", "-j", "1").exit_code == 0
    one = (project.root / "output/en/breath.pdf").read_bytes()
    with pikepdf.open(project.root / "output/en/breath.pdf") as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20260101000000")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767312000")  # a day later
    assert cli("build", "breath", "-j", "1").exit_code == 0
    with pikepdf.open(project.root / "output/en/breath.pdf") as pdf:
        assert str(pdf.docinfo["/ModDate"]).startswith("D:20260102000000")
    assert (project.root / "output/en/breath.pdf").read_bytes() != one


@pytest.mark.parametrize(
    "value",
    [
        *("", " ", "yesterday", "-5", "1.5e9", "99999999999999999999"),
        # What Python's int() takes and the variable's "whole number of seconds" does not.
        *(
            "1_767_225_600",
            "\u0661\u0667\u0666\u0667\u0662\u0662\u0665\u0666\u0660\u0660",
            "+1767225600",
        ),
    ],
)
def test_an_invalid_source_date_epoch_is_a_clear_error(
    project, cli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    project.add("breath.yaml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    for command in (("build", "breath"), ("packet", "self-attunement-workshop")):
        result = cli(*command)
        assert result.exit_code == 1
        assert result.stderr.startswith(
            f"Error: the environment variable SOURCE_DATE_EPOCH is {value!r}, which is not a "
            "time; set it to a whole number of seconds since 1970"
        )
        assert "Traceback" not in result.output
    assert project.output_files() == {}
