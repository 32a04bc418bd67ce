"""See the package docstring of hygie.devices."""
