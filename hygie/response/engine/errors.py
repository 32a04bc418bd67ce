"""Errors of the response engines. Messages name fields and choices, never patient data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hygie.lib.errors import HygieError, Location


class ResponseEngineError(HygieError):
    """Root of every error the response engine raises on purpose."""


@dataclass(frozen=True)
class DocumentProblem:
    """One thing wrong in a YAML document (facts, playbook, scenario): the dotted path of the
    field, why, and where (1-based line and column)."""

    path: str
    message: str
    location: Location | None = None

    @property
    def line(self) -> int | None:
        return self.location.line if self.location is not None else None

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location is not None else ""
        return f"{prefix}{self.path}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.location.column if self.location is not None else None,
            "message": self.message,
        }


class DocumentError(ResponseEngineError):
    """A document cannot be used. Carries every problem found, not only the first."""

    header = "invalid document {source}"

    def __init__(self, problems: Iterable[DocumentProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        self.source = source
        count = len(self.problems)
        lines = [
            self.header.format(source=source or "<input>")
            + f" ({count} problem{'' if count == 1 else 's'}):"
        ]
        lines.extend(f"  - {problem}" for problem in self.problems)
        super().__init__("\n".join(lines), self.problems[0].location if self.problems else None)

    def __str__(self) -> str:
        # The location of each problem is already in its own line of the message.
        return self.message


FactProblem = DocumentProblem


class FactsError(DocumentError):
    """A facts document cannot be used."""

    header = "invalid facts in {source}"
