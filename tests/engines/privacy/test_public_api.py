"""The engine's public API is curated (httpx style) and the engine stays pure."""

from __future__ import annotations

import ast
from pathlib import Path

import hygie.privacy.engine as engine

ENGINE_DIR = Path(engine.__file__).parent
FORBIDDEN = (
    "django",
    "ninja",
    "hygie.core",
    "hygie.settings",
    "requests",
    "httpx",
    "socket",
    "urllib.request",
)


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(engine) if not name.startswith("_")}
    modules = {name for name, value in vars(engine).items() if type(value).__name__ == "module"}
    assert set(engine.__all__) == public - modules


def test_engine_imports_nothing_impure() -> None:
    for source in ENGINE_DIR.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{source.name} imports {name}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "open", f"{source.name} opens files"
