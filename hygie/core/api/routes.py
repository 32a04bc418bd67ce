"""Core API routes (placeholder router filled by the organisation-model endpoints)."""

from ninja import Router

router = Router()
