"""The demo incident loaded with the demo GHT (connected to ``core.services.demo.demo_loaded``)."""

from __future__ import annotations

from typing import Any


def load_demo_incident(sender: Any, organisation: Any, establishments: list[Any],
                       **kwargs: Any) -> None:
    """Create a realistic demo incident (to be written: see the incidents work package)."""
