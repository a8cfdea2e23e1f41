"""Participants: the names in a participants CSV, each with its row; their copies' file names."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import string
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from generator.errors import Problem, ProblemsError, display_path
from generator.files import MAX_FILE_BYTES, FileProblem, read_bytes
from generator.options import collapse_spaces, is_plain_file_name, name_problem, typed_text_problem

DEFAULT_NAME_PATTERN = "{id}-{n}"
#: How many copies one run makes: each is written as it is finished, so
#: memory does not grow with the count (see `copies`).
MAX_PARTICIPANTS = 10_000


@dataclass(frozen=True)
class Participant:
    """One row of a participants list: its row number, and the name.

    Rows are numbered as a spreadsheet numbers them: the file's first line
    is row 1, a blank line is a row, and a quoted name with a line break in it is one
    row, however many lines it takes in the file.
    """

    row: int
    name: str


#: What may separate a participants list's cells: the comma, or the semicolon
#: or tab that spreadsheets write where the comma is the decimal mark. The
#: header row decides: the first of these that gives it a `name` column.
_DELIMITERS = (",", ";", "\t")
_NOT_UTF8 = re.compile(r"[\ud800-\udfff]")


def read_participants(path: Path) -> list[Participant]:
    """The names in a participants CSV (its `name` column), or a located error.

    The file is read as written, with the csv module: one row is one copy,
    whatever line breaks a quoted name holds. In a name, every run of white
    space (line breaks too) is one space; other control characters are
    refused. Every name is checked to print (see `options.name_problem`)
    before anything is laid out; a problem names the row, never the name.
    """
    shown = display_path(path)
    try:
        raw = read_bytes(path, MAX_FILE_BYTES)
    except FileProblem as exc:
        raise ProblemsError([Problem(path=shown, message=exc.message)]) from None
    return participants_in(raw, shown)


def participants_in(raw: bytes, shown: str, limit: int = MAX_PARTICIPANTS) -> list[Participant]:
    """The names in a participants CSV's bytes (a file, or an upload kept in memory),
    at most `limit` of them; problems are located as `shown`, the row and the
    field, never with the name."""
    sheet = _Sheet(shown, raw)
    with _field_size_limit(len(sheet.text) + 1):
        delimiter, header_row, header = _header(sheet.text, sheet.fail, sheet.check_text)
        names, problems, count = _names(sheet, delimiter, header_row, header, limit)
    if count > limit:
        raise sheet.fail(
            f"there are {count} participants; one run makes at most "
            f"{limit} copies. Split the list into smaller files"
        )
    if problems:
        raise ProblemsError(problems)
    if not names:
        raise sheet.fail("there are no participants under the header row")
    return names


class _Sheet:
    """A participants file's text, and located errors about its rows."""

    def __init__(self, shown: str, raw: bytes):
        self.shown = shown
        self.raw = raw
        # Bytes that are not UTF-8 are kept (as surrogates) to find their row.
        bom = raw.startswith(codecs.BOM_UTF8)
        self.text = raw[len(codecs.BOM_UTF8) if bom else 0 :].decode("utf-8", "surrogateescape")
        # Most files have neither: then no row needs looking at for them.
        self.odd = bool(_NOT_UTF8.search(self.text)) or "\0" in self.text

    def fail(self, message: str, row: int | None = None) -> ProblemsError:
        """An error about the file, or one of its rows."""
        return ProblemsError([Problem(path=self.shown, message=message, line=row)])

    def check_text(self, row: int, cells: Sequence[str]) -> None:
        """Refuse a row with bytes that are not UTF-8 text, or a NUL."""
        if not self.odd:
            return
        for cell in cells:
            if _NOT_UTF8.search(cell):
                offset = _first_bad_byte(self.raw)
                raise self.fail(
                    f"the file is not UTF-8 text: the byte at offset {offset} (in this row) "
                    'is not UTF-8; save it as "CSV UTF-8" from your spreadsheet',
                    row,
                )
            if "\0" in cell:
                raise self.fail(
                    "this row has a NUL byte, so the file is not CSV text (it may be saved "
                    'as UTF-16, or be another kind of file); save it as "CSV UTF-8" from '
                    "your spreadsheet",
                    row,
                )


def _names(
    sheet: _Sheet, delimiter: str, header_row: int, header: Sequence[str], limit: int
) -> tuple[list[Participant], list[Problem], int]:
    """The participants under the header row, the rows' problems, and how many rows have one."""
    column = header.index("name")
    names: list[Participant] = []
    problems: list[Problem] = []
    count = 0
    for row, cells in _records(sheet.text, delimiter, sheet.fail):
        sheet.check_text(row, cells)
        if row <= header_row or all(_blank(cell) for cell in cells):
            continue
        count += 1
        if count > limit:
            continue  # counted for the message; one run stops at the limit
        if any(not _blank(cell) for cell in cells[len(header) :]):
            problems.append(
                Problem(
                    path=sheet.shown,
                    message=f"this row has {len(cells)} cells and the header row "
                    f"{len(header)}; if a name has {_SHOWN[delimiter]} in it, put the "
                    'name in double quotes ("Rivera, Alex")',
                    line=row,
                )
            )
            continue
        name = collapse_spaces(cells[column]) if column < len(cells) else ""
        wrong = name_problem(name) if name else "is empty; fill it in or delete the row"
        if wrong:
            problems.append(Problem(path=sheet.shown, message=wrong, line=row, field="name"))
            continue
        names.append(Participant(row, name))
    return names, problems, count


