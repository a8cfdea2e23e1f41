"""Check stage, the rules: every rule's id, severity and description, in one registry.

Every finding is made by its registered rule (`RULES[id].at(...)` or
`.finding(...)`), so a finding's id and severity are always a registered rule's.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.check.report import Loc
from generator.errors import Problem, ProblemsError, Severity, display_path
from generator.yamlfile import Located, locate, locate_text


@dataclass(frozen=True)
class Rule:
    """One check: its id (`family.name`), how much it matters, and what it finds."""

    id: str
    severity: Severity
    description: str

    def finding(
        self,
        path: str,
        message: str,
        suggestion: str | None = None,
        *,
        where: tuple[int | None, int | None] = (None, None),
    ) -> Problem:
        """A finding of this rule in a file, at a (line, column) if known."""
        line, column = where
        return Problem(
            path=path,
            message=message,
            line=line,
            column=column,
            rule=self.id,
            severity=self.severity,
            suggestion=suggestion,
        )

    def at(
        self,
        located: Located,
        loc: Loc,
        message: str,
        suggestion: str | None = None,
        *,
        text: str | None = None,
    ) -> Problem:
        """A finding of this rule at a field of a YAML file (at `text` in it, if given)."""
        where = locate_text(located, loc, text) if text else locate(located, loc)
        return self.finding(display_path(located.path), message, suggestion, where=where)


def registry(*rules: Rule) -> dict[str, Rule]:
    """Rules by id, in the order given; an id is registered once."""
    found: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in found:
            raise ValueError(f"the check rule {rule.id} is registered twice")
        found[rule.id] = rule
    return found


#: Every rule `handouts check` has, family by family. Each family's module
#: (readability.py, wording.py...) reports its findings through these.
RULES = registry(
    Rule("schema", "error", "the file does not match the handout, packet or config format"),
    Rule("readability.flesch-kincaid", "error", "Flesch-Kincaid grade above the audience's target"),
    Rule("readability.smog", "error", "SMOG grade above the audience's target"),
    Rule(
        "readability.fernandez-huerta",
        "error",
        "a Spanish handout below the audience's Fernández Huerta target (higher is easier)",
    ),
    Rule(
        "readability.szigriszt-pazos",
        "error",
        "a Spanish handout below the audience's Szigriszt-Pazos (INFLESZ) target",
    ),
    Rule("readability.smog-unreliable", "note", "under 30 sentences: SMOG is only a rough guide"),
    Rule("readability.long-sentence", "note", "one of the longest sentences"),
    Rule("readability.hard-word", "note", "one of the hardest words (4+ syllables; 5+ in Spanish)"),
    Rule("wording.directive", "error", "an order where an invitation would do"),
    Rule("wording.shaming", "error", "a word that can sound like blame or a label"),
    Rule("wording.promise", "error", "a promise no handout can keep"),
    Rule("wording.register", "error", "a Spanish handout that calls the reader both tú and usted"),
    Rule("sequencing.body-first", "error", "a practice that starts with the breath or body"),
    Rule(
        "sequencing.stop-after", "error", "a practice that turns inward, with no way to stop first"
    ),
    Rule("allow.unknown", "error", "an `allow:` entry naming no wording rule or listed phrase"),
    Rule("structure.purpose", "warning", "the purpose line is longer than one plain line"),
    Rule("structure.no-purpose", "warning", "a client handout with no purpose line"),
    Rule("structure.key-points", "warning", "no key points"),
    Rule("structure.chunk", "warning", "a long stretch of text without a heading"),
    Rule("structure.list-length", "warning", "a list of more than seven items"),
    Rule("structure.action", "warning", "nothing for the reader to do"),
    Rule("structure.visual", "warning", "a client handout with no diagram or picture"),
    Rule("structure.tool", "warning", "a client handout with no tool (a worksheet or a card)"),
    Rule("structure.image-alt", "warning", "alt text that does not describe the picture"),
    Rule("structure.sources", "warning", "no sources cited"),
    Rule("structure.reviewed", "warning", "last reviewed more than 12 months ago"),
    Rule("structure.crisis-verified", "warning", "a crisis number last checked over 12 months ago"),
    Rule("translation.behind", "warning", "a translation made from an older version of its source"),
    Rule(
        "translation.missing",
        "warning",
        "a handout with no translation in a language the project publishes in",
    ),
    Rule("translation.source", "error", "a translation whose source handout or version is wrong"),
    Rule("markup.literal", "warning", "Markdown, an HTML tag or an entity that prints as typed"),
    Rule("config.placeholder", "error", "practice details still as `handouts init` wrote them"),
    Rule("pdf.layout", "error", "laying the handout out was given up (too slow, or too nested)"),
    Rule("pdf.image", "error", "a picture the layout engine could not use"),
    Rule("pdf.accessibility", "error", "a PDF/UA problem, such as a picture without alt text"),
    Rule("pdf.tagged", "error", "the PDF is not tagged for screen readers"),
    Rule("pdf.language", "error", "the PDF has no document language"),
    Rule("pdf.title", "error", "the PDF has no title shown in the window"),
    Rule("pdf.fonts", "error", "a font is not embedded"),
    Rule("pdf.font-size", "error", "body text smaller than the profile's minimum"),
    Rule("pdf.contrast", "error", "a text colour with too little contrast on white"),
    Rule("pdf.sparse-page", "warning", "a page, not the last, less than 30% full"),
    Rule(
        "pdf.stranded-heading", "warning", "a heading at the foot of a page, its text on the next"
    ),
    Rule("pdf.lone-line", "warning", "a paragraph split with one line alone on a page"),
    Rule("pdf.spilled", "warning", "a one-page worksheet that runs onto a second page"),
    Rule("pdf.near-footer", "warning", "text within 6 pt of the footer's rule"),
)


def schema_findings(exc: ProblemsError) -> list[Problem]:
    """A file's problems (it can't be read, or doesn't match its format) as findings."""
    return [
        RULES["schema"].finding(
            p.path,
            f"{p.field}: {p.message}" if p.field else p.message,
            where=(p.line, p.column),
        )
        for p in exc.problems
    ]
