"""The privacy module's background jobs (discovered by the core job service)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from hygie.core.services.jobs import JobRun, register_job
from hygie.privacy import services


@register_job(
    services.JOB_KIND,
    gettext_lazy("Scan files for patient data"),
    {
        "run": gettext_lazy("Scan"),
        "files_scanned": gettext_lazy("Files scanned"),
        "files_skipped": gettext_lazy("Files skipped"),
        "findings": gettext_lazy("Findings"),
    },
)
def phi_scan(run: JobRun, run_id: int, upload: str = "") -> dict[str, Any]:
    return services.run_scan(run, run_id, upload)
