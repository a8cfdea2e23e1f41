"""generator/layout.py alone: the batch (order, cache use, warning policy), jobs, places.

WeasyPrint is replaced by a stand-in that answers from a table, so these run
in milliseconds; `test_engine.py` and the build tests lay out for real.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

import generator.cache as cache_module
import generator.layout as layout_module
import generator.merge as merge_module
from conftest import MINIMAL, Project, handout_text
from generator.cache import CACHE_FOLDER, BuildCache
from generator.config import builtin_root, find_project
from generator.errors import Problem, ProblemsError
from generator.fonts import font_folders
from generator.layout import Batch, Job, Places, allowed_folders
from generator.pdf import Layout, LayoutStopped, PdfResult
from generator.placement import HostFont, OffPage

ONE = "content/handouts/en/one.yaml"
TWO = "content/handouts/en/two.yaml"
UNKNOWN = "Ignored `colour: red` at 1:5, unknown property."


def pdf(name: str) -> bytes:
    """Bytes shaped like a PDF (the cache checks the shape), naming the document."""
    return b"%PDF-1.7\n" + name.encode() + b"\n%%EOF\n"


def result(name: str, **said: Any) -> PdfResult:
    return PdfResult(
        data=pdf(name),
        errors=said.pop("errors", ()),
        warnings=said.pop("warnings", ()),
        blocked=said.pop("blocked", ()),
        **said,
    )


class Engine:
    """Stands in for `lay_out_one`: each document's HTML names what it gives back."""

    def __init__(self, answers: dict[str, PdfResult | Exception]):
        self.answers = answers
        #: The HTML of each document laid out, in order.
        self.laid_out: list[str] = []

    def __call__(self, call: Any) -> PdfResult:
        # A tuple (html, base_url, allowed, layout) or a record with those fields.
        html = call.html if hasattr(call, "html") else call[0]
        layout = call.layout if hasattr(call, "layout") else call[3]
        self.laid_out.append(html if layout == Layout() else f"{html} {layout}")
        answer = self.answers[html]
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Engine]:
    def make(**answers: PdfResult | Exception) -> Engine:
        stand_in = Engine(answers)
        monkeypatch.setattr(layout_module, "lay_out_one", stand_in)
        return stand_in

    return make


@pytest.fixture
def handouts(project: Project) -> Project:
    project.add("one.yaml", MINIMAL)
    project.add("two.yaml", MINIMAL.replace("Noticing your breath", "Two"))
    return project


def job(html: str, source: str = ONE, **more: Any) -> Job:
    return Job(html=html, base_url="file:///nowhere/", source=Path(source), **more)


def batch(project: Project, *jobs: Job, strict: bool = False, **more: Any) -> Batch:
    return Batch(find_project(project.root), list(jobs), strict=strict, layout=Layout(), **more)


# --- the folders a document may read --------------------------------------------------


def test_allowed_folders_are_the_projects_the_librarys_and_the_fonts(
    project: Project, tmp_path: Path
) -> None:
    library = builtin_root().resolve()
    # The project reached through a link: its folders are where they really are.
    link = tmp_path / "via-a-link"
    link.symlink_to(project.root)
    root = project.root.resolve()
    assert allowed_folders(find_project(link)) == (
        root / "content",
        root / "assets",
        root / "templates",
        library / "content",
        library / "assets",
        library / "templates",
        *font_folders(),
    )


