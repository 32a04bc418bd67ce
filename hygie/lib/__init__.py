"""Hygie's pure shared kernel: errors, registries, severities, small value types.

Nothing here imports Django or does I/O, so every engine can depend on it.
"""

from hygie.lib.errors import HygieError, Location
from hygie.lib.registry import Registry, RegistryError, RegistryFrozenError
from hygie.lib.severity import Severity

__all__ = [
    "HygieError",
    "Location",
    "Registry",
    "RegistryError",
    "RegistryFrozenError",
    "Severity",
]
