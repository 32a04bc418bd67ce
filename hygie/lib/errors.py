"""One root error for the whole platform, carrying where the problem is when that is known."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where in an input a problem sits: a file and, when known, a line and column (1-based)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class HygieError(Exception):
    """Root of every error Hygie raises on purpose.

    Messages must never contain patient data: callers pass descriptions of the problem
    (a field name, a row number), never the offending value itself.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"
