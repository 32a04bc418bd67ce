"""Device vulnerabilities: their clinical risk (through ``engine/risk.py``), the decision workflow
(open, mitigated, patched, risk accepted, not affected) and the remediation priorities."""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core.models import User
from hygie.core.services import crud
from hygie.devices.choices import MatchStatus, VexJustification, Workflow
from hygie.devices.engine import risk as risk_engine
from hygie.devices.models import Device, DeviceVulnerability, ObservedFlow, SegmentationViolation
from hygie.devices.roles import TRIAGE

# What still needs a decision: the device is (or may be) affected and nobody decided yet.
UNDECIDED_STATUSES = (
    MatchStatus.KNOWN_AFFECTED,
    MatchStatus.UNDER_INVESTIGATION,
    MatchStatus.NEEDS_REVIEW,
)


def external_flows_seen(device: Device) -> bool:
    """Whether passive discovery saw the device talk beyond its zone: a flow of it that the
    segmentation policy does not allow, or a flow from it to a public (internet) address."""
    addresses = [str(ip) for ip in (device.asset.ip_addresses or [])]
    if not addresses:
        return False
    if SegmentationViolation.objects.filter(
        Q(src__in=addresses) | Q(dst__in=addresses), establishment=device.establishment_id
    ).exists():
        return True
    destinations = (
        ObservedFlow.objects.filter(establishment=device.establishment_id, src__in=addresses)
        .values_list("dst", flat=True)
        .distinct()[:1000]
    )
    return any(ipaddress.ip_address(dst).is_global for dst in destinations)


def device_context(device: Device) -> risk_engine.DeviceContext:
    return risk_engine.DeviceContext(
        clinical_function=device.clinical_function,
        patient_connected=device.patient_connected,
        stores_phi=device.stores_phi,
        network_zone=device.network_zone,
        internet_reachable=device.internet_reachable,
        external_flows=external_flows_seen(device),
        compensating_controls=tuple(device.compensating_controls or ()),
    )


def assess(link: DeviceVulnerability) -> risk_engine.Risk:
    vulnerability = link.vulnerability
    facts = risk_engine.Vulnerability(
        cvss_vector=vulnerability.cvss_vector if vulnerability else "",
        cvss_score=vulnerability.cvss_score if vulnerability else None,
        kev=bool(vulnerability and vulnerability.kev),
        epss=vulnerability.epss_score if vulnerability else None,
    )
    return risk_engine.assess(facts, device_context(link.device))


def refresh_risk(links: Iterable[DeviceVulnerability]) -> int:
    """Recompute and store the score and breakdown of these links (platform write, no audit
    entry: a derived figure)."""
    changed = []
    for link in links:
        result = assess(link)
        breakdown = result.to_dict()
        if link.risk_score != result.score or link.risk_breakdown != breakdown:
            link.risk_score = result.score
            link.risk_breakdown = breakdown
            changed.append(link)
    if changed:
        DeviceVulnerability.objects.bulk_update(changed, ["risk_score", "risk_breakdown"])
    return len(changed)


def refresh_device_risk(device: Device) -> None:
    refresh_risk(device.vulnerabilities.select_related("vulnerability", "device"))


def is_open(link: DeviceVulnerability) -> bool:
    return link.workflow == Workflow.OPEN and link.status in UNDECIDED_STATUSES


def device_risk(device: Device, today: datetime.date | None = None) -> risk_engine.Risk:
    """The device's own score: its worst open, affected vulnerability, plus the others."""
    scores = [
        link.risk_score
        for link in device.vulnerabilities.all()
        if link.workflow == Workflow.OPEN and link.status == MatchStatus.KNOWN_AFFECTED
    ]
    return risk_engine.device_risk(scores, device.os_unsupported(today))


def breakdown_rows(breakdown: dict[str, Any], language: str | None) -> list[dict[str, str]]:
    """The stored breakdown's factors in the reader's language, for pages."""
    rows = []
    for factor in breakdown.get("factors") or []:
        label = factor.get("label") or {}
        detail = factor.get("detail") or {}
        english = bool(language and language.lower().startswith("en"))
        rows.append(
            {
                "component": str(factor.get("component", "")),
                "label": str(label.get("en" if english else "fr", "")),
                "detail": str(detail.get("en" if english else "fr", "")),
            }
        )
    return rows


# --- decisions -------------------------------------------------------------------------------


def decide(
    link: DeviceVulnerability,
    user: User | None,
    workflow: str,
    *,
    justification: str = "",
    vex_justification: str = "",
    accepted_until: datetime.date | None = None,
) -> DeviceVulnerability:
    """Record a decision on a device vulnerability (who and when; the audit trail keeps the
    history). Accepting a risk needs a justification and an expiry; not affected, a VEX
    justification; mitigated, the compensating control described."""
    if user is not None and not user.can(TRIAGE):
        raise PermissionDenied(_("You may not decide on device vulnerabilities."))
    if workflow not in Workflow.values:
        raise ValidationError({"workflow": _("Unknown decision.")})
    if vex_justification not in VexJustification.values:
        raise ValidationError({"vex_justification": _("Unknown VEX justification.")})
    if workflow == Workflow.RISK_ACCEPTED and accepted_until is not None:
        if accepted_until <= timezone.localdate():
            raise ValidationError({"accepted_until": _("The expiry must be in the future.")})
    with transaction.atomic():
        crud.save_instance(
            link,
            user,
            workflow=workflow,
            justification=(justification or "").strip()[:5000],
            vex_justification=vex_justification if workflow == Workflow.NOT_AFFECTED else "",
            accepted_until=accepted_until if workflow == Workflow.RISK_ACCEPTED else None,
            decided_by=user,
            decided_at=timezone.now() if workflow != Workflow.OPEN else None,
        )
    return link


def reopen_expired_acceptances(today: datetime.date | None = None) -> int:
    """Risks accepted until a past date are open again (a periodic job)."""
    day = today or timezone.localdate()
    expired = DeviceVulnerability.objects.filter(
        workflow=Workflow.RISK_ACCEPTED, accepted_until__lt=day
    )
    count = 0
    for link in expired:
        crud.save_instance(link, None, workflow=Workflow.OPEN, decided_at=None)
        count += 1
    return count


def remediation_queue(user: User) -> QuerySet[DeviceVulnerability]:
    """Open, affected device vulnerabilities, highest clinical risk first (biomedical
    engineering's work list)."""
    return (
        DeviceVulnerability.objects.visible_to(user)
        .filter(workflow=Workflow.OPEN, status=MatchStatus.KNOWN_AFFECTED)
        .select_related(
            "device", "device__asset", "device__establishment", "vulnerability", "advisory"
        )
        .order_by("-risk_score", "-vulnerability__kev", "first_seen")
    )
