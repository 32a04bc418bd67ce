"""Run the real ``hygie`` command in a subprocess against a throw-away data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
