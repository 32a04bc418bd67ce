"""``hygie check``: configuration and security self-check."""

from __future__ import annotations

import os

import click

from hygie.cli.runtime import setup_django

_STYLE = {"ok": ("ok", "green"), "warning": ("warning", "yellow"), "error": ("ERROR", "red")}


@click.command()
@click.option("--quiet", "-q", is_flag=True, help="Show only warnings and errors.")
def check(quiet: bool) -> None:
    """Check configuration and security (exit 1 on errors)."""
    from hygie.config import data_home
    from hygie.core.services.selfcheck import ERROR, WARNING, check_files

    # Before Django starts: starting it repairs the secret key's permissions.
    findings = check_files(data_home(), bool(os.environ.get("HYGIE_SECRET_KEY")))
    setup_django()
    from django.conf import settings

    from hygie.core.services.selfcheck import check_platform

    findings += check_platform(settings.CONFIG, settings)
    for finding in findings:
        if quiet and finding.level not in {WARNING, ERROR}:
            continue
        label, colour = _STYLE[finding.level]
        click.echo(click.style(f"[{label:>7}] ", fg=colour) + f"{finding.topic}: {finding.message}")
        if finding.fix and finding.level != "ok":
            click.echo(f"          → {finding.fix}")
    errors = sum(1 for f in findings if f.level == ERROR)
    warnings = sum(1 for f in findings if f.level == WARNING)
    summary = f"{errors} error(s), {warnings} warning(s)."
    click.secho(summary, fg="red" if errors else ("yellow" if warnings else "green"))
    if errors:
        raise SystemExit(1)
