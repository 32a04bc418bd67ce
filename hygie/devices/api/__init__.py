"""The devices REST API, mounted at /api/v1/devices: one router, one sub-module per area
(inventory and imports, vulnerability feeds and matching, risk, discovery, segmentation)."""

from ninja import Router

from hygie.devices.api import discovery, intel, inventory

router = Router(tags=["devices"])
router.add_router("", inventory.router)
router.add_router("", intel.router)
router.add_router("", discovery.router)
