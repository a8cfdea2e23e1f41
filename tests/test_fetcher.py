"""The URL fetcher: nothing outside the project is read, nothing goes to the network."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL, Project, tiny_png
from generator.pdf import html_to_pdf

PAGE = '<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>{}</body></html>'


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record (and refuse) any attempt to open a network connection."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    return attempts


def embedded_files(data: bytes) -> list[str]:
    import io

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return list(pdf.attachments.keys())


def image_count(data: bytes) -> int:
    import io

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sum(len(page.get_images()) for page in pdf.pages)


@pytest.mark.parametrize(
    "markup",
    [
        '<link rel="attachment" href="file:///etc/hostname">',
        '<a rel="attachment" href="file:///etc/hostname">x</a>',
        '<img src="file:///etc/hostname" alt="x">',
        '<img src="http://127.0.0.1:9/x.png" alt="x">',
        '<img src="https://example.org/x.png" alt="x">',
        '<div style="background: url(file:///etc/hostname)">x</div>',
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
    ],
)
def test_outside_urls_are_blocked(tmp_path: Path, no_network: list[object], markup: str) -> None:
    result = html_to_pdf(PAGE.format(markup), tmp_path.as_uri() + "/", [tmp_path])
    (url,) = (part for part in re.split(r'"|url\(|\)', markup) if ":/" in part)
    assert result.blocked == (url,), "the fetcher should have refused this URL, once"
    assert no_network == []
    assert embedded_files(result.data) == []
    assert image_count(result.data) == 0


def test_files_inside_allowed_folders_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(tiny_png())
    result = html_to_pdf(
        PAGE.format('<img src="a.png" alt="grey">'), tmp_path.as_uri() + "/", [tmp_path]
    )
    assert result.blocked == ()
    assert image_count(result.data) == 1


def test_symlink_out_of_an_allowed_folder_is_blocked(tmp_path: Path) -> None:
    inside = tmp_path / "inside"
    inside.mkdir()
    (tmp_path / "secret.png").write_bytes(tiny_png())
    (inside / "a.png").symlink_to(tmp_path / "secret.png")
    result = html_to_pdf(PAGE.format('<img src="a.png" alt="x">'), inside.as_uri() + "/", [inside])
    assert result.blocked == ((inside / "a.png").as_uri(),)
    assert image_count(result.data) == 0


def test_missing_alt_is_a_pdf_ua_error(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(tiny_png())
    result = html_to_pdf(PAGE.format('<img src="a.png">'), tmp_path.as_uri() + "/", [tmp_path])
    assert result.errors == ('Image "a.png" has no required alt description',)
    assert result.blocked == ()


def test_content_links_to_files_print_as_text(
    project: Project, cli, no_network: list[object]
) -> None:
    text = MINIMAL.replace(
        "You might notice your breath for a moment.",
        "'See [this](file:///etc/hostname) and [that](http://127.0.0.1:9/).'",
    )
    project.add("h.yaml", text)
    result = cli("build", "h", "--strict")
    assert result.exit_code == 0, result.output
    data = (project.root / "output/en/h.pdf").read_bytes()
    assert embedded_files(data) == []
    with pikepdf.open(project.root / "output/en/h.pdf") as pdf:
        annots = [a for page in pdf.pages for a in page.get("/Annots", [])]
        assert annots == []
    assert no_network == []
