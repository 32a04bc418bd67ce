"""The intel REST API, mounted at /api/v1/intel: one router, one sub-module per area."""

from ninja import Router

from hygie.intel.api import indicators, partners, sharing, taxii

router = Router(tags=["intel"])
router.add_router("", indicators.router)
router.add_router("", partners.router)
router.add_router("", taxii.router)
router.add_router("", sharing.router)
