"""Every engine package (hygie/<app>/engine) and hygie/lib stays pure (design §2.2).

Walking the tree finds new engines automatically, so a module added later is covered without
editing the import-linter configuration.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HYGIE = Path(__file__).resolve().parents[2] / "hygie"
FORBIDDEN_ROOTS = {
    "django",
    "ninja",
    "django_otp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "waitress",
    "whitenoise",
}
FORBIDDEN_HYGIE = (
    "hygie.core",
    "hygie.settings",
    "hygie.config",
    "hygie.cli",
    "hygie.api",
    "hygie.urls",
)


def pure_packages() -> list[Path]:
    return [HYGIE / "lib", *sorted(HYGIE.glob("*/engine"))]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


@pytest.mark.parametrize("package", pure_packages(), ids=lambda p: str(p.relative_to(HYGIE)))
def test_package_imports_nothing_impure(package: Path) -> None:
    problems = []
    for source in sorted(package.rglob("*.py")):
        for line, module in imported_modules(source):
            root = module.split(".")[0]
            if root in FORBIDDEN_ROOTS or module.startswith(FORBIDDEN_HYGIE):
                problems.append(f"{source.relative_to(HYGIE)}:{line} imports {module}")
    assert problems == []


def test_engines_are_found() -> None:
    assert HYGIE / "lib" in pure_packages()
