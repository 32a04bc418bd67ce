"""Response API: obligations."""

from ninja import Router

router = Router()
