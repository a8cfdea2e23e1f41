"""`python -m generator` runs the `handouts` command."""

from generator.cli import main

main()
