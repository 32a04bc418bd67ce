"""The awareness REST API, mounted at /api/v1/awareness: one router, one sub-module per area."""

from ninja import Router

router = Router(tags=["awareness"])
