"""Response API: drafts."""

from ninja import Router

router = Router()
