"""Content stage, YAML text: a file's bytes as text, and what to say when they can't be.

The messages name what a person can do: save the file as UTF-8, delete a
control character that came in with pasted text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def a_handout(path: Path) -> bool:
    """Whether a file is where handouts are (content/handouts/<language>/)."""
    return len(path.parts) >= 3 and path.parts[-3] == "handouts"


def decode(raw: bytes, fail: Any) -> str:
    head = raw[:400]
    # UTF-16 text without a byte-order mark has a NUL in every other byte.
    utf16 = len(head) >= 4 and (
        head[0::2].count(0) > len(head) * 0.4 or head[1::2].count(0) > len(head) * 0.4
    )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16:
        raise fail("the file is saved as UTF-16; save it as UTF-8 instead")
    if b"\x00" in raw:
        raise fail("this looks like a binary file, not YAML text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise fail(
            "the file is not valid UTF-8 text; save it as UTF-8 "
            "(your editor's Save As or Encoding menu can do that)",
            line,
            column,
        ) from None


def control_character(text: str, exc: yaml.reader.ReaderError) -> tuple[str, int, int]:
    """What to say of a character YAML refuses, and its line and column (PyYAML counts
    characters from the start)."""
    before = text[: exc.position]
    line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
    message = (
        f"the character U+{code:04X} (a control character, which prints nothing) can't "
        "be in YAML text; delete it (it may have come in with pasted text)"
    )
    return message, line, column
