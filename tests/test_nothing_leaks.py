"""Nothing leaks: no door lets a file from outside the project, or the network, into a PDF."""

from __future__ import annotations

import socket
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL, Project, tiny_png

SECRET = "TOP-SECRET-CLIENT-NOTES"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A private file beside the project, and a picture beside it."""
    path = tmp_path / "private.txt"
    path.write_text(SECRET + "\n")
    (tmp_path / "private.png").write_bytes(tiny_png())
    return path


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def pdf_has_no_secret(path: Path) -> bool:
    with pikepdf.open(path) as pdf:
        if pdf.attachments.keys():
            return False
        for page in pdf.pages:
            for annot in page.get("/Annots", []):
                action = annot.get("/A", {})
                uri = str(action.get("/URI", ""))
                if uri.startswith(("file:", "javascript:")):
                    return False
        text = b"".join(
            bytes(page.Contents.read_bytes()) if "/Contents" in page else b"" for page in pdf.pages
        )
    return SECRET.encode() not in text and SECRET.encode() not in path.read_bytes()


def test_content_text_and_links(
    project: Project, cli, secret: Path, no_network: list[object]
) -> None:
    text = MINIMAL.replace(
        "You might notice your breath for a moment.",
        f'\'<img src="{secret.as_uri()}"> [a](file://{secret}) [b](javascript:alert(1)) '
        f'[c](http://127.0.0.1:9/) <link rel=attachment href="{secret.as_uri()}">\'',
    )
    project.add("h.yaml", text)
    # The tags print as typed, and the build says so (under --strict, it stops).
    assert cli("build", "h", "--strict").exit_code == 1
    assert project.output_files() == {}
    result = cli("build", "h")
    assert result.exit_code == 0, result.output
    assert "warning: the HTML tag <img src=" in result.stderr
    assert pdf_has_no_secret(project.root / "output/en/h.pdf")
    assert no_network == []


@pytest.mark.parametrize(
    "src", ["../../../../private.png", "ABSOLUTE", "https://example.org/x.png"]
)
def test_image_paths_from_content(project: Project, cli, secret: Path, src: str) -> None:
    if src == "ABSOLUTE":
        src = str(secret.parent / "private.png")
    project.add("h.yaml", MINIMAL + f"  - type: image\n    src: {src}\n    alt: A picture\n")
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith("content/handouts/en/h.yaml:14:10: blocks[1].src:")
    assert project.output_files() == {}


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="{uri}" alt="x">',
        '<link rel="attachment" href="{uri}">',
        '<a rel="attachment" href="{uri}">x</a>',
        '<object data="{uri}"></object>',
        '<embed src="{uri}">',
        '<div style="background-image: url({uri})">x</div>',
        '<link rel="stylesheet" href="{uri}">',
        '<img src="http://127.0.0.1:9/x.png" alt="x">',
        '<link rel="stylesheet" href="https://example.org/x.css">',
    ],
)
def test_project_templates(
    project: Project, cli, secret: Path, no_network: list[object], markup: str
) -> None:
    project.add("h.yaml")
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "paragraph.html").write_text(
        "<p>{{ block.text }}</p>" + markup.format(uri=secret.as_uri()) + "\n"
    )
    result = cli("build", "h")
    assert result.exit_code == 1, result.output
    assert "blocked a file or address outside the project" in result.stderr
    assert project.output_files() == {}
    assert no_network == []


def test_css_url_in_a_project_stylesheet(project: Project, cli, secret: Path) -> None:
    project.add("h.yaml")
    css = project.root / "templates" / "css"
    css.mkdir(parents=True)
    (css / "print.css").write_text(
        f"@font-face {{ font-family: x; src: url({secret.as_uri()}); }}\n"
        f"body {{ background: url({secret.parent.as_uri()}/private.png); }}\n"
    )
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.count("blocked a file or address outside the project") == 2
    assert project.output_files() == {}


def test_symlinked_handout_pointing_outside(project: Project, cli, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(MINIMAL.replace("Noticing your breath", SECRET))
    (project.handouts / "linked.yaml").symlink_to(outside)
    result = cli("build")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "content/handouts/en/linked.yaml: is a link to a file outside the project; copy the "
        "file into the project instead of linking to it"
    )
    assert project.output_files() == {}


def test_symlinked_template_pointing_outside(project: Project, cli, secret: Path) -> None:
    project.add("h.yaml")
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    (blocks / "paragraph.html").symlink_to(secret)
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "templates/blocks/paragraph.html (the template `blocks/paragraph.html`): is a link to "
        "a file outside the project; copy the file into the project instead of linking to it\n"
    )
    assert SECRET not in result.output
    assert project.output_files() == {}


def test_symlinked_messages_pointing_outside(project: Project, cli, tmp_path: Path) -> None:
    project.add("h.yaml")
    outside = tmp_path / "messages.yaml"
    outside.write_text(f'care_note: "{SECRET}"\n')
    folder = project.root / "templates" / "messages"
    folder.mkdir(parents=True)
    (folder / "en.yaml").symlink_to(outside)
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "templates/messages/en.yaml: is a link to a file outside the project; copy the file "
        "into the project instead of linking to it\n"
    )
    assert project.output_files() == {}


def test_symlinked_logo_pointing_outside(project: Project, cli, secret: Path) -> None:
    project.add("h.yaml")
    (project.root / "assets").mkdir()
    (project.root / "assets" / "logo.png").symlink_to(secret.parent / "private.png")
    (project.root / "handouts.yaml").write_text("logo:\n  src: assets/logo.png\n  alt: Our logo\n")
    result = cli("build", "h")
    assert result.exit_code == 1
    assert result.stderr.startswith("handouts.yaml:2:8: logo.src: `assets/logo.png` points outside")


def test_sandbox_keeps_templates_from_python(project: Project, cli) -> None:
    project.add("h.yaml")
    blocks = project.root / "templates" / "blocks"
    blocks.mkdir(parents=True)
    for attack in (
        "{{ block.__class__.__mro__ }}",
        "{{ ''.__class__.__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    ):
        (blocks / "paragraph.html").write_text(attack + "\n")
        result = cli("build", "h")
        assert result.exit_code == 1
        assert "unsafe" in result.stderr or "undefined" in result.stderr
        assert "uid=" not in result.output
    assert project.output_files() == {}
