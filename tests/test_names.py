"""Every name prints, or is refused before anything is written, and no message repeats it."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from conftest import BREATH_PACKET, Project, tiny_png
from generator import fonts

NAMES = {
    "chinese": "张伟",
    "arabic": "محمد الأحمد",
    "greek": "Ελένη Παπαδοπούλου",
    "vietnamese": "Nguyễn Thị Ánh",
    "cyrillic": "Иван Петров",
    "emoji": "Sam 🧑\u200d🤝\u200d🧑",
}


@pytest.fixture
def packet(project: Project) -> Project:
    project.add("breath.yaml")
    folder = project.root / "content/packets"
    folder.mkdir()
    (folder / "mini.yaml").write_text(BREATH_PACKET, encoding="utf-8")
    return project


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    """This computer's fonts left out, so what the bundled ones print is what is tested."""
    monkeypatch.setattr(fonts, "_system_font_has", lambda codepoint: False)


def personal_characters(names: list[str]) -> set[str]:
    return {c for name in names for c in name if not c.isascii() and not c.isspace()}


def write_people(project: Project, names: list[str]) -> Path:
    path = project.root / "people.csv"
    path.write_text("name\n" + "\n".join(names) + "\n", encoding="utf-8")
    return path


def fonts_of(path: Path) -> set[str]:
    with pikepdf.open(path) as pdf:
        return {
            str(font.BaseFont).split("+")[-1]
            for page in pdf.pages
            for font in page.obj.Resources.get("/Font", {}).values()
        }


def test_unprintable_rows_stop_the_run_by_row_number(
    packet: Project, cli, no_system_fonts: None
) -> None:
    names = list(NAMES.values())
    result = cli("packet", "mini", "--participants", str(write_people(packet, names)))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "people.csv:2: name: has 2 characters (Chinese, Japanese or Korean characters) that "
        "no font this tool bundles or this computer has can print"
    )
    assert lines[1].startswith(
        "people.csv:7: name: has 2 characters (emoji or symbols) that no font"
    )
    assert lines[2] == "2 problems in 1 file; nothing was written."
    assert not personal_characters(names) & set(result.output)
    assert packet.output_files() == {}


def test_names_in_the_bundled_scripts_print(packet: Project, cli, no_system_fonts: None) -> None:
    names = [NAMES["arabic"], NAMES["greek"], NAMES["vietnamese"], NAMES["cyrillic"]]
    result = cli("packet", "mini", "--participants", str(write_people(packet, names)), "--strict")
    assert result.exit_code == 0, result.output
    assert not personal_characters(names) & set(result.output)
    copies = [Path(line) for line in result.stdout.split()]
    assert [p.name for p in copies] == [f"mini-00{n}.pdf" for n in range(1, 5)]
    greek = copies[1]
    with pdfplumber.open(greek) as pdf:
        assert "Ελένη Παπαδοπούλου" in pdf.pages[0].extract_text()
    assert "Handouts-Noto-Sans-Bold" in fonts_of(greek)
    assert "Handouts-Noto-Sans-Arabic-Bold" in fonts_of(copies[0])
    # The fallbacks are subsets: a copy stays small.
    assert greek.stat().st_size < 400_000


def test_a_plain_name_needs_no_fallback_font(packet: Project, cli) -> None:
    result = cli("packet", "mini", "--participants", str(write_people(packet, ["Zoë Adams"])))
    assert result.exit_code == 0, result.output
    assert not any("Noto" in font for font in fonts_of(Path(result.stdout.strip())))


def test_every_name_prints_or_is_refused_on_this_computer(packet: Project, cli) -> None:
    """With the fonts this computer really has: each name prints, or names its row."""
    names = list(NAMES.values())
    result = cli("packet", "mini", "--participants", str(write_people(packet, names)))
    assert not personal_characters(names) & set(result.output)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        assert all(line.startswith("people.csv:") for line in result.stderr.splitlines()[:-1])
        assert packet.output_files() == {}
    else:
        assert result.exit_code == 0
        assert len(result.stdout.split()) == len(names)


@pytest.mark.parametrize("command", [("build", "breath"), ("packet", "mini")])
def test_an_unprintable_client_name_is_refused_without_repeating_it(
    packet: Project, cli, no_system_fonts: None, command: tuple[str, str]
) -> None:
    result = cli(*command, "--client-name", "Wei 张伟")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(
        "Error: Invalid value for --client-name: the name has 2 characters (Chinese, "
        "Japanese or Korean characters) that no font"
    )
    assert "张" not in result.output and "Wei" not in result.output
    assert packet.output_files() == {}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("A" * 121, "the name is 121 characters long; a name may have at most 120"),
        ("Sam\x07Lee", "the name has hidden control characters; retype it"),
        ("Sam \udcff", "the name is not valid text (it has bytes that are not UTF-8); retype it"),
    ],
)
def test_other_names_that_cannot_go_on_the_page(
    packet: Project, cli, name: str, message: str
) -> None:
    result = cli("build", "breath", "--client-name", name)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: Invalid value for --client-name: {message}"
    assert packet.output_files() == {}


def test_a_long_unbroken_name_wraps_inside_the_page(packet: Project, cli) -> None:
    name = "W" * 120
    for command in (("build", "breath"), ("packet", "mini")):
        result = cli(*command, "--client-name", name, "--strict")
        assert result.exit_code == 0, result.output
        path = Path(result.stdout.strip())
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            ws = [c for c in page.chars if c["text"] == "W" and c["size"] > 12]
            assert len(ws) == 120
            # Inside the side margins (about an inch), not just inside the paper.
            assert min(c["x0"] for c in ws) >= 0.5 * 72
            assert max(c["x1"] for c in ws) <= page.width - 0.5 * 72
            assert len({round(c["top"]) for c in ws}) >= 2


