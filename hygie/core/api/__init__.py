"""The core's REST API: organisation model, alerts, evidence, jobs, audit, tokens."""

from hygie.core.api.routes import router

PREFIX = ""
__all__ = ["PREFIX", "router"]
