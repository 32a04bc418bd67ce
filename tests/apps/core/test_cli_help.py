"""`hygie --help` and the command registry."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from hygie.cli import cli
from tests.apps.core.cli_helpers import REPO_ROOT

PLATFORM_COMMANDS = [
    "audit",
    "backup",
    "check",
    "createadmin",
    "demo",
    "ingest",
    "migrate",
    "restore",
    "serve",
    "version",
    "worker",
]


def test_help_lists_every_platform_command_with_a_one_line_summary():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:")[1]
    for name in PLATFORM_COMMANDS:
        line = next(line for line in listed.splitlines() if line.strip().startswith(name + " "))
        assert len(line.split(None, 1)[1]) > 10, f"{name} has no help text"


def test_help_does_not_start_django():
    code = (
        "import sys; from click.testing import CliRunner; from hygie.cli import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output; "
        "print('django.conf' in sys.modules and 'settings loaded' "
        "or 'no settings')"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "no settings" in output


def test_version():
    result = CliRunner().invoke(cli, ["version"])
    assert result.exit_code == 0
    assert result.output.startswith("hygie ")


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def test_cli_messages_follow_the_operator_locale(monkeypatch):
    from hygie.cli.runtime import operator_language

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    assert operator_language() == "en"
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert operator_language() == "fr"
    monkeypatch.setenv("LC_ALL", "C")
    assert operator_language() == "en"
