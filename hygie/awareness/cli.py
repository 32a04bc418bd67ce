"""``hygie awareness …``: the module's commands."""

from __future__ import annotations

import click


@click.group(help="Awareness: phishing simulations, reported mails, training.")
def awareness() -> None:
    pass
