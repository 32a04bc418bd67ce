"""Response API: playbooks."""

from ninja import Router

router = Router()
