"""The intel REST API, mounted at /api/v1/intel: one router, one sub-module per area."""

from ninja import Router

router = Router(tags=["intel"])
