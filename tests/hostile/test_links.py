"""Hostile input, class 1: links out of the project, and things that are not files.

Every file a build reads (config, handouts, packets, templates, stylesheets,
messages, pictures, fonts, attachments) must really lie in the project's
content, assets or templates folder, or the built-in ones, links followed;
and be a regular file within its size limit. A link that leaves them, of any
kind or depth, is an error naming the file, and nothing outside reaches
anything written. A link that stays inside goes on working.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import stat
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL, Project
from generator.config import builtin_root
from generator.fonts import body_font_files

#: What every outside file holds: it must never reach anything the run writes.
SECRET = "OUTSIDE-SECRET-5c1e"
#: What a file reached through a link that stays inside holds: it must arrive.
MARK = "INSIDE-MARK-91b2"
#: The outside picture's size, unlike any picture of the project's.
SECRET_SIZE = (7, 3)
#: Over the picture/attachment limit (20 MB); sparse, so it costs no disk.
OVER_ASSET = 21 * 1024 * 1024
#: Over the text file limit (2 MB).
OVER_TEXT = 3 * 1024 * 1024

BUILTIN = builtin_root()
UP = "../../../"  # from a handout's folder (content/handouts/en/) to the project


def png(width: int, height: int, text: str | None = None) -> bytes:
    """A grey PNG of the given size, with a text chunk if asked."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress((b"\x00" + b"\x80" * width) * height)
    extra = chunk(b"tEXt", b"Comment\x00" + text.encode()) if text else b""
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + extra
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def body_font() -> Path:
    return body_font_files()[0][0]


def builtin_text(name: str) -> str:
    return (BUILTIN / "templates" / name).read_text(encoding="utf-8")


