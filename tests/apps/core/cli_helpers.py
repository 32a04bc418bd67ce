"""Run the real ``hygie`` command in a subprocess against a throw-away data folder."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def hygie_env(home: Path, **extra: str) -> dict[str, str]:
    # The test settings export HYGIE_HOME/HYGIE_SECRET_KEY and pytest-django exports
    # DJANGO_SETTINGS_MODULE: the subprocess must see none of them, as an operator's shell would.
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("HYGIE_", "DJANGO_"))
    }
    # English messages, whatever the machine's locale, so assertions can read them.
    env.pop("LC_ALL", None)
    env.pop("LC_MESSAGES", None)
    env.update(HYGIE_HOME=str(home), PYTHONPATH=str(REPO_ROOT), LANG="C.UTF-8", **extra)
    return env


def run_hygie(
    home: Path, *args: str, timeout: float = 180, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hygie.cli", *args],
        cwd=REPO_ROOT,
        env=hygie_env(home, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def shared_folder(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """A folder made once per test run by ``build(path)`` and shared by the xdist workers (a
    lock file decides who makes it; it appears whole, by a rename, or not at all). For data
    folders many tests copy: migrating a fresh database alone costs ~11 s of CPU, most of it
    Django rebuilding model states. Copies share the folder's generated secrets, which no test
    relies on."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker has its own basetemp inside the run's folder; without it the
    # basetemp is the run's folder. Either way a new run never sees an older run's folder.
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not folder.exists():
            partial = root / f"{name}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            build(partial)
            partial.rename(folder)
    return folder


def _migrate(home: Path) -> None:
    result = run_hygie(home, "migrate")
    assert result.returncode == 0, result.stderr


def migrated_home(tmp_path_factory: pytest.TempPathFactory, target: Path) -> Path:
    """A private copy, at ``target``, of a data folder on which ``hygie migrate`` ran."""
    shutil.copytree(shared_folder(tmp_path_factory, "migrated-home", _migrate), target)
    return target


def demo_home(tmp_path_factory: pytest.TempPathFactory, target: Path) -> Path:
    """A private copy, at ``target``, of a migrated data folder into which ``hygie demo`` loaded
    the demo organisation (as the subprocess wrote it: files, modes, audit trail). The demo
    costs ~15 s of CPU; the tests that only need one loaded share it."""

    def load(home: Path) -> None:
        migrated_home(tmp_path_factory, home)
        result = run_hygie(home, "demo")
        assert result.returncode == 0, result.stderr

    shutil.copytree(shared_folder(tmp_path_factory, "demo-home", load), target)
    return target
