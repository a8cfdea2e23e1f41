"""`handouts serve` without a browser: its pages, the PDF it makes, and every guard:
the Host check, cross-site posts, paths outside its files, headers, sizes, and a
client's name that goes only onto the page."""

from __future__ import annotations

import io
import logging
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pikepdf
import pypdf
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from conftest import Project
from generator.cli import main
from generator.config import find_project
from generator.serve.app import create_app
from generator.serve.guard import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.xdist_group("test_serve")

PORT = 8123
ORIGIN = f"http://127.0.0.1:{PORT}"
NAME = "Begoña Quiñones-Ruiz"


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The server over the built-in library, from an empty folder."""
    monkeypatch.chdir(tmp_path)
    return TestClient(create_app(find_project(tmp_path), PORT), base_url=ORIGIN)


def _one_handout(root: Path, name: str) -> Path:
    """A project folder with one handout in English, named `name`: its folder."""
    from conftest import MINIMAL

    folder = root / "content" / "handouts" / "en"
    folder.mkdir(parents=True)
    (folder / name).write_text(MINIMAL, encoding="utf-8")
    return folder


def _served(root: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    monkeypatch.chdir(root)
    return TestClient(create_app(find_project(root), PORT), base_url=ORIGIN)


def token_of(client: TestClient, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    found = re.search(r'name="token" value="([0-9a-f]{64})"', page.text)
    assert found is not None
    return found.group(1)


def _post(client: TestClient, url: str, **fields: str) -> object:
    token = token_of(client, url)
    return client.post(url + "/pdf", data={"token": token, **fields}, headers={"origin": ORIGIN})


def test_the_library_page_lists_and_filters_the_handouts(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    cards = page.text.count('class="card"')
    assert cards == 28 and "28 of 28 handouts" in page.text
    spanish = client.get("/?language=es")
    assert "14 of 28 handouts" in spanish.text
    assert (
        "La respuesta de retirada" in spanish.text and "The withdrawal response" not in spanish.text
    )
    worksheets = client.get("/?kind=worksheet&language=en")
    assert worksheets.text.count('class="card"') == 2
    assert "Daily self-attunement check-in" in worksheets.text
    # Search reads titles and purposes, all of its words.
    found = client.get("/?q=tolerance+window&audience=client")
    assert found.text.count('class="card"') == 1
    assert "/handouts/en/window-of-tolerance" in found.text
    assert client.get("/?q=tolerance").text.count('class="card"') == 2  # and the clinician guide


def test_every_form_field_has_a_label(client: TestClient) -> None:
    for url in ("/", "/handouts/en/withdrawal-response"):
        html = client.get(url).text
        ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
        assert ids
        for field in ids:
            assert f'for="{field}"' in html, (url, field)
        assert re.search(r'<html lang="en">', html)


def test_a_pdf_with_a_name_has_it_on_the_page_only(
    client: TestClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    before = {p for p in tmp_path.rglob("*")}
    response = _post(client, "/handouts/es/daily-check-in", client_name=NAME, paper="a4")
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/pdf"  # type: ignore[attr-defined]
    assert response.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    assert response.headers["content-disposition"] == 'attachment; filename="daily-check-in-a4.pdf"'  # type: ignore[attr-defined]
    data = response.content  # type: ignore[attr-defined]
    text = pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert f"Preparado para {NAME}" in " ".join(text.split())
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert NAME not in str(pdf.docinfo)
        assert NAME.encode() not in bytes(pdf.Root.Metadata.read_bytes())
    # Not in a header, a log line, or any file the server wrote (the cache included).
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())  # type: ignore[attr-defined]
    assert NAME not in headers and "Quiñones" not in headers
    assert "Quiñones" not in caplog.text
    for path in {p for p in tmp_path.rglob("*")} - before:
        assert "Quiñones" not in path.name
        if path.is_file():
            assert "Quiñones".encode() not in path.read_bytes(), path


def test_a_pdf_without_a_name_is_cached_like_a_build(client: TestClient, tmp_path: Path) -> None:
    response = _post(client, "/handouts/en/withdrawal-response", edition="clinician")
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert 'filename="withdrawal-response-clinician.pdf"' in response.headers["content-disposition"]  # type: ignore[attr-defined]
    assert any((tmp_path / ".handouts-cache").rglob("*"))


def test_a_name_no_font_can_print_is_refused_without_repeating_it(client: TestClient) -> None:
    response = _post(client, "/handouts/en/daily-check-in", client_name="Ana\u0007Lu")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "name has hidden control characters; retype it" in response.text  # type: ignore[attr-defined]
    # The form comes back empty: the name is not echoed into the page.
    assert "Ana" not in response.text and "\u0007" not in response.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "host", ["evil.example", f"evil.example:{PORT}", "127.0.0.1:9999", "localhost", "0.0.0.0:8123"]
)
def test_a_request_for_another_host_is_refused(client: TestClient, host: str) -> None:
    response = client.get("/", headers={"host": host})
    assert response.status_code == 421
    assert f"answers only at {ORIGIN}/" in response.text
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_localhost_at_the_port_is_this_server(client: TestClient) -> None:
    assert client.get("/", headers={"host": f"localhost:{PORT}"}).status_code == 200


@pytest.mark.parametrize(
    ("headers", "token"),
    [
        ({"origin": ORIGIN}, None),
        ({"origin": ORIGIN}, "0" * 64),
        ({"origin": "http://evil.example"}, "real"),
        ({"sec-fetch-site": "cross-site"}, "real"),
        ({"origin": "null"}, "real"),
        ({"origin": "null", "sec-fetch-site": "same-site"}, "real"),
        # A token beyond ASCII once reached compare_digest, which raised: a 500.
        ({"origin": ORIGIN}, "\u00e9"),
        ({"origin": ORIGIN}, "\u00e9" * 64),
    ],
)
def test_a_post_from_elsewhere_is_refused(
    client: TestClient, headers: dict[str, str], token: str | None
) -> None:
    url = "/handouts/en/daily-check-in"
    data = {} if token is None else {"token": token_of(client, url) if token == "real" else token}
    response = client.post(url + "/pdf", data=data, headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")


def test_an_oversized_form_is_refused(client: TestClient) -> None:
    url = "/handouts/en/daily-check-in"
    data = {"token": token_of(client, url), "client_name": "x" * 20_000}
    response = client.post(url + "/pdf", data=data, headers={"origin": ORIGIN})
    assert response.status_code == 413


@pytest.mark.parametrize(
    "path",
    [
        "/static/../app.py",
        "/static/%2e%2e/app.py",
        "/static/..%2fapp.py",
        "/static/%2e%2e/%2e%2e/config.py",
        "/static//etc/passwd",
        "/handouts/en/..%2f..%2fpyproject",
        "/handouts/../../pyproject.toml",
    ],
)
def test_nothing_outside_the_servers_files_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, path
    assert "import" not in response.text and "root:" not in response.text


def test_its_own_style_is_served(client: TestClient) -> None:
    response = client.get("/static/site.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_broken_handout_shows_the_located_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = Project(tmp_path)
    project.add("broken.yaml", "title: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(find_project(tmp_path), PORT), base_url=ORIGIN)
    page = client.get("/")
    # Only that file is left out: the rest of the library is there, and the page says
    # which file can't be read, and where (it was a 500 with no library).
    assert page.status_code == 200
    assert re.search(r"content/handouts/en/broken\.yaml:\d+:\d+", page.text), page.text
    assert "Traceback" not in page.text
    assert "Your window of tolerance" in page.text
    assert client.get("/packets/en").status_code == 200


def test_an_unknown_handout_is_a_page_not_found(client: TestClient) -> None:
    response = client.get("/handouts/en/no-such-handout")
    assert response.status_code == 404 and "No such handout" in response.text


def test_serve_says_when_its_port_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} is in use on this computer; choose another with --port" in result.output
    assert "Traceback" not in result.output


def test_a_handout_page_shows_its_pages_and_its_findings(client: TestClient) -> None:
    page = client.get("/handouts/en/daily-check-in")
    pictures = re.findall(
        r'src="(/previews/[0-9a-f]{32}/(\d+)\.png)" alt="Page \2 of 1, as it prints"', page.text
    )
    assert [number for _, number in pictures] == ["1"]
    picture = client.get(pictures[0][0])
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")
    assert "What the check says" in page.text
    assert 'data-src="/handouts/en/daily-check-in/findings"' in page.text
    thumbnail = client.get("/handouts/es/daily-check-in/thumbnail.png")
    assert thumbnail.status_code == 200 and thumbnail.content.startswith(b"\x89PNG")
    assert client.get("/previews/" + "0" * 32 + "/1.png").status_code == 404


def test_an_error_shows_as_the_command_line_says_it_over_the_last_good_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import MINIMAL

    project = Project(tmp_path)
    path = project.add("breath.yaml", MINIMAL)
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(find_project(tmp_path), PORT), base_url=ORIGIN)
    good = client.get("/handouts/en/breath")
    (picture,) = re.findall(r'src="(/previews/[0-9a-f]{32}/1\.png)"', good.text)
    assert "data-live" in good.text and '<script src="/static/live.js"' in good.text
    path.write_text(MINIMAL.replace("audience: client", "audience: everyone"), encoding="utf-8")
    broken = client.get("/handouts/en/breath")
    # The page is still there, with the problem where the command line puts it...
    assert broken.status_code == 400
    assert "content/handouts/en/breath.yaml:3:11: audience:" in broken.text, broken.text
    # ...and the pages as they were, beneath it.
    assert picture in broken.text
    assert client.get(picture).status_code == 200


def test_a_saved_file_is_news_within_a_second(tmp_path: Path) -> None:
    import time

    import anyio

    from generator.serve.live import changes

    folder = tmp_path / "content"
    folder.mkdir()

    async def first_change() -> tuple[str, float]:
        events = changes([folder])
        assert await events.__anext__() == ": watching\n\n"

        async def save() -> None:
            await anyio.sleep(0.3)
            (folder / "a.yaml").write_text("title: x\n", encoding="utf-8")

        async with anyio.create_task_group() as group:
            group.start_soon(save)
            start = time.monotonic()
            said = await events.__anext__()
            took = time.monotonic() - start - 0.3
        await events.aclose()
        return said, took

    said, took = anyio.run(first_change)
    assert said == "event: changed\ndata: changed\n\n"
    assert took < 1.0


def test_a_browsers_own_form_with_a_null_origin_is_accepted(client: TestClient) -> None:
    """Chromium sends `Origin: null` for some same-origin posts; `Sec-Fetch-Site` vouches."""
    url = "/handouts/en/daily-check-in"
    headers = {"origin": "null", "sec-fetch-site": "same-origin"}
    response = client.post(url + "/pdf", data={"token": token_of(client, url)}, headers=headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["Bad%FF%FEByteperson", "Half%ED%A0%80pair", "Lat%E9in"])
def test_a_name_sent_in_bytes_that_are_not_utf8_is_refused_not_printed(
    client: TestClient, name: str
) -> None:
    # A form parser would print "\ufffd" for such bytes; a browser always sends UTF-8.
    url = "/handouts/en/daily-check-in"
    body = f"token={token_of(client, url)}&client_name={name}".encode()
    response = client.post(
        url + "/pdf",
        content=body,
        headers={"origin": ORIGIN, "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400, response.text[:200]
    assert "not UTF-8" in response.text
    assert not response.content.startswith(b"%PDF")
    assert "Byteperson" not in response.text and "Half" not in response.text


def test_a_post_whose_length_is_not_a_number_is_refused(client: TestClient) -> None:
    url = "/handouts/en/daily-check-in"
    response = client.post(
        url + "/pdf",
        content=b"token=x",
        headers={
            "origin": ORIGIN,
            "content-type": "application/x-www-form-urlencoded",
            "content-length": "many",
        },
    )
    assert response.status_code == 400 and "not a number" in response.text


def test_the_findings_are_what_the_check_says_of_the_handout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import MINIMAL, handout_text

    project = Project(tmp_path)
    path = project.add(
        "calm.yaml",
        handout_text(
            "Calming down",
            "A way to calm down.",
            "  - type: paragraph\n    text: You must stop worrying and rest now.\n",
        ),
    )
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(find_project(tmp_path), PORT), base_url=ORIGIN)
    said = client.get("/handouts/en/calm/findings")
    assert said.status_code == 200
    lines = re.findall(r"<li><code>([^<]*)</code></li>", said.text)
    assert any(
        line.startswith("12:15 error wording.directive: “must” sounds like an order")
        for line in lines
    ), lines
    assert 'href="/handouts/en/calm"' in said.text
    # Once the mistake is gone, so is the finding; a broken file is said as it is.
    path.write_text(MINIMAL, encoding="utf-8")
    assert "wording.directive" not in client.get("/handouts/en/calm/findings").text
    path.write_text(MINIMAL.replace("audience: client", "audience: everyone"), encoding="utf-8")
    broken = client.get("/handouts/en/calm/findings").text
    assert "can't be read as it is" in broken
    assert "content/handouts/en/calm.yaml:3:11: audience:" in broken
    assert client.get("/handouts/en/nothing/findings").status_code == 404


def test_a_body_cut_off_by_the_browser_is_refused_quietly() -> None:
    """A page closed mid-upload: the server's console got a traceback for each one."""
    import asyncio

    from starlette.requests import Request

    from generator.serve.guard import BodyRefused, bounded

    messages = [
        {"type": "http.request", "body": b"token=x&client", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, object]:
        return messages.pop(0)

    scope = {"type": "http", "method": "POST", "headers": [(b"content-length", b"100")]}

    async def read() -> str:
        try:
            await bounded(Request(scope, receive), 1000)  # type: ignore[arg-type]
        except BodyRefused as exc:
            return f"{exc.status} {exc.message}"
        return "read"

    assert asyncio.run(read()) == "400 The form was not sent in full."


def test_only_so_many_pages_follow_changes_at_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each follower holds a thread and one of the user's 128 file watchers: 300 held
    open once stopped the server answering, and other programs' watchers with it."""
    from generator.serve import live

    monkeypatch.setattr(live, "_following", [live.MAX_FOLLOWERS])
    refused = client.get("/events")
    assert refused.status_code == 503
    monkeypatch.setattr(live, "_following", [live.MAX_FOLLOWERS - 1])
    assert live.room_to_follow()


def test_a_follower_without_a_watcher_ends_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import anyio
    import watchfiles

    from generator.serve import live

    async def no_watcher(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        raise RuntimeError("Error creating recommended watcher: Too many open files")
        yield  # an async generator, as awatch is

    monkeypatch.setattr(watchfiles, "awatch", no_watcher)

    async def follow() -> list[str]:
        return [said async for said in live.changes([tmp_path])]

    assert anyio.run(follow) == [": watching\n\n"]
    assert live._following == [0]


def test_a_port_a_server_left_a_moment_ago_is_free_again() -> None:
    """Its closed connections linger (TIME_WAIT) for a minute; restarting the server
    on its port was refused as "in use" all that time."""
    from generator.serve.run import _check_free

    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            accepted.close()  # the server's side closes first: its port lingers
            client.recv(1)
    _check_free(port)  # no error: nothing listens there now


def test_a_file_the_library_cant_read_takes_down_only_its_own_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipe among the handouts once made every handout page "No such handout"."""
    import os

    folder = _one_handout(tmp_path, "good.yaml")
    os.mkfifo(folder / "piped.yaml")
    client = _served(tmp_path, monkeypatch)
    good = client.get("/handouts/en/good")
    assert good.status_code == 200, good.text[:300]
    assert "Noticing your breath" in good.text
    piped = client.get("/handouts/en/piped")
    assert "No such handout" not in piped.text
    assert "piped.yaml" in piped.text


def test_an_edit_to_the_config_reaches_the_pages_and_a_broken_one_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages heard of a change to handouts.yaml, and then showed the old settings."""
    import os

    _one_handout(tmp_path, "breath.yaml")
    config = tmp_path / "handouts.yaml"
    config.write_text("paper: letter\n", encoding="utf-8")
    client = _served(tmp_path, monkeypatch)
    assert 'value="letter" checked' in client.get("/handouts/en/breath").text

    def edit(text: str) -> None:
        config.write_text(text, encoding="utf-8")
        later = config.stat().st_mtime_ns + 1_000_000_000
        os.utime(config, ns=(later, later))  # a save within the same clock tick

    pictures = re.findall(r"/previews/[^\"]+\.png", client.get("/handouts/en/breath").text)
    edit("paper: a4\n")
    page = client.get("/handouts/en/breath").text
    assert 'value="a4" checked' in page
    # The pages shown are laid out with the new settings too (A4 pages, new pictures).
    assert pictures and re.findall(r"/previews/[^\"]+\.png", page) != pictures
    edit("paper: [a4\n")
    # Every page says so, as the settings' problem, and follows changes so that
    # fixing the file brings it back (the packet page said "A handout can't be
    # read", 500, and the check "the handout can't be read").
    for url in ("/", "/packets/en", "/handouts/en/breath", "/handouts/en/breath/findings"):
        broken = client.get(url)
        assert broken.status_code == 503, url
        assert "The project&#39;s settings have a problem" in broken.text, url
        assert "handouts.yaml:2:1: this is not valid YAML" in broken.text
        assert "Traceback" not in broken.text and "live.js" in broken.text
    # The page's news of changes still comes, from the files last read well.
    followed: list[Path] = []

    async def once(paths: list[Path]) -> AsyncIterator[str]:
        followed.extend(paths)
        yield ": watching\n\n"

    monkeypatch.setattr("generator.serve.app.changes", once)
    events = client.get("/events")
    assert events.status_code == 200 and events.text == ": watching\n\n"
    assert config.resolve() in {p.resolve() for p in followed}
    edit("paper: letter\n")
    assert 'value="letter" checked' in client.get("/handouts/en/breath").text


def test_asked_to_stop_each_stream_of_changes_ends_within_a_second_or_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C waited for as long as a browser tab followed changes (43 s and more)."""
    import time

    import anyio

    from generator.serve import live

    monkeypatch.setattr(live, "_stopping", [False])

    async def follow() -> tuple[list[str], float]:
        events = live.changes([tmp_path])
        said = [await events.__anext__()]
        live.stop_following()
        start = time.monotonic()
        said += [s async for s in events]
        return said, time.monotonic() - start

    said, took = anyio.run(follow)
    assert said == [": watching\n\n"]
    assert took < 2.5
    assert live._following == [0]


def test_a_page_that_goes_frees_its_place_to_follow_within_a_second_or_so(
    tmp_path: Path,
) -> None:
    """The watcher's thread waited up to 15 s for a change: eight pages opened and left
    in that time took every place, and the ninth page followed nothing."""
    import time

    import anyio

    from generator.serve import live

    async def open_and_leave() -> float:
        events = live.changes([tmp_path])
        await events.__anext__()
        start = time.monotonic()
        # The page goes while the watcher waits for a change: its thread can't be
        # stopped, only waited for.
        with anyio.move_on_after(0.2):
            await events.__anext__()
        await events.aclose()
        while live._following[0] and time.monotonic() - start < 20:
            await anyio.sleep(0.05)
        return time.monotonic() - start

    assert anyio.run(open_and_leave) < 2.5
    assert live._following == [0]


def _typed(client: TestClient, url: str, body: bytes, content_type: str) -> object:
    return client.post(url, content=body, headers={"origin": ORIGIN, "content-type": content_type})


def test_a_name_sent_as_raw_utf8_prints_as_typed(client: TestClient) -> None:
    # `curl --data "client_name=Begoña"` sends the bytes as they are; browsers encode them.
    url = "/handouts/en/daily-check-in"
    body = f"token={token_of(client, url)}&client_name={NAME}".encode()
    response = _typed(client, url + "/pdf", body, "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text[:300]
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert NAME in text and "Ã" not in text


@pytest.mark.parametrize(
    "disposition",
    [
        b'form-data; name="client_name"',
        # "filename=" inside another parameter does not make the part a file.
        b'form-data; name="client_name"; xfilename="a.txt"',
        b'form-data; name="client_name"; title="filename=a.txt"',
    ],
)
def test_a_multipart_field_that_is_not_utf8_is_refused_whatever_its_header_says(
    client: TestClient, disposition: bytes
) -> None:
    url = "/handouts/en/daily-check-in"
    token = token_of(client, url).encode()
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="token"\r\n\r\n' + token + b"\r\n"
        b"--XyZ\r\nContent-Disposition: " + disposition + b"\r\n\r\nMulti\xffpartname\r\n"
        b"--XyZ--\r\n"
    )
    response = _typed(client, url + "/pdf", body, "multipart/form-data; boundary=XyZ")
    assert response.status_code == 400, response.text[:300]
    assert "not UTF-8" in response.text and "partname" not in response.text


def test_a_multipart_form_in_another_charset_is_refused(client: TestClient) -> None:
    # Starlette would read every field in the charset the request names.
    url = "/handouts/en/daily-check-in"
    token = token_of(client, url).encode()
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="token"\r\n\r\n' + token + b"\r\n"
        b'--XyZ\r\nContent-Disposition: form-data; name="client_name"\r\n\r\n'
        + NAME.encode()
        + b"\r\n--XyZ--\r\n"
    )
    kind = "multipart/form-data; charset=latin-1; boundary=XyZ"
    response = _typed(client, url + "/pdf", body, kind)
    assert response.status_code == 400 and "send it as UTF-8" in response.text
    same = _typed(client, url + "/pdf", body, kind.replace("latin-1", "UTF-8"))
    assert same.status_code == 200 and same.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("sent", "large"),
    [("1", True), ("on", True), ("0", False), ("off", False), ("false", False), ("", False)],
)
def test_an_option_sent_as_zero_or_off_stays_off(
    client: TestClient, sent: str, large: bool
) -> None:
    response = _post(client, "/handouts/en/daily-check-in", large_print=sent)
    assert response.status_code == 200  # type: ignore[attr-defined]
    named = response.headers["content-disposition"]  # type: ignore[attr-defined]
    assert ("large-print" in named) is large, named


def test_a_form_posted_to_a_handout_that_is_not_there_is_not_found(client: TestClient) -> None:
    token = token_of(client, "/handouts/en/daily-check-in")
    for fields in ({}, {"client_name": "\x01"}):
        response = client.post(
            "/handouts/en/no-such-handout/pdf",
            data={"token": token, **fields},
            headers={"origin": ORIGIN},
        )
        assert response.status_code == 404
        assert "No such handout" in response.text and "handouts list" not in response.text


def test_the_forms_take_as_much_text_as_the_content_fields_do(client: TestClient) -> None:
    from generator.fields import MAX_LINE, MAX_TEXT
    from generator.options import MAX_NAME

    packet = client.get("/packets/en").text
    assert re.search(rf'id="intro"[^>]*maxlength="{MAX_TEXT}"', packet)
    for field in ("title", "subtitle", "heading"):
        assert re.search(rf'id="{field}"[^>]*maxlength="{MAX_LINE}"', packet), field
    for page in (packet, client.get("/handouts/en/daily-check-in").text):
        assert re.search(rf'id="client-name"[^>]*maxlength="{MAX_NAME}"', page)
