"""The ``hygie`` command.

Each module names its commands in its manifest (``hygie/<module>/module.py``, see
``hygie.modules``); nothing here lists them. Commands are imported only when they run (or when
``--help`` lists them), so ``hygie --help`` and the engine commands (``scan``, ``hunt``,
``rules``, ``response``) never start Django; platform commands start it themselves through
``hygie.cli.runtime.setup_django``.
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.util import find_spec
from typing import Any

import click

from hygie import modules
from hygie.lib.errors import HygieError


class UserError(click.ClickException):
    """A mistake the user can fix (bad option, bad configuration): a message, no traceback."""

    exit_code = 2


def _available_commands() -> dict[str, str]:
    """Every module's commands, from the manifests (``hygie/<module>/module.py``): the core's
    platform commands and each module's own. A command whose code is absent is left out."""
    return {
        name: target
        for name, target in modules.commands().items()
        if find_spec(target.split(":")[0]) is not None
    }


class HygieGroup(click.Group):
    """Loads each command on demand and turns Hygie's own errors into clean messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_available_commands())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _available_commands().get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(import_module(module_name), attribute, None)
        return command if isinstance(command, click.Command) else None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HygieError as exc:
            raise UserError(str(exc)) from exc
        except _environment_errors() as exc:
            raise UserError(_describe_environment_error(exc)) from exc


def _environment_errors() -> tuple[type[BaseException], ...]:
    """Django errors that mean "fix your setup", when Django was started (engine commands never
    start it, so nothing is imported here for them)."""
    database = sys.modules.get("django.db")
    exceptions = sys.modules.get("django.core.exceptions")
    found: list[type[BaseException]] = []
    if database is not None:
        found.append(database.OperationalError)
    if exceptions is not None:
        found.append(exceptions.ImproperlyConfigured)
    return tuple(found)


def _describe_environment_error(exc: BaseException) -> str:
    first_line = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    if type(exc).__name__ == "OperationalError":
        return (
            f"cannot use the database ({first_line}); check HYGIE_DATABASE_URL, that the "
            "database server runs, and `hygie check`"
        )
    return f"configuration problem: {first_line}"


@click.group(cls=HygieGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Hygie: cybersecurity platform for healthcare organisations.

    The data folder is HYGIE_HOME (default ./var); see `hygie check` for the configuration.
    """


def main() -> None:
    from hygie.config import restrict_umask

    restrict_umask()  # every file a `hygie` command writes is the owner's only
    cli(prog_name="hygie")
