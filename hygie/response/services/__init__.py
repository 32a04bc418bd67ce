"""Use cases of the response module, shared by views, API, CLI and tasks."""
