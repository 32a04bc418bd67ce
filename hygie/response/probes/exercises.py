"""Compliance evidence from exercises (registered in the probe registry)."""
