"""Compliance evidence from PHI discovery (registered in the probe registry).

Control ids belong to Hygie's control catalogue: ``hygie.data.discovery`` (know where patient
data lives) and ``hygie.data.remediation`` (act on what was found). Summaries are msgids filled
with ``params``, translated when shown.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment
from hygie.core.registries import Probe, ProbeResult, probes
from hygie.privacy.choices import Exposure, RunStatus, TriageStatus
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun
from hygie.privacy.services import untriaged_shared_findings

UNTRIAGED_GRACE = timedelta(days=30)
DISCOVERY_PERIOD = timedelta(days=90)
REMEDIATION_PERIOD = timedelta(days=90)
LISTED = 50


def untriaged_findings_on_shared_roots(establishment: Establishment) -> ProbeResult:
    """No PHI finding on a shared drive has waited more than 30 days for a triage decision."""
    shared = ScanRoot.objects.filter(
        establishment=establishment, exposure=Exposure.SHARED_DRIVE
    ).count()
    if not shared:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No shared-drive scan root is configured."),
            data={"shared_roots": 0},
        )
    per_root = dict(
        untriaged_shared_findings(establishment, UNTRIAGED_GRACE)
        .values("root__label")
        .annotate(count=Count("pk"))
        .values_list("root__label", "count")
    )
    count = sum(per_root.values())
    roots = sorted(label for label in per_root if label)
    if count:
        return ProbeResult.translatable(
            "fail",
            gettext_noop(
                "%(count)s PHI finding(s) on shared drives have not been triaged for more than "
                "30 days."
            ),
            {"count": count},
            {"untriaged": count, "roots": roots},
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop("Every PHI finding on shared drives older than 30 days has been triaged."),
        data={"untriaged": 0, "shared_roots": shared},
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
        return ProbeResult.translatable(
            "fail",
            gettext_noop("No PHI discovery scan has been completed."),
            data={"last_scan": None},
        )
    assert last.finished_at is not None
    age = timezone.now() - last.finished_at
    data = {"last_scan": last.finished_at.isoformat(), "scan_run_id": last.pk, "age_days": age.days}
    if age <= DISCOVERY_PERIOD:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("Last PHI discovery scan completed %(days)s day(s) ago."),
            {"days": age.days},
            data,
        )
    return ProbeResult.translatable(
        "fail",
        gettext_noop("Last PHI discovery scan completed %(days)s days ago (more than 90)."),
        {"days": age.days},
        data,
    )


def every_root_scanned(establishment: Establishment) -> ProbeResult:
    """Every enabled scan root had a successful PHI scan in the last 90 days (one recent scan
    of one folder says nothing about the others)."""
    roots = dict(
        ScanRoot.objects.filter(establishment=establishment, is_enabled=True).values_list(
            "pk", "label"
        )
    )
    if not roots:
        return ProbeResult.translatable(
            "not_applicable",
            gettext_noop("No scan root is configured for this establishment."),
            data={"roots": 0},
        )
    last_scans = dict(
        ScanRun.objects.filter(
            root_id__in=roots, status=RunStatus.SUCCEEDED, finished_at__isnull=False
        )
        .values("root_id")
        .annotate(last=Max("finished_at"))
        .values_list("root_id", "last")
    )
    cutoff = timezone.now() - DISCOVERY_PERIOD
    stale = sorted(
        label
        for pk, label in roots.items()
        if last_scans.get(pk) is None or last_scans[pk] < cutoff
    )
    covered = len(roots) - len(stale)
    data = {"roots": len(roots), "scanned": covered, "not_scanned": stale[:LISTED]}
    params = {"scanned": covered, "roots": len(roots)}
    if not stale:
        return ProbeResult.translatable(
            "pass",
            gettext_noop("All %(roots)s scan roots were scanned in the last 90 days."),
            params,
            data,
        )
    return ProbeResult.translatable(
        "partial" if covered else "fail",
        gettext_noop("%(scanned)s of %(roots)s scan roots were scanned in the last 90 days."),
        params,
        data,
    )


def remediation_on_time(establishment: Establishment) -> ProbeResult:
    """PHI findings triaged "to remediate" are gone within 90 days (the next scan no longer sees
    them, or they are marked remediated)."""
    cutoff = timezone.now() - REMEDIATION_PERIOD
    waiting = list(
        PHIFinding.objects.filter(
            establishment=establishment, is_present=True, triage_status=TriageStatus.TO_REMEDIATE
        ).values_list("triaged_at", "root__label")
    )
    total = len(waiting)
    overdue = [label for triaged_at, label in waiting if triaged_at and triaged_at < cutoff]
    count = len(overdue)
    roots = sorted({label for label in overdue if label})
    data = {"to_remediate": total, "overdue": count, "roots": roots[:LISTED]}
    if not total:
        decided = PHIFinding.objects.filter(establishment=establishment).exclude(
            triage_status=TriageStatus.UNTRIAGED
        )
        if not decided.exists():
            return ProbeResult.translatable(
                "not_applicable",
                gettext_noop("No PHI finding has been triaged yet."),
                data=data,
            )
        return ProbeResult.translatable(
            "pass", gettext_noop("No PHI finding is waiting for remediation."), data=data
        )
    if count:
        return ProbeResult.translatable(
            "fail",
            gettext_noop(
                "%(count)s of %(total)s PHI finding(s) to remediate have waited more than 90 days."
            ),
            {"count": count, "total": total},
            data,
        )
    return ProbeResult.translatable(
        "pass",
        gettext_noop("%(total)s PHI finding(s) to remediate, none waiting for more than 90 days."),
        {"total": total},
        data,
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
probes.register(
    "privacy.every_root_scanned",
    Probe(
        id="privacy.every_root_scanned",
        title=gettext_noop("Every scan root scanned for PHI in the last 90 days"),
        controls=("hygie.data.discovery",),
        run=every_root_scanned,
    ),
)
probes.register(
    "privacy.remediation_on_time",
    Probe(
        id="privacy.remediation_on_time",
        title=gettext_noop("PHI findings to remediate handled within 90 days"),
        controls=("hygie.data.remediation",),
        run=remediation_on_time,
    ),
)
