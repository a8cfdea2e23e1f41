"""Model stage, a workshop's own pages: the timed agenda, and the front and back matter.

A packet manifest may describe the morning as well as its handouts: what
participants will be able to do, the group's agreements, how to look after
themselves, a knowledge check taken before and after, an evaluation form,
pages for notes and a certificate of attendance. The timed agenda is checked
here too: each item's start and length must agree with the next one's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from generator.errors import Problem
from generator.fields import MAX_ITEMS, Line, Model, Number, Text, Whole
from generator.yamlfile import Located, problem_at

if TYPE_CHECKING:
    from generator.model import Packet

#: The longest a single agenda item may run: a whole day.
MAX_MINUTES = 600
#: Most pages for notes one packet may add.
MAX_NOTE_PAGES = 10
#: Most choices one knowledge-check question may offer.
MAX_CHOICES = 6

_CLOCK = re.compile(r"^(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)$")


class Vignette(Model):
    """A short, made-up case for practice in pairs or small groups."""

    title: Line
    text: Text


class PagesOfItems(Model):
    """A page of the front matter: a title, a line of lead-in, and its points."""

    title: Line
    intro: Text | None = None
    items: list[Text] = Field(min_length=1, max_length=MAX_ITEMS)


class Question(Model):
    """One knowledge-check question: its choices, and which one is right (from 1)."""

    ask: Text
    choices: list[Line] = Field(min_length=2, max_length=MAX_CHOICES)
    answer: Whole = Field(ge=1, le=MAX_CHOICES)
    #: Why the answer is right; the trainer's edition prints it with the key.
    why: Text | None = None

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> Question:
        if self.answer > len(self.choices):
            raise ValueError(
                f"`answer` is {self.answer}, but there are {len(self.choices)} choices; "
                "give the number of the right choice, counting from 1"
            )
        return self


class KnowledgeCheck(Model):
    """Questions each participant answers at the start and again at the end."""

    intro: Text | None = None
    questions: list[Question] = Field(min_length=1, max_length=20)


class Evaluation(Model):
    """An anonymous feedback form: statements to rate, then open questions."""

    intro: Text | None = None
    ratings: list[Line] = Field(default_factory=list, max_length=20)
    questions: list[Line] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _asks_something(self) -> Evaluation:
        if not self.ratings and not self.questions:
            raise ValueError("give `ratings`, `questions` or both: the form asks nothing")
        return self


class Certificate(Model):
    """A certificate of attendance: one per participant, with the hours attended."""

    hours: Annotated[Number, Field(gt=0, le=100, multiple_of=0.25)]
    #: Who signs it, under the signature line; the packet's facilitator if not given.
    signed_by: Line | None = None


# --- the timed agenda -----------------------------------------------------------


_DAY = 24 * 60


@dataclass(frozen=True)
class Clock:
    """A time of day in minutes from midnight, printed as the manifest writes times."""

    minutes: int
    #: The separator the manifest used ("9:00" or "9.00").
    separator: str = ":"

    def __str__(self) -> str:
        # An item that ends as the day does ends at 24:00, not at 0:00.
        hour, minute = divmod(self.minutes % _DAY or min(self.minutes, _DAY), 60)
        return f"{hour}{self.separator}{minute:02d}"


def clock(text: str) -> Clock | None:
    """A start time such as "9:00", "13.30" or "09:05"; None if it is not one."""
    found = _CLOCK.match(text.strip())
    if found is None:
        return None
    separator = ":" if ":" in text else "."
    return Clock(int(found["hour"]) * 60 + int(found["minute"]), separator)


@dataclass(frozen=True)
class Slot:
    """An agenda item's place in the day: its start, end and length; None where untimed."""

    start: Clock | None
    end: Clock | None
    minutes: int | None


def schedule(items: Sequence[tuple[str, int | None]]) -> list[Slot]:
    """Each (time, minutes) item's slot: an end where the time is a clock and a length given."""
    slots = []
    for time, minutes in items:
        start = clock(time)
        end = Clock(start.minutes + minutes, start.separator) if start and minutes else None
        slots.append(Slot(start, end, minutes))
    return slots


def schedule_problems(items: Sequence[tuple[str, int | None]]) -> Iterator[tuple[int, str, str]]:
    """What is wrong with a timed agenda: (item index, field, message).

    An agenda with lengths must give every item a start time as a clock and
    a length, in order, each starting when or after the one before it ends.
    An agenda without lengths is free text and is not checked.
    """
    if all(minutes is None for _, minutes in items):
        return
    slots = schedule(items)
    for index, ((time, minutes), slot) in enumerate(zip(items, slots, strict=True)):
        if slot.start is None:
            yield (
                index,
                "time",
                (
                    f'"{time}" is not a start time; the agenda gives lengths, so each time is '
                    'a clock time such as "9:00" or "13:30", and the end is worked out'
                ),
            )
        if minutes is None:
            yield (
                index,
                "minutes",
                (
                    "is missing; the other items give their length, so give this one's too "
                    "(in minutes), or take the lengths out of every item"
                ),
            )
        if slot.end is not None and slot.end.minutes > _DAY:
            yield (
                index,
                "minutes",
                (
                    f"runs past midnight, to {slot.end} the next day; an agenda is one day's "
                    "times: shorten this item or start it earlier"
                ),
            )
    for index in range(1, len(slots)):
        before, here = slots[index - 1], slots[index]
        if before.end is None or here.start is None or before.end.minutes > _DAY:
            continue
        if here.start.minutes < before.end.minutes:
            yield (
                index,
                "time",
                (
                    f"starts at {here.start}, but the item before it runs to {before.end}; "
                    "move this start, or shorten the item before"
                ),
            )


def total_minutes(items: Sequence[tuple[str, int | None]]) -> int | None:
    """From the first start to the last end, in minutes; None for an untimed agenda."""
    slots = schedule(items)
    if not slots or slots[0].start is None or slots[-1].end is None:
        return None
    return slots[-1].end.minutes - slots[0].start.minutes


@dataclass(frozen=True)
class AgendaRow:
    """An agenda item as the agenda and the facilitator script print it."""

    index: int
    #: "9:00-9:15" when the item has a length, else the time as written.
    time: str
    minutes: int | None
    title: str
    note: str | None
    script: tuple[str, ...]


def agenda_rows(packet: Packet) -> tuple[list[AgendaRow], str]:
    """The agenda's rows, and when the day ends ("" for an untimed agenda)."""
    items = [(item.time, item.minutes) for item in packet.agenda]
    slots = schedule(items)
    rows = []
    for index, (item, slot) in enumerate(zip(packet.agenda, slots, strict=True)):
        time = f"{slot.start}\u2013{slot.end}" if slot.start and slot.end else item.time
        rows.append(AgendaRow(index, time, item.minutes, item.title, item.note, tuple(item.script)))
    end = slots[-1].end if slots else None
    return rows, str(end) if end else ""


def workshop_problems(located: Located, packet: Packet) -> list[Problem]:
    """A packet's agenda times that disagree, and certificate hours longer than the day."""
    items = [(item.time, item.minutes) for item in packet.agenda]
    problems = [
        problem_at(located, ["agenda", index, field], message)
        for index, field, message in schedule_problems(items)
    ]
    length = total_minutes(items)
    certificate = packet.certificate
    if not problems and certificate and length is not None and certificate.hours * 60 > length:
        problems.append(
            problem_at(
                located,
                ["certificate", "hours"],
                f"is {certificate.hours:g}, but the agenda runs {length // 60} h "
                f"{length % 60:02d} min from start to end; give the hours attended, "
                "breaks left out",
            )
        )
    return problems
