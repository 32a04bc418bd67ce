"""Use cases of the awareness module, shared by pages, API, CLI and jobs."""
