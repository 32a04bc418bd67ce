"""The library folder on disk, read for the pure engine (which takes texts, not paths).

A library folder holds ``controls.yaml``, ``frameworks/*.yaml`` and ``mappings/*.yaml``; other
files (the JSON Schemas, the registers' presets) are not library files. No Django: the
``check-library`` command and the services both use it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hygie.compliance.engine import Library, parse_library

LIBRARY_ROOT = Path(__file__).resolve().parent / "library"
CONTROLS_FILE = "controls.yaml"
FOLDERS = ("frameworks", "mappings")
SUFFIXES = (".yaml", ".yml")


def library_paths(root: Path | None = None) -> dict[str, Path]:
    """``{relative POSIX path: path}`` of the library files under ``root`` (the shipped library
    by default), sorted."""
    root = LIBRARY_ROOT if root is None else root
    found: dict[str, Path] = {}
    controls = root / CONTROLS_FILE
    if controls.is_file():
        found[CONTROLS_FILE] = controls
    for folder in FOLDERS:
        directory = root / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.suffix in SUFFIXES and path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return dict(sorted(found.items()))


def read_library_files(root: Path | None = None) -> dict[str, str]:
    """``{relative path: text}`` of the library files under ``root`` (the shipped library by
    default). Raises ``OSError`` or ``UnicodeDecodeError`` for a file that cannot be read."""
    return {name: path.read_text(encoding="utf-8") for name, path in library_paths(root).items()}


@cache
def shipped_library() -> Library:
    """The library shipped with Hygie, parsed once per process (raises ``LibraryError`` if a
    shipped file is wrong — the tests keep that from happening)."""
    return parse_library(read_library_files())