def test_a_name_is_never_in_a_warning(
    packet: Project, cli, no_system_fonts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """WeasyPrint quotes characters it had no font for: never a name's, in any message."""
    # As if the check before layout had missed them: the layout's own warning is the net.
    monkeypatch.setattr(fonts, "unprintable", lambda text: [])
    for command in (("build", "breath"), ("packet", "mini")):
        result = cli(*command, "--client-name", "Wei 张伟", "-j", "1")
        assert result.exit_code == 1, result.output
        assert result.stderr.splitlines()[0] == (
            "--client-name: the name has characters that no font on this computer could "
            "print; install a font that covers them, or write the name another way"
        )
        assert "张" not in result.output and "Wei" not in result.output
        assert packet.output_files() == {}


def test_other_warnings_leave_the_name_out(packet: Project, cli) -> None:
    css = packet.root / "templates" / "css"
    css.mkdir(parents=True)
    # A name inside a warning's quoted CSS: it is taken out, the warning stays.
    (css / "ink-saver.css").write_text("p { width: Sam Lee; }\n")
    generic = cli("build", "breath", "--ink-saver")
    assert "warning: Ignored `width: Sam Lee`" in generic.stderr
    result = cli("build", "breath", "--ink-saver", "--client-name", "Sam Lee")
    assert result.exit_code == 0, result.output
    assert "warning: Ignored `width: (the name)`" in result.stderr
    assert "Sam Lee" not in result.output


@pytest.mark.parametrize(
    "template",
    [
        '{% extends "base.html" %}{% block title %}{{ handout.title }} for {{ client_name }}'
        '{% endblock %}{% block body %}{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block description %}{{ client_name }}{% endblock %}'
        '{% block body %}{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block body %}<h2>Plan for {{ client_name|upper }}</h2>'
        '{% include "_handout.html" %}{% endblock %}',
        # From a red team: the name, in some form, where the PDF keeps it off the page.
        '{% extends "base.html" %}{% block body %}<h2>{{ client_name|replace(" ", "") }}</h2>'
        '{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block body %}<p id="{{ client_name }}">x</p>'
        '{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block body %}'
        '<a href="https://example.org/{{ client_name|urlencode }}">l</a>'
        '{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block body %}<img src="../../../assets/x.png" alt="{{ client_name }}">'
        '{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block body %}'
        '<input type="text" name="n" value="{{ client_name|lower }}">'
        '{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block body %}<textarea>{{ client_name }}</textarea>'
        '{% include "_handout.html" %}{% endblock %}',
        '{% extends "base.html" %}{% block body %}<p style="bookmark-label: \'{{ client_name }}\'">'
        'x</p>{% include "_handout.html" %}{% endblock %}',
    ],
    ids=["title", "meta", "heading", "squeezed", "id", "href", "alt", "field", "textarea", "style"],
)
def test_a_template_may_not_take_the_name_off_the_page(
    project: Project, cli, template: str
) -> None:  # type: ignore[no-untyped-def]
    """The PDF makes its title and subject from <title> and <meta>, its bookmarks from
    the headings: a project template once moved the client's name into them."""
    project.add("h.yaml")
    (project.root / "templates").mkdir()
    (project.root / "templates" / "handout.html").write_text(template, encoding="utf-8")
    (project.root / "assets").mkdir(exist_ok=True)
    (project.root / "assets" / "x.png").write_bytes(tiny_png())
    result = cli("build", "h", "--client-name", "Zed Leakname")
    assert result.exit_code == 1
    assert "puts the client's name somewhere the PDF takes off the page" in result.output
    assert "leakname" not in result.output.lower()
    assert project.output_files() == {}
    # The same template without a name builds: nothing else is wrong with it.
    assert cli("build", "h").exit_code == 0


def test_a_template_may_print_the_name_on_the_page_in_its_own_way(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    """On the page, in any form and with a class of its own, the name is where it belongs."""
    project.add("h.yaml")
    (project.root / "templates").mkdir()
    (project.root / "templates" / "handout.html").write_text(
        '{% extends "base.html" %}{% block body %}'
        '<p class="to-{{ client_name|length }}">For {{ client_name|upper }}, '
        "{{ client_name.split()[0] }}</p>"
        '{% include "_handout.html" %}{% endblock %}',
        encoding="utf-8",
    )
    result = cli("build", "h", "--client-name", "Zed Leakname")
    assert result.exit_code == 0, result.output


def test_a_name_that_is_also_a_word_in_a_heading_is_no_leak(project: Project, cli) -> None:  # type: ignore[no-untyped-def]
    """A client named Tolerance and a handout titled "Your window of tolerance"."""
    result = cli("build", "window-of-tolerance", "--client-name", "Tolerance")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "fault",
    [
        "{% include client_name %}",
        "{% set d = {} %}{{ d[client_name].x }}",
        "{{ messages[client_name].x }}",
        "{{ client_name|int + 1 }}{{ undefined_thing[client_name] }}",
    ],
)
def test_a_template_fault_never_says_the_name(project: Project, cli, fault: str) -> None:  # type: ignore[no-untyped-def]
    """A red team's: the template error quoted what the template did with the name."""
    project.add("h.yaml")
    (project.root / "templates").mkdir()
    (project.root / "templates" / "handout.html").write_text(
        '{% extends "base.html" %}{% block body %}{% if client_name %}'
        + fault
        + '{% endif %}{% include "_handout.html" %}{% endblock %}',
        encoding="utf-8",
    )
    result = cli("build", "h", "--client-name", "Zqxjvonk Plemb")
    assert result.exit_code == 1
    assert "templates/handout.html:1: " in result.output
    assert "Zqxjvonk" not in result.output and "Plemb" not in result.output
    assert project.output_files() == {}
