"""The detection engine's error type and the problem records it reports instead of raising."""

from __future__ import annotations

from dataclasses import dataclass

from hygie.lib.errors import HygieError, Location


class SigmaEngineError(HygieError):
    """A rule, a log or a setting the Sigma engine cannot work with."""


@dataclass(frozen=True)
class RuleProblem:
    """Why one rule (or one whole file) could not be loaded; the rule pack keeps going."""

    location: Location
    reason: str
    rule_id: str | None = None
    title: str | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"
