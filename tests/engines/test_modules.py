"""Module manifests: validated, ordered, and clashes refused (hygie.modules, no Django)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from hygie import modules
from hygie.modules import ManifestError, Module


def test_the_built_in_modules_are_discovered_in_order():
    found = modules.discover()
    assert [module.label for module in found][:1] == ["core"]
    assert [module.order for module in found] == sorted(module.order for module in found)
    assert {"hygie.privacy", "hygie.detection", "hygie.response"} <= set(modules.app_packages())
    assert modules.commands()["hunt"] == "hygie.detection.cli.hunt:hunt"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"label": "Bad-Label"}, "lowercase snake case"),
        ({"commands": {"Scan Files": "x.y:z"}}, "package.module:attribute"),
        ({"commands": {"scan": "not a target"}}, "package.module:attribute"),
        (
            {"commands": {"scan": "x.y:z"}, "engine_commands": frozenset({"hunt"})},
            "unknown commands",
        ),
        ({"home_paths": ("/etc",)}, "relative to HYGIE_HOME"),
        ({"cache_paths": ("../outside",)}, "relative to HYGIE_HOME"),
    ],
)
def test_a_malformed_manifest_is_refused(fields, message):
    with pytest.raises(ManifestError, match=message):
        Module(**{"label": "tryout", "order": 10, **fields}).validate()


def _package(root: Path, name: str, manifest: str) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    (root / name / "module.py").write_text(textwrap.dedent(manifest))


def test_clashing_modules_are_refused(tmp_path, monkeypatch):
    _package(
        tmp_path,
        "hygie_clash_a",
        """
        from hygie.modules import Module
        MODULE = Module(label="clash", order=10, commands={"same": "hygie_clash_a.cli:same"})
        """,
    )
    _package(
        tmp_path,
        "hygie_clash_b",
        """
        from hygie.modules import Module
        MODULE = Module(label="clash_b", order=20, commands={"same": "hygie_clash_b.cli:same"})
        """,
    )
    _package(tmp_path, "hygie_clash_c", "MODULE = {'label': 'dict'}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(modules, "_installed_packages", lambda: ["hygie_clash_a", "hygie_clash_b"])
    modules.discover.cache_clear()
    try:
        with pytest.raises(ManifestError, match="both declare the command 'same'"):
            modules.discover()
        monkeypatch.setattr(modules, "_installed_packages", lambda: ["hygie_clash_c"])
        modules.discover.cache_clear()
        with pytest.raises(ManifestError, match="must define MODULE"):
            modules.discover()
        monkeypatch.setattr(modules, "_installed_packages", lambda: ["hygie_absent"])
        modules.discover.cache_clear()
        with pytest.raises(ManifestError, match="cannot import"):
            modules.discover()
    finally:
        monkeypatch.undo()
        modules.discover.cache_clear()
        for name in [name for name in sys.modules if name.startswith("hygie_clash")]:
            del sys.modules[name]
    assert "core" in [module.label for module in modules.discover()]
