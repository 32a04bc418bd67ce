"""The detection module's background jobs (discovered by the core job service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic
from hygie.detection import forwarding, logfiles, retention, services


@register_job(
    services.PRUNE_JOB_KIND,
    gettext_lazy("Prune old log events"),
    {"events_deleted": gettext_lazy("Events deleted")},
)
def prune_events(run: JobRun) -> dict[str, Any]:
    by_age = services.prune_events()
    run.progress(1, 2, gettext_noop("Old events deleted"))
    by_count = retention.prune_to_max_events()
    run.progress(
        2,
        2,
        gettext_noop("%(age)s event(s) deleted by age, %(count)s over the maximum count"),
        {"age": by_age, "count": by_count},
    )
    return {"events_deleted": by_age + by_count}


@register_job(
    forwarding.RETRY_JOB_KIND,
    gettext_lazy("Retry alert forwarding"),
    {
        "deliveries_tried": gettext_lazy("Deliveries tried"),
        "deliveries_pruned": gettext_lazy("Deliveries forgotten"),
    },
)
def retry_deliveries(run: JobRun) -> dict[str, Any]:
    tried = forwarding.retry_due_deliveries()
    forgotten = forwarding.prune_deliveries()
    run.progress(1, 1, gettext_noop("Done"))
    return {"deliveries_tried": tried, "deliveries_pruned": forgotten}


@register_job(
    logfiles.INGEST_JOB_KIND,
    gettext_lazy("Import a log file"),
    {
        "file": gettext_lazy("File"),
        "events": gettext_lazy("Events"),
        "parse_errors": gettext_lazy("Lines not understood"),
        "matches": gettext_lazy("Rule matches"),
        "alerts": gettext_lazy("Alerts"),
    },
)
def ingest_file(run: JobRun, **arguments: Any) -> dict[str, Any]:
    return logfiles.run_file_ingest(run, **arguments)


register_periodic(services.PRUNE_JOB_KIND, timedelta(days=1))
# Retries are normally queued with their delay; this catches any whose task was lost.
register_periodic(forwarding.RETRY_JOB_KIND, timedelta(hours=1))
