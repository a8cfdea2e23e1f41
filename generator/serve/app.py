"""Serve: the web app, its pages and the PDF they make (Starlette).

The library page filters on the server, with a plain form, so it works from
the keyboard and with scripts off. A client's name travels only in a POST
body and goes only onto the returned PDF's pages: never into a URL, a
header, a log line, a file or the cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from generator.config import Project, load_project
from generator.errors import HandoutError, ProblemsError, display_path
from generator.fields import MAX_LINE, MAX_TEXT
from generator.model import HandoutFile
from generator.options import MAX_NAME
from generator.serve.guard import BodyRefused, FormToken, Guard, bounded, cross_site
from generator.serve.live import changes, room_to_follow, watched
from generator.serve.packets import (
    MAX_PACKET_FORM,
    MAX_SERVED_PARTICIPANTS,
    MAX_UPLOAD_BYTES,
    PacketChoice,
    default_heading,
    make_packet,
    read_choice,
)
from generator.serve.previews import THUMBNAIL, Previews
from generator.serve.printing import Printed, form_options, print_handout

HERE = Path(__file__).resolve().parent
#: A print form is a few short fields: anything larger is not one of ours.
MAX_FORM_BYTES = 16 * 1024

_pages = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# The forms let through as much as the content's own fields take, and no more.
_pages.globals["limits"] = {"line": MAX_LINE, "text": MAX_TEXT, "name": MAX_NAME}


@dataclass(frozen=True)
class Card:
    """A handout as the library page shows it."""

    id: str
    title: str
    purpose: str
    audience: str
    language: str
    kind: str
    url: str


def _card(item: HandoutFile) -> Card:
    handout = item.handout
    return Card(
        item.id,
        handout.title,
        handout.purpose or "",
        handout.audience,
        handout.language,
        "worksheet" if handout.one_page else "explainer",
        f"/handouts/{handout.language}/{item.id}",
    )


class Site:
    """The pages of one project, with this run's form token."""

    def __init__(self, project: Project, port: int):
        self._project = project
        self._config_read = _stamp(project.config_path)
        self.port = port
        self.token = FormToken()
        self.origin = f"http://127.0.0.1:{port}"
        self.previews = Previews(project)

    @property
    def project(self) -> Project:
        """The project, its handouts.yaml read again once it has changed: the pages
        follow an edit to the config as they do one to the content. A config that
        can't be read raises its problems, which every page then shows."""
        path = self._project.config_path
        stamp = _stamp(path)
        if path is not None and stamp != self._config_read:
            self._project = load_project(self._project.root, path)
            self._config_read = stamp
            self.previews.project = self._project  # its pictures show the new settings too
        return self._project

    async def config_problem(self, request: Request, exc: Exception) -> Response:
        """A page asked for while the project's config can't be read."""
        said = _said(exc) if isinstance(exc, HandoutError) else str(exc)
        # It follows changes: fixing handouts.yaml brings the page back by itself.
        heading = "The project's settings have a problem"
        return self.page("error.html", 503, heading=heading, message=said, live=True)

    def page(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        # The last project read well: a page that says the config is broken still shows.
        project = self._project
        where = (
            f"Project: {project.root.resolve().name}"
            if project.found and not project.is_library
            else "The built-in library"
        )
        languages = project.languages
        main = project.config.language if project.config.language in languages else None
        packet_url = f"/packets/{main or languages[0]}"
        html = _pages.get_template(name).render(where=where, packet_url=packet_url, **context)
        return HTMLResponse(html, status_code=status)

    def problem(self, status: int, heading: str, message: str) -> HTMLResponse:
        return self.page("error.html", status, heading=heading, message=message)

    def handouts(self) -> tuple[list[HandoutFile], list[str]]:
        """Every handout that can be read, and why each other can't (it alone is left out)."""
        from generator.content import read_sources
        from generator.sources import select

        items, problems = read_sources(*select(self.project.roots, (), self.project.languages))
        return items, [str(problem) for problem in problems]

    async def library(self, request: Request) -> Response:
        _ = self.project  # a broken config is the settings' problem, not a handout's
        handouts, unread = await anyio.to_thread.run_sync(self.handouts)
        cards = [_card(item) for item in handouts]
        query = {
            k: request.query_params.get(k, "").strip()
            for k in ("q", "language", "audience", "kind")
        }
        shown = [card for card in cards if _matches(card, query)]
        filters = [
            (name, label, sorted({getattr(card, name) for card in cards}))
            for name, label in (("language", "Language"), ("audience", "For"), ("kind", "Kind"))
        ]
        return self.page(
            "library.html",
            cards=shown,
            total=len(cards),
            query=query,
            filters=filters,
            unread=unread,
        )

    def _one(self, language: str, handout_id: str) -> HandoutFile | None:
        from generator.content import load_sources
        from generator.sources import select

        sources, problems = select(self.project.roots, [handout_id], [language])
        if len(sources) == 1:
            # Another file the library can't read is that file's page's problem, not this one's.
            (item,) = load_sources(sources)
            return item
        own = [p for p in problems if str(p.path or "").endswith(f"/{handout_id}.yaml")]
        if own:
            raise ProblemsError(own)  # this handout's file is there but can't be read
        return None

    async def handout(self, request: Request, problem: str | None = None) -> Response:
        language, handout_id = request.path_params["language"], request.path_params["handout"]
        item: HandoutFile | None = None
        try:
            item = await anyio.to_thread.run_sync(self._one, language, handout_id)
            if item is None:  # a form posted to it included
                return self.problem(404, "No such handout", "The library has no handout here.")
        except ProblemsError as exc:
            # The file is there but wrong: say so where its pages show, over the
            # pages as they last were, so the author sees both while fixing it.
            problem = problem or _said(exc)
        preview, problem = await self._preview(language, handout_id, problem, item)
        others = [
            {"language": other, "url": f"/handouts/{other}/{handout_id}"}
            for other in await anyio.to_thread.run_sync(self._languages_of, handout_id)
            if other != language
        ]
        handout = item.handout if item is not None else None
        return self.page(
            "handout.html",
            400 if problem else 200,
            title=handout.title if handout else handout_id,
            purpose=handout.purpose if handout else None,
            language=language,
            audience=handout.audience if handout else "client",
            others=others,
            paper=self.project.config.paper,
            pdf_url=f"/handouts/{language}/{handout_id}/pdf",
            token=self.token.make(),
            problem=problem,
            preview=preview,
            findings_url=f"/handouts/{language}/{handout_id}/findings",
            live=True,
        )

    async def findings(self, request: Request) -> Response:
        """What `handouts check` says of a handout. The handout page fetches it once its
        pages show (a link leads here without scripts): the pages need not wait for it."""
        language, handout_id = request.path_params["language"], request.path_params["handout"]
        _ = self.project  # a config that can't be read is the settings' page, not this handout's
        try:
            item = await anyio.to_thread.run_sync(self._one, language, handout_id)
        except ProblemsError as exc:
            lines, readable = [str(p) for p in exc.problems], False
        else:
            if item is None:
                return self.problem(404, "No such handout", "The library has no handout here.")
            lines = await anyio.to_thread.run_sync(_findings, self.project, item)
            readable = True
        return self.page(
            "findings.html",
            title=handout_id,
            back=f"/handouts/{language}/{handout_id}",
            findings=lines,
            readable=readable,
        )

    def _languages_of(self, handout_id: str) -> list[str]:
        """The languages a handout is written in, from the file names alone."""
        from generator.sources import discover

        sources, _ = discover(self.project.roots)
        return sorted(
            s.language
            for s in sources
            if s.id == handout_id and s.language in self.project.languages
        )

    async def _preview(
        self, language: str, handout_id: str, problem: str | None, item: HandoutFile | None
    ) -> tuple[Any, str | None]:
        """The handout's pages now; or, when it can't be laid out, what is wrong and
        its pages as they last were."""
        try:
            made = await anyio.to_thread.run_sync(
                lambda: self.previews.make(language, handout_id, item=item)
            )
            return made, problem
        except (ProblemsError, HandoutError) as exc:
            return self.previews.last(language, handout_id), problem or _said(exc)

    async def picture(self, request: Request) -> Response:
        digest, number = request.path_params["digest"], request.path_params["number"]
        data = self.previews.page(digest, number)
        if data is None:
            return self.problem(404, "No such picture", "This picture is no longer kept.")
        return Response(data, media_type="image/png")

    async def thumbnail(self, request: Request) -> Response:
        language, handout_id = request.path_params["language"], request.path_params["handout"]
        try:
            preview = await anyio.to_thread.run_sync(
                lambda: self.previews.make(language, handout_id, scale=THUMBNAIL)
            )
        except (ProblemsError, HandoutError):
            return self.problem(404, "No picture", "This handout can't be laid out just now.")
        return Response(preview.pages[0], media_type="image/png")

    async def events(self, request: Request) -> Response:
        """Server-sent events: `changed` whenever a file the pages are made from changes."""
        if not room_to_follow():
            # EventSource gives up on an error: the page still works, without live news.
            return Response("Too many pages are following changes.", status_code=503)
        # The last project read well: a page showing a broken config follows its fix.
        return StreamingResponse(changes(watched(self._project)), media_type="text/event-stream")

    async def posted(self, request: Request, limit: int, files: int = 0) -> FormData | Response:
        """A form posted from this server's own page, read in memory; or the refusal."""
        if cross_site(request.headers, self.origin):  # type: ignore[arg-type]
            return self.problem(403, "Refused", "This form can be sent only from this page.")
        try:
            request = await bounded(request, limit)
        except BodyRefused as exc:
            return self.problem(exc.status, "Not sent", exc.message)
        try:
            form = await request.form(max_files=files, max_fields=1000, max_part_size=limit)
        except HTTPException as exc:
            return self.problem(400, "Not a form", f"The form could not be read: {exc.detail}.")
        if not self.token.valid(form.get("token")):
            return self.problem(
                403, "Refused", "This form is out of date or from elsewhere: reload the page."
            )
        sent_files = [k for k, v in form.multi_items() if not isinstance(v, str)]
        if any(k != "participants" for k in sent_files):
            # A file where the page has a text box: it would print as Python's own words.
            return self.problem(400, "Not a form", "The form sent a file where it has a text box.")
        return form

    async def pdf(self, request: Request) -> Response:
        form = await self.posted(request, MAX_FORM_BYTES)
        if isinstance(form, Response):
            return form
        options, problem = form_options(form)
        if problem:
            return await self.handout(request, problem)
        language, handout_id = request.path_params["language"], request.path_params["handout"]
        try:
            printed = await anyio.to_thread.run_sync(
                print_handout, self.project, language, handout_id, options
            )
        except (ProblemsError, HandoutError) as exc:
            return await self.handout(request, _said(exc))
        return _download(printed)

    def _packet_ids(self, language: str) -> list[HandoutFile] | None:
        """The handouts of a language, read and checked, for the page to show."""
        if language not in self.project.languages:
            return None
        return [item for item in self.handouts()[0] if item.handout.language == language]

    def _ids_in(self, language: str) -> list[str] | None:
        """The ids of a language's handouts, in the page's order, from the file names alone:
        only the handouts a packet asks for are read."""
        from generator.sources import discover

        if language not in self.project.languages:
            return None
        sources, _ = discover(self.project.roots)
        return [s.id for s in sources if s.language == language]

    async def packet_form(
        self, request: Request, choice: PacketChoice | None = None, problem: str = ""
    ) -> Response:
        """The packet page: the handouts of one language to choose and order, and the options."""
        language = request.path_params["language"]
        _ = self.project  # a config that can't be read is the settings' page (503), not a 500
        handouts = await anyio.to_thread.run_sync(self._packet_ids, language)
        if handouts is None:
            return self.problem(404, "No such language", "The library has no handouts in it.")
        return self.page(
            "packet.html",
            400 if problem else 200,
            language=language,
            languages=self.project.languages,
            handouts=[_card(item) for item in handouts],
            choice=choice or PacketChoice(language, heading=default_heading(language)),
            paper=self.project.config.paper,
            token=self.token.make(),
            problem=problem,
            max_upload_kb=MAX_UPLOAD_BYTES // 1024,
            max_participants=MAX_SERVED_PARTICIPANTS,
        )

    async def packet(self, request: Request) -> Response:
        """The packet asked for: one PDF, or a zip of each participant's copy."""
        form = await self.posted(request, MAX_PACKET_FORM, files=1)
        if isinstance(form, Response):
            return form
        language = request.path_params["language"]
        ids = await anyio.to_thread.run_sync(self._ids_in, language)
        if ids is None:
            return self.problem(404, "No such language", "The library has no handouts in it.")
        choice, problem = await read_choice(form, language, ids)
        if problem:
            return await self.packet_form(request, choice, problem)
        try:
            made = await anyio.to_thread.run_sync(make_packet, self.project, choice)
        except (ProblemsError, HandoutError) as exc:
            return await self.packet_form(request, choice, _said(exc))
        return _download(made)


def _download(made: Printed) -> Response:
    """A file to save: its name never has a person's name in it."""
    return Response(
        made.data,
        media_type=made.media_type,
        headers={"content-disposition": f'attachment; filename="{made.file_name}"'},
    )


#: What the library page filters by, besides its search.
_FILTERS = ("language", "audience", "kind")


def _matches(card: Card, query: dict[str, str]) -> bool:
    words = query["q"].lower().split()
    text = f"{card.title} {card.purpose}".lower()
    return all(w in text for w in words) and all(
        not query[key] or getattr(card, key) == query[key]
        for key in ("language", "audience", "kind")
    )


def _said(exc: HandoutError) -> str:
    """An error as the command line says it: file:line:column: field: what to do."""
    if isinstance(exc, ProblemsError):
        return "\n".join(str(p) for p in exc.problems)
    return exc.format_message()


def _findings(project: Project, item: HandoutFile) -> list[str]:
    """What `handouts check` says of the handout, a line each, as the command prints it."""
    from generator.check import CheckRequest, check

    report = check(project, CheckRequest((str(item.path),)))
    return [
        f"{f.where} {f.severity} {f.rule}: {f.message}"
        for f in report.findings
        if f.path == display_path(item.path)
    ]


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """When a file was last changed, and its size; None if it can't be seen."""
    try:
        found = path.stat() if path is not None else None
    except OSError:
        return None
    return None if found is None else (found.st_mtime_ns, found.st_size)


def create_app(project: Project, port: int) -> Guard:
    """The server's app for a project, guarded for its address."""
    # The form parser logs bytes of a body it can't read, and a body holds names.
    for name in ("python_multipart", "multipart"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)  # its own loggers under it too
    site = Site(project, port)
    app = Starlette(
        routes=[
            Route("/", site.library),
            Route("/handouts/{language}/{handout}", site.handout),
            Route("/handouts/{language}/{handout}/pdf", site.pdf, methods=["POST"]),
            Route("/handouts/{language}/{handout}/thumbnail.png", site.thumbnail),
            Route("/handouts/{language}/{handout}/findings", site.findings),
            Route("/packets/{language}", site.packet_form),
            Route("/packets/{language}", site.packet, methods=["POST"]),
            Route("/previews/{digest:str}/{number:int}.png", site.picture),
            Route("/events", site.events),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        exception_handlers={ProblemsError: site.config_problem, HandoutError: site.config_problem},
    )
    return Guard(app, port)
