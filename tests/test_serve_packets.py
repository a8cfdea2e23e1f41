"""`handouts serve`'s packet page without a browser: handouts chosen and ordered, a
title, one copy or a zip of each participant's copy; the list read in memory only,
its names on the covers and nowhere else; and every refusal said on the page."""

from __future__ import annotations

import io
import logging
import re
import tempfile
import zipfile
from pathlib import Path

import pikepdf
import pypdf
import pytest
from starlette.formparsers import MultiPartParser
from starlette.testclient import TestClient
from test_serve import ORIGIN, PORT, token_of

from generator.config import find_project
from generator.options import MAX_NAME
from generator.serve.app import create_app
from generator.serve.packets import MAX_PACKET_FORM, MAX_SERVED_PARTICIPANTS, MAX_UPLOAD_BYTES

pytestmark = pytest.mark.xdist_group("test_serve")

#: Names from several scripts and shapes: a comma, an apostrophe, accents, a hyphen.
PEOPLE = ["Thandiwe O'Connor-Mbeki", "Rivera, Alex", "Zoë Łukasiewicz", "Nguyễn Thị Hoa"]


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    """The server over the built-in library, from an empty folder."""
    monkeypatch.chdir(tmp_path)
    return TestClient(create_app(find_project(tmp_path), PORT), base_url=ORIGIN)


def _csv(names: list[str]) -> bytes:
    rows = "".join('"' + name.replace('"', '""') + '"\r\n' for name in names)
    return ("name\r\n" + rows).encode("utf-8")


def _send(
    client: TestClient,
    language: str = "en",
    participants: bytes | None = None,
    **fields: str | list[str],
) -> object:
    url = f"/packets/{language}"
    data = {"token": token_of(client, url), **fields}
    files = {"participants": ("group.csv", participants, "text/csv")} if participants else None
    return client.post(url, data=data, files=files, headers={"origin": ORIGIN})


def _said(response: object) -> str:
    found = re.search(r"<pre>(.*?)</pre>", response.text, re.S)  # type: ignore[attr-defined]
    assert found is not None, response.text  # type: ignore[attr-defined]
    return found.group(1)


def _text(data: bytes, page: int) -> str:
    return " ".join(pypdf.PdfReader(io.BytesIO(data)).pages[page].extract_text().split())


def test_the_packet_page_offers_the_languages_handouts_each_labelled(client: TestClient) -> None:
    page = client.get("/packets/es")
    assert page.status_code == 200
    assert page.text.count('name="handout"') == 14
    assert "La respuesta de retirada" in page.text and "The withdrawal response" not in page.text
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page.text)
    assert len(ids) > 30
    for field in ids:
        assert f'for="{field}"' in page.text, field
    assert 'href="/packets/en"' in page.text
    assert client.get("/packets/fr").status_code == 404
    # Every page leads here.
    assert 'href="/packets/en"' in client.get("/").text


@pytest.mark.parametrize("place", ["\u00b2", "\u0663", "1.5", "-1", "999999"])
def test_a_place_that_is_not_a_plain_number_keeps_the_lists_order(
    client: TestClient, place: str
) -> None:
    """ "²" is a digit to str.isdigit and not a number to int: it was a 500."""
    response = _send(
        client,
        title="T",
        handout=["window-of-tolerance", "daily-check-in"],
        **{"place-daily-check-in": place},
    )
    assert response.status_code == 200, _said(response)  # type: ignore[attr-defined]
    untyped = _send(client, title="T", handout=["window-of-tolerance", "daily-check-in"])
    # As if no place were typed.
    assert _text(response.content, 1) == _text(untyped.content, 1)  # type: ignore[attr-defined]


def test_a_packet_prints_the_handouts_ticked_in_the_order_given(client: TestClient) -> None:
    response = _send(
        client,
        title="Settling skills, week 3",
        subtitle="For the Tuesday group",
        heading="This week's pages",
        handout=["window-of-tolerance", "daily-check-in", "withdrawal-response"],
        **{
            "place-daily-check-in": "1",
            "place-window-of-tolerance": "2",
            "place-feeling-far-away": "1",
        },
    )
    assert response.status_code == 200, _said(response)  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/pdf"  # type: ignore[attr-defined]
    assert 'filename="settling-skills-week-3.pdf"' in response.headers["content-disposition"]  # type: ignore[attr-defined]
    data = response.content  # type: ignore[attr-defined]
    assert "Settling skills, week 3" in _text(data, 0) and "For the Tuesday group" in _text(data, 0)
    contents = _text(data, 1)
    assert "This week's pages" in contents
    # Typed places first, then the list's order for the one left as it was; not the unticked one.
    order = [
        contents.index(t)
        for t in ("Daily self-attunement", "Your window", "The withdrawal response")
    ]
    assert order == sorted(order), contents
    assert "Feeling far away" not in contents


