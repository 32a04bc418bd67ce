"""``python -m hygie.cli``: the ``hygie`` command without the installed entry point."""

from hygie.cli import main

main()
