"""The privacy probes compute their verdicts from live data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.registries import probes
from hygie.privacy.models import PHIFinding, ScanRun
from hygie.privacy.probes import recent_discovery_scan, untriaged_findings_on_shared_roots
from hygie.privacy.services import triage_finding

pytestmark = pytest.mark.django_db


def test_probes_are_registered_with_discovery_controls():
    for key in ("privacy.untriaged_findings_on_shared_roots", "privacy.recent_discovery_scan"):
        assert "hygie.data.discovery" in probes.get(key).controls


def test_recent_discovery_scan(establishment_a, scanned):
    assert recent_discovery_scan(establishment_a).status == "pass"
    ScanRun.objects.filter(pk=scanned.pk).update(finished_at=timezone.now() - timedelta(days=91))
    result = recent_discovery_scan(establishment_a)
    assert result.status == "fail" and result.data["age_days"] == 91


def test_no_scan_fails(establishment_a):
    assert recent_discovery_scan(establishment_a).status == "fail"


def test_untriaged_findings_on_shared_roots(establishment_a, scanned, dpo):
    # Fresh findings are within the 30-day grace period.
    assert untriaged_findings_on_shared_roots(establishment_a).status == "pass"
    PHIFinding.objects.update(first_seen_at=timezone.now() - timedelta(days=31))
    result = untriaged_findings_on_shared_roots(establishment_a)
    assert result.status == "fail"
    assert result.data["untriaged"] == PHIFinding.objects.count()
    assert result.data["roots"] == ["Partage Finances"]
    for finding in PHIFinding.objects.all():
        triage_finding(finding, dpo, "to_remediate")
    assert untriaged_findings_on_shared_roots(establishment_a).status == "pass"


def test_untriaged_probe_without_shared_roots(establishment_a):
    assert untriaged_findings_on_shared_roots(establishment_a).status == "not_applicable"
