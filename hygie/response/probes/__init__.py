"""Compliance evidence the response module computes (autodiscovered by the core)."""

from hygie.response.probes import (  # noqa: F401 (registers)
    breaches,
    exercises,
    obligations,
    playbooks,
    reviews,
)
