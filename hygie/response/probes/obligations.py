"""Compliance evidence from regulatory obligations (registered in the probe registry)."""
