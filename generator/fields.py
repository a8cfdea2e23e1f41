"""Model stage: the base of every content model, and the field types they share, with limits."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, StringConstraints

#: Longest text a single field may hold: a paragraph is a few sentences, and
#: a runaway field would otherwise take minutes to lay out.
MAX_TEXT = 5000
MAX_LINE = 300
#: Most items one list may have.
MAX_ITEMS = 100

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


#: Characters that print nothing: zero-width spaces and joiners, the word joiner,
#: the byte-order mark. Inside text they may belong there; alone, nothing shows.
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad\s]*")


#: Accents stacked on one letter, more than any language writes (Vietnamese two,
#: phonetics three or four): "Zalgo" text, whose marks draw off the page.
_STACKED = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]{5,}")


def _printable(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(
            f"contains an invisible control character (U+{ord(found.group(0)):04X}); "
            "retype the text around it"
        )
    stacked = _STACKED.search(value)
    if stacked:
        raise ValueError(
            f"has {len(stacked.group(0))} accents stacked on one letter, which draw above "
            "the line and off the page; retype the text around it"
        )
    if _INVISIBLE.fullmatch(value):
        raise ValueError("has only characters that print nothing; write the text")
    return value


# Text the reader sees: never empty, outer white space dropped, no control
# characters, and of a size a page can hold.
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(_printable),
]


def _one_line(value: str) -> str:
    if "\n" in value:
        raise ValueError("must be one line; join the lines or shorten it")
    if len(value) > MAX_LINE:
        raise ValueError(f"is {len(value)} characters; a line holds at most {MAX_LINE}")
    return value


Line = Annotated[Text, AfterValidator(_one_line)]

#: Numbers as YAML writes them: `yes` (true) or "2" (text) is not taken for one.
Whole = Annotated[int, Strict()]
Number = Annotated[float, Strict()]

Email = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
WebAddress = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https://\S+$")]


def at_most(limit: int, room: str) -> AfterValidator:
    """A check that text is at most `limit` characters; `room` says where it goes and how."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value)} characters; {room.format(limit=limit)}")
        return value

    return AfterValidator(check)


def fits_footer(limit: int) -> AfterValidator:
    """A check that text printed in every page's footer is short enough to fit it."""
    return at_most(
        limit,
        "it is printed in the footer of every page, which has room for at most {limit}. Shorten it",
    )


_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def language_problem(value: str) -> str | None:
    """Why a text is not a language tag, or None when it is one."""
    if not _LANGUAGE_RE.match(value):
        return 'must be a language tag such as "en", "es" or "fr-CA"'
    return None


def _language(value: str) -> str:
    problem = language_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


LanguageTag = Annotated[str, AfterValidator(_language)]


class Model(BaseModel):
    """Base for every content model: frozen, and strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class RichText(str):
    """Text that may hold paragraphs and lists (see `markup`): its type says how it prints."""

    __slots__ = ()


def _rich(depth: int) -> AfterValidator:
    def check(value: str) -> RichText:
        from generator.markup import list_depth  # Markdown is loaded only where needed

        if (found := list_depth(value)) > depth:
            where = " inside a list item" if depth < MAX_LIST_DEPTH else ""
            raise ValueError(
                f"has lists nested {found} deep{where}; at most {MAX_LIST_DEPTH} levels "
                "fit a page in all. Move the innermost items up a level, or into a list of "
                "their own"
            )
        return RichText(value)

    return AfterValidator(check)


#: Lists may nest this deep on a page: a list, and a list inside an item.
MAX_LIST_DEPTH = 2

_RICH = (
    "Text with **bold**, *italics* and [links](https://...); a blank line starts a new "
    "paragraph, and lines starting with - or 1. make a list"
)

#: Rich text in a box, a cell or a column: paragraphs and lists two deep.
Rich = Annotated[Text, _rich(MAX_LIST_DEPTH), Field(description=_RICH)]
#: Rich text that is itself a list item: a list inside it is the second level.
RichItem = Annotated[
    Text, _rich(MAX_LIST_DEPTH - 1), Field(description=_RICH + ", one level deep here")
]
