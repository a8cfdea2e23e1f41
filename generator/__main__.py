"""`python -m generator` and the installed `handouts` script run the command from here."""

import atexit
import gc
import signal
import sys


def run() -> None:
    """Run the command; Ctrl-C or SIGTERM at any moment, loading included, is no traceback."""
    # At exit, after every other exit handler, Python would tear down each
    # module, class and function the command loaded, most of them in cycles
    # that only the garbage collector frees: about 70 ms, a tenth of a cold
    # build, for memory the system takes back anyway. Frozen, they are left to
    # it. Standard output and error are flushed as ever, and every file the
    # command writes is closed as it is written, never left to the exit.
    atexit.register(gc.freeze)
    # Ctrl-C while Python still loads the command says what it says later, and
    # SIGTERM stops the command as Ctrl-C does from the start.
    try:
        from generator.signals import (
            STOP_SIGNALS,
            interrupted,
            one_command_process,
            stopped_as_ctrl_c,
        )
    except KeyboardInterrupt:
        sys.exit("\nAborted!")
    one_command_process()

    def ignore_stops() -> None:
        # The command is over; what is left is Python's own exit, which a stop
        # now could only interrupt with a traceback, or end by its signal.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)

    try:
        with stopped_as_ctrl_c():
            try:
                from generator.cli import main
            except BaseException as exc:
                if not interrupted(exc):
                    raise
                sys.exit("\nAborted!")
            try:
                main()
            finally:
                # Before `stopped_as_ctrl_c` puts back the signals' defaults.
                ignore_stops()
    finally:
        ignore_stops()
        _forget_handled_interrupts()


def _forget_handled_interrupts() -> None:
    """Let Python exit with the command's own status after a Ctrl-C it handled.

    Ctrl-C that lands while Python runs code given as a string (`exec`, as
    dataclasses and named tuples do to make their classes) marks the whole
    run as stopped by Ctrl-C, even once the command has handled it: run as
    `python -m generator`, Python 3.11 then ends the process by SIGINT
    (status 130, or -2) after "Aborted!", not with status 1. Running a
    string clears the mark; a Ctrl-C really left unhandled sets it again on
    its way out.
    """
    exec("pass")


if __name__ == "__main__":
    run()
