"""Use cases of the intel module, shared by pages, API, CLI and jobs."""
