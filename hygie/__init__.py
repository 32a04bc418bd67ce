"""Hygie: cybersecurity platform for healthcare organisations."""

__version__ = "0.1.0"
