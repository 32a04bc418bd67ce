"""The devices REST API, mounted at /api/v1/devices: one router, one sub-module per area
(inventory and imports, vulnerability feeds and matching, risk, discovery, segmentation)."""

from ninja import Router

router = Router(tags=["devices"])
