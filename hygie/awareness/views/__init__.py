"""Pages of the awareness module."""
