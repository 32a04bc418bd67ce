"""Compliance evidence from playbooks (registered in the probe registry)."""
