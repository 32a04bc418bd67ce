"""The privacy module's part of the isolation test (tests/apps/core/test_isolation.py): a scan
root, a scan run and a finding in establishment B, each carrying the marker."""

from __future__ import annotations

from django.utils import timezone

from hygie.core.testing import IsolationPart, IsolationWorld, count_in
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun


def build_isolation(world: IsolationWorld) -> IsolationPart:
    marker, establishment, now = world.marker, world.establishment, timezone.now()
    root = ScanRoot.objects.create(
        establishment=establishment, label=f"Root {marker} Zeta", path=f"/srv/{marker}-zeta"
    )
    run = ScanRun.objects.create(
        establishment=establishment,
        root=root,
        status="succeeded",
        finished_at=now,
        skipped=[{"path": f"{marker}.bin", "reason": "x"}],
    )
    finding = PHIFinding.objects.create(
        establishment=establishment,
        root=root,
        scan_run=run,
        relative_path=f"{marker}/zeta.csv",
        entity_type="FR_NIR",
        hipaa_identifier="R",
        fr_category="nir",
        count=1,
        distinct_values=1,
        masked_sample=f"{marker} ••",
        first_seen_at=now,
        last_seen_at=now,
    )
    return IsolationPart(
        objects=[root, run, finding],
        page_objects={"scanroot": root, "scanrun": run, "phifinding": finding},
        api_objects={"root_id": root, "run_id": run, "finding_id": finding, "root": root},
        counts=lambda: count_in(establishment, ScanRoot, ScanRun, PHIFinding),
    )
