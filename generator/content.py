"""Content stage: find handout and packet files, load and check them into models or problems."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator import files, images
from generator.blocks import Image, walk
from generator.errors import Problem, ProblemsError, display_path
from generator.fields import MAX_ITEMS
from generator.model import (
    Handout,
    HandoutFile,
    Packet,
    PacketFile,
    id_too_long,
    is_valid_id,
)
from generator.sources import (
    HANDOUT_SUFFIXES,
    HandoutSource,
    discover,
    roots_folders,
    select,
    unknown_id,
    unusable,
)
from generator.validation import literal_markup, markup_problems, validate
from generator.workshop import workshop_problems
from generator.yamlfile import (
    Located,
    format_field,
    locate,
    problem_at,
    read_yaml,
)

if TYPE_CHECKING:
    pass

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})
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
    elif too_long := id_too_long(stem):
        problems.append(Problem(path=shown, message=f"the file name {too_long}; rename the file"))
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


def load_handouts(
    roots: Sequence[Path], ids: Sequence[str] = (), languages: Sequence[str] | None = None
) -> list[HandoutFile]:
    """Load and validate the named handouts (all when none), reporting every problem."""
    sources, problems = select(roots, ids, languages)
    return load_sources(sources, problems)


def load_sources(
    sources: Sequence[HandoutSource], problems: Sequence[Problem] = ()
) -> list[HandoutFile]:
    """Load and validate handout files, reporting every problem at once."""
    handouts, found = read_sources(sources, problems)
    if found:
        raise ProblemsError(found)
    return handouts


def read_sources(
    sources: Sequence[HandoutSource], problems: Sequence[Problem] = ()
) -> tuple[list[HandoutFile], list[Problem]]:
    """The handout files that load, and every problem with the others."""
    found = list(problems)
    handouts: list[HandoutFile] = []
    for source in sources:
        try:
            handouts.append(load_handout(source.path, source.root))
        except ProblemsError as exc:
            found.extend(exc.problems)
    return handouts, found


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
    sources, discovery_problems = discover(roots)
    handout_ids = {s.id for s in sources}
    for name in ids:
        if name in manifests:
            continue
        if name in handout_ids:
            message = f"this is a handout; build it with `handouts build {name}`"
            problems.append(Problem(path=name, message=message))
        else:
            problems.append(
                unknown_id(name, manifests, "packet", "packets live in content/packets/<id>.yaml")
            )
    problems.extend(discovery_problems)
    resolver = _HandoutResolver({(s.language, s.id): s for s in sources}, problems)
    packets: list[PacketFile] = []
    allowed = roots_folders(roots)
    for name in dict.fromkeys(ids):
        if name not in manifests:
            continue
        refused = unusable(manifests[name], allowed, "packet")
        if refused is not None:
            problems.append(refused)
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
            elsewhere = sorted(lang for (lang, i) in self.available if i == handout_id)
            message = f"no `{language}` handout with the id `{handout_id}`; "
            if elsewhere:
                # A packet is in one language: say so, rather than "did you mean".
                message += (
                    f"there is one in {', '.join(f'`{e}`' for e in elsewhere)}, but this packet "
                    f"is in `{language}`: translate it into content/handouts/{language}/, "
                    "or take it out of this packet"
                )
            else:
                message += f"{hint}`handouts list` shows them all"
            self.problems.append(problem_at(located, loc, message))
            return None
        if source.path not in self.loaded:
            try:
                self.loaded[source.path] = load_handout(source.path, source.root)
            except ProblemsError as exc:
                self.problems.extend(exc.problems)
                self.loaded[source.path] = None
        return self.loaded[source.path]
