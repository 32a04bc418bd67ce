"""``hygie devices …``: the module's commands (``match`` and ``discover`` run without a
database)."""

from __future__ import annotations

import click


@click.group(help="Medical devices: vulnerability matching, feeds, passive discovery.")
def devices() -> None:
    pass
