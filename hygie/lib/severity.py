"""Severity shared by alerts, findings and incidents, with Sigma's level names mapped onto it."""

from __future__ import annotations

from enum import IntEnum


class Severity(IntEnum):
    """Ordered severity; the integer order is the triage order."""

    INFORMATIONAL = 10
    LOW = 20
    MEDIUM = 30
    HIGH = 40
    CRITICAL = 50

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Severity:
        """Parse a level name, Sigma's included (informational, low, medium, high, critical)."""
        normalised = label.strip().upper()
        if normalised == "INFO":
            normalised = "INFORMATIONAL"
        try:
            return cls[normalised]
        except KeyError:
            choices = ", ".join(member.label for member in cls)
            raise ValueError(f"unknown severity {label!r}; expected one of: {choices}") from None
