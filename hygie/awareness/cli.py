"""``hygie awareness …``: the module's commands."""

from __future__ import annotations

import click


@click.group(help="Awareness: phishing simulations, reported mails, training.")
def awareness() -> None:
    pass


def _add_training() -> None:
    from hygie.awareness.cli_training import training

    awareness.add_command(training)


_add_training()


def _add_campaigns() -> None:
    from hygie.awareness.cli_campaigns import COMMANDS

    for command in COMMANDS:
        awareness.add_command(command)


_add_campaigns()
