"""Half characters: a `\\u` escape of one half of a UTF-16 pair (a surrogate).

YAML reads `"\\ud800"` as a character that no file, page or terminal can
hold; a pair of halves (`"\\ud83d\\ude00"`) is one character, as JSON reads it.
"""

from __future__ import annotations

import re

_HALF = re.compile("[\ud800-\udfff]")


def whole_characters(text: str) -> tuple[str, str]:
    """The text with each pair of halves made the character they stand for (PyYAML
    leaves them apart), and the first half left without its partner as its
    escape, or "" if there is none."""
    if not _HALF.search(text):
        return text, ""
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    half = _HALF.search(joined)
    return joined, escaped(half.group()) if half else ""


def escaped(text: str) -> str:
    """The text with each half character shown as its escape, as it was typed."""
    return _HALF.sub(lambda half: f"\\u{ord(half.group()):04x}", text)


def half_message(escape: str) -> str:
    return (
        f"has the escape {escape}, only half of a character that takes two \\u escapes: "
        "write the character itself, or both halves (like \\ud83d\\ude00)"
    )


def written_at(escape: str, lines: list[str], start: int, column: int, end: int) -> tuple[int, int]:
    """Where an escape is typed between two places in a file's lines (0-based), as
    1-based line and column; or the start, if it is typed another way."""
    pattern = re.compile(re.escape(escape), re.IGNORECASE)
    for number in range(start, min(end + 1, len(lines))):
        match = pattern.search(lines[number], column if number == start else 0)
        if match:
            return number + 1, match.start() + 1
    return start + 1, column + 1
