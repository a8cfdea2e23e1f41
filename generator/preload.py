"""Imported once by the layout workers' fork server (see `pdf.WorkerPool`).

Every worker forked from the server starts with WeasyPrint loaded, so the
import is paid once however many workers there are.
"""

import contextlib
import io

from generator.pdf import load_engine

# Quietly: if WeasyPrint cannot load here, each worker tries again as it
# starts, and that failure is the one reported.
with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
    load_engine()
