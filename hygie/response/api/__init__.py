"""The response REST API, mounted at /api/v1/response; one router per area."""

from ninja import Router

from hygie.response.api import drafts, exercises, incidents, obligations, playbooks

router = Router()
router.add_router("", incidents.router)
router.add_router("", playbooks.router)
router.add_router("", obligations.router)
router.add_router("", drafts.router)
router.add_router("", exercises.router)
