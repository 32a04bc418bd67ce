"""See the package docstring of hygie.compliance."""
