"""`python -m generator` and the installed `handouts` script run the command from here."""

import signal
import sys


def run() -> None:
    """Run the command; Ctrl-C or SIGTERM at any moment, loading included, is no traceback."""
    # Ctrl-C while Python still loads the command says what it says later, and
    # SIGTERM stops the command as Ctrl-C does from the start.
    try:
        from generator.signals import STOP_SIGNALS, interrupted, stopped_as_ctrl_c
    except KeyboardInterrupt:
        sys.exit("\nAborted!")

    try:
        with stopped_as_ctrl_c():
            try:
                from generator.cli import main
            except BaseException as exc:
                if not interrupted(exc):
                    raise
                sys.exit("\nAborted!")
            main()
    finally:
        # The command is over; what is left is Python's own exit, which a stop
        # now could only interrupt with a traceback.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


if __name__ == "__main__":
    run()
