"""The awareness REST API, mounted at /api/v1/awareness: one router, one sub-module per area."""

from ninja import Router

router = Router(tags=["awareness"])

from hygie.awareness.api import triage  # noqa: E402  (after the router the areas plug into)

router.add_router("", triage.router)
from hygie.awareness.api import results  # noqa: E402

router.add_router("", results.router)
from hygie.awareness.api import training  # noqa: E402

router.add_router("", training.router)
from hygie.awareness.api import campaigns  # noqa: E402

router.add_router("", campaigns.router)
