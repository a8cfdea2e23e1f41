"""Check stage: readability, wording, structure and PDF checks → findings.

One module per family of rules (readability, wording, structure, safety,
crisis, pdf), each reporting through the rules registered in `rules`; this module
runs them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from generator import files
from generator.blocks import BlockModel, walk
from generator.check.crisis import crisis_findings, placeholder_findings
from generator.check.readability import readability_findings
from generator.check.report import Report
from generator.check.rules import RULES, Rule, schema_findings
from generator.check.safety import safety_findings
from generator.check.sequencing import sequencing_findings
from generator.check.structure import structure_findings
from generator.check.terms import term_findings
from generator.check.translations import footer_note_findings, translation_findings
from generator.check.wording import (
    WordList,
    allow_findings,
    config_allow_findings,
    wording_findings,
    wording_rules,
)
from generator.config import Paper, Project
from generator.content import load_handout, load_packets
from generator.errors import Problem, ProblemsError, counted, display_path
from generator.model import Edition, HandoutFile
from generator.options import RenderOptions
from generator.progress import stage
from generator.roots import CONFIG_NAME
from generator.sources import HandoutSource, run_languages
from generator.translations import header
from generator.yamlfile import Located, format_field, read_yaml


def all_rules() -> tuple[Rule, ...]:
    """Every rule `handouts check` has, family by family."""
    return tuple(RULES.values())


def rules_text() -> str:
    """The rules for people: id, severity and what each finds, one a line."""
    return "\n".join(f"{r.id:<28} {r.severity:<7} {r.description}" for r in all_rules())


def rules_json() -> str:
    """The rules for machines: a list of id, severity and description."""
    return json.dumps([asdict(r) for r in all_rules()], indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class CheckRequest:
    """What a `handouts check` run was asked to do."""

    targets: tuple[str, ...] = ()
    pdf: bool = False
    large_print: bool = False
    #: With `pdf`: the paper (None: the config's) and the edition laid out.
    paper: Paper | None = None
    edition: Edition = "client"
    #: With `pdf`: the fillable profile (form fields).
    fillable: bool = False
    #: Only handouts in this language (default: every language the project declares).
    language: str | None = None


def run_check(config: Path | None, request: CheckRequest, *, config_as_findings: bool) -> Report:
    """Find the project and check it.

    With `config_as_findings` (for --json) a config that can't be read is
    reported as findings, so CI gets JSON whatever is wrong; otherwise it is
    the error every command gives.
    """
    from generator.config import find_project

    try:
        project = find_project(config=config)
    except ProblemsError as exc:
        if not config_as_findings:
            raise
        # Nothing else is checked: the settings every other check reads are wrong.
        return Report(schema_findings(exc), sorted({p.path for p in exc.problems}))
    return check(project, request)


def check(project: Project, request: CheckRequest) -> Report:
    """Run every check on the chosen handouts and packets (everything when none)."""
    report = Report()
    try:
        languages = run_languages(project, request.language)
    except ProblemsError as exc:
        report.findings.extend(schema_findings(exc))
        return report
    handouts, packets = _targets(project, request.targets, languages, report)
    words = wording_rules(project)
    with stage(f"check {counted(len(handouts) + len(packets), 'file')}"):
        for path, root in handouts:
            report.checked.append(display_path(path))
            try:
                item = load_handout(path, root)
            except ProblemsError as exc:
                report.findings.extend(schema_findings(exc))
                continue
            located = read_yaml(path)
            report.findings.extend(check_handout(project, item, located, words))
        for packet_id in packets:
            try:
                (packet,) = load_packets(project.roots, [packet_id])
                report.checked.append(display_path(packet.path))
                report.findings.extend(literal_findings(packet.own_warnings))
            except ProblemsError as exc:
                # A handout the packet uses was read on its own above: say its problems once.
                said = set(report.findings)
                report.findings.extend(f for f in schema_findings(exc) if f not in said)
        report.findings.extend(translation_findings(project, [path for path, _ in handouts]))
        report.findings.extend(footer_note_findings(project))
        report.findings.extend(_message_findings(project, [path for path, _ in handouts]))
        report.findings.extend(crisis_findings(project))
        report.findings.extend(placeholder_findings(project))
        report.findings.extend(config_allow_findings(project, words))
    if request.pdf and not any(f.rule == "schema" for f in report.findings):
        # Imported only here: the layout engine and the PDF readers are for --pdf.
        from generator.check.packets import check_packet_pdfs
        from generator.check.pdf import check_pdfs

        ids = [p.stem for p, _ in handouts]
        options = RenderOptions(
            paper=request.paper,
            edition=request.edition,
            large_print=request.large_print,
            fillable=request.fillable,
        )
        # No ids means every handout to the loader: a packet asked for alone is checked alone.
        if ids:
            # The languages of the files checked, a file named by its path included.
            written = sorted({path.parent.name for path, _ in handouts})
            report.findings.extend(check_pdfs(project, ids, options, written))
        report.findings.extend(check_packet_pdfs(project, packets, options))
    return report


def _message_findings(project: Project, paths: Sequence[Path]) -> list[Problem]:
    """Each language of the handouts checked that has no message file: a build of any
    of them stops there (a project made with `init --languages fr`, say)."""
    from generator.errors import HandoutError
    from generator.render import Renderer

    renderer = Renderer(project)
    found: list[Problem] = []
    for language in sorted({path.parent.name for path in paths}):
        try:
            renderer.message_files(language)
        except HandoutError as exc:
            first = min(p for p in paths if p.parent.name == language)
            found.append(RULES["schema"].finding(display_path(first), exc.message))
        except ProblemsError:
            continue  # a message file that can't be read: the crisis check says so
    return found


def _targets(
    project: Project, targets: Sequence[str], languages: Sequence[str], report: Report
) -> tuple[list[tuple[Path, Path]], list[str]]:
    """Handout files (with their content root) and packet ids to check."""
    from generator.content import discover_packets
    from generator.sources import discover

    every_source, problems = discover(project.roots)
    sources = [s for s in every_source if s.language in languages]
    # A packet is in one language: checked with the handouts of its language. One
    # whose language can't be read is checked, to say why. One named is checked
    # whatever its language, as `handouts packet` builds it.
    every_packet = discover_packets(project.roots)
    packets = {
        name: path
        for name, path in every_packet.items()
        if not isinstance(language := header(path).get("language"), str) or language in languages
    }
    report.findings.extend(schema_findings(ProblemsError(problems)) if problems else [])
    if project.config_path is not None:
        report.checked.append(display_path(project.config_path))
    if not targets:
        # A project checks its own files; the built-ins are checked as the library
        # (outside any project), not as part of every project that uses them.
        def own(path: Path) -> bool:
            return project.is_library or project.origin(path) == "project"

        return (
            [(s.path, s.root) for s in sources if own(s.path)],
            sorted(name for name, path in packets.items() if own(path)),
        )
    handouts: list[tuple[Path, Path]] = []
    packet_ids: list[str] = []
    found = _Found(sources, every_source, every_packet, languages, problems)
    for target in targets:
        message = found.place(target, project, handouts, packet_ids)
        if message:
            report.findings.append(RULES["schema"].finding(target, message))
    return handouts, packet_ids


@dataclass
class _Found:
    """What the project holds, to place each name `check` is given."""

    sources: list[HandoutSource]
    every_source: list[HandoutSource]
    every_packet: dict[str, Path]
    languages: Sequence[str]
    problems: list[Problem]

    def place(
        self,
        target: str,
        project: Project,
        handouts: list[tuple[Path, Path]],
        packet_ids: list[str],
    ) -> str:
        """Add a named file or id to what is checked; or say why it isn't ("": said already)."""
        path = Path(target)
        problem = files.not_a_file(path)
        if problem is None and path.name == CONFIG_NAME and not _in_content(path):
            # This project's config is checked whatever is named.
            return "" if _is_config(path, project) else _ANOTHER_CONFIG
        if path.suffix in (".yaml", ".yml") and _links_out(path, project):
            problem = files.outside_message(path)
        elif path.suffix in (".yaml", ".yml") and problem is None:
            if path.resolve().parent.name == "packets":
                packet_ids.append(path.stem)
            else:
                handouts.append((path, _root_of(path, project)))
            return ""
        elif matches := [(s.path, s.root) for s in self.sources if s.id == target]:
            handouts.extend(matches)
            return ""
        elif (packet_id := _packet_id(target, path, self.every_packet)) is not None:
            packet_ids.append(packet_id)
            return ""
        elif written := sorted({s.language for s in self.every_source if s.id == target}):
            return (
                f"this handout is written in {', '.join(written)}, not in "
                f"{', '.join(self.languages)}; add --language {written[0]}, or add "
                f"`{written[0]}` to `languages` in handouts.yaml"
            )
        if display_path(path) in {p.path for p in self.problems}:
            return ""  # why that file can't be read is reported already
        if target in {Path(p.path).stem for p in self.problems}:
            return ""
        files_in = [*(s.path for s in self.sources), *self.every_packet.values()]
        return _not_checkable(path, problem, files_in)