class Scene:
    """A project (clinic/), a folder beside it (outside/), and another project."""

    def __init__(self, project: Project, tmp_path: Path):
        self.root = project.root
        self.project = project
        self.outside = tmp_path / "outside"
        self.other = tmp_path / "other-clinic"
        project.add("h.yaml")
        self._outside_files()

    def _outside_files(self) -> None:
        out = self.outside
        folders = (
            "assets",
            "images",
            "templates/blocks",
            "templates/css",
            "handouts/en",
            "pack/blocks",
        )
        for folder in folders:
            (out / folder).mkdir(parents=True, exist_ok=True)
        (out / "templates/messages").mkdir()
        secret_png = png(*SECRET_SIZE, SECRET)
        for place in ("secret.png", "assets/logo.png", "images/secret.png", "assets/pic.png"):
            (out / place).write_bytes(secret_png)
        for place in ("notes.txt", "assets/notes.txt"):
            (out / place).write_text(SECRET + "\n")
        for place in ("extra.css", "assets/extra.css"):
            (out / place).write_text(f'body::after {{ content: "{SECRET}"; }}\n')
        shutil.copyfile(body_font(), out / "mine.ttf")
        shutil.copyfile(body_font(), out / "assets" / "mine.ttf")
        paragraph = f"<p>{SECRET} {{{{ block.text }}}}</p>\n"
        (out / "paragraph.html").write_text(paragraph)
        (out / "templates/blocks/paragraph.html").write_text(paragraph)
        # A template pack: templates only, no messages.
        (out / "pack/blocks/paragraph.html").write_text(paragraph)
        (out / "templates/css/print.css").write_text(f"/* {SECRET} */\n")
        (out / "print.css").write_text(f"/* {SECRET} */\n")
        messages = builtin_text("messages/en.yaml").replace(
            "This handout supports, and does not replace", SECRET
        )
        (out / "en.yaml").write_text(messages)
        (out / "templates/messages/en.yaml").write_text(messages)
        handout = MINIMAL.replace("Noticing your breath", SECRET)
        (out / "handout.yaml").write_text(handout)
        (out / "handouts/en/h2.yaml").write_text(handout)
        (out / "packet.yaml").write_text(packet_text(SECRET))
        (out / "config.yaml").write_text(f"practice:\n  name: {SECRET}\n")
        other = self.other
        (other / "assets").mkdir(parents=True)
        (other / "assets/logo.png").write_bytes(secret_png)
        (other / "templates/blocks").mkdir(parents=True)
        (other / "templates/blocks/paragraph.html").write_text(paragraph)
        (other / "content/handouts/en").mkdir(parents=True)
        (other / "content/handouts/en/h.yaml").write_text(handout)

    # -- making things in the project ---------------------------------------

    def path(self, name: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def link(self, name: str, target: str | Path) -> None:
        """A link at `name` in the project to `target` (relative as given, or absolute)."""
        self.path(name).symlink_to(target)

    def write(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")

    def fifo(self, name: str) -> None:
        os.mkfifo(self.path(name))

    def folder(self, name: str) -> None:
        self.path(name).mkdir()

    def socket(self, name: str) -> None:
        # Bound by a relative name: a socket's path may be at most ~100 bytes.
        self.path(name)
        here = os.getcwd()
        os.chdir(self.root)
        try:
            with socket.socket(socket.AF_UNIX) as sock:
                sock.bind(name)
        finally:
            os.chdir(here)

    def sparse(self, name: str, size: int) -> None:
        with self.path(name).open("wb") as stream:
            stream.truncate(size)

    def logo(self, src: str = "assets/logo.png") -> None:
        self.write("handouts.yaml", f"logo:\n  src: {src}\n  alt: Our logo\n")

    def image(self, src: str) -> None:
        self.project.add(
            "h.yaml", MINIMAL + f"  - type: image\n    src: {src}\n    alt: A picture\n"
        )

    def paragraph_template(self, extra: str) -> None:
        """A project template for paragraphs that also uses a file."""
        self.write("templates/blocks/paragraph.html", "<p>{{ block.text }}</p>" + extra + "\n")

    def stylesheet(self, name: str, extra: str, *, before: bool = False) -> None:
        """A project copy of a built-in stylesheet, with a rule added."""
        text = builtin_text(name)
        self.write(f"templates/{name}", extra + "\n" + text if before else text + "\n" + extra)

    def packet(self, handouts: str = "[h]") -> None:
        self.write("content/packets/p.yaml", packet_text("A day", handouts))


def packet_text(title: str, handouts: str = "[h]") -> str:
    return (
        f"title: {title}\naudience: clinician\nlanguage: en\n"
        f"sections:\n  - title: Part one\n    handouts: {handouts}\n"
    )


def written_files(root: Path) -> dict[str, bytes]:
    """Every regular file in the project (links not followed), by its place."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            info = path.lstat()
            # Huge files are the tests' own (sparse, empty): nothing is written that large.
            if stat.S_ISREG(info.st_mode) and info.st_size < OVER_ASSET:
                found[str(path.relative_to(root))] = path.read_bytes()
    return found


def leaks(data: bytes) -> list[str]:
    """What of the outside files a written file holds: the text, or the picture."""
    found = []
    if SECRET.encode() in data:
        found.append("secret text")
    if data.startswith(b"%PDF") and data not in BEFORE.values():
        with pikepdf.open(io.BytesIO(data)) as pdf:
            for name, spec in pdf.attachments.items():
                if SECRET.encode() in spec.get_file().read_bytes():
                    found.append(f"attachment {name}")
            for thing in pdf.objects:
                if not isinstance(thing, pikepdf.Stream):
                    continue
                if thing.get("/Subtype") == "/Image":
                    if (int(thing.Width), int(thing.Height)) == SECRET_SIZE:
                        found.append("the outside picture")
                    continue
                try:
                    if SECRET.encode() in thing.read_bytes():
                        found.append("secret text in a stream")
                except pikepdf.PdfError:
                    pass
    return found


#: What the project's output folder holds before each run: a run that fails changes none.
BEFORE = {"en/h.pdf": b"%PDF-1.7 an earlier build\n", "en/h.html": b"<p>an earlier build</p>\n"}


def seed_output(root: Path) -> None:
    for name, data in BEFORE.items():
        path = root / "output" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def assert_refused(scene: Scene, result: object, *expected: str) -> None:
    """Non-zero exit, a message naming the file, no traceback, nothing written or leaked."""
    output = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, output  # type: ignore[attr-defined]
    assert "Traceback" not in output
    for text in expected:
        assert text in output, output
    assert SECRET not in output
    files = written_files(scene.root / "output")
    assert files == BEFORE
    for name, data in written_files(scene.root).items():
        assert not leaks(data), (name, leaks(data))


@dataclass(frozen=True)
class Case:
    id: str
    setup: Callable[[Scene], object]
    expected: str
    args: tuple[str, ...] = ("build", "h")
    #: Where `check` puts the message on a line of its own: the file it names.
    names: str = ""


def _logo_link(target: Callable[[Scene], str | Path], name: str = "assets/logo.png") -> Callable:
    def setup(s: Scene) -> None:
        s.link(name, target(s))
        s.logo(name)

    return setup


def _assets_link(target: Callable[[Scene], str | Path], src: str = "assets/logo.png") -> Callable:
    def setup(s: Scene) -> None:
        s.link("assets", target(s))
        s.logo(src)

    return setup


def _loop(first: str, second: str) -> Callable[[Scene], None]:
    def setup(s: Scene) -> None:
        s.link(first, Path(second).name)
        s.link(second, Path(first).name)

    return setup


LOGO = "handouts.yaml:2:8: logo.src: `assets/logo.png` points outside the project through the link"

LOGO_CASES = [
    Case(
        "logo-assets-folder-absolute-link",
        _assets_link(lambda s: s.outside / "assets"),
        LOGO + " assets;",
    ),
    Case(
        "logo-assets-folder-relative-link",
        _assets_link(lambda s: "../outside/assets"),
        LOGO + " assets;",
    ),
    Case(
        "logo-assets-folder-link-chain",
        lambda s: (
            (s.root.parent / "alias").symlink_to(s.outside / "assets"),
            s.link("assets", "../alias"),
            s.logo(),
        ),
        LOGO + " assets;",
    ),
    Case(
        "logo-nested-folder-link",
        lambda s: (s.link("assets/brand", s.outside / "assets"), s.logo("assets/brand/logo.png")),
        "handouts.yaml:2:8: logo.src: `assets/brand/logo.png` points outside the project "
        "through the link assets/brand;",
    ),
    Case(
        "logo-file-link-absolute",
        _logo_link(lambda s: s.outside / "secret.png"),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-file-link-relative-dotdot",
        _logo_link(lambda s: "../../outside/secret.png"),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-file-link-chain",
        lambda s: (
            s.link("assets/middle.png", s.outside / "secret.png"),
            s.link("assets/logo.png", "middle.png"),
            s.logo(),
        ),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-link-loop",
        lambda s: (_loop("assets/logo.png", "assets/other.png")(s), s.logo()),
        "handouts.yaml:2:8: logo.src: `assets/logo.png` is a link that leads round in a loop",
    ),
    Case(
        "logo-link-to-dev-zero",
        _logo_link(lambda s: "/dev/zero"),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-link-to-proc-self",
        _logo_link(lambda s: "/proc/self/environ"),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-link-to-another-project",
        _logo_link(lambda s: s.other / "assets" / "logo.png"),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-link-to-the-built-in-folders-parent",
        _logo_link(lambda s: BUILTIN.parent / "logo.png"),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-link-to-the-tools-own-code",
        _logo_link(lambda s: Path(__import__("generator").__file__)),
        LOGO + " assets/logo.png;",
    ),
    Case(
        "logo-in-a-linked-out-content-folder",
        lambda s: (
            shutil.copytree(s.root / "content", s.outside / "content"),
            shutil.rmtree(s.root / "content"),
            (s.outside / "content/logo.png").write_bytes(png(*SECRET_SIZE, SECRET)),
            s.link("content", s.outside / "content"),
            s.logo("content/logo.png"),
        ),
        "handouts.yaml:2:8: logo.src: `content/logo.png` points outside the project through "
        "the link content;",
    ),
    Case(
        "handouts-in-a-linked-out-content-folder",
        lambda s: (
            shutil.copytree(s.root / "content", s.outside / "content"),
            shutil.rmtree(s.root / "content"),
            s.link("content", s.outside / "content"),
        ),
        "content/handouts/en/h.yaml: is in content, a link to a folder outside the project",
    ),
    Case(
        "logo-is-a-fifo",
        lambda s: (s.fifo("assets/logo.png"), s.logo()),
        "handouts.yaml:2:8: logo.src: `assets/logo.png`: this is a pipe (FIFO), not a file",
    ),
    Case(
        "logo-is-a-folder",
        lambda s: (s.folder("assets/logo.png"), s.logo()),
        "handouts.yaml:2:8: logo.src: `assets/logo.png`: this is a folder, not a file",
    ),
    Case(
        "logo-is-a-socket",
        lambda s: (s.socket("assets/logo.png"), s.logo()),
        "handouts.yaml:2:8: logo.src: `assets/logo.png`: this is a socket, not a file",
    ),
    Case(
        "logo-over-the-size-limit",
        lambda s: (s.sparse("assets/logo.png", OVER_ASSET), s.logo()),
        "handouts.yaml:2:8: logo.src: `assets/logo.png`: the file is 21.0 MB; the limit is "
        "20.0 MB for a picture",
    ),
]

IMAGE = "content/handouts/en/h.yaml:14:10: blocks[1].src: "

IMAGE_CASES = [
    Case(
        "image-folder-link-absolute",
        lambda s: (
            s.link("content/images", s.outside / "images"),
            s.image("../../images/secret.png"),
        ),
        IMAGE + "`../../images/secret.png` points outside the project through the link "
        "content/images;",
    ),
    Case(
        "image-folder-link-relative",
        lambda s: (
            s.link("content/images", "../../outside/images"),
            s.image("../../images/secret.png"),
        ),
        IMAGE + "`../../images/secret.png` points outside the project through the link "
        "content/images;",
    ),
    Case(
        "image-in-linked-out-assets",
        lambda s: (s.link("assets", s.outside / "assets"), s.image(UP + "assets/pic.png")),
        IMAGE + f"`{UP}assets/pic.png` points outside the project through the link assets;",
    ),
    Case(
        "image-named-like-an-image-linking-to-a-text-file",
        lambda s: (
            s.link("assets/pic.png", s.outside / "notes.txt"),
            s.image(UP + "assets/pic.png"),
        ),
        IMAGE + f"`{UP}assets/pic.png` points outside the project through the link assets/pic.png;",
    ),
    Case(
        "image-file-link-dotdot",
        lambda s: (s.link("content/pic.png", "../../outside/secret.png"), s.image("../../pic.png")),
        IMAGE + "`../../pic.png` points outside the project through the link content/pic.png;",
    ),
    Case(
        "image-link-to-dev-zero",
        lambda s: (s.link("content/zero.png", "/dev/zero"), s.image("../../zero.png")),
        IMAGE + "`../../zero.png` points outside the project through the link content/zero.png;",
    ),
    Case(
        "image-link-to-another-project",
        lambda s: (
            s.link("content/pic.png", s.other / "assets/logo.png"),
            s.image("../../pic.png"),
        ),
        IMAGE + "`../../pic.png` points outside the project through the link content/pic.png;",
    ),
    Case(
        "image-link-loop",
        lambda s: (_loop("content/a.png", "content/b.png")(s), s.image("../../a.png")),
        IMAGE + "`../../a.png` is a link that leads round in a loop",
    ),
    Case(
        "image-link-in-the-handouts-folder",
        lambda s: (
            s.link("content/handouts/en/pic.png", s.outside / "secret.png"),
            s.image("pic.png"),
        ),
        IMAGE + "`pic.png` points outside the project through the link "
        "content/handouts/en/pic.png;",
    ),
    Case(
        "image-is-a-fifo",
        lambda s: (s.fifo("content/pic.png"), s.image("../../pic.png")),
        IMAGE + "`../../pic.png`: this is a pipe (FIFO), not a file; use an image file",
    ),
    Case(
        "image-is-a-folder",
        lambda s: (s.folder("content/pic.png"), s.image("../../pic.png")),
        IMAGE + "`../../pic.png`: this is a folder, not a file; use an image file",
    ),
    Case(
        "image-over-the-size-limit",
        lambda s: (s.sparse("assets/huge.png", OVER_ASSET), s.image(UP + "assets/huge.png")),
        IMAGE + f"`{UP}assets/huge.png`: the file is 21.0 MB; the limit is 20.0 MB for a picture",
    ),
]

PARAGRAPH = "templates/blocks/paragraph.html (the template `blocks/paragraph.html`): "
FILE_LINK = "is a link to a file outside the project; copy the file into the project"

TEMPLATE_CASES = [
    Case(
        "templates-folder-link-absolute",
        lambda s: s.link("templates", s.outside / "pack"),
        PARAGRAPH + "is in templates, a link to a folder outside the project",
    ),
    Case(
        "templates-folder-link-relative-html",
        lambda s: s.link("templates", "../outside/pack"),
        PARAGRAPH + "is in templates, a link to a folder outside the project",
        ("build", "h", "--format", "html"),
    ),
    Case(
        "templates-blocks-folder-link",
        lambda s: s.link("templates/blocks", s.outside / "templates/blocks"),
        PARAGRAPH + "is in templates/blocks, a link to a folder outside the project",
    ),
    Case(
        "templates-blocks-folder-link-html",
        lambda s: s.link("templates/blocks", "../../outside/templates/blocks"),
        PARAGRAPH + "is in templates/blocks, a link to a folder outside the project",
        ("build", "h", "--format", "html"),
    ),
    Case(
        "template-file-link-absolute",
        lambda s: s.link("templates/blocks/paragraph.html", s.outside / "paragraph.html"),
        PARAGRAPH + FILE_LINK,
    ),
    Case(
        "template-file-link-dotdot-html",
        lambda s: s.link("templates/blocks/paragraph.html", "../../../outside/paragraph.html"),
        PARAGRAPH + FILE_LINK,
        ("build", "h", "--format", "html"),
    ),
    Case(
        "template-link-chain",
        lambda s: (
            s.link("templates/blocks/hop.html", s.outside / "paragraph.html"),
            s.link("templates/blocks/paragraph.html", "hop.html"),
        ),
        PARAGRAPH + FILE_LINK,
    ),
    Case(
        "template-link-loop",
        _loop("templates/blocks/paragraph.html", "templates/blocks/hop.html"),
        PARAGRAPH + "is a link that leads round in a loop",
    ),
    Case(
        "template-link-to-another-project",
        lambda s: s.link(
            "templates/blocks/paragraph.html", s.other / "templates/blocks/paragraph.html"
        ),
        PARAGRAPH + FILE_LINK,
    ),
    Case(
        "template-link-to-the-tools-own-code",
        lambda s: s.link("templates/handout.html", Path(__import__("generator").__file__)),
        "templates/handout.html (the template `handout.html`): " + FILE_LINK,
    ),
    Case(
        "template-link-to-dev-zero",
        lambda s: s.link("templates/handout.html", "/dev/zero"),
        "templates/handout.html (the template `handout.html`): " + FILE_LINK,
    ),
    Case(
        "template-link-to-proc-self-html",
        lambda s: s.link("templates/handout.html", "/proc/self/environ"),
        "templates/handout.html (the template `handout.html`): " + FILE_LINK,
        ("build", "h", "--format", "html"),
    ),
    Case(
        "template-is-a-fifo",
        lambda s: s.fifo("templates/handout.html"),
        "templates/handout.html (the template `handout.html`): this is a pipe (FIFO), not a "
        "file; a template is a text file",
    ),
    Case(
        "template-is-a-folder",
        lambda s: s.folder("templates/blocks/paragraph.html"),
        PARAGRAPH + "this is a folder, not a file; a template is a text file",
    ),
    Case(
        "template-is-a-socket",
        lambda s: s.socket("templates/base.html"),
        "templates/base.html (the template `base.html`): this is a socket, not a file",
    ),
    Case(
        "template-over-the-size-limit",
        lambda s: s.sparse("templates/handout.html", OVER_TEXT),
        "templates/handout.html (the template `handout.html`): the file is 3.0 MB; the limit "
        "is 2.0 MB",
    ),
    Case(
        "stylesheet-file-link",
        lambda s: s.link("templates/css/print.css", s.outside / "print.css"),
        "templates/css/print.css (the template `css/print.css`): " + FILE_LINK,
    ),
    Case(
        "stylesheet-folder-link-html",
        lambda s: s.link("templates/css", s.outside / "templates/css"),
        "templates/css/print.css (the template `css/print.css`): is in templates/css, a link "
        "to a folder outside the project",
        ("build", "h", "--format", "html"),
    ),
    Case(
        "stylesheet-is-a-fifo",
        lambda s: s.fifo("templates/css/print.css"),
        "templates/css/print.css (the template `css/print.css`): this is a pipe (FIFO)",
    ),
    Case(
        "messages-file-link",
        lambda s: s.link("templates/messages/en.yaml", s.outside / "en.yaml"),
        "templates/messages/en.yaml: " + FILE_LINK,
    ),
    Case(
        "messages-folder-link-html",
        lambda s: s.link("templates/messages", s.outside / "templates/messages"),
        "templates/messages/en.yaml: is in templates/messages, a link to a folder outside the "
        "project",
        ("build", "h", "--format", "html"),
    ),
    Case(
        "messages-in-a-linked-out-templates-folder",
        lambda s: s.link("templates", "../outside/templates"),
        # Read before any template.
        "templates/messages/en.yaml: is in templates, a link to a folder outside the project",
        ("build", "h", "--format", "html"),
    ),
    Case(
        "messages-link-to-dev-zero",
        lambda s: s.link("templates/messages/en.yaml", "/dev/zero"),
        "templates/messages/en.yaml: " + FILE_LINK,
    ),
    Case(
        "messages-is-a-fifo",
        lambda s: s.fifo("templates/messages/en.yaml"),
        "templates/messages/en.yaml: this is a pipe (FIFO), not a file",
    ),
    Case(
        "messages-is-a-folder",
        lambda s: s.folder("templates/messages/en.yaml"),
        "templates/messages/en.yaml: this is a folder, not a YAML file",
    ),
    Case(
        "messages-link-loop",
        _loop("templates/messages/en.yaml", "templates/messages/fr.yaml"),
        "templates/messages/en.yaml: is a link that leads round in a loop",
    ),
]

BLOCKED = "content/handouts/en/h.yaml: blocked a file or address outside the project: "


def _blocked(name: str) -> Callable[[Scene], str]:
    return lambda s: BLOCKED + (s.root / name).as_uri()


@dataclass(frozen=True)
class FetchCase:
    """A file a document asks WeasyPrint for, through a project template or stylesheet."""

    id: str
    setup: Callable[[Scene], object]
    expected: Callable[[Scene], str]
    args: tuple[str, ...] = ("build", "h")


def _attachment(name: str) -> Callable[[Scene], None]:
    return lambda s: s.paragraph_template(f'<link rel="attachment" href="{UP}{name}">')


FETCH_CASES = [
    FetchCase(
        "attachment-in-linked-out-assets",
        lambda s: (s.link("assets", s.outside / "assets"), _attachment("assets/notes.txt")(s)),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-in-relative-linked-out-assets",
        lambda s: (s.link("assets", "../outside/assets"), _attachment("assets/notes.txt")(s)),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-file-link",
        lambda s: (
            s.link("assets/notes.txt", s.outside / "notes.txt"),
            _attachment("assets/notes.txt")(s),
        ),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-file-link-dotdot",
        lambda s: (
            s.link("assets/notes.txt", "../../outside/notes.txt"),
            _attachment("assets/notes.txt")(s),
        ),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-link-chain-through-content",
        lambda s: (
            s.link("content/hop.txt", s.outside / "notes.txt"),
            s.link("assets/notes.txt", "../content/hop.txt"),
            _attachment("assets/notes.txt")(s),
        ),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-link-to-dev-zero",
        lambda s: (s.link("assets/notes.txt", "/dev/zero"), _attachment("assets/notes.txt")(s)),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-link-to-proc-self",
        lambda s: (
            s.link("assets/notes.txt", "/proc/self/environ"),
            _attachment("assets/notes.txt")(s),
        ),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-link-to-another-project",
        lambda s: (
            s.link("assets/notes.txt", s.other / "content/handouts/en/h.yaml"),
            _attachment("assets/notes.txt")(s),
        ),
        _blocked("assets/notes.txt"),
    ),
    FetchCase(
        "attachment-link-to-the-built-in-folders-parent",
        lambda s: (s.link("assets/up", BUILTIN.parent), _attachment("assets/up/README.md")(s)),
        _blocked("assets/up/README.md"),
    ),
    FetchCase(
        "attachment-in-linked-out-content-subfolder",
        lambda s: (s.link("content/files", s.outside), _attachment("content/files/notes.txt")(s)),
        _blocked("content/files/notes.txt"),
    ),
    FetchCase(
        "attachment-link-loop",
        lambda s: (_loop("assets/a.txt", "assets/b.txt")(s), _attachment("assets/a.txt")(s)),
        _blocked("assets/a.txt"),
    ),
    FetchCase(
        "attachment-is-a-fifo",
        lambda s: (s.fifo("assets/notes.txt"), _attachment("assets/notes.txt")(s)),
        lambda s: (
            "content/handouts/en/h.yaml: can't use assets/notes.txt: this is a pipe "
            "(FIFO), not a file"
        ),
    ),
    FetchCase(
        "attachment-is-a-folder",
        lambda s: (s.folder("assets/notes"), _attachment("assets/notes")(s)),
        lambda s: (
            "content/handouts/en/h.yaml: can't use assets/notes: this is a folder, not a file"
        ),
    ),
    FetchCase(
        "attachment-is-a-socket",
        lambda s: (s.socket("assets/notes.txt"), _attachment("assets/notes.txt")(s)),
        lambda s: (
            "content/handouts/en/h.yaml: can't use assets/notes.txt: this is a socket, not a file"
        ),
    ),
    FetchCase(
        "attachment-over-the-size-limit",
        lambda s: (s.sparse("assets/big.bin", OVER_ASSET), _attachment("assets/big.bin")(s)),
        lambda s: (
            "content/handouts/en/h.yaml: can't use assets/big.bin: the file is 21.0 MB; "
            "the limit is 20.0 MB"
        ),
    ),
    FetchCase(
        "img-in-linked-out-assets",
        lambda s: (
            s.link("assets", s.outside / "assets"),
            s.paragraph_template(f'<img src="{UP}assets/pic.png" alt="x">'),
        ),
        _blocked("assets/pic.png"),
    ),
    FetchCase(
        "img-named-like-an-image-linking-out",
        lambda s: (
            s.link("assets/pic.png", s.outside / "notes.txt"),
            s.paragraph_template(f'<img src="{UP}assets/pic.png" alt="x">'),
        ),
        _blocked("assets/pic.png"),
    ),
    FetchCase(
        "img-over-the-size-limit",
        lambda s: (
            s.sparse("assets/huge.png", OVER_ASSET),
            s.paragraph_template(f'<img src="{UP}assets/huge.png" alt="x">'),
        ),
        lambda s: "content/handouts/en/h.yaml: can't use assets/huge.png: the file is 21.0 MB",
    ),
    FetchCase(
        "stylesheet-import-from-linked-out-assets",
        lambda s: (
            s.link("assets", s.outside / "assets"),
            s.stylesheet("css/_fonts.css", f'@import url("{UP}assets/extra.css");', before=True),
        ),
        _blocked("assets/extra.css"),
    ),
    FetchCase(
        "stylesheet-import-of-a-file-link",
        lambda s: (
            s.link("assets/extra.css", "../../outside/extra.css"),
            s.stylesheet("css/_fonts.css", f'@import url("{UP}assets/extra.css");', before=True),
        ),
        _blocked("assets/extra.css"),
    ),
    FetchCase(
        "stylesheet-url-of-a-linked-out-picture",
        lambda s: (
            s.link("assets", s.outside / "assets"),
            s.stylesheet("css/print.css", f"body {{ background: url({UP}assets/pic.png); }}"),
        ),
        _blocked("assets/pic.png"),
    ),
    FetchCase(
        "stylesheet-url-of-a-picture-link",
        lambda s: (
            s.link("assets/bg.png", s.outside / "secret.png"),
            s.stylesheet("css/print.css", f"body {{ background: url({UP}assets/bg.png); }}"),
        ),
        _blocked("assets/bg.png"),
    ),
    FetchCase(
        "link-stylesheet-in-linked-out-assets-html-template",
        lambda s: (
            s.link("assets", s.outside / "assets"),
            s.paragraph_template(f'<link rel="stylesheet" href="{UP}assets/extra.css">'),
        ),
        _blocked("assets/extra.css"),
    ),
    FetchCase(
        "font-face-in-linked-out-assets",
        lambda s: (
            s.link("assets", s.outside / "assets"),
            s.stylesheet(
                "css/print.css",
                f"@font-face {{ font-family: Mine; src: url({UP}assets/mine.ttf); }}\n"
                "body { font-family: Mine; }",
            ),
        ),
        _blocked("assets/mine.ttf"),
    ),
    FetchCase(
        "font-face-file-link",
        lambda s: (
            s.link("assets/mine.ttf", s.outside / "mine.ttf"),
            s.stylesheet(
                "css/print.css",
                f"@font-face {{ font-family: Mine; src: url({UP}assets/mine.ttf); }}\n"
                "body { font-family: Mine; }",
            ),
        ),
        _blocked("assets/mine.ttf"),
    ),
    FetchCase(
        "font-face-is-a-fifo",
        lambda s: (
            s.fifo("assets/mine.ttf"),
            s.stylesheet(
                "css/print.css",
                f"@font-face {{ font-family: Mine; src: url({UP}assets/mine.ttf); }}\n"
                "body { font-family: Mine; }",
            ),
        ),
        lambda s: "content/handouts/en/h.yaml: can't use assets/mine.ttf: this is a pipe (FIFO)",
    ),
    FetchCase(
        "packet-cover-attachment-in-linked-out-assets",
        lambda s: (
            s.packet(),
            s.link("assets", s.outside / "assets"),
            _attachment("assets/notes.txt")(s),
        ),
        _blocked("assets/notes.txt"),
        ("packet", "p"),
    ),
]

HANDOUT_FOUND = "content/handouts/en/"

CONTENT_CASES = [
    Case(
        "handout-file-link",
        lambda s: s.link("content/handouts/en/x.yaml", s.outside / "handout.yaml"),
        HANDOUT_FOUND + "x.yaml: " + FILE_LINK,
        ("build",),
    ),
    Case(
        "handout-file-link-dotdot",
        lambda s: s.link("content/handouts/en/x.yaml", "../../../../outside/handout.yaml"),
        HANDOUT_FOUND + "x.yaml: " + FILE_LINK,
        ("build",),
    ),
    Case(
        "handout-link-chain",
        lambda s: (
            s.link("content/hop.yaml", s.outside / "handout.yaml"),
            s.link("content/handouts/en/x.yaml", "../../hop.yaml"),
        ),
        HANDOUT_FOUND + "x.yaml: " + FILE_LINK,
        ("build",),
    ),
    Case(
        "handout-link-to-another-project",
        lambda s: s.link("content/handouts/en/x.yaml", s.other / "content/handouts/en/h.yaml"),
        HANDOUT_FOUND + "x.yaml: " + FILE_LINK,
        ("build", "h"),
    ),
    Case(
        "handout-language-folder-link",
        lambda s: s.link("content/handouts/fr", s.outside / "handouts/en"),
        "content/handouts/fr/h2.yaml: is in content/handouts/fr, a link to a folder outside "
        "the project",
        ("build",),
    ),
    Case(
        "handouts-folder-link",
        lambda s: (
            shutil.rmtree(s.root / "content/handouts"),
            s.link("content/handouts", s.outside / "handouts"),
        ),
        "content/handouts/en/h2.yaml: is in content/handouts, a link to a folder outside the "
        "project",
        ("build",),
    ),
    Case(
        "handout-link-to-dev-zero",
        lambda s: s.link("content/handouts/en/x.yaml", "/dev/zero"),
        HANDOUT_FOUND + "x.yaml: " + FILE_LINK,
        ("build",),
    ),
    Case(
        "handout-link-loop",
        _loop("content/handouts/en/x.yaml", "content/handouts/en/y.yaml"),
        HANDOUT_FOUND + "x.yaml: is a link that leads round in a loop",
        ("build",),
    ),
    Case(
        "handout-is-a-fifo",
        lambda s: s.fifo("content/handouts/en/x.yaml"),
        HANDOUT_FOUND + "x.yaml: this is a pipe (FIFO), not a file; a handout is a YAML file",
        ("build",),
    ),
    Case(
        "handout-is-a-folder",
        lambda s: s.folder("content/handouts/en/x.yaml"),
        HANDOUT_FOUND + "x.yaml: this is a folder, not a file; a handout is a YAML file",
        ("build",),
    ),
    Case(
        "handout-is-a-socket",
        lambda s: s.socket("content/handouts/en/x.yaml"),
        HANDOUT_FOUND + "x.yaml: this is a socket, not a file",
        ("build",),
    ),
    Case(
        "handout-is-a-broken-link",
        lambda s: s.link("content/handouts/en/x.yaml", "gone.yaml"),
        HANDOUT_FOUND + "x.yaml: is a link to a file that does not exist",
        ("build",),
    ),
    Case(
        "packet-manifest-link",
        lambda s: s.link("content/packets/p.yaml", s.outside / "packet.yaml"),
        "content/packets/p.yaml: " + FILE_LINK,
        ("packet", "p"),
    ),
    Case(
        "packets-folder-link",
        lambda s: s.link("content/packets", s.outside),
        "content/packets/packet.yaml: is in content/packets, a link to a folder outside",
        ("packet", "packet"),
    ),
    Case(
        "packet-manifest-is-a-fifo",
        lambda s: s.fifo("content/packets/p.yaml"),
        "content/packets/p.yaml: this is a pipe (FIFO), not a file; a packet is a YAML file",
        ("packet", "p"),
    ),
    Case(
        "packet-with-linked-out-templates",
        lambda s: (s.packet(), s.link("templates", s.outside / "templates")),
        "templates/messages/en.yaml: is in templates, a link to a folder outside the project",
        ("packet", "p"),
    ),
    Case(
        "packet-with-a-linked-out-paragraph-template",
        lambda s: (
            s.packet(),
            s.link("templates/blocks/paragraph.html", s.outside / "paragraph.html"),
        ),
        PARAGRAPH + FILE_LINK,
        ("packet", "p"),
    ),
    Case(
        "config-link",
        lambda s: s.link("handouts.yaml", s.outside / "config.yaml"),
        "handouts.yaml: " + FILE_LINK,
    ),
    Case(
        "config-link-dotdot",
        lambda s: s.link("handouts.yaml", "../outside/config.yaml"),
        "handouts.yaml: " + FILE_LINK,
        ("build", "h", "--format", "html"),
    ),
    Case(
        "config-link-to-dev-zero",
        lambda s: s.link("handouts.yaml", "/dev/zero"),
        "handouts.yaml: " + FILE_LINK,
    ),
    Case(
        "config-is-a-fifo",
        lambda s: s.fifo("handouts.yaml"),
        "handouts.yaml: this is a pipe (FIFO), not a file",
    ),
    Case(
        "config-is-a-folder",
        lambda s: s.folder("handouts.yaml"),
        "handouts.yaml: this is a folder, not a YAML file",
    ),
    Case(
        "config-is-a-socket",
        lambda s: s.socket("handouts.yaml"),
        "handouts.yaml: this is a socket, not a file",
        ("build", "h", "--format", "html"),
    ),
    Case(
        "config-link-loop",
        _loop("handouts.yaml", "settings.yaml"),
        "handouts.yaml: is a link that leads round in a loop",
        ("list",),
    ),
    Case(
        "check-finds-a-handout-link",
        lambda s: s.link("content/handouts/en/x.yaml", s.outside / "handout.yaml"),
        FILE_LINK,
        ("check",),
        names="content/handouts/en/x.yaml",
    ),
    Case(
        "check-finds-a-handout-in-a-folder-link",
        lambda s: s.link("content/handouts/fr", "../../../outside/handouts/en"),
        "is in content/handouts/fr, a link to a folder outside the project",
        ("check",),
        names="content/handouts/fr/h2.yaml",
    ),
    Case(
        "check-of-a-named-handout-link",
        lambda s: s.link("content/handouts/en/x.yaml", "../../../../outside/handout.yaml"),
        FILE_LINK,
        ("check", "content/handouts/en/x.yaml"),
        names="content/handouts/en/x.yaml",
    ),
    Case(
        "check-finds-a-messages-link",
        lambda s: s.link("templates/messages/en.yaml", s.outside / "en.yaml"),
        FILE_LINK,
        ("check",),
        names="templates/messages/en.yaml",
    ),
    Case(
        "check-pdf-finds-a-template-link",
        lambda s: s.link("templates/blocks/paragraph.html", s.outside / "paragraph.html"),
        FILE_LINK,
        ("check", "--pdf", "h"),
        names=PARAGRAPH.removesuffix(": "),
    ),
    Case(
        "list-finds-a-handout-link",
        lambda s: s.link("content/handouts/en/x.yaml", "/proc/self/environ"),
        HANDOUT_FOUND + "x.yaml: " + FILE_LINK,
        ("list",),
    ),
    Case(
        "config-given-is-dev-zero",
        lambda s: None,
        "/dev/zero: this is a device, not a file",
        ("build", "h", "--config", "/dev/zero"),
    ),
    Case(
        "config-given-is-a-fifo",
        lambda s: s.fifo("settings.yaml"),
        "settings.yaml: this is a pipe (FIFO), not a file",
        ("build", "h", "--config", "settings.yaml"),
    ),
]


@pytest.fixture
def scene(project: Project, tmp_path: Path, laid_out: object) -> Scene:
    """The project with one handout, things outside it, and an earlier build's output."""
    made = Scene(project, tmp_path)
    seed_output(made.root)
    return made


@pytest.mark.parametrize(
    "case",
    LOGO_CASES + IMAGE_CASES + TEMPLATE_CASES + CONTENT_CASES,
    ids=lambda c: c.id,
)
def test_refused(scene: Scene, cli, case: Case) -> None:
    case.setup(scene)
    result = cli(*case.args)
    assert_refused(scene, result, case.expected, case.names)


@pytest.mark.parametrize("case", FETCH_CASES, ids=lambda c: c.id)
def test_fetch_refused(scene: Scene, cli, case: FetchCase) -> None:
    case.setup(scene)
    result = cli(*case.args)
    assert_refused(scene, result, case.expected(scene))


# --- links that stay inside keep working ---------------------------------------


def _assert_built(scene: Scene, result: object, name: str = "en/h.pdf") -> bytes:
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    data = (scene.root / "output" / name).read_bytes()
    assert data != BEFORE.get(name)
    for path, written in written_files(scene.root).items():
        assert not leaks(written), (path, leaks(written))
    return data


def _pdf_text(data: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def _images(data: bytes) -> list[tuple[int, int]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            (int(thing.Width), int(thing.Height))
            for thing in pdf.objects
            if isinstance(thing, pikepdf.Stream) and thing.get("/Subtype") == "/Image"
        ]


def test_assets_folder_linked_inside_the_project(scene: Scene, cli) -> None:
    (scene.root / "content/pictures").mkdir()
    (scene.root / "content/pictures/logo.png").write_bytes(png(2, 2))
    scene.link("assets", "content/pictures")
    scene.logo()
    data = _assert_built(scene, cli("build", "h"))
    assert (2, 2) in _images(data)


def test_image_file_linked_inside_the_project(scene: Scene, cli) -> None:
    scene.path("assets/calm.png").write_bytes(png(2, 2))
    scene.link("content/images/calm.png", "../../assets/calm.png")
    scene.image("../../images/calm.png")
    data = _assert_built(scene, cli("build", "h"))
    assert (2, 2) in _images(data)


def test_template_linked_inside_the_project_pdf_and_html(scene: Scene, cli) -> None:
    scene.write("assets/pack/paragraph.html", f"<p>{MARK} {{{{ block.text }}}}</p>\n")
    scene.link("templates/blocks", "../assets/pack")
    assert MARK in _pdf_text(_assert_built(scene, cli("build", "h")))
    html = _assert_built(scene, cli("build", "h", "--format", "html"), "en/h.html")
    assert MARK.encode() in html


def test_template_linked_to_a_built_in_one(scene: Scene, cli) -> None:
    scene.link("templates/blocks/paragraph.html", BUILTIN / "templates/blocks/paragraph.html")
    assert "notice your breath" in _pdf_text(_assert_built(scene, cli("build", "h")))


def test_messages_linked_inside_the_project(scene: Scene, cli) -> None:
    messages = builtin_text("messages/en.yaml").replace(
        "This handout supports, and does not replace", MARK
    )
    scene.write("assets/words/en.yaml", messages)
    scene.link("templates/messages/en.yaml", "../../assets/words/en.yaml")
    html = _assert_built(scene, cli("build", "h", "--format", "html"), "en/h.html")
    assert MARK.encode() in html


def test_handout_linked_inside_the_project(scene: Scene, cli) -> None:
    scene.write("content/drafts/calm.yaml", MINIMAL.replace("Noticing your breath", MARK))
    scene.link("content/handouts/en/calm.yaml", "../../drafts/calm.yaml")
    assert MARK in _pdf_text(_assert_built(scene, cli("build", "calm"), "en/calm.pdf"))


def test_attachment_linked_inside_the_project(scene: Scene, cli) -> None:
    scene.write("content/notes.txt", MARK + "\n")
    scene.link("assets/notes.txt", "../content/notes.txt")
    _attachment("assets/notes.txt")(scene)
    data = _assert_built(scene, cli("build", "h"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        bodies = [spec.get_file().read_bytes() for spec in pdf.attachments.values()]
    assert bodies == [(MARK + "\n").encode()]


def test_font_and_stylesheet_linked_inside_the_project(scene: Scene, cli) -> None:
    shutil.copyfile(body_font(), scene.path("content/fonts/mine.ttf"))
    scene.link("assets/mine.ttf", "../content/fonts/mine.ttf")
    scene.write("content/extra.css", "p { letter-spacing: 0.01em; }\n")
    scene.link("assets/extra.css", "../content/extra.css")
    scene.stylesheet("css/_fonts.css", f'@import url("{UP}assets/extra.css");', before=True)
    scene.stylesheet(
        "css/print.css",
        f"@font-face {{ font-family: Mine; src: url({UP}assets/mine.ttf); }}\n"
        "body { font-family: Mine; }",
    )
    assert "notice your breath" in _pdf_text(_assert_built(scene, cli("build", "h")))


def test_project_reached_through_a_link(scene: Scene, cli, monkeypatch) -> None:
    """The project's own root may be a link: only links below it are judged."""
    scene.path("assets/logo.png").write_bytes(png(2, 2))
    scene.logo()
    alias = scene.root.parent / "alias-of-clinic"
    alias.symlink_to(scene.root)
    monkeypatch.chdir(alias)
    data = _assert_built(scene, cli("build", "h"))
    assert (2, 2) in _images(data)


def test_an_unused_huge_asset_is_never_read(scene: Scene, cli, monkeypatch) -> None:
    """The cache key hashes assets in pieces, and one over the limit not at all."""
    from generator import files

    scene.sparse("assets/video.bin", 64 * 1024 * 1024)
    read: list[str] = []
    real_read, real_digest, real_path_read = files.read_bytes, files.digest, Path.read_bytes

    def reading(path: Path, limit: int) -> bytes:
        read.append(path.name)
        return real_read(path, limit)

    def hashing(path: Path, limit: int | None = None) -> bytes:
        if path.name == "video.bin":
            read.append(f"{path.name}, hashed with the limit {limit}")
        return real_digest(path, limit)

    def reading_whole(path: Path) -> bytes:
        read.append(path.name)
        return real_path_read(path)

    monkeypatch.setattr(files, "read_bytes", reading)
    monkeypatch.setattr(files, "digest", hashing)
    monkeypatch.setattr(Path, "read_bytes", reading_whole)
    _assert_built(scene, cli("build", "h"))
    first = [name for name in read if "video" in name]
    # A second, no-op build: the inputs are compared again, the asset still unread.
    _assert_built(scene, cli("build", "h"))
    limit = files.MAX_ASSET_BYTES
    seen = [name for name in read if "video" in name]
    assert first and len(seen) > len(first)
    assert set(seen) == {f"video.bin, hashed with the limit {limit}"}


# --- through the command as a user runs it: no hang, bounded memory ----------------


@pytest.mark.parametrize(
    ("where", "args", "expected"),
    [
        pytest.param(
            "templates/handout.html", ("build", "h"), "this is a pipe (FIFO)", id="template"
        ),
        pytest.param("handouts.yaml", ("build", "h"), "handouts.yaml: this is a pipe", id="config"),
        pytest.param(
            "content/handouts/en/x.yaml",
            ("build",),
            "x.yaml: this is a pipe (FIFO)",
            id="handout",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "templates/messages/en.yaml",
            ("build", "h", "--format", "html"),
            "this is a pipe",
            id="messages",
            marks=pytest.mark.slow,
        ),
        pytest.param(
            "assets/notes.txt",
            ("build", "h"),
            "can't use assets/notes.txt: this is a pipe",
            id="attachment",
            marks=pytest.mark.slow,
        ),
    ],
)
def test_a_fifo_never_hangs(
    scene: Scene, hostile, where: str, args: tuple[str, ...], expected: str
) -> None:
    scene.fifo(where)
    if where == "assets/notes.txt":
        _attachment(where)(scene)
    run = hostile(*args, timeout=20)
    run.assert_refused()
    assert expected in run.err
    assert written_files(scene.root / "output") == BEFORE


@pytest.mark.parametrize(
    ("link", "args"),
    [
        pytest.param("handouts.yaml", ("build", "h"), id="config"),
        pytest.param(
            "templates/handout.html", ("build", "h"), id="template", marks=pytest.mark.slow
        ),
        pytest.param(
            "content/handouts/en/x.yaml", ("build",), id="handout", marks=pytest.mark.slow
        ),
        pytest.param("assets/logo.png", ("build", "h"), id="logo", marks=pytest.mark.slow),
    ],
)
def test_a_link_to_dev_zero_is_refused_in_bounded_memory(
    scene: Scene, hostile, link: str, args: tuple[str, ...]
) -> None:
    scene.link(link, "/dev/zero")
    if link == "assets/logo.png":
        scene.logo()
    run = hostile(*args, timeout=20)
    run.assert_refused()
    assert "a link to a file outside the project" in run.err or "through the link" in run.err
    assert run.peak_mb < 300
    assert written_files(scene.root / "output") == BEFORE


@pytest.mark.slow
def test_a_huge_asset_costs_a_no_op_build_nothing(scene: Scene, hostile) -> None:
    """A big file in assets/ (a video kept there) is not read into memory by any build."""
    scene.sparse("assets/video.bin", 800 * 1024 * 1024)
    first = hostile("build", "h")
    first.assert_clean(code=0)
    again = hostile("build", "h")
    again.assert_clean(code=0)
    assert max(first.peak_mb, again.peak_mb) < 500
    assert again.seconds < 10
