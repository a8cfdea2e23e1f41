"""Serve: what keeps the local server to this computer, to its own forms and its own files.

- Host: a request must name the address the server listens on, so a page
  elsewhere cannot reach it through a name that resolves here (DNS rebinding).
- Cross-site: a form post must carry this server's token and, where the
  browser says where it comes from, come from this server's own pages.
- Headers: a Content-Security-Policy that allows only this server's own
  styles and scripts, and nothing cached of a page or a PDF.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Only this server's own files; no frames, no plug-ins, no posting elsewhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    # Its own address goes with its own requests (a form post's Origin), no further.
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    # A page or PDF may carry a client's name: nothing is kept by the browser.
    (b"cache-control", b"no-store"),
)


class Guard:
    """ASGI middleware: the Host check and the security headers, on every response."""

    def __init__(self, app: ASGIApp, port: int):
        self.app = app
        self.hosts = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}
        self.origin = f"http://127.0.0.1:{port}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers", [])).get(b"host", b"")
        if host.lower() not in self.hosts:
            await _refuse(
                send,
                421,
                f"This server answers only at {self.origin}/ (the address `handouts serve` "
                "printed); open that address.",
            )
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *(h for h in message.get("headers", []) if h[0] != b"cache-control"),
                    *HEADERS,
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class FormToken:
    """The token every form carries: this server run's own, so no other page can post."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    def make(self) -> str:
        return hmac.new(self._secret, b"handouts form", hashlib.sha256).hexdigest()

    def valid(self, token: object) -> bool:
        # As bytes: compare_digest refuses a str with characters beyond ASCII.
        if not isinstance(token, str):
            return False
        given = token.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, self.make().encode("ascii"))


def cross_site(headers: MutableMapping[str, str], origin: str) -> bool:
    """Whether the browser says a request comes from another site than this server.

    `Sec-Fetch-Site` where the browser sends it; and an `Origin` that is not
    this server's. A browser may send `Origin: null` for its own page's form:
    that is taken as this server's only where `Sec-Fetch-Site` says so.
    """
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    sent = headers.get("origin")
    if sent == "null":
        return site != "same-origin"
    return sent is not None and sent not in (origin, origin.replace("127.0.0.1", "localhost"))


class BodyRefused(Exception):
    """A request body this server does not read: its status and what to tell the person."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


async def bounded(request: Request, limit: int) -> Request:
    """The request with its body read into memory, at most `limit` bytes.

    Read here rather than by the form parser, so that a body sent without a
    length is counted too, and an upload is never spooled to a file on disk.
    """
    length = request.headers.get("content-length")
    if length is not None and not length.isdigit():
        raise BodyRefused(400, "The request's length is not a number.")
    too_large = BodyRefused(413, f"The form sent is over {limit // 1024} KB: more than it can be.")
    if length is not None and int(length) > limit:
        raise too_large
    body = bytearray()
    try:
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise too_large
    except ClientDisconnect:
        # The page was closed, or the upload cancelled: no one is waiting for an answer.
        raise BodyRefused(400, "The form was not sent in full.") from None
    form = _as_utf8_form(bytes(body), request.headers.get("content-type", ""))
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": form, "more_body": False}

    return Request(request.scope, replay)


_NOT_UTF8 = BodyRefused(
    400,
    "The form sent text that is not UTF-8. Type it again (or paste it as plain "
    "text) and send the form again.",
)


def _as_utf8_form(body: bytes, content_type: str) -> bytes:
    """The body, once every text field is known to be UTF-8 (uploads are checked later).

    The form parsers would print other bytes as "\ufffd" or read them as
    Latin-1. A field typed as raw UTF-8 where a browser would percent-encode
    it (`curl --data`) is percent-encoded here, so that it reads as typed.
    """
    kind, options = parse_options_header(content_type)
    charset = options.get(b"charset", b"utf-8").decode("latin-1").strip().lower()
    if kind == b"application/x-www-form-urlencoded":
        try:
            parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise _NOT_UTF8 from None
        return re.sub(rb"[\x80-\xff]", lambda m: b"%%%02X" % m.group()[0], body)
    if kind != b"multipart/form-data":
        return body
    if charset.replace("-", "").replace("_", "") not in ("utf8", "usascii", "ascii"):
        raise BodyRefused(400, "The form said its text is not UTF-8; send it as UTF-8.")
    boundary = options.get(b"boundary", b"")
    if not boundary:
        return body  # the form parser refuses it
    for part in body.split(b"--" + boundary):
        head, _, data = part.partition(b"\r\n\r\n")
        if _is_upload(head):
            continue
        try:
            head.decode("utf-8")
            data.removesuffix(b"\r\n").decode("utf-8")
        except UnicodeDecodeError:
            raise _NOT_UTF8 from None
    return body


def _is_upload(head: bytes) -> bool:
    """Whether a part is a file, read from its headers as the form parser reads them."""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-disposition":
            return b"filename" in parse_options_header(value.strip())[1]
    return False
