"""Page geometry: the paper, margins and type sizes of each print profile, in one value.

The stylesheets (css/_page_number.css, print.css, large-print.css and the
packet's numbers layer), the footer's height estimate, the table and scale
estimates and the PDF checks all read these numbers from here, so a margin
changed here (or in handouts.yaml, `theme: margins`) moves all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Paper:
    """A paper size: its CSS name and its size in inches."""

    css: str
    width: float
    height: float


PAPERS = {
    "letter": Paper("letter", 8.5, 11.0),
    "a4": Paper("A4", 8.27, 11.69),
}


@dataclass(frozen=True)
class FooterType:
    """The footer's type and place, which the bottom margin is sized by."""

    size: float  # pt
    leading: float
    # The page number's box, a share of the text width at the bottom right:
    # the footer's last lines (the version line) leave it this much room.
    number_share: float
    # The footer's last line and the page number end this far (in) above the
    # page's bottom edge, wherever the footer's text wraps.
    lift: float
    #: The rule above the footer, and the space between it and the first line (pt).
    rule: float = 0.75
    padding: float = 6.0
    #: Room kept between the body's last line and the rule (pt): a full page's
    #: text would otherwise sit on it (pagequality.FOOTER_GAP_PT).
    clearance: float = 6.0
    #: Space below each footer paragraph (pt).
    gap: float = 2.0
    #: The page number's line height; its box is aligned to the bottom.
    number_leading: float = 1.3

    @property
    def number_width(self) -> str:
        """The page number box's width, as CSS."""
        return f"{self.number_share:.0%}"


@dataclass(frozen=True)
class Margins:
    """Page margins in inches: the top, and the left and right each."""

    top: float
    sides: float

    def css(self, bottom: str) -> str:
        """The page's `margin` in CSS, with the bottom one given."""
        return f"{self.top}in {self.sides}in {bottom} {self.sides}in"


@dataclass(frozen=True)
class PageGeometry:
    """One print profile's page: paper, margins, and the type sizes layout estimates use.

    The bottom margin is the footer's, sized per page from its text (see
    footer.py); a packet's cover has no footer and a margin of its own.
    """

    paper: Paper
    margins: Margins
    footer: FooterType
    body_size: float  # pt
    body_leading: float
    #: Hints and a scale's end labels.
    small_size: float
    h1: float
    h2: float
    h3: float
    #: A table cell's padding left and right, and its border (pt).
    cell_padding: float
    cell_border: float
    #: A list's indent (em).
    list_indent: float
    #: A packet cover's bottom margin (in): it has no footer.
    cover_bottom: float
    large_print: bool

    @property
    def text_width(self) -> float:
        """The width (pt) between the side margins."""
        return (self.paper.width - 2 * self.margins.sides) * POINTS_PER_INCH

    @property
    def height(self) -> float:
        """The page's height in pt."""
        return self.paper.height * POINTS_PER_INCH

    def text_height(self, footer_height: float) -> float:
        """The height (pt) between the top margin and a footer of this height (pt)."""
        return self.height - self.margins.top * POINTS_PER_INCH - footer_height

    def card_height(self, footer_height: float) -> str:
        """A pocket card's least height, as CSS: 3.6 in, or less where a tall footer
        (a practice's details) leaves less room than two rows of them and the hint need."""
        hint, frame, slack = 24.0, 26.0, 6.0  # the cut hint; a card's padding and border
        room = (self.text_height(footer_height) - hint - slack) / 2 - frame
        return f"{min(3.6 * POINTS_PER_INCH, room) / POINTS_PER_INCH:.3f}in"

    def notes_lines(self, footer_height: float) -> int:
        """How many write-in lines fill a packet's notes page above this footer (pt),
        which a practice's details make taller: under the page's heading (22 pt, the
        h1 size in large print; print.css) and its margin."""
        heading = (self.h1 if self.large_print else 22.0) * 1.2 + 12 + 5  # and its rule
        line = (34.0 if self.large_print else 26.0) + 0.75  # .write-line, with its rule
        # One line short of full: the estimate's rounding never spills a line.
        return max(4, int((self.text_height(footer_height) - heading) // line) - 1)

    def question_lines(self, footer_height: float) -> int:
        """Write-in lines under each question of a packet's feedback form, which keeps to
        one page: three, or two above a footer taller than the built-in one's."""
        return 3 if self.notes_lines(footer_height) >= (15 if self.large_print else 22) else 2

    def footer_width(self, *, beside_number: bool = False) -> float:
        """The width (pt) the footer's text wraps in."""
        width = self.text_width
        return width * (1 - self.footer.number_share) if beside_number else width


# A lift of about half an inch clears any printer's unprintable edge; no
# more, so that the library's one-page worksheet (daily-check-in) keeps to
# one page under its footer.
NORMAL = PageGeometry(
    paper=PAPERS["letter"],
    margins=Margins(top=0.8, sides=0.9),
    footer=FooterType(size=10.0, leading=1.3, number_share=0.16, lift=0.51),
    body_size=12.5,
    body_leading=1.45,
    small_size=12.0,
    h1=24.0,
    h2=16.0,
    h3=13.0,
    cell_padding=8.0,
    cell_border=0.75,
    list_indent=1.4,
    cover_bottom=0.8,
    large_print=False,
)
# Large print (American Council of the Blind guidance): 18 pt body, headings
# 20 to 22 pt bold, line spacing of at least 1.15, 1-inch margins. Nothing
# but the page furniture (the footer, 14 pt) is smaller than 18 pt.
LARGE_PRINT = replace(
    NORMAL,
    body_size=18.0,
    body_leading=1.3,
    small_size=18.0,
    margins=Margins(top=1.0, sides=1.0),
    h1=26.0,
    h2=22.0,
    h3=20.0,
    footer=FooterType(size=14.0, leading=1.25, number_share=0.24, lift=0.55),
    large_print=True,
)


@dataclass(frozen=True)
class MarginChoice:
    """A project's own margins (in), each None to keep the print profile's."""

    top: float | None = None
    sides: float | None = None


def page_geometry(
    paper: str | None, *, large_print: bool, margins: MarginChoice = MarginChoice()
) -> PageGeometry:
    """The geometry of a print profile, on a paper, with a project's own margins.

    Large print keeps margins of at least its own inch.
    """
    profile = LARGE_PRINT if large_print else NORMAL
    own = profile.margins
    top = own.top if margins.top is None else margins.top
    sides = own.sides if margins.sides is None else margins.sides
    if large_print:
        top, sides = max(top, own.top), max(sides, own.sides)
    return replace(
        profile,
        paper=PAPERS["a4" if paper == "a4" else "letter"],
        margins=Margins(top=top, sides=sides),
    )


_LENGTH_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(in|cm|mm|pt)\s*$")
_PER_INCH = {"in": 1.0, "cm": 2.54, "mm": 25.4, "pt": POINTS_PER_INCH}


def inches(length: str) -> float:
    """A length written like `1in`, `2.5cm`, `25mm` or `72pt`, in inches; ValueError if not."""
    match = _LENGTH_RE.match(length)
    if match is None:
        raise ValueError(
            f"`{length}` is not a length; write it with a unit, like 1in, 2.5cm, 25mm or 72pt"
        )
    return float(match.group(1)) / _PER_INCH[match.group(2)]


#: The margins (in) a project may choose: wide enough for any printer, narrow
#: enough to leave the text and the footer room.
MARGIN_RANGE = (0.4, 2.0)
