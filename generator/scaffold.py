"""Scaffolding: a new clinic project (`handouts init`) and a starter handout (`handouts new`)."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import yaml

from generator.config import CONFIG_NAME, Project
from generator.errors import HandoutError
from generator.model import is_valid_id

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"

TEMPLATES_README = """\
Templates here replace the built-in ones of the same name, for this project only.
Copy a file from the built-in templates folder to start from it, for example
templates/messages/en.yaml to change the words printed in every footer
(only the keys you put in your copy change), or templates/css/print.css for
the look. Templates are rendered in a sandbox: they can use the values they
are given, nothing else.
"""


def init_project(folder: Path) -> list[Path]:
    """Create a ready clinic project in a folder; refuse to touch an existing one."""
    config = folder / CONFIG_NAME
    if config.exists():
        raise HandoutError(
            f"{config} already exists; this folder is a project already. "
            "Add handouts to it with `handouts new ID`"
        )
    if folder.exists() and not folder.is_dir():
        raise HandoutError(f"{folder} is a file, not a folder; choose another name")
    created: list[Path] = []
    try:
        for sub in ("content/handouts/en", "content/packets", "templates", "assets"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        files = {
            config: (SCAFFOLD / "handouts.yaml").read_text(encoding="utf-8"),
            folder / ".gitignore": "output/\n.handouts-cache/\n",
            folder / "templates" / "README.txt": TEMPLATES_README,
        }
        for path, text in files.items():
            if path.exists():
                continue
            path.write_text(text, encoding="utf-8")
            created.append(path)
    except OSError as exc:
        raise HandoutError(
            f"could not create the project in {folder}: {exc.strerror or exc}; "
            "check that you may write there"
        ) from None
    return created


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


def new_handout(project: Project, handout_id: str) -> Path:
    """Write a starter handout that shows every block type and builds as it is."""
    if not is_valid_id(handout_id):
        raise HandoutError(
            f"`{handout_id}` can't be a handout id; use lowercase letters, digits and "
            "hyphens, like `sleep-and-worry`"
        )
    language = project.config.language
    path = project.root / "content" / "handouts" / language / f"{handout_id}.yaml"
    if path.exists():
        raise HandoutError(f"{path} already exists; choose another id or edit that file")
    text = (SCAFFOLD / "starter.yaml").read_text(encoding="utf-8")
    for marker, value in (
        ("__ID__", handout_id),
        ("__TITLE__", title_from_id(handout_id).replace('"', "'")),
        ("__LANGUAGE__", language),
        ("__DATE__", dt.date.today().isoformat()),
    ):
        text = text.replace(marker, value)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise HandoutError(f"could not write {path}: {exc.strerror or exc}") from None
    return path
