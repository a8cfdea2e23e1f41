"""Model stage: the `contact` block, who the reader can reach and how."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from generator.blockbase import BlockModel, Loc
from generator.fields import Email, Line, Rich, WebAddress


class Contact(BlockModel):
    """Who to contact and how: an organisation's name, address, phone, email and website."""

    type: Literal["contact"]
    title: Line | None = None
    name: Line
    address: list[Line] = Field(default_factory=list, max_length=6)
    phone: Line | None = None
    email: Email | None = None
    website: WebAddress | None = None
    hours: Line | None = None
    note: Rich | None = None

    example = """\
# Contact details: who the reader can reach, and how. Only the name is needed.
- type: contact
  title: "Where to find us"
  name: "Riverside Community Health"
  address: ["12 River Street", "Springfield"]
  phone: "555-0100"
  email: "hello@riverside.example"
  website: "https://riverside.example"
  hours: "Monday to Friday, 9 to 5"
"""
    chunked = False

    def prose(self) -> Iterator[tuple[Loc, str]]:
        if self.note:
            yield ("note",), self.note
