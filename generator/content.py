"""Content stage: find handout and packet files, load and check them into models or problems."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator import files, images
from generator.blocks import Image, walk
from generator.errors import Problem, ProblemsError, display_path
from generator.fields import MAX_ITEMS
from generator.model import Handout, HandoutFile, Packet, PacketFile, is_valid_id
from generator.validation import literal_markup, markup_problems, validate
from generator.workshop import workshop_problems
from generator.yamlfile import (
    MAX_FILE_BYTES,
    Located,
    format_field,
    locate,
    problem_at,
    read_yaml,
)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
HANDOUT_SUFFIXES = (".yaml", ".yml")
# --- handouts -----------------------------------------------------------------


def load_handout(path: Path, root: Path) -> HandoutFile:
    """Read and validate one handout file found under a content root."""
    located = read_yaml(path)
    handout = validate(located, Handout)
    problems = _check_handout(located, handout, root) + markup_problems(located)
    if problems:
        raise ProblemsError(problems)
    warnings = tuple(literal_markup(located, handout))
    return HandoutFile(id=path.stem, path=path, root=root, handout=handout, warnings=warnings)


def _check_handout(located: Located, handout: Handout, root: Path) -> list[Problem]:
    """Checks that need the file's place on disk, not just its fields."""
    shown = display_path(located.path)
    problems: list[Problem] = []
    stem = located.path.stem
    if not is_valid_id(stem):
        problems.append(
            Problem(
                path=shown,
                message=f"the file name `{stem}` is not a valid "
                "handout id; use lowercase letters, digits and hyphens, like "
                "`withdrawal-response.yaml`",
            )
        )
    folder = located.path.parent.name
    if folder != handout.language:
        problems.append(
            problem_at(
                located,
                ["language"],
                f"is `{handout.language}` but the file is in the `{folder}` folder; "
                f"move it to content/handouts/{handout.language}/ or fix the tag",
            )
        )
    for loc, block in walk(handout.blocks):
        if isinstance(block, Image):
            message = image_problem(block.src, located.path.parent, root)
            if message:
                problems.append(problem_at(located, [*loc, "src"], message))
    return problems


def asset_folders(root: Path) -> tuple[Path, ...]:
    """The folders of a project that may hold files a handout shows, where they really are.

    A folder that is itself a link to somewhere else is not one of them
    (see `files.own_folders`).
    """
    return files.own_folders(root)


def roots_folders(roots: Iterable[Path]) -> tuple[Path, ...]:
    """Every folder files may be read from: each root's content, assets and templates."""
    return tuple(folder for root in roots for folder in files.own_folders(root))


def image_problem(src: str, base: Path, root: Path) -> str | None:
    """Why an image path can't be used, or None when it is fine."""
    if "://" in src or src.startswith(("data:", "file:", "//")):
        return "must be a path to a file in the project, not a web address"
    candidate = Path(src)
    if candidate.is_absolute():
        return "must be a path relative to the handout's folder, not an absolute path"
    path = base / candidate
    # Judged by where it really is, links followed: a link (or a folder that
    # is one) may lead anywhere.
    target = files.inside(path, asset_folders(root))
    if target is None:
        link = files.link_out(path)
        if link is not None and files.outside_message(path).startswith("is a link that leads"):
            return f"`{src}` {files.outside_message(path)}"
        how = f" through the link {display_path(link)}" if link is not None else ""
        return (
            f"`{src}` points outside the project{how}; put the image in the project's "
            "content/ or assets/ folder"
        )
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        return "should be a PNG, JPEG, GIF, SVG or WebP image"
    try:
        files.check_file(target, files.MAX_ASSET_BYTES)
    except files.FileProblem as exc:
        if exc.message.startswith("file not found"):
            return f"no image at `{src}`; check the file name and folder"
        if exc.size is not None:
            return f"`{src}`: {exc.message} for a picture; make it smaller (fewer pixels, or JPEG)"
        return f"`{src}`: {exc.message}; use an image file"
    return images.check_file(target, display_path(target))


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
                unusable = _unusable(path, allowed, "handout")
                if unusable is not None:
                    problems.append(unusable)
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
#: `build.output_name`): an id that is another's id plus some of these would
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


def select(
    roots: Sequence[Path], ids: Sequence[str] = ()
) -> tuple[list[HandoutSource], list[Problem]]:
    """The handout files for the given ids (all when none), and any problems finding them."""
    sources, problems = discover(roots)
    if ids:
        known = sorted({s.id for s in sources})
        wanted = set(ids)
        for name in ids:
            if name not in known:
                problems.append(
                    unknown_id(name, known, "handout", "`handouts list` shows them all")
                )
        sources = [s for s in sources if s.id in wanted]
    return sources, problems


def load_handouts(roots: Sequence[Path], ids: Sequence[str] = ()) -> list[HandoutFile]:
    """Load and validate the named handouts (all when none), reporting every problem."""
    sources, problems = select(roots, ids)
    return load_sources(sources, problems)


def load_sources(
    sources: Sequence[HandoutSource], problems: Sequence[Problem] = ()
) -> list[HandoutFile]:
    """Load and validate handout files, reporting every problem at once."""
    problems = list(problems)
    handouts: list[HandoutFile] = []
    for source in sources:
        try:
            handouts.append(load_handout(source.path, source.root))
        except ProblemsError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ProblemsError(problems)
    return handouts


def _unusable(path: Path, allowed: Sequence[Path], what: str) -> Problem | None:
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


# --- packets ------------------------------------------------------------------


