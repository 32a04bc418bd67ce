"""Compliance evidence from PHI discovery (registered in the probe registry).

Control ids belong to Hygie's control catalogue: ``hygie.data.discovery`` (know where patient
data lives) and ``hygie.data.remediation`` (act on what was found).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.privacy.choices import Exposure, RunStatus
from hygie.privacy.models import ScanRoot, ScanRun
from hygie.privacy.services import untriaged_shared_findings

UNTRIAGED_GRACE = timedelta(days=30)
DISCOVERY_PERIOD = timedelta(days=90)


def untriaged_findings_on_shared_roots(establishment: Establishment) -> ProbeResult:
    """No PHI finding on a shared drive has waited more than 30 days for a triage decision."""
    shared = ScanRoot.objects.filter(establishment=establishment, exposure=Exposure.SHARED_DRIVE)
    if not shared.exists():
        return ProbeResult(
            "not_applicable", "No shared-drive scan root is configured.", {"shared_roots": 0}
        )
    stale = untriaged_shared_findings(establishment, UNTRIAGED_GRACE)
    count = stale.count()
    roots = sorted(set(stale.values_list("root__label", flat=True)))
    if count:
        return ProbeResult(
            "fail",
            f"{count} PHI finding(s) on shared drives have not been triaged for more than 30 days.",
            {"untriaged": count, "roots": roots},
        )
    return ProbeResult(
        "pass",
        "Every PHI finding on shared drives older than 30 days has been triaged.",
        {"untriaged": 0, "shared_roots": shared.count()},
    )


def recent_discovery_scan(establishment: Establishment) -> ProbeResult:
    """A PHI discovery scan of the establishment completed in the last 90 days."""
    last = (
        ScanRun.objects.filter(
            establishment=establishment, status=RunStatus.SUCCEEDED, finished_at__isnull=False
        )
        .order_by("-finished_at")
        .first()
    )
    if last is None:
        return ProbeResult("fail", "No PHI discovery scan has been completed.", {"last_scan": None})
    assert last.finished_at is not None
    age = timezone.now() - last.finished_at
    data = {"last_scan": last.finished_at.isoformat(), "scan_run_id": last.pk, "age_days": age.days}
    if age <= DISCOVERY_PERIOD:
        return ProbeResult(
            "pass", f"Last PHI discovery scan completed {age.days} day(s) ago.", data
        )
    return ProbeResult(
        "fail", f"Last PHI discovery scan completed {age.days} days ago (more than 90).", data
    )


probes.register(
    "privacy.untriaged_findings_on_shared_roots",
    Probe(
        id="privacy.untriaged_findings_on_shared_roots",
        title=gettext_noop("No untriaged PHI findings older than 30 days on shared drives"),
        controls=("hygie.data.discovery", "hygie.data.remediation"),
        run=untriaged_findings_on_shared_roots,
    ),
)
probes.register(
    "privacy.recent_discovery_scan",
    Probe(
        id="privacy.recent_discovery_scan",
        title=gettext_noop("PHI discovery scan completed in the last 90 days"),
        controls=("hygie.data.discovery",),
        run=recent_discovery_scan,
    ),
)
