"""Scaffolding: a new clinic project (`handouts init`) and a starter handout (`handouts new`)."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from generator import files
from generator.blocks import BLOCKS
from generator.config import Project
from generator.errors import HandoutError, Problem, ProblemsError, display_path
from generator.model import id_too_long, is_valid_id
from generator.output import make_folders, reason, remove_folders, write_atomically
from generator.roots import CONFIG_NAME, builtin_root

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"

TEMPLATES_README = """\
Templates here replace the built-in ones of the same name, for this project only.
To start from a built-in one, copy it here and change the copy:

    handouts template list                    the built-in templates
    handouts template copy css/print.css      the look of every page
    handouts template copy messages/en.yaml   the words printed in every footer

A copy keeps the built-in's name and folder (templates/css/print.css). In
templates/messages/en.yaml only the keys you keep change: delete the others
and they come from the built-in file. Delete a copy to go back to the
built-in one. Templates are rendered in a sandbox: they can use the values
they are given, nothing else.
"""


def init_project(folder: Path, languages: Sequence[str] = ("en",)) -> list[Path]:
    """Create a ready clinic project in a folder; refuse to touch an existing one.

    With several languages, the first is the main one, and each gets its
    content folder.
    """
    config = folder / CONFIG_NAME
    try:
        if config.exists():
            raise HandoutError(
                f"{config} already exists; this folder is a project already. "
                "Add handouts to it with `handouts new ID`"
            )
        if folder.exists() and not folder.is_dir():
            raise HandoutError(f"{folder} is a file, not a folder; choose another name")
    except OSError as exc:  # a name too long for the disk, a folder that can't be read
        raise HandoutError(
            f"can't make a project in {display_path(folder)}: {reason(exc)}; choose "
            "another folder (a shorter name, or one you may read)"
        ) from None
    contents = {
        config: _config_text(languages),
        folder / ".gitignore": "output/\n.handouts-cache/\n",
        folder / "templates" / "README.txt": TEMPLATES_README,
    }
    created = [path for path in contents if not os.path.lexists(path)]
    # All or nothing: a failure (a full disk, say) leaves no file or folder made.
    made: list[Path] = []
    sub = folder
    try:
        for sub in (folder / name for name in _folders(languages)):
            make_folders(sub, made)
    except OSError as exc:
        remove_folders(made)
        raise HandoutError(
            f"could not create the project in {folder}: could not make {sub}: "
            f"{exc.strerror or exc}; check that you may write there and that the disk has space"
        ) from None
    try:
        write_atomically(
            [(path, contents[path].encode("utf-8")) for path in created],
            instead=ELSEWHERE,
            in_the_way=MOVE_IT,
        )
    except HandoutError:
        remove_folders(made)
        raise
    return created


INIT_FOLDERS = ("content/handouts/en", "content/packets", "templates", "assets")


def _folders(languages: Sequence[str]) -> tuple[str, ...]:
    handouts = tuple(f"content/handouts/{language}" for language in languages)
    return (*handouts, *INIT_FOLDERS[1:])


def _config_text(languages: Sequence[str]) -> str:
    """The starter config, in the main language, declaring every language when several."""
    text = (SCAFFOLD / "handouts.yaml").read_text(encoding="utf-8")
    text = text.replace("\nlanguage: en\n", f"\nlanguage: {languages[0]}\n")
    if len(languages) > 1:
        text = text.replace("# languages: [en, es]\n", f"languages: [{', '.join(languages)}]\n")
    return text


#: What to do instead, when a project's disk is full.
ELSEWHERE = "move the project to a disk with space"
#: What to do about something where a project file is to go: these commands have no --out.
MOVE_IT = "Move or rename it"


def init_next_steps(folder: Path) -> str:
    """What to do after `handouts init`, with no `cd` when the folder is this one."""
    go = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder}, "
    return (
        f"Next: {go}fill in handouts.yaml, then `handouts new my-handout` "
        "to start a handout and `handouts build` to make the PDFs."
    )


@functools.cache
def practice_placeholders() -> dict[str, str]:
    """The example practice details that `handouts init` writes (commented out)."""
    # Read from the scaffold itself, so the check and the file never disagree.
    lines = (SCAFFOLD / "handouts.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("# practice:")
    block = ["practice:"]
    for line in lines[start + 1 :]:
        if not line.startswith("#   "):
            break
        block.append(line.removeprefix("# "))
    practice: dict[str, str] = yaml.safe_load("\n".join(block))["practice"]
    return practice


def title_from_id(handout_id: str) -> str:
    """`my-first-handout` → `My first handout`."""
    words = handout_id.replace("-", " ")
    return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class NewHandout:
    """The starter handout written, and the built-in handout it replaces, if any."""

    path: Path
    replaces: str | None = None


def new_handout(project: Project, handout_id: str, *, force: bool = False) -> NewHandout:
    """Write a starter handout that shows every block type and builds as it is."""
    if not is_valid_id(handout_id):
        raise HandoutError(
            f"`{handout_id}` can't be a handout id; use lowercase letters, digits and "
            "hyphens, like `sleep-and-worry`"
        )
    if too_long := id_too_long(handout_id):
        raise HandoutError(f"{too_long}. Choose a shorter id, like `sleep-and-worry`")
    language = project.config.language
    path = project.root / "content" / "handouts" / language / f"{handout_id}.yaml"
    if os.path.lexists(path):
        raise HandoutError(f"{path} already exists; choose another id or edit that file")
    replaces = _builtin_title(language, handout_id)
    if replaces is not None and not force:
        raise HandoutError(
            f"`{handout_id}` is the id of the built-in handout “{replaces}”, and a "
            "new handout with it would replace that one in this project. Pick another id, "
            "or pass --force to replace the built-in handout on purpose"
        )
    text = starter_text()
    for marker, value in (
        ("__ID__", handout_id),
        ("__TITLE__", title_from_id(handout_id).replace('"', "'")),
        ("__LANGUAGE__", language),
        ("__DATE__", dt.date.today().isoformat()),
    ):
        text = text.replace(marker, value)
    problem = files.write_problem(path, project.root, "content")
    if problem is not None:
        raise HandoutError(problem)
    write_atomically([(path, text.encode("utf-8"))], instead=ELSEWHERE, in_the_way=MOVE_IT)
    return NewHandout(path, replaces)


def starter_text() -> str:
    """The starter handout: its fields, then each block type's example, in the registry's order."""
    examples = [textwrap.indent(b.example, "  ") for b in BLOCKS.models() if b.example]
    return (SCAFFOLD / "starter.yaml").read_text(encoding="utf-8") + "\n".join(examples)


def _builtin_title(language: str, handout_id: str) -> str | None:
    """The title of the built-in handout with this id, if there is one."""
    from generator.yamlfile import read_yaml

    path = builtin_root() / "content" / "handouts" / language / f"{handout_id}.yaml"
    if not path.is_file():
        return None
    data = read_yaml(path).data
    title = data.get("title") if isinstance(data, dict) else None
    return str(title) if title else handout_id


# --- the built-in templates a project can replace ------------------------------------

TEMPLATE_PATTERNS = ("**/*.html", "css/*.css", "messages/*.yaml")


def builtin_templates() -> list[str]:
    """The built-in template files a project can replace, as `css/print.css` names."""
    folder = builtin_root() / "templates"
    names = {
        path.relative_to(folder).as_posix()
        for pattern in TEMPLATE_PATTERNS
        for path in folder.glob(pattern)
        if path.is_file()
    }
    return sorted(names)


def _named(name: str, message: str) -> Problem:
    """A problem with a template name as typed (no file, line or field to point at)."""
    return Problem(path=name, message=message)


def copy_templates(project: Project, names: Sequence[str], *, force: bool = False) -> list[Path]:
    """Copy built-in templates into the project's templates/ folder, under the same names."""
    if not project.found:
        raise HandoutError(
            "there is no project here to copy templates into (no handouts.yaml or "
            "content/ folder in this folder or above); make one with `handouts init "
            "FOLDER`, or run this inside yours"
        )
    if project.is_library:
        raise HandoutError("this is the built-in library: its templates are here already")
    known = builtin_templates()
    source = builtin_root() / "templates"
    target = project.root / "templates"
    problems: list[Problem] = []
    todo: dict[str, Path] = {}
    for typed in names:
        typed_path = PurePosixPath(typed.replace("\\", "/"))
        name = typed_path.as_posix().removeprefix("templates/")
        if typed_path.is_absolute() or ".." in typed_path.parts:
            problems.append(
                _named(
                    typed,
                    "name a template as `handouts template list` shows it, like "
                    "css/print.css, not a path outside the templates folder",
                )
            )
        elif name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            problems.append(
                _named(
                    typed,
                    f"no built-in template by this name; {hint}"
                    "`handouts template list` shows them all",
                )
            )
        elif (problem := files.write_problem(target / name, project.root, "templates")) is not None:
            problems.append(Problem(path=display_path(target / name), message=problem))
        elif os.path.lexists(target / name) and not force:
            problems.append(
                Problem(
                    path=display_path(target / name),
                    message=(
                        "already exists; edit it, or pass --force to replace it "
                        "with the built-in one"
                    ),
                )
            )
        else:
            todo[name] = target / name
    # Gather, validate, then write: one bad name means no file is copied.
    if problems:
        raise ProblemsError(problems)
    # All or none: a failure (a full disk, say) copies nothing.
    write_atomically(
        [(path, (source / name).read_bytes()) for name, path in todo.items()],
        instead=ELSEWHERE,
        in_the_way=MOVE_IT,
    )
    return list(todo.values())
