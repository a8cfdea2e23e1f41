"""Imported once by the layout workers' fork server (see `workers.WorkerPool`).

Every worker forked from the server starts with WeasyPrint loaded, so the
import is paid once however many workers there are.
"""

import contextlib
import io

from generator.lifecycle import end_with_main_process

# First, before the long import: a server whose main process is killed
# meanwhile should not go on loading for nothing.
end_with_main_process()

from generator.engine import load_engine  # noqa: E402
from generator.workers import WorkerPool  # noqa: E402, F401  (each worker runs its code)

# Quietly: if WeasyPrint cannot load here, each worker tries again as it
# starts, and that failure is the one reported.
with contextlib.suppress(Exception), contextlib.redirect_stdout(io.StringIO()):
    load_engine()
