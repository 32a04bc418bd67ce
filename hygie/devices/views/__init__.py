"""The devices pages, one sub-module per area: ``pages`` (inventory, imports, aliases,
vulnerabilities, feeds, dashboard)."""
