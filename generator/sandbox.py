"""Render stage, the sandbox's bounds: a project's template may not run or grow without end.

Jinja's sandbox keeps a template away from Python's internals and bounds
`range`; a template could still loop for hours over nested ranges, or ask
for a string of gigabytes (`"x" * 4000000000`). A page's template renders in
milliseconds: one that runs past `RENDER_SECONDS` is stopped, and no string
or list a template makes with an operator, a filter or a string method may
be longer than `MAX_MADE`.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from generator.timelimit import raised_after

#: How long one document's template may take to render, in seconds.
RENDER_SECONDS = 20.0
#: The longest string, or list, a template may make in one step.
MAX_MADE = 1_000_000
#: The most text one template may make for one document (ours make about 100 KB).
MAX_PAGE = 20_000_000
#: The widest field a format may pad to, and the largest power worked out.
_MAX_WIDTH = 10_000
_MAX_POWER_BITS = 10_000


class OutOfRenderTime(BaseException):
    """Raised into a template that has run too long. A BaseException: Jinja
    catches Exception in places, and would go on."""


@contextlib.contextmanager
def render_time_limit(seconds: float | None = None) -> Iterator[None]:
    """Stop the block with OutOfRenderTime once it has run `seconds`, in any thread.

    Raised once, into the thread running the block (templates are Python code,
    so it lands at the next step of the loop); nothing is raised once the
    block has ended.
    """
    limit = RENDER_SECONDS if seconds is None else seconds
    with raised_after(limit, OutOfRenderTime):
        yield


def _too_much(what: str) -> SecurityError:
    return SecurityError(f"{what}; a template may make at most {MAX_MADE:,} characters or items")


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too large to make."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            size = _sized(seq)
            if size is not None and isinstance(times, int) and size * times > MAX_MADE:
                raise _too_much(f"`* {times}` would make {size * times:,}")
    elif operator == "+":
        sizes = (_sized(left), _sized(right))
        if None not in sizes and sum(s for s in sizes if s is not None) > MAX_MADE:
            raise _too_much("joining these would make too long a value")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and right * math.log2(abs(left)) > _MAX_POWER_BITS:
            raise SecurityError(f"`{left} ** {right}` is too large a number to work out")
    elif operator == "%" and isinstance(left, str):
        _check_widths(_PERCENT_WIDTHS.findall(left))


#: The widths and precisions in a printf-style format: "%-20s", "%.3f", "%*d".
_PERCENT_WIDTHS = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
#: The same in a str.format field: "{:>20}", "{0:.3f}".
_BRACE_WIDTHS = re.compile(r"\{[^{}]*?:[^{}]*?(\d+)(?:\.(\d+))?[^{}]*\}")


def _check_widths(found: list[tuple[str, str]]) -> None:
    for width in (w for pair in found for w in pair if w):
        if width == "*" or int(width) > _MAX_WIDTH:
            raise SecurityError(f"a format may pad to at most {_MAX_WIDTH:,} characters")


#: String methods that pad to a width the template gives.
_PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a string method asked to make too long a string."""
    # The sandbox hands out str.format wrapped in its own formatter.
    method = getattr(obj, "__wrapped__", obj)
    owner, name = getattr(method, "__self__", None), getattr(method, "__name__", "")
    if not isinstance(owner, str):
        return
    if name in _PADDING and any(
        isinstance(a, int) and a > _MAX_WIDTH for a in (*args, *kwargs.values())
    ):
        raise SecurityError(f"`{name}` may pad to at most {_MAX_WIDTH:,} characters")
    if name in ("format", "format_map"):
        _check_widths(_BRACE_WIDTHS.findall(owner))
        # Each field may print the longest value given: "{0}{0}".format(s) doubles s.
        given = [*args, *kwargs.values()]
        if name == "format_map" and args and isinstance(args[0], dict):
            given += list(args[0].values())
        longest = max((len(str(a)) for a in given), default=0)
        if len(owner) + owner.count("{") * longest > MAX_MADE:
            raise _too_much("this format would make too long a string")
        nested = re.search(r":[^{}]*\{", owner) is not None  # "{0:{1}}": the width an argument
        if nested and any(isinstance(a, int) and a > _MAX_WIDTH for a in args):
            raise SecurityError(f"a format may pad to at most {_MAX_WIDTH:,} characters")
    if name == "replace" and len(args) >= 2:
        _check_replace(owner, args[0], args[1])


def _check_replace(text: str, old: Any, new: Any) -> None:
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        grows = (len(text) + 1 if not old else text.count(old)) * (len(new) - len(old))
        if len(text) + grows > MAX_MADE:
            raise _too_much("this replace would make too long a string")


def _bounded_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter that checks its arguments first."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        plain = [a for a in args if not hasattr(a, "environment")]  # not the eval context
        if name in ("center", "indent") and any(
            isinstance(a, int) and a > _MAX_WIDTH for a in (*plain[1:], *kwargs.values())
        ):
            raise SecurityError(f"`{name}` may pad to at most {_MAX_WIDTH:,} characters")
        if name == "format" and plain and isinstance(plain[0], str):
            _check_widths(_PERCENT_WIDTHS.findall(plain[0]))
        if name == "replace" and len(plain) >= 3 and isinstance(plain[0], str):
            _check_replace(plain[0], plain[1], plain[2])
        if name == "join" and plain and not isinstance(plain[0], str):
            # Measured, then joined: a generator is read once.
            at = next((i for i, a in enumerate(args) if a is plain[0]), None)
            items = list(plain[0])
            separator = plain[1] if len(plain) > 1 and isinstance(plain[1], str) else ""
            _check_joined(items, kwargs.get("d", separator))
            if at is not None:
                args = (*args[:at], items, *args[at + 1 :])
        return original(*args, **kwargs)

    # Jinja reads from this whether to pass a filter its context first.
    if hasattr(original, "jinja_pass_arg"):
        bounded.jinja_pass_arg = original.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def _bounded_concat(parts: Iterable[str]) -> str:
    """The parts a template wrote, joined, unless there are too many characters in all."""
    kept: list[str] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > MAX_PAGE:
            raise SecurityError(
                f"it writes more than {MAX_PAGE:,} characters; a page's template writes a "
                "few hundred thousand at most"
            )
        kept.append(part)
    return "".join(kept)


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code, with `a ~ b` joined through the environment, which bounds it."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.joined({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _check_joined(parts: Sequence[Any], separator: str = "") -> None:
    size = sum(len(str(p)) for p in parts) + len(separator) * max(0, len(parts) - 1)
    if size > MAX_MADE:
        raise _too_much("this would join too long a string")


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox, with the size of what a template makes bounded."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})
    concat = staticmethod(_bounded_concat)
    code_generator_class = _BoundedCodeGenerator

    def __init__(self, **options: Any):
        super().__init__(**options)
        for name in ("center", "indent", "format", "replace", "join"):
            self.filters[name] = _bounded_filter(name, self.filters[name])

    def joined(self, join: Callable[[Any], str], parts: tuple[Any, ...]) -> str:
        """`a ~ b`, unless it would be too long."""
        _check_joined(parts)
        return join(parts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        method = getattr(__obj, "__wrapped__", __obj)
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str) and getattr(method, "__name__", "") == "join" and args:
            items = list(args[0])  # measured, then joined: a generator is read once
            _check_joined(items, owner)
            args = (items, *args[1:])
        _check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)
