"""PDF stage, the shared style: the page style every handout has, parsed once per process."""

from __future__ import annotations

import gc
import logging
import multiprocessing.util
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator import lifecycle
from generator.fetcher import Fetches

# The page style every handout shares, parsed once per process: parsing it
# (and loading its fonts) is about a fifth of laying out a two-page handout.
_HEAD_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_STYLES: dict[tuple[str, str, tuple[Path, ...]], dict[str, Any]] = {}
_MAX_STYLES = 8
_CLEANUP_FOR: list[int] = []


def drop_styles_at_exit() -> None:
    """Have this process keep its documents' fonts in the run's folder, and drop them at the end.

    WeasyPrint copies a document's web fonts into a temporary folder, removed
    when the document's font configuration is collected: which may never
    happen in a worker, as workers end without a last collection, nor once
    Python is shutting down. Workers end through multiprocessing's exit
    function, which runs its finalizers but not atexit, and a forked worker
    starts with none: so each process registers its own.
    """
    lifecycle.temporary_files_in_run()
    if os.getpid() not in _CLEANUP_FOR:
        _CLEANUP_FOR.append(os.getpid())
        multiprocessing.util.Finalize(None, _drop_styles, exitpriority=10)


def _drop_styles() -> None:
    _STYLES.clear()
    gc.collect()


def shared_style(
    html: str,
    base_url: str,
    allowed: Sequence[Path],
    fetcher: Any,
    fetches: Fetches,
    records: list[logging.LogRecord],
) -> tuple[str, dict[str, Any]]:
    """The HTML without its head's <style>, and render arguments that apply it parsed.

    The style moves from the author's to the user's origin: the same rules in
    the same order, below any other style a project's templates add. A style
    that warns or asks for a blocked file is left in place, so every document
    reports it.
    """
    head = html.partition("</head>")[0]
    match = _HEAD_STYLE.search(head)
    # Only our templates write markup into the head (every value there is
    # escaped); a <style> inside a comment is not one to apply.
    if match is None or "<!--" in head[: match.start()]:
        return html, {}
    key = (match.group(1), base_url, tuple(allowed))
    parsed = _STYLES.get(key)
    if parsed is None:
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        seen, blocked, failed = len(records), len(fetches.blocked), len(fetches.failed)
        font_config, counter_style = FontConfiguration(), CounterStyle()
        sheet = CSS(
            string=match.group(1),
            base_url=base_url,
            url_fetcher=fetcher,
            font_config=font_config,
            counter_style=counter_style,
        )
        if len(records) > seen or len(fetches.blocked) > blocked or len(fetches.failed) > failed:
            # WeasyPrint parses it again below and says all this itself.
            del records[seen:], fetches.blocked[blocked:], fetches.failed[failed:]
            return html, {}
        parsed = {
            "stylesheets": [sheet],
            "font_config": font_config,
            "counter_style": counter_style,
        }
        if len(_STYLES) >= _MAX_STYLES:
            del _STYLES[next(iter(_STYLES))]
        _STYLES[key] = parsed
    return html[: match.start()] + html[match.end() :], parsed
