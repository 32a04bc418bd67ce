"""API value types built from the platform's choice tables (``TextChoices``, enums).

A ``Literal`` makes the OpenAPI document list the allowed values, so clients (and schemathesis)
learn them from the schema instead of from 422 answers. The values live in one place, the choice
table; the schemas build their ``Literal`` from it at import time. Type checkers cannot evaluate
that, so each schema module declares its aliases as ``str`` under ``TYPE_CHECKING``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal


def choice_literal(values: Iterable[str]) -> Any:
    """``Literal["a", "b", ...]`` of these values, in their order."""
    return Literal[tuple(values)]