def discover_packets(roots: Sequence[Path]) -> dict[str, Path]:
    """Every packet manifest in the content roots, the first root winning an id.

    A manifest that links outside the project, or is no file, is found here
    all the same and reported by `load_packets`.
    """
    found: dict[str, Path] = {}
    for root in roots:
        folder = root / "content" / "packets"
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in HANDOUT_SUFFIXES:
                found.setdefault(path.stem, path)
    return found


def load_packets(roots: Sequence[Path], ids: Sequence[str]) -> list[PacketFile]:
    """Load the named packets and every handout they use; report every problem."""
    manifests = discover_packets(roots)
    problems: list[Problem] = []
    for name in ids:
        if name not in manifests:
            problems.append(
                unknown_id(name, manifests, "packet", "packets live in content/packets/<id>.yaml")
            )
    sources, discovery_problems = discover(roots)
    problems.extend(discovery_problems)
    resolver = _HandoutResolver({(s.language, s.id): s for s in sources}, problems)
    packets: list[PacketFile] = []
    allowed = roots_folders(roots)
    for name in dict.fromkeys(ids):
        if name not in manifests:
            continue
        unusable = _unusable(manifests[name], allowed, "packet")
        if unusable is not None:
            problems.append(unusable)
            continue
        try:
            located = read_yaml(manifests[name])
        except ProblemsError as exc:
            problems.extend(exc.problems)
            continue
        try:
            packet = validate(located, Packet)
        except ProblemsError as exc:
            problems.extend(exc.problems)
            # The handout ids are checked too, so that one run names every problem
            # (unless the language they are looked up in is itself wrong).
            language, raw_sections = _raw_sections(located.data)
            if language is not None and all(p.field != "language" for p in exc.problems):
                resolver.resolve(located, language, raw_sections)
            continue
        problems.extend(markup_problems(located))
        problems.extend(workshop_problems(located, packet))
        handouts = resolver.resolve(located, packet.language, [s.handouts for s in packet.sections])
        sections = tuple(zip(packet.sections, handouts, strict=True))
        warnings = tuple(literal_markup(located, packet))
        packets.append(PacketFile(name, manifests[name], packet, sections, warnings))
    if problems:
        raise ProblemsError(problems)
    return packets


def _raw_sections(data: object) -> tuple[str | None, list[list[object]]]:
    """A manifest's language and section handout ids, read from data that failed validation.

    A list longer than the model allows is left out: it is reported as too
    long, and a huge one must not cost a problem per entry.
    """
    if not isinstance(data, dict):
        return None, []
    language = data.get("language")
    sections = data.get("sections")
    found: list[list[object]] = []
    if isinstance(sections, list) and len(sections) <= MAX_ITEMS:
        for section in sections:
            handouts = section.get("handouts") if isinstance(section, dict) else None
            if isinstance(handouts, list) and len(handouts) <= MAX_ITEMS:
                found.append(handouts)
            else:
                found.append([])
    return (language if isinstance(language, str) else None), found


#: Most "did you mean" suggestions for unknown handout ids in one run.
MAX_SUGGESTIONS = 20


@dataclass
class _HandoutResolver:
    """Turns a packet's handout ids into loaded handouts, noting problems."""

    available: dict[tuple[str, str], HandoutSource]
    problems: list[Problem]

    def __post_init__(self) -> None:
        self.loaded: dict[Path, HandoutFile | None] = {}
        self.known: dict[str, list[str]] = {}
        # Finding the closest id costs a look at every handout: a manifest of
        # thousands of unknown ids gets a suggestion for the first few only.
        self.suggestions_left = MAX_SUGGESTIONS

    def resolve(
        self, located: Located, language: str, sections: Sequence[Sequence[object]]
    ) -> list[tuple[HandoutFile, ...]]:
        """The handouts of each section, in order; ids that aren't text are skipped."""
        first_seen: dict[str, list[str | int]] = {}
        result = []
        for s_index, handout_ids in enumerate(sections):
            items: list[HandoutFile] = []
            for h_index, raw in enumerate(handout_ids):
                if not isinstance(raw, str):
                    continue
                handout_id = raw.strip()
                loc: list[str | int] = ["sections", s_index, "handouts", h_index]
                if handout_id in first_seen:
                    first = first_seen[handout_id]
                    line, _ = locate(located, first)
                    self.problems.append(
                        problem_at(
                            located,
                            loc,
                            f"`{handout_id}` is already in {format_field(first[:2])} "
                            f"(line {line}); a handout appears once in a packet",
                        )
                    )
                    continue
                first_seen[handout_id] = loc
                item = self.handout(located, loc, language, handout_id)
                if item is not None:
                    items.append(item)
            result.append(tuple(items))
        return result

    def handout(
        self, located: Located, loc: list[str | int], language: str, handout_id: str
    ) -> HandoutFile | None:
        source = self.available.get((language, handout_id))
        if source is None:
            hint = ""
            if self.suggestions_left > 0:
                self.suggestions_left -= 1
                if language not in self.known:
                    self.known[language] = sorted(
                        i for (lang, i) in self.available if lang == language
                    )
                close = difflib.get_close_matches(handout_id, self.known[language], n=1)
                hint = f"did you mean `{close[0]}`? " if close else ""
            self.problems.append(
                problem_at(
                    located,
                    loc,
                    f"no `{language}` handout with the id `{handout_id}`; "
                    f"{hint}`handouts list` shows them all",
                )
            )
            return None
        if source.path not in self.loaded:
            try:
                self.loaded[source.path] = load_handout(source.path, source.root)
            except ProblemsError as exc:
                self.problems.extend(exc.problems)
                self.loaded[source.path] = None
        return self.loaded[source.path]
