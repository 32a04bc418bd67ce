"""Privacy probes added for issue 11: every scan root scanned in 90 days, findings to remediate
handled within 90 days — pass and fail on live data (synthetic patients only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.registries import probes
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun
from hygie.privacy.probes import every_root_scanned, remediation_on_time
from hygie.privacy.services import triage_finding

pytestmark = pytest.mark.django_db


def test_every_root_scanned(establishment_a, root_a, scanned, allowed):
    result = every_root_scanned(establishment_a)
    assert result.status == "pass" and result.data["roots"] == 1
    other = allowed / "rh"
    other.mkdir()
    ScanRoot.objects.create(
        establishment=establishment_a, label="Partage RH", path=str(other), exposure="shared_drive"
    )
    result = every_root_scanned(establishment_a)
    assert result.status == "partial" and result.data["not_scanned"] == ["Partage RH"]
    ScanRun.objects.filter(pk=scanned.pk).update(finished_at=timezone.now() - timedelta(days=91))
    assert every_root_scanned(establishment_a).status == "fail"


def test_every_root_scanned_without_roots(establishment_a):
    assert every_root_scanned(establishment_a).status == "not_applicable"


def test_disabled_roots_are_not_expected(establishment_a, root_a):
    ScanRoot.objects.filter(pk=root_a.pk).update(is_enabled=False)
    assert every_root_scanned(establishment_a).status == "not_applicable"


def test_remediation_on_time(establishment_a, scanned, dpo):
    assert remediation_on_time(establishment_a).status == "not_applicable"
    findings = list(PHIFinding.objects.filter(establishment=establishment_a))
    assert len(findings) >= 2
    for finding in findings:
        triage_finding(finding, dpo, "to_remediate")
    result = remediation_on_time(establishment_a)
    assert result.status == "pass" and result.data["to_remediate"] == len(findings)
    PHIFinding.objects.filter(pk=findings[0].pk).update(
        triaged_at=timezone.now() - timedelta(days=91)
    )
    result = remediation_on_time(establishment_a)
    assert result.status == "fail" and result.data["overdue"] == 1
    assert result.data["roots"] == ["Partage Finances"]
    PHIFinding.objects.filter(pk=findings[0].pk).update(is_present=False)  # gone at next scan
    assert remediation_on_time(establishment_a).status == "pass"


def test_registered_with_their_controls():
    assert probes.get("privacy.every_root_scanned").controls == ("hygie.data.discovery",)
    assert probes.get("privacy.remediation_on_time").controls == ("hygie.data.remediation",)
