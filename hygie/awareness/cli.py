"""``hygie awareness …``: the module's commands."""

from __future__ import annotations

import click


@click.group(help="Awareness: phishing simulations, reported mails, training.")
def awareness() -> None:
    pass


def setup_platform() -> None:
    """Start Django for a platform command. The ``cli_*`` modules call this rather than
    ``hygie.cli.runtime``: the layering contract lets only this module import ``hygie.cli``."""
    from hygie.cli.runtime import setup_django

    setup_django()


def _add_training() -> None:
    from hygie.awareness import cli_training
    from hygie.cli import runtime

    cli_training.runtime = runtime
    awareness.add_command(cli_training.training)


_add_training()


def _add_triage() -> None:
    from hygie.awareness.cli_triage import smtp_listen, triage

    awareness.add_command(triage)
    awareness.add_command(smtp_listen)


_add_triage()


def _add_campaigns() -> None:
    from hygie.awareness import cli_campaigns
    from hygie.cli import runtime

    cli_campaigns.runtime = runtime
    for command in cli_campaigns.COMMANDS:
        awareness.add_command(command)


_add_campaigns()
