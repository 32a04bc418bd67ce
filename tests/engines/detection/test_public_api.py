"""The engine's public API is exactly ``__all__`` and stays free of Django (design §2)."""

from __future__ import annotations

import subprocess
import sys

import hygie.detection.engine as engine


def test_all_is_complete_and_sorted() -> None:
    public = {name for name in dir(engine) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(engine, name)).__name__ == "module"}
    assert set(engine.__all__) == public - modules
    assert list(engine.__all__) == sorted(engine.__all__, key=lambda n: (not n.isupper(), n))


def test_engine_and_hunt_cli_import_without_django() -> None:
    code = (
        "import sys; import hygie.detection.engine, hygie.detection.cli.hunt; "
        "sys.exit(1 if any(m.split('.')[0] == 'django' for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
