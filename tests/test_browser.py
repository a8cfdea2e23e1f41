"""`handouts serve` in a real browser: Debian's Chromium, driven by Playwright.

Open the library, filter it, open a handout, set the print options and
download the PDF; edit a handout on disk and watch the page follow; break it
and read the located message over the last good pages; and axe-core finds no
serious or critical accessibility problem. The screenshots in the README are
taken here. Without Chromium (scripts/chromium.sh installs it) these skip.
"""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pypdf
import pytest

from conftest import MINIMAL, Project
from generator.config import find_project

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.xdist_group("test_browser"),
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason="no Chromium at /usr/bin/chromium: run scripts/chromium.sh (Debian's chromium)",
    ),
]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parents[1] / "docs"
NAME = "Renée Ñúñez"


class _Kept(logging.Handler):
    """Every line the server logs while the tests run, kept to look for names in."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


LOGGED = _Kept()
LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "handouts")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Project]]:
    """A project with a handout of its own, served on a free port in this process."""
    import uvicorn

    from generator.engine import load_engine
    from generator.serve.app import create_app

    root = tmp_path_factory.mktemp("served") / "our-clinic"
    root.mkdir()
    project = Project(root)
    project.add("breath.yaml", MINIMAL)
    (root / "handouts.yaml").write_text("languages: [en, es]\n", encoding="utf-8")
    port = _free_port()
    load_engine()
    app = create_app(find_project(root), port)
    # Access lines on, as `handouts serve -v` might have them: none may carry a name.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info"))
    thread = threading.Thread(target=server.run, daemon=True)
    cwd = Path.cwd()
    os.chdir(root)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    for name in LOGGERS:
        logging.getLogger(name).addHandler(LOGGED)
    yield f"http://127.0.0.1:{port}", project
    for name in LOGGERS:
        logging.getLogger(name).removeHandler(LOGGED)
    server.should_exit = True
    thread.join(timeout=10)
    os.chdir(cwd)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    opened = context.new_page()
    yield opened
    context.close()


def _wait_for(condition: Any, seconds: float = 20.0) -> None:
    """Poll from here: the page's own policy allows no script from elsewhere, the test's
    included."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the page did not change in time"
        time.sleep(0.1)


def _no_serious_problems(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    serious = [
        (v["id"], v["impact"])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious


def test_the_library_filters_and_leads_to_a_handout(served: tuple[str, Project], page: Any) -> None:
    address, _ = served
    page.goto(address + "/")
    assert page.locator(".card").count() == 29  # the built-in 28 and the project's own
    _no_serious_problems(page)
    page.select_option("#language", "es")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"language=es"))
    assert page.locator(".card").count() == 14
    # The thumbnails, each laid out on first sight.
    _wait_for(
        lambda: page.evaluate(
            "() => [...document.images].every(i => i.complete && i.naturalWidth)"
        ),
        seconds=60,
    )
    page.screenshot(path=str(DOCS / "serve-library.png"))
    page.get_by_role("link", name="Sintonía diaria con uno mismo").click()
    page.wait_for_url(re.compile(r"/handouts/es/daily-check-in$"))
    assert page.locator("h1").inner_text() == "Sintonía diaria con uno mismo"
    assert page.locator(".preview img").count() == 1
    # What the check says comes a moment after the pages, in its place beside them.
    page.wait_for_selector("#findings:not([data-src])", timeout=30000)
    assert page.locator("#findings").inner_text().startswith("What the check says")
    assert page.locator(".side #findings").count() == 1
    _no_serious_problems(page)


def test_the_print_form_gives_the_pdf_with_the_name_on_the_page_only(
    served: tuple[str, Project], page: Any, tmp_path: Path
) -> None:
    address, _ = served
    page.goto(address + "/handouts/en/withdrawal-response")
    page.check("#paper-a4")
    page.check("#edition-clinician")
    page.fill("#client-name", NAME)
    page.screenshot(path=str(DOCS / "serve-handout.png"))
    with page.expect_download() as waiting:
        page.click("button[type=submit]")
    download = waiting.value
    assert download.suggested_filename == "withdrawal-response-clinician-a4.pdf"
    data = Path(download.path()).read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    assert f"Prepared for {NAME}" in " ".join(reader.pages[0].extract_text().split())
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert round(float(pdf.pages[0].mediabox[2])) == 595  # A4
        assert NAME not in str(pdf.docinfo)
    # The page kept nothing of it in its address; the server, nothing in its log.
    assert "Ren" not in page.url
    posted = [line for line in LOGGED.lines if "POST /handouts/en/withdrawal-response/pdf" in line]
    assert posted, LOGGED.lines
    assert not [line for line in LOGGED.lines if "Ñúñez" in line or "Renée" in line]


