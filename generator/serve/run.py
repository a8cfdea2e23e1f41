"""Serve: start the local server for a project, on 127.0.0.1 only."""

from __future__ import annotations

import errno
import socket
import webbrowser
from typing import Any

import click

from generator.config import Project
from generator.errors import HandoutError


def serve(project: Project, port: int, *, open_browser: bool = False) -> None:
    """Serve the project's handouts until Ctrl-C; the layout engine is loaded once, first."""
    import uvicorn

    from generator.engine import load_engine
    from generator.serve.app import create_app

    _check_free(port)
    load_engine()
    address = f"http://127.0.0.1:{port}/"
    click.echo(f"Serving the handouts at {address} (this computer only). Ctrl-C stops it.")
    if open_browser:
        webbrowser.open(address)
    # Access lines name the method and path only: a client's name is sent in a
    # form's body, which nothing here logs.
    config = uvicorn.Config(
        create_app(project, port), host="127.0.0.1", port=port, log_level="warning"
    )
    _server_class()(config).run()


def _server_class() -> type:
    import uvicorn

    from generator.serve.live import stop_following

    class Server(uvicorn.Server):
        """Uvicorn's server; asked to stop, it first ends the pages' streams of changes,
        which would otherwise keep it waiting for as long as a browser tab is open."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            stop_following()
            super().handle_exit(sig, frame)

    return Server


def _check_free(port: int) -> None:
    """Say plainly when the port is taken, before anything is loaded."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the server binds: a port a server stopped a moment ago is free to use again
        # (its connections linger a minute), one that a server listens on is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise HandoutError(
                    f"port {port} is in use on this computer; choose another with --port"
                ) from None
            raise HandoutError(f"can't listen on port {port}: {exc.strerror}") from None
