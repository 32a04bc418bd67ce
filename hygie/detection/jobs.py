"""The detection module's background jobs (discovered by the core job service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic
from hygie.detection import services


@register_job(services.PRUNE_JOB_KIND, gettext_lazy("Prune old log events"))
def prune_events(run: JobRun) -> dict[str, Any]:
    deleted = services.prune_events()
    run.progress(1, 1, _("Done"))
    return {"events_deleted": deleted}


register_periodic(services.PRUNE_JOB_KIND, timedelta(days=1))