def test_a_participants_list_gives_a_zip_of_copies_each_name_on_its_cover_only(
    client: TestClient,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    before = set(tmp_path.rglob("*"))
    response = _send(
        client,
        participants=_csv(PEOPLE),
        title="Window of tolerance workshop",
        edition="trainer",
        paper="a4",
        handout=["window-of-tolerance"],
    )
    assert response.status_code == 200, _said(response)  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/zip"  # type: ignore[attr-defined]
    assert response.headers["cache-control"] == "no-store"  # type: ignore[attr-defined]
    assert (
        response.headers["content-disposition"]  # type: ignore[attr-defined]
        == 'attachment; filename="window-of-tolerance-workshop-trainer-a4-copies.zip"'
    )
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:  # type: ignore[attr-defined]
        names = archive.namelist()
        copies = [archive.read(name) for name in names]
        # No entry says when it was made (nor so, when the copies were asked for).
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert names == [f"window-of-tolerance-workshop-00{n}-trainer-a4.pdf" for n in range(1, 5)]
    for person, data in zip(PEOPLE, copies, strict=True):
        # A name in a fallback font may come out of the PDF with a space in it.
        squeezed = [_text(data, page).replace(" ", "") for page in range(4)]
        assert f"Preparedfor{person}".replace(" ", "") in squeezed[0]
        assert all(person.replace(" ", "") not in text for text in squeezed[1:])
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert person not in str(pdf.docinfo)
            assert person.encode() not in bytes(pdf.Root.Metadata.read_bytes())
    # No name in a header, a log line, a spooled upload or any file the server wrote.
    headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())  # type: ignore[attr-defined]
    # An upload is spooled to a file only past this size (the temporary folder is
    # under tmp_path here, so the loop below reads anything spooled all the same).
    assert MultiPartParser.spool_max_size > MAX_PACKET_FORM
    csv_bytes = _csv(PEOPLE)
    for path in spool.rglob("*"):
        assert not path.is_file() or csv_bytes not in path.read_bytes(), path
    for person in PEOPLE:
        surname = person.split()[-1]
        assert surname not in headers and surname not in caplog.text
        for path in set(tmp_path.rglob("*")) - before:
            assert surname not in path.name
            if path.is_file():
                assert surname.encode() not in path.read_bytes(), path


def test_a_field_in_bytes_that_are_not_utf8_is_refused_not_read_as_latin1(
    client: TestClient,
) -> None:
    url = "/packets/en"
    fields = {
        "token": (None, token_of(client, url).encode()),
        "title": (None, b"Week 1"),
        "handout": (None, b"daily-check-in"),
        "client_name": (None, b"Multi\xffpartname"),
    }
    response = client.post(url, files=fields, headers={"origin": ORIGIN})
    assert response.status_code == 400, response.text[:300]
    assert "not UTF-8" in response.text
    assert "partname" not in response.text and "\u00ff" not in response.text


def test_one_clients_name_goes_on_the_cover_of_one_packet(client: TestClient) -> None:
    response = _send(
        client,
        language="es",
        title="Para casa",
        client_name="Begoña Quiñones-Ruiz",
        handout=["daily-check-in"],
    )
    assert response.status_code == 200, _said(response)  # type: ignore[attr-defined]
    assert 'filename="para-casa.pdf"' in response.headers["content-disposition"]  # type: ignore[attr-defined]
    assert "Preparado para Begoña Quiñones-Ruiz" in _text(response.content, 0)  # type: ignore[attr-defined]
    assert "Hojas informativas" in _text(response.content, 1)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("fields", "participants", "said"),
    [
        ({"title": "", "handout": []}, None, "Title: give the packet a title"),
        ({"title": "Week 1", "handout": []}, None, "Handouts: tick at least one handout"),
        # A handout of another language, or none at all, is not on this page to tick.
        ({"title": "Week 1", "handout": ["no-such", "../../etc"]}, None, "tick at least one"),
        (
            {"title": "Week 1", "handout": ["daily-check-in"], "client_name": "Sam"},
            _csv(["Ana"]),
            "use one of them",
        ),
        (
            {"title": "Week 1", "handout": ["daily-check-in"]},
            b"nombre\r\nAna\r\n",
            "group.csv:1: there is no `name` column",
        ),
        (
            {"title": "Week 1", "handout": ["daily-check-in"]},
            b"name\r\nAna\r\n\r\nLu\x07Chen\r\n",
            "group.csv:4: name: has hidden control characters",
        ),
        (
            {"title": "Week 1", "handout": ["daily-check-in"]},
            b"\xff\xfen\x00a\x00m\x00e\x00",
            "group.csv",
        ),
        (
            {"title": "**Week *1** _", "handout": ["daily-check-in"], "heading": "x" * 500},
            None,
            "Heading of the divider page: ",
        ),
        (
            # The page makes every copy in memory: fewer than a command-line run.
            {"title": "Week 1", "handout": ["daily-check-in"]},
            _csv([f"Ana {n}" for n in range(MAX_SERVED_PARTICIPANTS + 1)]),
            "group.csv: there are 501 participants; one run makes at most 500 copies",
        ),
        (
            {"title": "Week 1", "handout": ["daily-check-in"]},
            b"name\n" + b"Ana Lu\n" * (MAX_UPLOAD_BYTES // 7 + 10),
            f"over {MAX_UPLOAD_BYTES // 1024} KB",
        ),
    ],
)
def test_a_form_that_cannot_make_a_packet_says_why_and_keeps_no_name(
    client: TestClient, fields: dict[str, str | list[str]], participants: bytes | None, said: str
) -> None:
    response = _send(client, participants=participants, **fields)
    assert response.status_code == 400
    assert said in _said(response), _said(response)
    assert "Traceback" not in response.text  # type: ignore[attr-defined]
    # The form comes back as sent, except who it was for.
    assert f'name="client_name" type="text" autocomplete="off" maxlength="{MAX_NAME}" aria' in (
        response.text  # type: ignore[attr-defined]
    )
    assert "Sam" not in response.text and "Ana" not in response.text  # type: ignore[attr-defined]


