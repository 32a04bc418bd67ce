"""The passive-discovery job (``devices.discover``): analyse an uploaded capture. Imported by
``hygie.devices.jobs`` so that the core job registry knows it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from hygie.core.services.jobs import JobRun, register_job
from hygie.devices.models import DiscoveryRun
from hygie.devices.services import discovery


@register_job(
    discovery.JOB_KIND,
    gettext_lazy("Passive discovery of a capture"),
    {
        "candidates": gettext_lazy("Candidate devices"),
        "flows": gettext_lazy("Flows"),
        "violations": gettext_lazy("Segmentation violations"),
        "frames": gettext_lazy("Frames"),
    },
)
def discover_capture(run: JobRun, run_id: int) -> dict[str, Any]:
    capture = DiscoveryRun.objects.get(pk=run_id)
    run.progress(0, 1, gettext_noop("Analysing the capture"))
    capture = discovery.analyse(capture)
    run.progress(1, 1, gettext_noop("Capture analysed"))
    if capture.error:
        return {"error": capture.error}
    return {
        key: capture.counts.get(key, 0) for key in ("frames", "candidates", "flows", "violations")
    }
