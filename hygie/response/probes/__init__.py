"""Compliance evidence the response module computes (autodiscovered by the core)."""

from hygie.response.probes import exercises, obligations, playbooks  # noqa: F401 (registers)