def test_an_edit_shows_within_seconds_and_an_error_over_the_last_good_pages(
    served: tuple[str, Project], page: Any
) -> None:
    address, project = served
    path = project.root / "content" / "handouts" / "en" / "breath.yaml"
    page.goto(address + "/handouts/en/breath")
    assert page.locator("h1").inner_text() == "Noticing your breath"
    good = page.locator(".preview img").first.get_attribute("src")
    page.wait_for_selector("body[data-listening]", timeout=20000)
    page.wait_for_timeout(500)  # and the server's watch on the files has begun
    path.write_text(MINIMAL.replace("Noticing your breath", "Noticing the room"), "utf-8")
    _wait_for(lambda: page.locator("h1").inner_text() == "Noticing the room")
    changed = page.locator(".preview img").first.get_attribute("src")
    assert changed != good
    # A mistake: the message the command line gives, and the pages as they were.
    page.wait_for_selector("body[data-listening]", timeout=20000)
    page.wait_for_timeout(500)
    path.write_text(MINIMAL.replace("audience: client", "audience: everyone"), "utf-8")
    try:
        page.wait_for_selector(".problem", timeout=20000)
        shown = page.locator(".problem").inner_text()
        assert "content/handouts/en/breath.yaml:3:11: audience:" in shown
        assert page.locator(".preview img").first.get_attribute("src") == changed
        _no_serious_problems(page)
    finally:
        # The other tests serve this project too.
        path.write_text(MINIMAL, "utf-8")


def test_a_packet_with_an_uploaded_participants_list_gives_each_their_copy(
    served: tuple[str, Project], page: Any
) -> None:
    address, _ = served
    page.goto(address + "/")
    page.get_by_role("link", name="Make a packet").click()
    page.wait_for_url(re.compile(r"/packets/en$"))
    _no_serious_problems(page)
    page.fill("#title", "Noticing, week 1")
    page.check("#handout-breath")
    page.check("#handout-window-of-tolerance")
    # The project's own handout goes second: its place is typed.
    page.fill("#place-window-of-tolerance", "1")
    page.fill("#place-breath", "2")
    people = [NAME, "Kwame Mensah-Boateng", "Ólafur Þórsson"]
    # The list comes from memory, as a file chooser hands it over: it is never on disk.
    csv = ("name\n" + "\n".join(people) + "\n").encode("utf-8")
    page.set_input_files(
        "#participants", files=[{"name": "group.csv", "mimeType": "text/csv", "buffer": csv}]
    )
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(DOCS / "serve-packet.png"))
    with page.expect_download() as waiting:
        page.click("button[type=submit]")
    download = waiting.value
    assert download.suggested_filename == "noticing-week-1-copies.zip"
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        copies = [archive.read(name) for name in names]
    assert names == [f"noticing-week-1-00{n}.pdf" for n in (1, 2, 3)]
    for person, data in zip(people, copies, strict=True):
        reader = pypdf.PdfReader(io.BytesIO(data))
        assert f"Prepared for {person}" in " ".join(reader.pages[0].extract_text().split())
        contents = " ".join(reader.pages[1].extract_text().split())
        assert contents.index("Your window of tolerance") < contents.index("Noticing your breath")
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert person not in str(pdf.docinfo)
    assert [line for line in LOGGED.lines if "POST /packets/en" in line]
    assert not [line for line in LOGGED.lines if any(p.split()[-1] in line for p in people)]
    # A list without a name column: the located message, on the page.
    page.fill("#title", "Noticing, week 1")
    page.check("#handout-breath")
    page.set_input_files(
        "#participants",
        files=[{"name": "group.csv", "mimeType": "text/csv", "buffer": b"nom\nAna\n"}],
    )
    page.click("button[type=submit]")
    page.wait_for_selector(".problem")
    assert "group.csv:1: there is no `name` column" in page.locator(".problem").inner_text()
    _no_serious_problems(page)
