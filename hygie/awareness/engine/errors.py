"""The awareness engine's error root."""

from __future__ import annotations

from hygie.lib.errors import HygieError, Location


class AwarenessError(HygieError):
    """Bad awareness input (template, lure, GoPhish export, scanner list, quiz), located when
    the place is known. Messages name fields, never the values (which may be personal)."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message, location)
