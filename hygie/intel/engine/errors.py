"""Errors of the intel engine. Messages name fields, rows and JSON paths, never the values."""

from __future__ import annotations

from hygie.lib.errors import HygieError, Location


class IntelError(HygieError):
    """Root of every error the intel engine raises on purpose."""


class IndicatorError(IntelError):
    """A value is not a valid indicator of the type it was given."""


class FormatError(IntelError):
    """An input document (CSV, STIX, MISP) cannot be read; the location says where."""


def at(file: str | None, line: int | None = None, path: str | None = None) -> Location:
    """A location in a file: a 1-based line, or a JSON path carried in the file part."""
    name = file or "<input>"
    if path:
        name = f"{name}#{path}"
    return Location(file=name, line=line)
