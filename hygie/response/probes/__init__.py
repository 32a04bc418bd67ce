"""Compliance evidence the response module computes (autodiscovered by the core)."""

from hygie.response.probes import exercises, incidents, playbooks  # noqa: F401 (registers)