_ANOTHER_CONFIG = (
    "this is another project's handouts.yaml; check that project in its own folder, "
    "or pass --config with this file"
)


def _packet_id(target: str, path: Path, packets: dict[str, Path]) -> str | None:
    """The packet a name is, by id or by its file (one that can't be read, too)."""
    if target in packets:
        return target
    known = packets.get(path.stem)
    return path.stem if known is not None and known.resolve() == path.resolve() else None


def _in_content(path: Path) -> bool:
    """Whether a file is where handouts and packets are (a handout may have the config's name)."""
    real = path.resolve()
    return (real.parent.parent.name == "handouts" and real.parents[2].name == "content") or (
        real.parent.name == "packets" and real.parent.parent.name == "content"
    )


def _is_config(path: Path, project: Project) -> bool:
    config = project.config_path
    return config is not None and path.resolve() == config.resolve()


def _not_checkable(path: Path, problem: str | None, files_in: list[Path]) -> str:
    """Why a name given to check is none of the things it checks, and what it takes."""
    takes = (
        "check takes handout and packet files (.yaml), their ids, or handouts.yaml; "
        "with none it checks the whole project"
    )
    if problem == files.NOT_FOUND:
        return (
            "no handout or packet with this id, and no such file; "
            "`handouts list` shows the handouts"
        )
    if problem is None:
        return f"this is not a YAML file; {takes}"
    if not problem.startswith("this is a folder"):
        return f"{problem}; {takes}"
    folder = path.resolve()
    ids = sorted({f.stem for f in files_in if _resolved(f).is_relative_to(folder)})
    if not ids:
        return f"this is a folder with no handouts or packets in it; {takes}"
    more = f" (and {len(ids) - 10} more)" if len(ids) > 10 else ""
    return (
        "this is a folder; check takes files or ids, not folders. To check what is in "
        f"it: handouts check {' '.join(ids[:10])}{more}"
    )


