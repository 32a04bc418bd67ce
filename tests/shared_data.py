"""Locate the public test data set in ../shared/data (never copied into the repository).

A user's fresh clone has no ../shared: tests that need it skip with a clear reason there, but fail
in CI (CI=true), where a missing data set means the run proves nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("HYGIE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def shared_data(*parts: str) -> Path:
    """Return a path under the shared data set, or skip (fail under CI) when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if path.exists():
        return path
    reason = f"public test data not found at {path} (set HYGIE_SHARED_DATA or check out ../shared)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)
