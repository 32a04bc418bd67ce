"""Pages of the intel module."""
