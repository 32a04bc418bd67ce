"""Installation commands: migrate, createadmin, demo, version."""

from __future__ import annotations

import click

from hygie.cli import UserError
from hygie.cli.runtime import acting_as_operator, setup_django, validation_message


@click.command()
def migrate() -> None:
    """Create or update the database tables."""
    setup_django()
    from django.core.management import call_command

    with acting_as_operator():
        call_command("migrate", interactive=False, verbosity=1)


@click.command()
@click.option("--username", default="admin", show_default=True, help="Login of the new account.")
@click.option(
    "--email",
    default=None,
    help="Where the administrator receives notifications  [default: USERNAME@localhost]. "
    "Addresses are unique: single sign-on matches accounts by e-mail.",
)
@click.option(
    "--if-missing",
    is_flag=True,
    help="Do nothing when an administrator already exists (used by `make run`).",
)
def createadmin(username: str, email: str | None, if_missing: bool) -> None:
    """Create an administrator and print its one-time password."""
    setup_django()
    email = email or f"{username}@localhost"
    from django.core.exceptions import ValidationError

    from hygie.core.choices import Role
    from hygie.core.models import User
    from hygie.core.services.accounts import create_user_with_temporary_password

    if if_missing and User.objects.filter(is_superuser=True).exists():
        click.echo("An administrator account already exists; none created.")
        return
    try:
        with acting_as_operator():
            user, password = create_user_with_temporary_password(
                username=username,
                email=email,
                role=Role.ADMIN,
                all_establishments=True,
                superuser=True,
            )
    except ValidationError as exc:
        raise UserError(validation_message(exc)) from exc
    _print_credentials(user.get_username(), password)


def _print_credentials(username: str, password: str) -> None:
    from rich.console import Console
    from rich.panel import Panel

    Console().print(
        Panel.fit(
            f"Login:              [bold]{username}[/bold]\n"
            f"One-time password:  [bold]{password}[/bold]\n\n"
            "It is shown only now. At first sign-in you choose a new password\n"
            "and enrol an authenticator app (TOTP).",
            title="Hygie administrator",
            border_style="green",
        )
    )


@click.command()
@click.option(
    "--if-empty",
    is_flag=True,
    help="Skip quietly when the database already holds data (used by `make run`).",
)
def demo(if_empty: bool) -> None:
    """Load the fictional demo organisation into an empty database."""
    setup_django()
    from hygie.core.services.demo import database_is_empty, load_demo

    if if_empty and not database_is_empty():
        click.echo("The database already holds organisation data; demo not loaded.")
        return
    with acting_as_operator():
        summary = load_demo()
    click.echo(
        f"Loaded the demo organisation {summary.organisation!r}: "
        f"{summary.establishments} establishments, {summary.departments} departments, "
        f"{summary.people} people, {summary.assets} assets, {summary.alerts} alerts, "
        f"{summary.evidence} evidence item(s)."
    )


@click.command()
def version() -> None:
    """Print the installed Hygie version."""
    from hygie import __version__

    click.echo(f"hygie {__version__}")
