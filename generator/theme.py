"""Config stage, the project's theme: a stylesheet of its own, checked before any build.

The stylesheet is added after the built-in one and fetched, like every
file a page uses, through the layout's restricted fetcher. What the page
geometry decides (the page's margins and size, the footer's type) stays
the geometry's, so that footers and page numbers keep their places: a
theme that sets them is refused here, naming its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator import files
from generator.errors import Problem, ProblemsError, display_path
from generator.yamlfile import Located, problem_at

if TYPE_CHECKING:
    from generator.config import Project

#: A theme adds to the built-in stylesheet (about 10 KB): far larger is no theme.
MAX_THEME_BYTES = 256 * 1024

#: What a theme may not set in a rule for the footer: the footer's height is
#: estimated from the geometry's type.
_FOOTER_CLASSES = ("page-footer", "packet-footer", "crisis", "care", "footer-note", "practice")
#: The footer as an element ("footer p"), not a word in a class name (".footer-note" is above).
_FOOTER_ELEMENT = re.compile(r"(?<![\w.#-])footer(?![\w-])", re.IGNORECASE)
_FOOTER_TYPE = ("font", "line-height", "letter-spacing", "word-spacing", "padding", "margin")
#: What would take the footer (and the crisis line in it) off the page, or out of its place.
_FOOTER_HIDDEN = (
    *("display", "visibility", "opacity", "position", "float", "transform", "height"),
    *("max-height", "overflow", "clip", "content", "text-indent", "width", "max-width"),
)
#: What hides text, set for every element of a kind ("p { visibility: hidden }"): it
#: hides the footer's lines too.
_HIDING = {
    "display": ("none",),
    "visibility": ("hidden", "collapse"),
    "opacity": ("0",),
}
#: Rules nested deeper than this (@media in @media…) are no theme's.
_MAX_DEPTH = 20
#: At-rules that hold rules of their own.
_GROUPS = ("media", "supports", "layer", "container", "scope")
_MARGINS_HINT = (
    "set the margins in handouts.yaml instead (theme: margins: top and sides), "
    "so that the footer and the page numbers move with them"
)


def check_theme(located: Located, src: str, root: Path) -> None:
    """Refuse a theme stylesheet that can't be used, naming handouts.yaml or the CSS line."""
    path, message = _theme_file(src, root)
    if path is None:
        raise ProblemsError([problem_at(located, ["theme", "css"], message)])
    try:
        text = files.read_bytes(path, MAX_THEME_BYTES).decode("utf-8")
    except files.FileProblem as exc:
        message = f"`{src}`: {exc.message}"
        raise ProblemsError([problem_at(located, ["theme", "css"], message)]) from None
    except UnicodeDecodeError:
        message = f"`{src}` is not UTF-8 text; save it as UTF-8"
        raise ProblemsError([problem_at(located, ["theme", "css"], message)]) from None
    problems = css_problems(text, display_path(path))
    if problems:
        raise ProblemsError(problems)


def _theme_file(src: str, root: Path) -> tuple[Path | None, str]:
    """The real path of a theme stylesheet, or None and why it can't be used."""
    from generator.content import asset_folders

    if "://" in src or src.startswith(("data:", "file:", "//")):
        return None, "must be a path to a .css file in the project, not a web address"
    if Path(src).is_absolute():
        return None, "must be a path relative to the project's folder, not an absolute path"
    if Path(src).suffix.lower() != ".css":
        return None, f"`{src}` is not a stylesheet; a theme is a file ending in .css"
    path = root / src
    target = files.inside(path, asset_folders(root))
    if target is None:
        if not path.exists() and files.link_out(path) is None:
            return None, f"there is no file `{src}`; check the name and folder"
        return None, f"`{src}` {files.outside_message(path)}"
    try:
        files.check_file(target, MAX_THEME_BYTES)
    except files.FileProblem as exc:
        if exc.message.startswith("file not found"):
            return None, f"there is no file `{src}`; check the name and folder"
        hint = "; a theme adds a few rules to the built-in style" if exc.size else ""
        return None, f"`{src}`: {exc.message}{hint}"
    return target, ""


def css_problems(text: str, shown: str) -> list[Problem]:
    """The rules of a theme stylesheet that reach outside it or move the page geometry."""
    import tinycss2

    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    try:
        return list(_rule_problems(rules, shown))
    except RecursionError:
        # Brackets inside brackets, thousands deep: no stylesheet a person writes.
        message = "its rules are nested too deeply to read; a theme is a few plain rules"
        return [Problem(path=shown, message=message, line=1, column=1)]


def _rule_problems(rules: Iterable[Any], shown: str, depth: int = 0) -> Iterable[Problem]:
    import tinycss2

    if depth > _MAX_DEPTH:
        message = f"rules nested more than {_MAX_DEPTH} deep (@media inside @media…); flatten them"
        rule = next(iter(rules), None)
        where = (rule.source_line, rule.source_column) if rule is not None else (1, 1)
        yield Problem(path=shown, message=message, line=where[0], column=where[1])
        return
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            yield Problem(
                path=shown,
                message="@import is not followed: a theme is one stylesheet; copy the rules "
                "you need into it",
                line=rule.source_line,
                column=rule.source_column,
            )
        elif rule.type == "at-rule" and rule.lower_at_keyword == "page":
            yield from _page_problems(rule, shown)
        elif rule.type == "at-rule" and rule.lower_at_keyword in _GROUPS and rule.content:
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            yield from _rule_problems(inner, shown, depth + 1)
        elif rule.type == "qualified-rule":
            yield from _footer_problems(rule, shown)


