"""The ``hygie`` command.

Commands are imported only when they run (or when ``--help`` lists them), so ``hygie --help``
and the engine commands (``scan``, ``hunt``, ``rules``, ``response``) never start Django;
platform commands start it themselves through ``hygie.cli.runtime.setup_django``.
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.util import find_spec
from typing import Any

import click

from hygie.lib.errors import HygieError

# command name -> "module:attribute"; platform commands live in this package.
_PLATFORM_COMMANDS = {
    "serve": "hygie.cli.serve:serve",
    "worker": "hygie.cli.serve:worker",
    "migrate": "hygie.cli.admin:migrate",
    "createadmin": "hygie.cli.admin:createadmin",
    "demo": "hygie.cli.admin:demo",
    "check": "hygie.cli.check:check",
    "audit": "hygie.cli.audit:audit",
    "backup": "hygie.cli.backup:backup",
    "restore": "hygie.cli.backup:restore",
    "ingest": "hygie.cli.ingest:ingest",
    "ingest-worker": "hygie.cli.ingest:ingest_worker",
    "version": "hygie.cli.admin:version",
}

# Engine commands are contributed by the engine modules; they appear once their module exists.
_ENGINE_COMMANDS = {
    "scan": "hygie.cli.scan:scan",
    "hunt": "hygie.cli.hunt:hunt",
    "rules": "hygie.cli.hunt:rules",
    "response": "hygie.cli.response:response",
}


class UserError(click.ClickException):
    """A mistake the user can fix (bad option, bad configuration): a message, no traceback."""

    exit_code = 2


def _available_commands() -> dict[str, str]:
    commands = dict(_PLATFORM_COMMANDS)
    for name, target in _ENGINE_COMMANDS.items():
        if find_spec(target.split(":")[0]) is not None:
            commands[name] = target
    return commands


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
        return (f"cannot use the database ({first_line}); check HYGIE_DATABASE_URL, that the "
                "database server runs, and `hygie check`")
    return f"configuration problem: {first_line}"


@click.group(cls=HygieGroup, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Hygie: cybersecurity platform for healthcare organisations.

    The data folder is HYGIE_HOME (default ./var); see `hygie check` for the configuration.
    """


def main() -> None:
    cli(prog_name="hygie")