def _links_out(path: Path, project: Project) -> bool:
    """Whether a file named in the project's folders is a link that leads out of them."""
    from generator.files import inside
    from generator.sources import roots_folders

    folders = roots_folders(project.roots)
    named = Path(os.path.abspath(path))
    return any(named.is_relative_to(f) for f in folders) and inside(path, folders) is None


def _root_of(path: Path, project: Project) -> Path:
    """The project root a handout file belongs to (content/handouts/<lang>/x.yaml)."""
    resolved = path.resolve()
    parents = resolved.parents
    if len(parents) > 3 and parents[1].name == "handouts" and parents[2].name == "content":
        return parents[3]
    return project.root


def check_handout(
    project: Project, item: HandoutFile, located: Located, words: WordList
) -> list[Problem]:
    """Readability, wording, sequencing, structure, safety and `allow:` findings for one handout."""
    findings: list[Problem] = []
    findings += readability_findings(project, item, located)
    findings += wording_findings(item, located, words)
    findings += sequencing_findings(item, located)
    findings += structure_findings(item, located)
    findings += term_findings(item, located)
    findings += safety_findings(item, located, words.allowed)
    findings += allow_findings(item, located, words)
    findings += literal_findings(item.warnings, item.handout.blocks)
    return findings


def literal_findings(
    warnings: Sequence[Problem], blocks: Sequence[BlockModel] = ()
) -> list[Problem]:
    """Markup that would print as typed (found as the file was loaded), as findings.

    A block may allow it (`allow: [markup.literal]`), for a text that means
    to show the characters.
    """
    rule = RULES["markup.literal"]
    allowed = {format_field(loc) for loc, block in walk(blocks) if rule.id in block.allow}
    return [
        rule.finding(w.path, w.message, where=(w.line, w.column))
        for w in warnings
        if not any(w.field == a or w.field.startswith((a + ".", a + "[")) for a in allowed)
    ]


def _resolved(path: Path) -> Path:
    """The file a path leads to; the path itself when its links go round in a loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path
