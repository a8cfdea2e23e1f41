"""Hostile participants lists: one row is one copy, with the name as written, or a located error.

The file is read as written, with the csv module: a line break inside a
quoted name is one space; any other run of white space (U+2028, NEL, form
feed, tabs, no-break spaces) is one space too, wherever it is; every other
control character is an error naming the row. No message ever repeats a name.
"""

from __future__ import annotations

import os
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from conftest import BREATH_PACKET, MINIMAL, Project
from generator import fonts
from generator.errors import ProblemsError
from generator.participants import MAX_PARTICIPANTS, Participant, read_participants


@pytest.fixture
def no_system_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the bundled fonts count, so what prints does not depend on this computer."""
    monkeypatch.setattr(fonts, "_system_font_has", lambda codepoint: False)


def read(tmp_path: Path, raw: bytes) -> list[Participant]:
    path = tmp_path / "people.csv"
    path.write_bytes(raw)
    return read_participants(path)


def problems_of(tmp_path: Path, raw: bytes, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProblemsError) as caught:
        read(tmp_path, raw)
    return [str(problem) for problem in caught.value.problems]


def words_of(names: list[str]) -> set[str]:
    """What of a name must never be in a message: its words, and its non-ASCII letters."""
    found = set()
    for name in names:
        found |= {word for word in name.split() if len(word) >= 3}
        found |= {c for c in name if not c.isascii() and unicodedata.category(c)[0] == "L"}
    return found


# --- one row, one name, as written --------------------------------------------------

#: (case, the CSV as bytes, the names read: (row, name) each).
ROWS: list[tuple[str, bytes, list[tuple[int, str]]]] = [
    ("lf in quotes", b'name\n"Ann\nQuorn"\nBo\n', [(2, "Ann Quorn"), (3, "Bo")]),
    ("crlf in quotes", b'name\r\n"Ann\r\nQuorn"\r\nBo\r\n', [(2, "Ann Quorn"), (3, "Bo")]),
    ("cr in quotes", b'name\n"Ann\rQuorn"\nBo\n', [(2, "Ann Quorn"), (3, "Bo")]),
    ("many breaks", b'name\n"Ann\n\n\r\n\rQuorn"\n', [(2, "Ann Quorn")]),
    ("break at the ends", b'name\n"\nAnn Quorn\r\n"\n', [(2, "Ann Quorn")]),
    ("u2028", "name\nAnn\u2028Quorn\nBo\n".encode(), [(2, "Ann Quorn"), (3, "Bo")]),
    ("u2029", "name\nAnn\u2029Quorn\nBo\n".encode(), [(2, "Ann Quorn"), (3, "Bo")]),
    ("nel", "name\nAnn\x85Quorn\nBo\n".encode(), [(2, "Ann Quorn"), (3, "Bo")]),
    ("form feed", b"name\nAnn\x0cQuorn\nBo\n", [(2, "Ann Quorn"), (3, "Bo")]),
    ("vertical tab", b"name\nAnn\x0bQuorn\nBo\n", [(2, "Ann Quorn"), (3, "Bo")]),
    ("tab", b"name,x\nAnn\t\tQuorn,1\n", [(2, "Ann Quorn")]),
    ("no-break space", "name\nAnn\u00a0Quorn\n".encode(), [(2, "Ann Quorn")]),
    ("ideographic space", "name\nAnn\u3000Quorn\n".encode(), [(2, "Ann Quorn")]),
    ("separators quoted", '"name"\n"Ann\u2028\u2029\x85Quorn"\n'.encode(), [(2, "Ann Quorn")]),
    ("bom", "\ufeffname\nAnn Quorn\n".encode(), [(2, "Ann Quorn")]),
    ("bom and crlf", "\ufeffname\r\nAnn Quorn\r\nBo\r\n".encode(), [(2, "Ann Quorn"), (3, "Bo")]),
    ("cr only (old Mac)", b"name\rAnn Quorn\rBo\r", [(2, "Ann Quorn"), (3, "Bo")]),
    ("no last newline", b"name\nAnn Quorn", [(2, "Ann Quorn")]),
    ("blank lines", b"\n\nname\n\nAnn Quorn\n\n\nBo\n\n", [(5, "Ann Quorn"), (8, "Bo")]),
    ("blank cells", b"name,x\n,\n , \nAnn Quorn,\n", [(4, "Ann Quorn")]),
    ("semicolons", b"email;name\na@x.org;Rivera, Alex\n;Bo\n", [(2, "Rivera, Alex"), (3, "Bo")]),
    ("tabs", b"email\tname\na@x.org\tRivera, Alex\n", [(2, "Rivera, Alex")]),
    ("comma quoted", b'name,email\n"Rivera, Alex",a@x.org\n', [(2, "Rivera, Alex")]),
    ("doubled quotes", b'name\n"Sam ""Jr"" O\'Neill"\n', [(2, 'Sam "Jr" O\'Neill')]),
    ("quote inside", b'name\nAnn "AJ" Quorn\n', [(2, 'Ann "AJ" Quorn')]),
    ("header case", b" NAME ,Email\nAnn Quorn,a@x\n", [(2, "Ann Quorn")]),
    ("header quoted", b'"email","name"\n"a@x","Ann Quorn"\n', [(2, "Ann Quorn")]),
    ("spaces kept single", b"name\n   Ann    Quorn   \n", [(2, "Ann Quorn")]),
    ("trailing empty cells", b"name\nAnn Quorn,,,\n", [(2, "Ann Quorn")]),
    ("rows after multi-line", b'name\n"A\nB"\n"C\r\nD"\nEd\n', [(2, "A B"), (3, "C D"), (4, "Ed")]),
    ("markup kept", b"name\n<b>Ann</b> & {{ x }}\n", [(2, "<b>Ann</b> & {{ x }}")]),
    ("formula kept", b"name\n=SUM(A1)\n", [(2, "=SUM(A1)")]),
    ("arabic", "name\n\u0645\u062d\u0645\u062f\n".encode(), [(2, "\u0645\u062d\u0645\u062f")]),
    (
        "hebrew marks",
        "name\n\u05e9\u05b8\u05c1\u200f\n".encode(),
        [(2, "\u05e9\u05b8\u05c1\u200f")],
    ),
    (
        "combining",
        "name\nZoe\u0308 Nguye\u0302\u0303n\n".encode(),
        [(2, "Zoe\u0308 Nguye\u0302\u0303n")],
    ),
    (
        "emoji zwj",
        "name\nSam \U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1\n".encode(),
        [(2, "Sam \U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1")],
    ),
    ("cjk", "name\n\u5f20\u4f1f\n".encode(), [(2, "\u5f20\u4f1f")]),
    ("devanagari", "name\n\u0905\u0928\u093f\u0932\n".encode(), [(2, "\u0905\u0928\u093f\u0932")]),
    ("name of 120", b"name\n" + b"Q" * 120 + b"\n", [(2, "Q" * 120)]),
    ("long other cell", b'name,notes\nAnn Quorn,"' + b"n" * 300_000 + b'"\n', [(2, "Ann Quorn")]),
    (
        "10,000 rows",
        b"name\n" + b"".join(b"P%d\n" % n for n in range(MAX_PARTICIPANTS)),
        [(n + 2, f"P{n}") for n in range(MAX_PARTICIPANTS)],
    ),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in ROWS], ids=[c[0] for c in ROWS])
def test_each_row_is_one_name_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes, expected: list[tuple[int, str]]
) -> None:
    # Reading only: whether this computer's fonts print every script is tested below.
    monkeypatch.setattr(fonts, "unprintable", lambda text: [])
    assert read(tmp_path, raw) == [Participant(row, name) for row, name in expected]


# --- a located error, never the name -------------------------------------------------

#: (case, the CSV as bytes, every problem, as printed).
ERRORS: list[tuple[str, bytes, list[str]]] = [
    (
        "unclosed quote, long tail",
        b'name\nAnn Quorn\n"Bo Quorn\nCy Quorn\nDi\n' + b"x" * 400_000,
        [
            'people.csv:3: a quote (") opens in this row and is never closed, so the rest of '
            "the file would be read as one cell; close the quote, or write a quote that is "
            'part of a name as two ("")'
        ],
    ),
    (
        "unclosed quote, last row",
        b'name\nAnn Quorn\nBo\n"',
        [
            'people.csv:4: a quote (") opens in this row and is never closed, so the rest of '
            "the file would be read as one cell; close the quote, or write a quote that is "
            'part of a name as two ("")'
        ],
    ),
    (
        "unclosed quote after multi-line names",
        b'name,x\n"Ann\nQuorn",1\n"Bo\r\nQ",2\nCy,"3\nDi\n',
        [
            'people.csv:4: a quote (") opens in this row (the row starts on line 6 of the file) '
            "and is never closed, so the rest of the file would be read as one cell; close the "
            'quote, or write a quote that is part of a name as two ("")'
        ],
    ),
    (
        "unclosed quote in the header",
        b'"name\nAnn Quorn\n',
        [
            'people.csv:1: a quote (") opens in this row and is never closed, so the rest of '
            "the file would be read as one cell; close the quote, or write a quote that is "
            'part of a name as two ("")'
        ],
    ),
    (
        "text after a closing quote",
        b'name\nBo\n"Ann" Quorn\n',
        [
            "people.csv:3: a quoted cell in this row has more after its closing quote; put the "
            'whole cell in quotes, and write a quote inside it as two ("")'
        ],
    ),
    (
        "comma not quoted",
        b"name\nQuorn, Ann\n",
        [
            "people.csv:2: this row has 2 cells and the header row 1; if a name has a comma "
            'in it, put the name in double quotes ("Rivera, Alex")'
        ],
    ),
    (
        "semicolon not quoted",
        b"name;email\nQuorn; Ann;a@x\n",
        [
            "people.csv:2: this row has 3 cells and the header row 2; if a name has a "
            'semicolon in it, put the name in double quotes ("Rivera, Alex")'
        ],
    ),
    *[
        (
            f"control U+{ord(c):04X}",
            f"name\nBo\nAnn{c}Quorn\n".encode(),
            ["people.csv:3: name: has hidden control characters; retype it"],
        )
        for c in "\x01\x07\x08\x1b\x1c\x1d\x1e\x1f\x7f\x80\x9b\x9f"
    ],
    (
        "terminal escape",
        b"name\n\x1b[2J\x1b[31mAnn Quorn\n",
        ["people.csv:2: name: has hidden control characters; retype it"],
    ),
    (
        "control in a quoted multi-line name",
        b'name\n"Ann\n\x1cQuorn"\nBo\x00\n',
        [
            "people.csv:3: this row has a NUL byte, so the file is not CSV text (it may be "
            'saved as UTF-16, or be another kind of file); save it as "CSV UTF-8" from your '
            "spreadsheet"
        ],
    ),
    (
        "only a separator",
        b"name,x\n\x1c,1\n",
        ["people.csv:2: name: has hidden control characters; retype it"],
    ),
    *[
        (
            f"not utf-8 {label}",
            b"name\nBo\nAnn " + bad + b"Quorn\n",
            [
                "people.csv:3: the file is not UTF-8 text: the byte at offset 12 (in this row) "
                'is not UTF-8; save it as "CSV UTF-8" from your spreadsheet'
            ],
        )
        for label, bad in [
            ("latin-1", b"\xeb"),
            ("lone ff", b"\xff"),
            ("overlong", b"\xc0\xaf"),
            ("surrogate", b"\xed\xa0\x80"),
            ("cut short", b"\xe2\x82"),
        ]
    ],
    (
        "not utf-8 after a bom, in a quoted name",
        b'\xef\xbb\xbfname\n"Ann\n\xffQuorn"\n',
        [
            "people.csv:2: the file is not UTF-8 text: the byte at offset 13 (in this row) "
            'is not UTF-8; save it as "CSV UTF-8" from your spreadsheet'
        ],
    ),
    (
        "utf-16",
        "name\nAnn Quorn\n".encode("utf-16"),
        [
            "people.csv:1: the file is not UTF-8 text: the byte at offset 0 (in this row) "
            'is not UTF-8; save it as "CSV UTF-8" from your spreadsheet'
        ],
    ),
    (
        "utf-16 without a bom",
        "name\nAnn Quorn\n".encode("utf-16-le"),
        [
            "people.csv:1: this row has a NUL byte, so the file is not CSV text (it may be "
            'saved as UTF-16, or be another kind of file); save it as "CSV UTF-8" from your '
            "spreadsheet"
        ],
    ),
    (
        "nul in another column",
        b"name,x\nAnn Quorn,\x00\n",
        [
            "people.csv:2: this row has a NUL byte, so the file is not CSV text (it may be "
            'saved as UTF-16, or be another kind of file); save it as "CSV UTF-8" from your '
            "spreadsheet"
        ],
    ),
    (
        "empty",
        b"",
        ["people.csv: the file is empty; it needs a header row with a `name` column"],
    ),
    (
        "only blank lines",
        b"\r\n\n \n\t\n",
        ["people.csv: the file is empty; it needs a header row with a `name` column"],
    ),
    ("header only", b"name\r\n", ["people.csv: there are no participants under the header row"]),
    (
        "header and blank rows",
        b"name,x\n,\n\n  ,  \n",
        ["people.csv: there are no participants under the header row"],
    ),
    (
        "no name column",
        b"\nemail,full name\na@x,Ann Quorn\n",
        [
            "people.csv:2: there is no `name` column; the first row must name the columns, "
            "with one called name"
        ],
    ),
    (
        "two name columns",
        b"name,email,Name\nAnn Quorn,a@x,Bo\n",
        ["people.csv:1: there is more than one `name` column; keep one, or rename the others"],
    ),
    (
        "empty names",
        b"name,email\nAnn Quorn,a@x\n,b@x\n\x0b\x0c\xc2\xa0,c@x\n",
        [
            "people.csv:3: name: is empty; fill it in or delete the row",
            "people.csv:4: name: is empty; fill it in or delete the row",
        ],
    ),
    (
        "missing cell",
        b"email,name\na@x\n",
        ["people.csv:2: name: is empty; fill it in or delete the row"],
    ),
    (
        "name of 121",
        b"name\nAnn\n" + b"Q" * 121 + b"\n",
        ["people.csv:3: name: is 121 characters long; a name may have at most 120"],
    ),
    (
        "huge quoted name",
        b'name\n"' + b"Quorn\n" * 200_000 + b'"\nBo\n',
        ["people.csv:2: name: is 1199999 characters long; a name may have at most 120"],
    ),
    (
        "10,001 rows",
        b"name\n" + b"".join(b"P%d\n" % n for n in range(MAX_PARTICIPANTS + 1)),
        [
            "people.csv: there are 10001 participants; one run makes at most 10000 copies. "
            "Split the list into smaller files"
        ],
    ),
    (
        "a million short rows",
        b"name\n" + b"Q\n" * 1_000_000,
        [
            "people.csv: there are 1000000 participants; one run makes at most 10000 copies. "
            "Split the list into smaller files"
        ],
    ),
    (
        "over 2 MB",
        b"name\n" + b"Q" * (3 * 1024 * 1024),
        ["people.csv: the file is 3.0 MB; the limit is 2.0 MB"],
    ),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_a_misread_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raw: bytes, expected: list[str]
) -> None:
    found = problems_of(tmp_path, raw, monkeypatch)
    assert found == expected
    assert "Quorn" not in "".join(found)


@pytest.mark.parametrize(
    ("raw", "row"),
    [
        ("name\nAnn Quorn\n\u5f20\u4f1f\n".encode(), 3),
        ("name\n\u05e9\u05b8\u05c1\u05dc\u200f\n".encode(), 2),
        ('name,x\nBo,1\n"\u0e2a\u0e21\n\u0e0a\u0e32\u0e22",2\n'.encode(), 3),
        ("name\n\u10d0\u10dc\u10d0\u2028\u10e5\u10d5\u10dd\u10e0\u10dc\n".encode(), 2),
        ("name\r\nAnn Quorn\r\n\u0531\u0576\u056b\r\n".encode(), 3),
        ("name\nSam \U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1\n".encode(), 2),
        ("name\nAnn \ue000 Quorn\n".encode(), 2),
    ],
    ids=["cjk", "hebrew", "thai across lines", "georgian", "armenian", "emoji zwj", "private use"],
)
def test_a_script_no_font_has_names_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_system_fonts: None, raw: bytes, row: int
) -> None:
    found = problems_of(tmp_path, raw, monkeypatch)
    assert len(found) == 1
    assert found[0].startswith(f"people.csv:{row}: name: has ")
    assert "no font this tool bundles or this computer has can print" in found[0]
    assert not [w for w in words_of([raw.decode()]) - {"name"} if w in found[0]]


# --- through the command: exit 1, nothing written, nothing of the name said -----------


@pytest.mark.parametrize(
    "raw",
    [
        b'name\nAnn Quorn\n"Bo Quorn\n' + b"q" * 300_000,
        b"name\nAnn\x1cQuorn\n",
        b"name\nQuorn, Ann\n",
        b"name\nZo\xeb Quorn\n",
        "name\nAnn Quorn\n".encode("utf-32"),
    ],
    ids=["unclosed quote", "separator", "comma", "latin-1", "utf-32"],
)
def test_the_command_stops_before_writing(
    mini_packet: Project, cli: Callable[..., Result], raw: bytes
) -> None:
    people = mini_packet.root / "people.csv"
    people.write_bytes(raw)
    result = cli("packet", "mini", "--participants", "people.csv", "-j", "1")
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("people.csv:")
    assert lines[-1] == "1 problem in 1 file; nothing was written."
    assert "Traceback" not in result.output and "Quorn" not in result.output
    assert mini_packet.output_files() == {}


@pytest.mark.parametrize("kind", ["device", "fifo", "folder", "missing", "under a file"])
def test_a_list_that_is_no_file(
    mini_packet: Project, cli: Callable[..., Result], kind: str
) -> None:
    target = {
        "device": "/dev/zero",
        "fifo": "pipe.csv",
        "folder": "folder.csv",
        "missing": "missing.csv",
        "under a file": "file.csv/people.csv",
    }[kind]
    os.mkfifo(mini_packet.root / "pipe.csv")
    (mini_packet.root / "folder.csv").mkdir()
    (mini_packet.root / "file.csv").write_text("name\nAnn\n")
    result = cli("packet", "mini", "--participants", target, "-j", "1")
    assert "Traceback" not in result.output
    if kind == "folder":
        # Click's own check: a mistake in the command.
        assert result.exit_code == 2
        assert "is a directory" in result.stderr
    else:
        assert result.exit_code == 1
        expected = {
            "device": "/dev/zero: this is a device, not a file",
            "fifo": "pipe.csv: this is a pipe (FIFO), not a file",
            "missing": "missing.csv: file not found; check the name and folder",
            "under a file": "file.csv/people.csv: can't be read (Not a directory); check its "
            "permissions",
        }[kind]
        assert result.stderr.splitlines()[0] == expected
    assert mini_packet.output_files() == {}


# --- one row, one copy, the name on its cover as written -------------------------------

#: (case, the name cell as written in the CSV, the name on the cover).
COPIES: list[tuple[str, str, str]] = [
    ("lf in quotes", '"Ann\nLinefeed"', "Ann Linefeed"),
    ("crlf in quotes", '"Ann\r\nWindows"', "Ann Windows"),
    ("cr in quotes", '"Ann\rMac"', "Ann Mac"),
    ("u2028", "Ann\u2028Lsep", "Ann Lsep"),
    ("u2029 and nel", "Ann\u2029\x85Psep", "Ann Psep"),
    ("form feed and vertical tab", "Ann\x0c\x0bFeed", "Ann Feed"),
    ("comma and quotes", '"Rivera, ""Alex"" O\'Neill"', 'Rivera, "Alex" O\'Neill'),
    ("markup", "<b>Ann</b> & {{ Markup }}", "<b>Ann</b> & {{ Markup }}"),
    ("greek across lines", '"Ελένη\r\nΠαπαδοπούλου"', "Ελένη Παπαδοπούλου"),
    ("cyrillic", "Иван\u2028Петров", "Иван Петров"),
    ("vietnamese combining", "Nguye\u0302\u0303n Thi\u0323 A\u0301nh", "Nguyễn Thị Ánh"),
    ("arabic across lines", '"محمد\nالأحمد"', "محمد الأحمد"),
    ("arabic and latin", "Sam محمد", "Sam محمد"),
    ("devanagari", "अनिल\u2028कुमार", "अनिल कुमार"),
]


def _squashed(text: str) -> str:
    """Text as extraction gives it back, whatever its direction: no spaces or marks."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def _alphabetic(char: str) -> bool:
    """Whether a character is of a script that text extraction gives back as written."""
    return char.isascii() or unicodedata.name(char, "").split()[0] in ("LATIN", "GREEK", "CYRILLIC")


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """One packet build from a CSV with a row for each case: each cover's text, in order."""
    from click.testing import CliRunner

    from generator.cli import main

    root = tmp_path_factory.mktemp("copies")
    (root / "content" / "handouts" / "en").mkdir(parents=True)
    (root / "content" / "packets").mkdir()
    (root / "content" / "handouts" / "en" / "breath.yaml").write_text(MINIMAL, encoding="utf-8")
    (root / "content" / "packets" / "mini.yaml").write_text(BREATH_PACKET, encoding="utf-8")
    # A spreadsheet's export: a byte-order mark, CR LF, another column, blank rows.
    rows = ["email,name", ""] + [
        f"p{n}@example.org,{cell}" for n, (_, cell, _) in enumerate(COPIES)
    ]
    (root / "people.csv").write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode())
    previous = Path.cwd()
    os.chdir(root)
    try:
        result = CliRunner().invoke(
            main, ["packet", "mini", "--participants", "people.csv"], catch_exceptions=False
        )
    finally:
        os.chdir(previous)
    assert result.exit_code == 0, result.output
    assert not [w for w in words_of([name for _, _, name in COPIES]) if w in result.output]
    paths = [root / line for line in result.stdout.splitlines()]
    assert [p.name for p in paths] == [f"mini-{n:03d}.pdf" for n in range(1, len(COPIES) + 1)]
    return [
        subprocess.run(
            ["pdftotext", "-f", "1", "-l", "1", str(path), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for path in paths
    ]


@pytest.mark.xdist_group("participant-copies")  # shares a module fixture: see pyproject.toml
@pytest.mark.parametrize(
    ("index", "expected"),
    [(n, name) for n, (_, _, name) in enumerate(COPIES)],
    ids=[case for case, _, _ in COPIES],
)
def test_each_copy_has_its_name_as_written(copies: list[str], index: int, expected: str) -> None:
    cover = copies[index]
    line = next(line for line in cover.splitlines() if line.startswith("Prepared for"))
    if not all(_alphabetic(c) for c in expected):
        # Extraction orders right-to-left text, and spaces shaped scripts, its own way:
        # the letters must all be there, in the order they are drawn.
        assert _squashed(line) == _squashed(f"Prepared for {expected}")
    else:
        assert unicodedata.normalize("NFC", line) == f"Prepared for {expected}"
    # No other copy's name is on this cover.
    for other, (_, _, name) in enumerate(COPIES):
        if other != index and name not in expected:
            assert _squashed(name) not in _squashed(cover)