def test_a_body_over_the_limit_is_refused_with_or_without_a_length(client: TestClient) -> None:
    url = "/packets/en"
    token = token_of(client, url)
    big = b"name\n" + b"x" * (MAX_PACKET_FORM + 10)
    sized = client.post(
        url,
        data={"token": token, "title": "t"},
        files={"participants": ("a.csv", big, "text/csv")},
        headers={"origin": ORIGIN},
    )
    assert sized.status_code == 413 and "KB" in sized.text

    def chunks() -> object:
        for _ in range(MAX_PACKET_FORM // 4096 + 2):
            yield b"a" * 4096

    unsized = client.post(
        url,
        content=chunks(),  # type: ignore[arg-type]
        headers={"origin": ORIGIN, "content-type": "application/x-www-form-urlencoded"},
    )
    assert unsized.status_code == 413


@pytest.mark.parametrize(
    "headers", [{"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}]
)
def test_a_packet_post_from_elsewhere_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    url = "/packets/en"
    data = {"token": token_of(client, url), "title": "t", "handout": ["daily-check-in"]}
    assert client.post(url, data=data, headers=headers).status_code == 403
    assert client.post(url, data={"title": "t"}, headers={"origin": ORIGIN}).status_code == 403


def test_only_the_handouts_ticked_are_read_and_a_broken_one_is_said_where_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import MINIMAL, Project

    project = Project(tmp_path)
    project.add("breath.yaml", MINIMAL)
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(find_project(tmp_path), PORT), base_url=ORIGIN)
    token = token_of(client, "/packets/en")
    # Saved broken after the page was shown: a packet without it is still made...
    broken = project.add("room.yaml", "title: [unclosed\n")
    made = client.post(
        "/packets/en",
        data={"token": token, "title": "Week 2", "handout": ["breath", "daily-check-in"]},
        headers={"origin": ORIGIN},
    )
    assert made.status_code == 200 and made.headers["content-type"] == "application/pdf"
    # ...and one with it says where it is broken, as the command line does.
    refused = client.post(
        "/packets/en",
        data={"token": token, "title": "Week 2", "handout": ["breath", "room"]},
        headers={"origin": ORIGIN},
    )
    # The form is shown again, the broken handout left out of it, saying which file
    # is broken, and where.
    assert refused.status_code == 400
    assert re.search(r"content/handouts/en/room\.yaml:\d+:\d+", refused.text), refused.text
    assert "Traceback" not in refused.text
    assert broken.is_file()


def test_a_file_sent_where_the_page_has_a_text_box_is_refused(client: TestClient) -> None:
    # It would have printed as "UploadFile(filename=…)" on the cover.
    url = "/packets/en"
    fields = {
        "token": (None, token_of(client, url).encode()),
        "handout": (None, b"daily-check-in"),
        "title": ("title.txt", b"Week 1", "text/plain"),
    }
    response = client.post(url, files=fields, headers={"origin": ORIGIN})
    assert response.status_code == 400, response.text[:300]
    assert "a file where it has a text box" in response.text
    assert not response.content.startswith(b"%PDF")


def test_a_malformed_body_is_refused_without_its_bytes_in_any_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The form parser logged the bytes it could not read ("got 120 at index 4"), and a
    body holds names."""
    import logging

    caplog.set_level(logging.DEBUG)
    url = "/packets/en"
    body = b"xxzz"  # no boundary where one must be
    response = client.post(
        url,
        content=body,
        headers={"origin": ORIGIN, "content-type": "multipart/form-data; boundary=zzzz"},
    )
    assert response.status_code in (400, 403), response.text[:300]
    assert not [r for r in caplog.records if r.name.startswith(("python_multipart", "multipart"))]
