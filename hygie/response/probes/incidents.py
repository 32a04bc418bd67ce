"""Compliance evidence from incidents (registered in the probe registry)."""
