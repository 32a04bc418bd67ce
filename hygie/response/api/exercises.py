"""Response API: exercises."""

from ninja import Router

router = Router()
