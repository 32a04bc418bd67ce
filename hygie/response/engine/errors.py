"""Errors of the regulatory clocks engine. Messages name fields and choices, never patient data."""

from __future__ import annotations

from dataclasses import dataclass

from hygie.lib.errors import HygieError, Location


class ResponseEngineError(HygieError):
    """Root of every error the response engine raises on purpose."""


@dataclass(frozen=True)
class FactProblem:
    """One thing wrong in a facts document: the dotted path of the field, why, and where."""

    path: str
    message: str
    location: Location | None = None

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location is not None else ""
        return f"{prefix}{self.path}: {self.message}"


class FactsError(ResponseEngineError):
    """A facts document cannot be used. Carries every problem found, not only the first."""

    def __init__(self, problems: list[FactProblem], source: str | None = None) -> None:
        self.problems = tuple(problems)
        first = self.problems[0].location if self.problems else None
        count = len(self.problems)
        lines = [f"invalid facts in {source or '<input>'} "
                 f"({count} problem{'' if count == 1 else 's'}):"]
        lines.extend(f"  - {problem}" for problem in self.problems)
        super().__init__("\n".join(lines), first)

    def __str__(self) -> str:
        # The location of each problem is already in its own line of the message.
        return self.message
