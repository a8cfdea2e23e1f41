"""PDF stage, the engine: WeasyPrint loaded without its slow library search, its logs collected."""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
import sys
import warnings
from collections.abc import Iterator

from generator.subset import use_harfbuzz_subsetter

# WeasyPrint is imported inside the functions below: importing it costs most
# of a second, and `handouts --help` should not pay for it.

# Notices about the machine's libraries, not about the document: they say
# nothing a content author could act on, so they are not reported.
ENGINE_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


def load_engine() -> None:
    """Import WeasyPrint, without its slow search for system libraries where that is safe.

    WeasyPrint tries several names for each library it needs, and cffi answers
    every miss with ctypes.util.find_library, which runs ldconfig and gcc:
    about a quarter of a second per process. On Linux find_library only ever
    gives a soname, which dlopen finds by itself, and WeasyPrint's list holds
    the sonames; so a miss may fail at once. If that loads too little, the
    ordinary import runs instead.
    """
    if "weasyprint" not in sys.modules:
        with warnings.catch_warnings():
            # About the machine's libraries, not the document: see ENGINE_NOTICES.
            warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
            if sys.platform.startswith("linux"):
                _import_without_library_search()
            importlib.import_module("weasyprint")
    use_harfbuzz_subsetter()


def _import_without_library_search() -> None:
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = _no_library
    try:
        # A failed load prints WeasyPrint's install advice; the ordinary
        # import after this prints it again if it is still true.
        with contextlib.redirect_stdout(io.StringIO()):
            importlib.import_module("weasyprint")
    except OSError:
        for name in [m for m in sys.modules if m.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search


def _no_library(name: str) -> None:
    return None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def captured_weasyprint_logs() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's warnings and errors instead of letting them print."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    old_propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = old_propagate
