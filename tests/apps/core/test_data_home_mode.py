"""An existing data folder left open (0755) is tightened to 0700 when a Hygie process starts
(review of issue 9): only a new folder was created 0700, so `migrate`, `demo` and `serve` kept
an old one readable by every account of the server."""

from __future__ import annotations

import logging

import pytest

from hygie import config
from hygie.config import load_settings


@pytest.fixture
def open_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o755)
    (home / "uploads").mkdir()
    (home / "uploads").chmod(0o755)
    monkeypatch.setenv("HYGIE_HOME", str(home))
    monkeypatch.delenv("HYGIE_SECRET_KEY", raising=False)
    return home


def test_starting_tightens_an_open_data_folder_and_says_so(open_home, caplog):
    with caplog.at_level(logging.WARNING, logger="hygie.config"):
        load_settings()
    assert open_home.stat().st_mode & 0o777 == 0o700
    assert "was open (mode 0755)" in caplog.text and "now 0700" in caplog.text
    # The folder itself only: what is inside is left for `hygie check` to report.
    assert (open_home / "uploads").stat().st_mode & 0o777 == 0o755
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="hygie.config"):
        load_settings()
    assert caplog.text == ""  # said once: it is private now


def test_read_only_commands_leave_the_folder_as_it_is(open_home):
    """`hygie check` and `hygie restore` read the configuration without writing to the folder."""
    load_settings(create_secret_key=False)
    assert open_home.stat().st_mode & 0o777 == 0o755


def test_a_folder_of_another_owner_is_not_touched(open_home, monkeypatch):
    monkeypatch.setattr(config.os, "geteuid", lambda: open_home.stat().st_uid + 1)
    load_settings()
    assert open_home.stat().st_mode & 0o777 == 0o755


@pytest.mark.slow
def test_migrate_tightens_an_existing_open_folder(tmp_path_factory, tmp_path):
    """Through the real command, as an operator upgrading an old installation runs it."""
    from tests.apps.core.cli_helpers import migrated_home, run_hygie

    home = migrated_home(tmp_path_factory, tmp_path / "home")  # an installation, already in use
    home.chmod(0o755)
    result = run_hygie(home, "migrate")
    assert result.returncode == 0, result.stderr
    assert home.stat().st_mode & 0o777 == 0o700
    assert "it is now 0700" in result.stderr
