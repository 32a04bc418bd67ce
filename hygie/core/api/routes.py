"""Every core resource's routes, gathered into the one router mounted at /api/v1."""

from ninja import Router

from hygie.core.api import (
    alerts,
    assets,
    audit,
    dashboard,
    directory,
    evidence,
    jobs,
    organisation,
    tokens,
)

router = Router()
for module in (organisation, directory, assets, alerts, evidence, jobs, audit, tokens, dashboard):
    router.add_router("", module.router)