def _footer_problems(rule: Any, shown: str) -> Iterable[Problem]:
    """A rule may not move, resize or hide the footer, whose crisis line every page carries."""
    footer = _for_footer(rule.prelude)
    every = _every_element(rule.prelude)
    for name, value, line, column in _values(rule.content):
        if footer and name.startswith(_FOOTER_TYPE) and name != "font-weight":
            message = (
                f"sets the footer's `{name}`; the footer's type and spacing are the page "
                "geometry's, which sizes the bottom margin to fit it: change its colour or "
                "weight only"
            )
        elif footer and name.startswith(_FOOTER_HIDDEN):
            message = (
                f"sets the footer's `{name}`; the footer, with the crisis line, stays on every "
                "page as it is: change its colour or weight only"
            )
        elif every and value in _HIDING.get(name, ()):
            message = (
                f"`{name}: {value}` for every element of a kind hides the footer's lines too, "
                "the crisis line among them; give the rule a class of your own"
            )
        else:
            continue
        yield Problem(path=shown, message=message, line=line, column=column)


def _page_problems(rule: Any, shown: str) -> Iterable[Problem]:
    """A theme's @page rule may not move the margins, the paper or the margin boxes."""
    for name, line, column in _declarations(rule.content or []):
        if name.startswith(("margin", "padding")) or name in ("size", "@"):
            what = "a margin box" if name == "@" else f"`{name}`"
            message = f"sets {what} in @page; {_MARGINS_HINT}"
            yield Problem(path=shown, message=message, line=line, column=column)


def _declarations(content: Sequence[Any]) -> Iterable[tuple[str, int, int]]:
    """The names of a block's declarations, and "@" for a nested at-rule, with where they are."""
    import tinycss2

    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            yield item.lower_name, item.source_line, item.source_column
        elif item.type == "at-rule":
            yield "@", item.source_line, item.source_column


def _for_footer(prelude: Sequence[Any]) -> bool:
    import tinycss2

    selector = tinycss2.serialize(prelude)
    classes = re.findall(r"\.(-?[\w-]+)", selector)
    return any(c in _FOOTER_CLASSES for c in classes) or bool(_FOOTER_ELEMENT.search(selector))


def _every_element(prelude: Sequence[Any]) -> bool:
    """Whether a selector list has a part with no class, id or attribute: "p", "*", "div p"."""
    import tinycss2

    return any(not re.search(r"[.#\[]", part) for part in tinycss2.serialize(prelude).split(","))


def _values(content: Sequence[Any]) -> Iterable[tuple[str, str, int, int]]:
    """A block's declarations: name, value (lower case, as written) and where they are."""
    import tinycss2

    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            value = tinycss2.serialize(item.value).strip().lower()
            yield item.lower_name, value, item.source_line, item.source_column


#: Where WeasyPrint says a stylesheet went wrong: "Ignored `color: nope` at 3:4, …",
#: "Parse error at 53:49, …".
_WHERE = re.compile(r"^(?:Ignored `(?P<said>.*)` at|[^`]*? at) (?P<line>\d+):(?P<column>\d+)\b")


#: What a stylesheet asks for: `url(…)` and `@import "…"`.
_URL = re.compile(r"url\(\s*([^)]*?)\s*\)|@import\s+(?:\"[^\"]*\"|'[^']*')", re.IGNORECASE)


class ProjectStyles:
    """The project's own stylesheets (its theme, and any among its templates), read
    when a layout warns, to say which of them a warning is about."""

    def __init__(self, project: Project):
        self.project = project
        self._sheets: list[tuple[str, list[str], str]] | None = None

    def _read(self) -> list[tuple[str, list[str], str]]:
        if self._sheets is None:
            root = self.project.root
            css = self.project.config.theme.css
            paths = [root / css] if css else []
            if (root / "templates").is_dir():
                paths += sorted((root / "templates").rglob("*.css"))
            self._sheets = []
            for path in paths:
                try:
                    text = files.read_bytes(path, MAX_THEME_BYTES).decode("utf-8")
                except (files.FileProblem, UnicodeDecodeError, OSError):
                    continue
                self._sheets.append((display_path(path), text.splitlines(), path.as_uri()))
        return self._sheets

    def blocked(self, shown: str, url: str) -> Problem:
        """A fetch refused, at the line of the project's stylesheet that asks for it, if one
        does (a theme's `url(file:///etc/passwd)`); else at the document."""
        message = (
            f"blocked a file or address outside the project: {url}; handouts may only use "
            "files in the project's content, assets and templates folders"
        )
        from urllib.parse import urljoin

        for sheet, lines, base in self._read():
            for number, line in enumerate(lines, start=1):
                asked = (urljoin(base, ref.strip("'\" ")) for ref in _URL.findall(line))
                if url in line or url in asked:
                    return Problem(path=sheet, message=message, line=number)
        return Problem(path=shown, message=message)

    def problem(self, warning: str) -> Problem | None:
        """The warning at the line of the project's stylesheet it is about, if that is
        sure: the words it quotes are on that line, or only one sheet is that long."""
        found = _WHERE.match(warning)
        if found is None:
            return None
        line, said = int(found["line"]), found["said"]
        # The property, as typed: WeasyPrint writes the value back its own way ("url([bad url])").
        typed = None if said is None else said.split(":")[0].strip()[:40]
        sheets = [
            shown
            for shown, lines, _ in self._read()
            if len(lines) >= line and (typed is None or typed in lines[line - 1])
        ]
        if len(sheets) != 1:
            return None
        message = f"{warning.rstrip('.')}; the layout skips it: fix it or take it out"
        return Problem(path=sheets[0], message=message, line=line, column=int(found["column"]))
