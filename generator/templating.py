"""Render stage, the templates: a sandboxed Jinja environment over the template folders.

A project may bring its own templates, which replace the built-in ones file
by file; every template is read through files.py, and a fault in one is
reported at its file and line.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
from jinja2.debug import rewrite_traceback_stack
from jinja2.loaders import split_template_path

from generator import files, offpage, sandbox
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.files import MAX_FILE_BYTES
from generator.offpage import name_off_page
from generator.sandbox import BoundedSandbox, OutOfRenderTime, render_time_limit


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates, kept in memory for as long as this process lives.

    Compiling the templates takes longer than rendering a handout with them.
    Each environment has the same settings, and each template is found again
    by its file and checked against its source, so an edited template is
    compiled afresh. Memory only: code is never read back from a file.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        checksum, code = self.compiled.get(bucket.key, ("", None))
        if code is not None and checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self.compiled[bucket.key] = (bucket.checksum, bucket.code)


_COMPILED = _CompiledTemplates()


def _withheld(message: str, context: Mapping[str, Any]) -> str:
    """A template's fault as said, with a client's name taken out: names go on the page only
    (`{% include client_name %}` would say it)."""
    name = context.get("client_name")
    if not isinstance(name, str) or not name.strip():
        return message
    for form in dict.fromkeys((name, name.strip(), repr(name)[1:-1])):
        message = message.replace(form, "(the name)")
    return message


class Templates:
    """The template folders, the project's before the built-in ones, as one environment."""

    def __init__(self, template_dirs: Sequence[Path], allowed: Sequence[Path]):
        self.template_dirs = list(template_dirs)
        # Sandboxed: a project may bring its own templates, and a shared template
        # pack must not reach Python internals, nor run or grow without end.
        self.env = BoundedSandbox(
            loader=_ContainedLoader(self.template_dirs, allowed),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_COMPILED,
        )

    def template(self, name: str, context: Mapping[str, Any], source: Path) -> str:
        """Render a template, turning template faults into `template:line:` errors."""
        try:
            with render_time_limit():
                template = self.env.get_template(name)
                document = template.render(context)

                def named(other: str) -> str:
                    return template.render({**context, "client_name": other})

                if name_off_page(document, context.get("client_name"), named):
                    raise offpage.refused(source)
            return document
        except OutOfRenderTime:
            # Jinja maps its frames to template lines only for what it catches itself.
            where, line = self._template_frame(rewrite_traceback_stack())
            message = (
                f"it ran for more than {sandbox.RENDER_SECONDS:g} seconds and was stopped (a loop "
                "that runs too long?)"
            )
            raise ProblemsError([_template_problem(where, line, message, source)]) from None
        except jinja2.TemplateSyntaxError as exc:
            where = Path(exc.filename) if exc.filename else None
            raise ProblemsError(
                [_template_problem(where, exc.lineno, exc.message or str(exc), source)]
            ) from None
        except HandoutError:
            raise
        except jinja2.TemplateNotFound as exc:
            where, line = self._template_frame(exc)
            message = _withheld(f"there is no template `{exc.name}`", context)
            raise ProblemsError([_template_problem(where, line, message, source)]) from None
        except Exception as exc:  # a template is code the project wrote: any fault is theirs
            where, line = self._template_frame(exc)
            message = _withheld(str(exc) or type(exc).__name__, context)
            raise ProblemsError([_template_problem(where, line, message, source)]) from None

    def _template_frame(self, exc: BaseException) -> tuple[Path | None, int | None]:
        """The template file and line an error was raised from (Jinja rewrites the
        traceback so that its frames point into the templates)."""
        folders = [folder.resolve() for folder in self.template_dirs]
        found: tuple[Path | None, int | None] = (None, None)
        for frame in traceback.extract_tb(exc.__traceback__):
            path = Path(frame.filename)
            if path.is_absolute() and any(path.resolve().is_relative_to(f) for f in folders):
                found = (path, frame.lineno)
        return found


def _template_problem(where: Path | None, line: int | None, message: str, source: Path) -> Problem:
    """A template fault as a located problem, quoting the offending line."""
    if where is None:
        return Problem(
            path=display_path(source), message=f"a template could not render it: {message}"
        )
    quoted = ""
    if line is not None:
        try:
            # The template was read through the loader, so it is a file in the project.
            lines = files.read_bytes(where, MAX_FILE_BYTES).decode("utf-8").splitlines()
            quoted = f" in `{lines[line - 1].strip()[:120]}`"
        except (files.FileProblem, IndexError, UnicodeDecodeError):
            quoted = ""
    return Problem(
        path=display_path(where),
        message=f"template error: {message}{quoted}; fix the template, or delete it to use the "
        f"built-in one (while building {display_path(source)})",
        line=line,
    )


class _ContainedLoader(jinja2.BaseLoader):
    """Loads templates (and the stylesheets they include) from the template folders.

    A template is read only where it really is inside the project's or the
    built-in folders (`allowed`), links followed, and only if it is a regular
    file within the size limit: anything else named like a template is an
    error naming it, never passed over for the built-in one.
    """

    def __init__(self, searchpath: Sequence[Path], allowed: Sequence[Path]):
        self.searchpath = list(searchpath)
        self.allowed = tuple(allowed)

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            return self._read(path, template)
        raise jinja2.TemplateNotFound(template)

    def _read(self, path: Path, template: str) -> tuple[str, str, Callable[[], bool]]:
        shown = f"{display_path(path)} (the template `{template}`)"

        def refuse(message: str) -> ProblemsError:
            return ProblemsError([Problem(path=shown, message=message)])

        real = files.inside(path, self.allowed)
        if real is None:
            raise refuse(files.outside_message(path))
        try:
            raw = files.read_bytes(real, MAX_FILE_BYTES)
        except files.FileProblem as exc:
            hint = "; a template is a text file" if exc.size is None else ""
            raise refuse(exc.message + hint) from None
        try:
            source = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise refuse("is not UTF-8 text; save it as UTF-8") from None
        mtime = _mtime(real)
        return source, os.path.normpath(path), lambda: _mtime(real) == mtime


def _mtime(path: Path) -> float | None:
    try:
        return os.path.getmtime(path)
    except OSError:
        return None