_SHOWN = {",": "a comma", ";": "a semicolon", "\t": "a tab"}


def _blank(cell: str) -> bool:
    # strip() takes U+001C-U+001F away too; those are not blank (see collapse_spaces).
    return not cell.strip() and not _SEPARATORS.search(cell)


_SEPARATORS = re.compile(r"[\x1c-\x1f]")


def _first_bad_byte(raw: bytes) -> int:
    """Where the first byte that is not UTF-8 is, counted from 0."""
    bom = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        raw[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        return bom + exc.start
    return 0


@contextlib.contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """Let a cell be as long as the file, so an unclosed quote is found as that.

    The csv module's own limit (128 KB) would stop such a file with an error
    that names no row; the file's size is bounded already.
    """
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, limit))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _records(
    text: str, delimiter: str, fail: Callable[[str, int], ProblemsError]
) -> Iterator[tuple[int, list[str]]]:
    """Each row of the CSV text with its number; a row that is not CSV is a located error."""
    # newline="": only CR, LF and CR LF end a row, and only outside quotes.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 0
    while True:
        row += 1
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise fail(_csv_problem(str(exc), row, line), row) from None
        yield row, cells


def _csv_problem(error: str, row: int, line: int) -> str:
    """The csv module's complaint about a row, said for people."""
    starts = f" (the row starts on line {line} of the file)" if line != row else ""
    if "unexpected end of data" in error:
        return (
            f'a quote (") opens in this row{starts} and is never closed, so the rest of '
            "the file would be read as one cell; close the quote, or write a quote that "
            'is part of a name as two ("")'
        )
    if "expected after" in error:
        return (
            f"a quoted cell in this row{starts} has more after its closing quote; put the "
            'whole cell in quotes, and write a quote inside it as two ("")'
        )
    return f"this row{starts} can't be read as CSV; check its quotes"


def _header(
    text: str,
    fail: Callable[[str, int | None], ProblemsError],
    check_text: Callable[[int, Sequence[str]], None],
) -> tuple[str, int, list[str]]:
    """The delimiter, and the header row (the first that is not blank): its number and cells."""
    first: ProblemsError | None = None
    found: tuple[int, list[str]] | None = None
    for delimiter in _DELIMITERS:
        try:
            rows = _records(text, delimiter, fail)
            first_row = next((r for r in rows if not all(map(_blank, r[1]))), None)
            if first_row is None:
                raise fail("the file is empty; it needs a header row with a `name` column", None)
        except ProblemsError as exc:
            first = first or exc
            continue
        row, cells = first_row
        # Bytes that are not text make the file no participants list at all.
        check_text(row, cells)
        header = [cell.strip().strip("\ufeff").strip().lower() for cell in cells]
        if header.count("name") > 1:
            raise fail("there is more than one `name` column; keep one, or rename the others", row)
        if "name" in header:
            return delimiter, row, header
        found = found or (row, header)
    if found is None and first is not None:
        raise first
    raise fail(
        "there is no `name` column; the first row must name the columns, with one called name",
        found[0] if found else None,
    )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "participant"


def check_name_pattern(pattern: str | None) -> str:
    """The pattern for participants' file names, checked; a mistake is a usage error."""

    def wrong(message: str) -> click.BadParameter:
        return click.BadParameter(message, param_hint="--name-pattern")

    unusable = typed_text_problem(pattern) if pattern else None
    if unusable:
        raise wrong(unusable)
    pattern = (pattern or DEFAULT_NAME_PATTERN).strip()
    if pattern.lower().endswith(".pdf"):
        pattern = pattern[: -len(".pdf")]

    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError:
        raise wrong(
            "a { or } is unpaired; write fields as {id}, {n} or {name}, and nothing else in braces"
        ) from None
    used = set()
    for _, field_name, spec, conversion in fields:
        if field_name is None:
            continue
        if field_name not in ("id", "n", "name") or spec or conversion:
            typed = (
                field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            )
            raise wrong(
                f"{{{typed}}} is not a field; use only {{id}}, {{n}} (the row number, "
                "001, 002...) and {name}"
            )
        used.add(field_name)
    if not used & {"n", "name"}:
        raise wrong("it needs {n} or {name}, or every copy would get the same name")
    if not is_plain_file_name(pattern):
        raise wrong("it must give a plain file name, not a path; use --out for the folder")
    return pattern


def participant_file_names(packet_id: str, names: Sequence[Participant], pattern: str) -> list[str]:
    """File names (without .pdf) for each participant's copy, all different; `pattern` as
    `check_name_pattern` gave it (checked once: "{n}.pdf.pdf" keeps one ".pdf")."""
    result = []
    for number, person in enumerate(names, start=1):
        result.append(pattern.format(id=packet_id, n=f"{number:03d}", name=_slug(person.name)))
    seen: dict[str, Participant] = {}
    for person, name in zip(names, result, strict=True):
        if name in seen:
            # Rows, never the file name: with {name} in it, it spells a participant's name.
            raise click.BadParameter(
                f"it gives two copies the same file name (rows {seen[name].row} and "
                f"{person.row} of the list); add {{n}}",
                param_hint="--name-pattern",
            )
        seen[name] = person
    return result