def test_a_project_folder_that_links_elsewhere_does_not_open_that_place(
    project: Project, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (project.root / "assets").symlink_to(elsewhere)
    allowed = allowed_folders(find_project(project.root))
    assert project.root.resolve() / "assets" in allowed
    assert [f for f in allowed if f.is_relative_to(elsewhere)] == []


def test_a_job_keeps_its_html_source_and_defaults() -> None:
    made = job("<p>one</p>")
    assert (made.html, made.base_url, made.source) == ("<p>one</p>", "file:///nowhere/", Path(ONE))
    assert (made.private, made.given_in, made.layout) == (None, None, None)


# --- order -------------------------------------------------------------------------


def test_the_pdfs_come_in_the_order_the_documents_were_added(handouts: Project, engine) -> None:
    laid = engine(b=result("b"), a=result("a"), c=result("c"))
    made = batch(handouts, job("b"), job("a", TWO), job("c"))
    assert made.result() == ([pdf("b"), pdf("a"), pdf("c")], ())
    assert laid.laid_out == ["b", "a", "c"]


def test_workers_results_are_put_back_in_order(handouts: Project, engine) -> None:
    """Futures finish in any order; the PDFs come back in the documents' order."""
    engine()  # nothing is laid out in this process

    class Pool:
        def __init__(self) -> None:
            self.futures: list[Future[PdfResult]] = []

        def submit(self, function: Any, call: Any) -> Future[PdfResult]:
            future: Future[PdfResult] = Future()
            self.futures.append(future)
            return future

    pool = Pool()
    made = batch(handouts, job("x"), job("y"), job("z"), workers=pool)
    assert len(pool.futures) == 3
    for future, name in zip(reversed(pool.futures), "zyx", strict=True):
        future.set_result(result(name))
    ready = list(made.as_ready())
    assert sorted(ready) == [(0, pdf("x")), (1, pdf("y")), (2, pdf("z"))]
    assert made.result() == ([pdf("x"), pdf("y"), pdf("z")], ())


# --- the warning policy ------------------------------------------------------------


def test_warnings_are_kept_each_once_in_the_documents_order(handouts: Project, engine) -> None:
    engine(
        two=result("two", warnings=("a second thing",)),
        one=result("one", warnings=(UNKNOWN,)),
        again=result("again", warnings=(UNKNOWN, "a second thing")),
    )
    # The same file twice (a handout's two editions): its warning is shown once.
    made = batch(handouts, job("two", TWO), job("one"), job("again"))
    pdfs, warnings = made.result()
    assert pdfs == [pdf("two"), pdf("one"), pdf("again")]
    assert warnings == (
        f"{TWO}: warning: a second thing",
        f"{ONE}: warning: {UNKNOWN}",
        f"{ONE}: warning: a second thing",
    )


def test_strict_makes_each_warning_a_problem_and_gives_no_pdf(handouts: Project, engine) -> None:
    engine(one=result("one", warnings=(UNKNOWN,)), two=result("two"))
    made = batch(handouts, job("one"), job("two", TWO), strict=True)
    with pytest.raises(ProblemsError) as error:
        made.result()
    assert error.value.problems == [
        Problem(
            path=ONE,
            message=f"warning treated as an error (--strict): {UNKNOWN}",
        )
    ]
    assert error.value.summary == "1 problem in 1 file; nothing was written."
    assert made.warnings == ()


def test_no_pdf_comes_once_a_document_has_problems(handouts: Project, engine) -> None:
    laid = engine(
        good=result("good"),
        bad=result("bad", errors=("a heading is missing",)),
        later=result("later"),
        worse=result("worse", errors=("a table has no header row",)),
    )
    made = batch(handouts, job("good"), job("bad"), job("later"), job("worse", TWO))
    ready: list[tuple[int, bytes]] = []
    with pytest.raises(ProblemsError) as error:
        ready.extend(made.as_ready())
    assert ready == [(0, pdf("good"))]
    # Every document was laid out, and every problem is reported at once.
    assert laid.laid_out == ["good", "bad", "later", "worse"]
    assert error.value.problems == [
        Problem(
            path=ONE,
            message="PDF/UA accessibility error: a heading is missing",
        ),
        Problem(
            path=TWO,
            message="PDF/UA accessibility error: a table has no header row",
        ),
    ]


def test_a_layout_given_up_names_its_file(handouts: Project, engine) -> None:
    engine(slow=LayoutStopped("laying it out took longer than 60 seconds"))
    with pytest.raises(ProblemsError) as error:
        batch(handouts, job("slow", TWO)).result()
    assert error.value.problems == [
        Problem(
            path=TWO,
            message="laying it out took longer than 60 seconds",
        )
    ]


def test_a_layout_given_up_is_reported_with_the_other_documents_problems(
    handouts: Project, engine
) -> None:
    engine(
        bad=result("bad", errors=("a heading is missing",)),
        slow=LayoutStopped("laying it out took longer than 60 seconds"),
    )
    with pytest.raises(ProblemsError) as error:
        batch(handouts, job("bad"), job("slow", TWO)).result()
    assert error.value.problems == [
        Problem(
            path=ONE,
            message="PDF/UA accessibility error: a heading is missing",
        ),
        Problem(
            path=TWO,
            message="laying it out took longer than 60 seconds",
        ),
    ]


def test_refused_files_are_problems_naming_the_file_once(handouts: Project, engine) -> None:
    picture = (handouts.root / "content" / "images" / "calm.png").as_uri()
    engine(
        one=result(
            "one",
            blocked=("file:///etc/passwd",),
            failed=((picture, "it is empty"),),
            # WeasyPrint logs each refused fetch too: not said twice.
            errors=(
                "Failed to load stylesheet at file:///etc/passwd",
                f"Failed to load image at {picture}",
                "Missing alt text on an image",
            ),
        )
    )
    with pytest.raises(ProblemsError) as error:
        batch(handouts, job("one")).result()
    assert [p.message for p in error.value.problems] == [
        "blocked a file or address outside the project: file:///etc/passwd; handouts "
        "may only use files in the project's content, assets and templates folders",
        "can't use content/images/calm.png: it is empty",
        "PDF/UA accessibility error: Missing alt text on an image",
    ]


# --- names stay on the page ------------------------------------------------------------


def test_a_persons_name_never_reaches_a_warning(handouts: Project, engine) -> None:
    engine(cover=result("cover", warnings=("the text 'Prepared for Alex Rivera' is long",)))
    made = batch(handouts, job("cover", private="Alex Rivera", given_in="people.csv:4"))
    assert made.result()[1] == (f"{ONE}: warning: the text 'Prepared for (the name)' is long",)


def test_a_name_no_font_can_print_is_a_problem_where_it_was_given(
    handouts: Project, engine
) -> None:
    engine(
        cover=result(
            "cover",
            warnings=('.notdef glyph rendered for Unicode string unsupported by fonts: "Alex"',),
        )
    )
    made = batch(handouts, job("cover", private="Alex", given_in="people.csv:4"))
    with pytest.raises(ProblemsError) as error:
        made.result()
    assert error.value.problems == [
        Problem(
            path="people.csv:4",
            message="the name has characters that no font on this computer could print; install "
            "a font that covers them, or write the name another way",
        )
    ]
    assert "Alex" not in error.value.format_message()


# --- the cache ---------------------------------------------------------------------


@pytest.fixture
def cache(handouts: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> BuildCache:
    """The project's build cache, its secret in a home of the test's own."""
    monkeypatch.setattr(cache_module, "_user_cache", lambda: tmp_path / "home-cache")
    cache_module.user_secret.cache_clear()
    yield BuildCache(find_project(handouts.root))  # type: ignore[misc]
    cache_module.user_secret.cache_clear()


def kept(project: Project) -> list[bytes]:
    """The PDFs in the cache, without their seals, sorted."""
    folder = project.root / CACHE_FOLDER
    entries = [p.read_bytes() for p in folder.glob("*.pdf")] if folder.is_dir() else []
    return sorted(e[e.index(b"%PDF-") :] for e in entries)


def test_a_document_laid_out_once_comes_from_the_cache(
    handouts: Project, engine, cache: BuildCache
) -> None:
    laid = engine(one=result("one"), two=result("two"))
    first = batch(handouts, job("one"), job("two", TWO), cache=cache).result()
    assert laid.laid_out == ["one", "two"]
    assert kept(handouts) == [pdf("one"), pdf("two")]
    # A new document between two cached ones: only it is laid out, and the
    # cached ones come first from `as_ready`.
    laid.answers["new"] = result("new")
    made = batch(handouts, job("one"), job("new"), job("two", TWO), cache=cache)
    assert list(made.as_ready()) == [(0, pdf("one")), (2, pdf("two")), (1, pdf("new"))]
    assert laid.laid_out == ["one", "two", "new"]
    assert first == ([pdf("one"), pdf("two")], ())


def test_the_same_html_with_another_layout_is_another_entry(
    handouts: Project, engine, cache: BuildCache
) -> None:
    laid = engine(one=result("one"))
    batch(handouts, job("one"), cache=cache).result()
    forms = Layout(forms=True)
    batch(handouts, job("one", layout=forms), cache=cache).result()
    batch(handouts, job("one", layout=forms), cache=cache).result()
    assert laid.laid_out == ["one", f"one {forms}"]
    assert len(list((handouts.root / CACHE_FOLDER).glob("*.pdf"))) == 2


@pytest.mark.parametrize(
    "said",
    [
        {"warnings": (UNKNOWN,)},
        {"off_page": (OffPage(field="", where="page", page=1, chars=3),)},
        {"host_fonts": (HostFont(family="", asked=(), field="", page=1, chars="?"),)},
        {"errors": ("a heading is missing",)},
    ],
    ids=["warning", "off-page", "host-font", "problem"],
)
def test_a_document_with_anything_to_say_is_not_cached(
    handouts: Project, engine, cache: BuildCache, said: dict[str, Any]
) -> None:
    """A later --strict build must see the warning; a problem's PDF is never used."""
    laid = engine(one=result("one", **said), two=result("two"))
    try:
        batch(handouts, job("one"), job("two", TWO), cache=cache).result()
    except ProblemsError:
        assert "errors" in said
    assert kept(handouts) == [pdf("two")]
    laid.laid_out.clear()
    with pytest.raises(ProblemsError) if "errors" in said else contextlib.nullcontext():
        batch(handouts, job("one"), job("two", TWO), cache=cache).result()
    assert laid.laid_out == ["one"]


def test_a_cache_entry_that_does_not_verify_is_laid_out_again(
    handouts: Project, engine, cache: BuildCache
) -> None:
    laid = engine(one=result("one"))
    batch(handouts, job("one"), cache=cache).result()
    (entry,) = (handouts.root / CACHE_FOLDER).glob("*.pdf")
    entry.write_bytes(entry.read_bytes().replace(b"one", b"eno"))
    assert batch(handouts, job("one"), cache=cache).result() == ([pdf("one")], ())
    assert laid.laid_out == ["one", "one"]
    assert kept(handouts) == [pdf("one")]


def test_a_packets_part_is_compacted_before_it_is_kept(
    handouts: Project, engine, cache: BuildCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine(part=result("part"), whole=result("whole"))
    monkeypatch.setattr(merge_module, "compact", lambda data: b"%PDF-compact " + data[5:])
    made = batch(handouts, job("part", layout=Layout(part=True)), job("whole"), cache=cache)
    compacted = b"%PDF-compact " + pdf("part")[5:]
    assert made.result() == ([compacted, pdf("whole")], ())
    assert kept(handouts) == sorted([compacted, pdf("whole")])


def test_the_key_is_the_documents_html_and_layout(handouts: Project, cache: BuildCache) -> None:
    """The key a batch looks a document up under: its HTML and its layout, nothing else."""
    looked_up: list[str] = []
    real = cache.get

    def get(key: str) -> bytes | None:
        looked_up.append(key)
        return real(key)

    cache.get = get  # type: ignore[method-assign]
    layout = Layout(tagged=False)
    Batch(
        find_project(handouts.root),
        [job("<p>x</p>"), job("<p>x</p>", TWO, layout=layout)],
        strict=False,
        layout=Layout(),
        cache=cache,
    )
    assert looked_up == [
        cache.key(
            "document",
            "<p>x</p>",
            {"forms": False, "tagged": True, "part": False, "quality": False, "one_page": False},
        ),
        cache.key(
            "document",
            "<p>x</p>",
            {"forms": False, "tagged": False, "part": False, "quality": False, "one_page": False},
        ),
    ]
    assert len(set(looked_up)) == 2


# --- where a laid-out document's text comes from ----------------------------------


PLACED = handout_text(
    "Placed",
    "A handout whose text the layout misplaces.",
    "  - type: paragraph\n    text: The first paragraph.\n"
    "  - type: paragraph\n    text: A paragraph with a very long word in it.\n",
)


@pytest.fixture
def places(project: Project) -> tuple[Places, Path]:
    source = project.add("placed.yaml", PLACED)
    (project.root / "handouts.yaml").write_text(
        "crisis: us\npractice:\n  name: Riverside Counselling\n", encoding="utf-8"
    )
    return Places(find_project(project.root)), source


PLACED_PATH = "content/handouts/en/placed.yaml"


def off(where: str, field: str = "blocks[1].text", page: int = 2, chars: int = 12) -> OffPage:
    return OffPage(field=field, where=where, page=page, chars=chars)


ADVICE = (
    "; shorten it or break up its longest words, or check a project template that sets "
    "its size or place"
)


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("page", "text runs off page 2: about 12 characters cannot be seen" + ADVICE),
        (
            "edge",
            "text runs to the edge of page 2, where a printer may cut off about 12 "
            "characters" + ADVICE,
        ),
        (
            "footer",
            "text runs below the text area of page 2, over the footer: about 12 characters"
            + ADVICE,
        ),
        (
            "clipped",
            "text is cut off by the box it is in on page 2: about 12 characters are hidden"
            + ADVICE,
        ),
        (
            "dropped",
            "a table's header row does not fit on a page with the rows under it, so the "
            "layout left it out (12 characters); shorten the header's cells or use fewer columns",
        ),
        ("elsewhere", "text is not where page 2 shows it (about 12 characters)" + ADVICE),
    ],
)
def test_text_off_the_page_is_a_problem_at_its_field(
    places: tuple[Places, Path], where: str, message: str
) -> None:
    found, source = places
    assert found.off_page(source, [off(where)]) == [
        Problem(path=PLACED_PATH, line=14, column=11, field="blocks[1].text", message=message)
    ]


def test_one_character_is_counted_as_one(places: tuple[Places, Path]) -> None:
    found, source = places
    (problem,) = found.off_page(source, [off("page", chars=1)])
    assert problem.message.startswith("text runs off page 2: about 1 character cannot be seen;")


def test_a_field_of_the_config_is_placed_in_the_config(places: tuple[Places, Path]) -> None:
    found, source = places
    (problem,) = found.off_page(source, [off("footer", field="config:practice.name", page=1)])
    assert (problem.path, problem.line, problem.column, problem.field) == (
        "handouts.yaml",
        3,
        9,
        "practice.name",
    )


@pytest.mark.parametrize(
    "field",
    ["", "config:footer_note", "glossary[0].term", "not a [field"],
    ids=["none", "config-default", "missing-key", "garbled"],
)
def test_text_with_no_place_in_the_files_is_at_the_document(
    places: tuple[Places, Path], field: str
) -> None:
    """No field, a config key left to its default, a key the file lacks: the file alone."""
    found, source = places
    (problem,) = found.off_page(source, [off("page", field=field)])
    assert (problem.path, problem.line, problem.column, problem.field) == (
        PLACED_PATH,
        None,
        None,
        "",
    )


def test_a_content_file_that_cannot_be_read_again_is_not_an_error(
    places: tuple[Places, Path],
) -> None:
    found, source = places
    source.write_text("title: [unclosed\n", encoding="utf-8")
    (problem,) = found.off_page(source, [off("page")])
    assert (problem.path, problem.line, problem.field) == (PLACED_PATH, None, "")


def test_text_in_one_host_font_is_one_problem(places: tuple[Places, Path]) -> None:
    found, source = places
    fonts = [
        HostFont(family="DejaVu Sans", asked=("serif",), field="blocks[0].text", page=1, chars="ж"),
        HostFont(family="DejaVu Sans", asked=("serif",), field="blocks[1].text", page=2, chars="ы"),
        HostFont(family="", asked=(), field="blocks[1].text", page=2, chars="\U0001fae0"),
    ]
    assert found.host_fonts(source, fonts) == [
        Problem(
            path=PLACED_PATH,
            line=12,
            column=11,
            field="blocks[0].text",
            message="Cyrillic script set in DejaVu Sans, a font on this computer that neither "
            "handouts nor the project bundles, so the PDF would look different when built "
            "elsewhere; the bundled fonts lack these characters: put the file of a font that "
            "has them in the project's assets/ folder and declare it with @font-face in a "
            "project template (also in 1 other place of this document)",
        ),
        Problem(
            path=PLACED_PATH,
            line=14,
            column=11,
            field="blocks[1].text",
            message="emoji or symbols that no font here has, printed as empty boxes; put the file of "
            "a font that has them in the project's assets/ folder and declare it with "
            "@font-face in a project template",
        ),
    ]


def test_a_font_a_project_template_asks_for_is_named_with_its_line(
    project: Project, places: tuple[Places, Path]
) -> None:
    _, source = places
    templates = project.root / "templates"
    templates.mkdir()
    (templates / "extra.css").write_text(
        "h1 { color: teal; }\n\nbody { font-family: 'Comic Neue', serif; }\n", encoding="utf-8"
    )
    found = Places(find_project(project.root))
    font = HostFont(
        family="Comic Neue", asked=("Comic Neue", "serif"), field="", page=1, chars="Ab"
    )
    (problem,) = found.host_fonts(source, [font])
    assert problem.message == (
        "Latin script set in Comic Neue, a font on this computer that neither handouts nor "
        "the project bundles, so the PDF would look different when built elsewhere; the "
        'style asks for "Comic Neue" (templates/extra.css:3): use the bundled fonts, or put '
        "the font's file in the project's assets/ folder and declare it with @font-face in "
        "a project template"
    )


def test_the_layout_time_limit_holds_in_a_worker_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview server lays out in worker threads, where no alarm signal reaches:
    a slow page there once held the layout lock for minutes."""
    import threading
    import time

    from generator.pdf import LayoutCall, lay_out_one

    monkeypatch.setenv("HANDOUTS_LAYOUT_SECONDS", "0.2")
    html = (
        "<html><body>" + "<p>Some words to read, and more of them.</p>" * 20_000 + "</body></html>"
    )
    call = LayoutCall(html, tmp_path.as_uri() + "/", (tmp_path,), Layout())
    outcome: list[str] = []

    def lay_out() -> None:
        started = time.monotonic()
        try:
            lay_out_one(call)
            outcome.append("finished")
        except LayoutStopped as exc:
            outcome.append(str(exc).split(",")[0])
        outcome.append("in time" if time.monotonic() - started < 15 else "late")
        time.sleep(0.3)  # nothing is raised into the thread after the limit's block
        outcome.append("quiet after")

    worker = threading.Thread(target=lay_out)
    worker.start()
    worker.join(60)
    assert outcome == [
        "laying it out took longer than 0.2 seconds",
        "in time",
        "quiet after",
    ]


@pytest.mark.parametrize("raw", ["1e10", "99999999999", "86401", "inf", "-5", "abc", "0"])
def test_a_layout_time_limit_past_a_day_or_not_a_number_is_said_plainly(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    """1e10 once reached the alarm and ended in an OverflowError traceback."""
    from generator.errors import HandoutError
    from generator.timelimit import layout_seconds

    monkeypatch.setenv("HANDOUTS_LAYOUT_SECONDS", raw)
    with pytest.raises(HandoutError, match=r"a number of seconds up to a day \(86400\)"):
        layout_seconds()
    monkeypatch.setenv("HANDOUTS_LAYOUT_SECONDS", "86400")
    assert layout_seconds() == 86400.0
