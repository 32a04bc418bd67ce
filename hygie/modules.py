"""Module discovery: a module is one folder with a ``module.py`` manifest (design §3).

The settings (``INSTALLED_APPS``) and the ``hygie`` command read the manifests before Django
starts, so this file and every ``module.py`` import nothing but the standard library and
``hygie.lib``. Built-in modules are the packages of ``hygie/`` that ship a ``module.py``; a
module installed separately declares its package in the ``hygie.modules`` entry-point group of
its distribution::

    [project.entry-points."hygie.modules"]
    devices = "hygie_devices"

Everything else a module contributes (pages, API router, navigation, probes, search, jobs, alert
sections, demo data, translations, its part of the isolation test) is found in its folder by
convention: see ``CONVENTIONAL_MODULES`` and docs/developer-guide.md, "Adding a module".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path

from hygie.lib.errors import HygieError

ENTRY_POINT_GROUP = "hygie.modules"
MANIFEST_MODULE = "module"

# Files of a module imported at start-up, in this order, once every AppConfig.ready() ran; they
# register into the core registries at import. Every registry is frozen afterwards.
CONVENTIONAL_MODULES = (
    "navigation",
    "probes",
    "search",
    "jobs",
    "alert_sections",
    "dashboard",
    "checklist",
    "landing",
    # registrations into the registries through which modules serve each other (event
    # observers, indicator lookups, stored-event history, incident sources and sharers)
    "cooperation",
)

_LABEL = re.compile(r"^[a-z][a-z0-9_]*$")
_COMMAND = re.compile(r"^[a-z][a-z0-9-]*$")
_TARGET = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


class ManifestError(HygieError):
    """A module manifest is missing, malformed or clashes with another module's."""


@dataclass(frozen=True)
class Module:
    """What a module declares about itself; the rest is found in its folder by convention."""

    label: str  # the Django app label, URL namespace, /<label>/ and /api/v1/<label>/
    order: int  # position among modules: INSTALLED_APPS, demo data (core is 0)
    # ``hygie`` sub-command name → "package.module:attribute" (a click command, imported lazily)
    commands: Mapping[str, str] = field(default_factory=dict)
    # The commands above that never start Django (engine commands; checked by a test).
    engine_commands: frozenset[str] = frozenset()
    # Folders under HYGIE_HOME this module writes (state to back up), relative paths.
    home_paths: tuple[str, ...] = ()
    # Paths under HYGIE_HOME that are cache or temporary (fnmatch patterns, relative; a pattern
    # covers everything under what it matches): `hygie backup` leaves them out and keeps every
    # other file of HYGIE_HOME, declared or not (decision 0017).
    cache_paths: tuple[str, ...] = ()
    # Filled in by discovery: the package holding module.py.
    package: str = ""

    def validate(self) -> None:
        where = self.package or self.label
        if not _LABEL.match(self.label):
            raise ManifestError(f"{where}: label {self.label!r} must be lowercase snake case")
        for name, target in self.commands.items():
            if not _COMMAND.match(name) or not _TARGET.match(target):
                raise ManifestError(
                    f"{where}: command {name!r} → {target!r} must be "
                    "'name': 'package.module:attribute'"
                )
        unknown = self.engine_commands - set(self.commands)
        if unknown:
            raise ManifestError(
                f"{where}: engine_commands names unknown commands {sorted(unknown)}"
            )
        for relative in (*self.home_paths, *self.cache_paths):
            path = Path(relative)
            if path.is_absolute() or ".." in path.parts or not relative:
                raise ManifestError(
                    f"{where}: home path {relative!r} must be relative to HYGIE_HOME"
                )


def _builtin_packages() -> list[str]:
    import hygie

    return sorted(
        {
            f"hygie.{folder.name}"
            for root in hygie.__path__
            for folder in Path(root).iterdir()
            if (folder / f"{MANIFEST_MODULE}.py").is_file()
        }
    )


def _installed_packages() -> list[str]:
    return [entry.value.strip() for entry in entry_points(group=ENTRY_POINT_GROUP)]


def _load_manifest(package: str) -> Module:
    try:
        manifest = import_module(f"{package}.{MANIFEST_MODULE}")
    except ImportError as exc:
        raise ManifestError(f"module {package!r}: cannot import its module.py ({exc})") from exc
    declared = getattr(manifest, "MODULE", None)
    if not isinstance(declared, Module):
        raise ManifestError(f"{package}.module must define MODULE = hygie.modules.Module(...)")
    module = replace(declared, commands=dict(declared.commands), package=package)
    module.validate()
    return module


@lru_cache(maxsize=1)
def discover() -> tuple[Module, ...]:
    """Every module, built-in then installed, in ``order`` (ties by label); validated."""
    packages = dict.fromkeys([*_builtin_packages(), *_installed_packages()])
    modules = sorted(
        (_load_manifest(package) for package in packages),
        key=lambda module: (module.order, module.label),
    )
    seen_labels: dict[str, str] = {}
    seen_commands: dict[str, str] = {}
    for module in modules:
        if module.label in seen_labels:
            raise ManifestError(
                f"modules {seen_labels[module.label]} and {module.package} "
                f"both use the label {module.label!r}"
            )
        seen_labels[module.label] = module.package
        for name in module.commands:
            if name in seen_commands:
                raise ManifestError(
                    f"modules {seen_commands[name]} and {module.package} both "
                    f"declare the command {name!r}"
                )
            seen_commands[name] = module.package
    return tuple(modules)


def app_packages() -> list[str]:
    """The Django apps of every module, in module order (for INSTALLED_APPS)."""
    return [module.package for module in discover()]


def commands() -> dict[str, str]:
    """Every module's ``hygie`` sub-commands: name → "package.module:attribute"."""
    return {name: target for module in discover() for name, target in module.commands.items()}
