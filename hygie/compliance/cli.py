"""``hygie compliance …``: the module's commands (``check-library`` runs without a database)."""

from __future__ import annotations

import click


@click.group(help="Compliance: framework library tools.")
def compliance() -> None:
    pass
