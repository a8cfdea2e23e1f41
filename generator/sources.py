"""Content stage, finding: the handout files there are, by language and id, and a run's."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator import files
from generator.errors import Problem, ProblemsError, display_path
from generator.files import MAX_FILE_BYTES

if TYPE_CHECKING:
    from generator.config import Project

HANDOUT_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class HandoutSource:
    """A handout file that exists, before it is read."""

    id: str
    language: str
    path: Path
    root: Path


def discover(roots: Sequence[Path]) -> tuple[list[HandoutSource], list[Problem]]:
    """Every handout file in the content roots, the first root winning an id."""
    chosen: dict[tuple[str, str], HandoutSource] = {}
    problems: list[Problem] = []
    seen_roots: set[Path] = set()
    allowed = roots_folders(roots)
    for root in roots:
        resolved = root.resolve()
        if resolved in seen_roots:
            continue
        seen_roots.add(resolved)
        base = root / "content" / "handouts"
        if not base.is_dir():
            continue
        in_this_root: dict[tuple[str, str], Path] = {}
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if path.suffix not in HANDOUT_SUFFIXES:
                    continue
                refused = unusable(path, allowed, "handout")
                if refused is not None:
                    problems.append(refused)
                    continue
                key = (folder.name, path.stem.lower())
                if key in in_this_root:
                    other = display_path(in_this_root[key])
                    problems.append(
                        Problem(
                            path=display_path(path),
                            message=f"the handout id `{path.stem}` is also used by {other}; "
                            "rename or remove one of them",
                        )
                    )
                    continue
                in_this_root[key] = path
        for (language, _), path in in_this_root.items():
            chosen.setdefault(
                (language, path.stem),
                HandoutSource(path.stem, language, path, root),
            )
    problems.extend(_variant_clashes(chosen.values()))
    return sorted(chosen.values(), key=lambda s: (s.language, s.id)), problems


#: What a build adds to a handout's id in its file name, in order (see
#: `jobs.output_name`): an id that is another's id plus some of these would
#: share a file name with one of that handout's editions.
VARIANT_SUFFIXES = ("-clinician", "-a4", "-large-print", "-fillable", "-ink-saver")


def _variant_clashes(found: Iterable[HandoutSource]) -> list[Problem]:
    sources = list(found)
    ids = {(s.language, s.id) for s in sources}
    problems: list[Problem] = []
    for source in sources:
        base = source.id
        for suffix in reversed(VARIANT_SUFFIXES):
            base = base.removesuffix(suffix)
            if base != source.id and (source.language, base) in ids:
                problems.append(
                    Problem(
                        path=display_path(source.path),
                        message=f"the id `{source.id}` is `{base}` with `{source.id[len(base) :]}` "
                        f"added, which is how a variant of `{base}` is named "
                        f"({source.id}.pdf); rename this file, so that neither file "
                        "replaces the other",
                    )
                )
                break
    return problems


def unknown_id(name: str, known: Iterable[str], what: str, where: str) -> Problem:
    """An id that names nothing, with the closest real one offered."""
    close = difflib.get_close_matches(name, sorted(known), n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return Problem(path=name, message=f"no {what} with this id; {hint}{where}")


def _packet_named(roots: Sequence[Path], name: str) -> str | None:
    """The packet an id or a manifest's path names, if it names one (content/packets/)."""
    given = Path(name)
    if given.suffix in HANDOUT_SUFFIXES and given.parent.name == "packets" and _a_file(given):
        return given.stem
    folders = [root / "content" / "packets" for root in roots]
    wanted = [f"{name}{suffix}" for suffix in HANDOUT_SUFFIXES]
    return name if any(_a_file(f / w) for f in folders for w in wanted) else None


def _a_file(path: Path) -> bool:
    """Whether a path is a file; a name too long for the system is none (not an error)."""
    try:
        return path.is_file()
    except OSError:
        return False


def select(
    roots: Sequence[Path], ids: Sequence[str] = (), languages: Sequence[str] | None = None
) -> tuple[list[HandoutSource], list[Problem]]:
    """The handout files for the given ids (all when none) in these languages (all
    when None), and any problems finding them."""
    sources, problems = discover(roots)
    if ids:
        known = sorted({s.id for s in sources})
        wanted = set(ids)
        for name in ids:
            if name in known:
                continue
            if packet := _packet_named(roots, name):
                message = f"this is a packet; build it with `handouts packet {packet}`"
                problems.append(Problem(path=name, message=message))
            else:
                problems.append(
                    unknown_id(name, known, "handout", "`handouts list` shows them all")
                )
        sources = [s for s in sources if s.id in wanted]
    if languages is not None:
        chosen = [s for s in sources if s.language in languages]
        for name in dict.fromkeys(ids):
            written = sorted({s.language for s in sources if s.id == name})
            if written and not any(s.id == name for s in chosen):
                problems.append(
                    Problem(
                        path=name,
                        message=f"this handout is written in {', '.join(written)}, not in "
                        f"{', '.join(languages)}; add --language {written[0]}, or add "
                        f"`{written[0]}` to `languages` in handouts.yaml",
                    )
                )
        sources = chosen
    return sources, problems


def run_languages(project: Project, requested: str | None) -> tuple[str, ...]:
    """The languages a run works in: the one asked for, or all the project declares.

    A language asked for need not be declared, but there must be handouts in it.
    """
    if requested is None:
        return project.languages
    sources, _ = discover(project.roots)
    written = sorted({s.language for s in sources})
    if requested not in written:
        raise ProblemsError(
            [
                Problem(
                    path="--language",
                    message=f"there are no handouts in `{requested}`; the handouts here are "
                    f"in {', '.join(written) or 'no language yet'}",
                )
            ]
        )
    return (requested,)


def roots_folders(roots: Iterable[Path]) -> tuple[Path, ...]:
    """Every folder files may be read from: each root's content, assets and templates."""
    return tuple(folder for root in roots for folder in files.own_folders(root))


def unusable(path: Path, allowed: Sequence[Path], what: str) -> Problem | None:
    """Why a file found in a content folder can't be read: it leads outside, or is no file.

    Found by its name, it is meant as content: a link out of the project, a
    pipe or a folder there is an error, not something to pass over in silence.
    """
    shown = display_path(path)
    real = files.inside(path, allowed)
    if real is None:
        return Problem(path=shown, message=files.outside_message(path))
    try:
        files.check_file(real, MAX_FILE_BYTES)
    except files.FileProblem as exc:
        if exc.size is not None:
            return None  # reported with the file's size when it is read
        if exc.message.startswith("file not found"):
            message = "is a link to a file that does not exist; fix the link or remove it"
        else:
            message = f"{exc.message}; a {what} is a YAML file: move this out of the folder"
        return Problem(path=shown, message=message)
    return None
