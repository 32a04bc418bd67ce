"""privacy 0002: findings of scans of uploaded files stop showing the uploaded name (issue 9)."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from hygie.privacy.models import PHIFinding, ScanRun

pytestmark = pytest.mark.django_db


def test_upload_names_in_locations_and_skip_notes_become_masked(establishment_a, root_a):
    name = "CR_FICTIF_Zoe.zip"
    run = ScanRun.objects.create(
        establishment=establishment_a,
        uploaded_name=name,
        skipped=[{"path": f"{name}!/a.bin", "reason": "unsupported"}],
    )
    for path in (name, f"{name}!/lettre.txt"):
        PHIFinding.objects.create(
            establishment=establishment_a,
            scan_run=run,
            relative_path=path,
            entity_type="FR_NIR",
            count=1,
            first_seen_at=timezone.now(),
            last_seen_at=timezone.now(),
        )
    on_a_share = ScanRun.objects.create(establishment=establishment_a, root=root_a)
    PHIFinding.objects.create(
        establishment=establishment_a,
        root=root_a,
        scan_run=on_a_share,
        relative_path=name,
        entity_type="FR_NIR",
        count=1,
        first_seen_at=timezone.now(),
        last_seen_at=timezone.now(),
    )

    migration = importlib.import_module("hygie.privacy.migrations.0002_mask_uploaded_names")
    migration.mask_upload_locations(apps, None)
    assert sorted(
        PHIFinding.objects.filter(scan_run=run).values_list("relative_path", flat=True)
    ) == ["••••.zip", "••••.zip!/lettre.txt"]
    run.refresh_from_db()
    assert run.skipped == [{"path": "••••.zip!/a.bin", "reason": "unsupported"}]
    # A file found on a scanned share keeps its path: locating it is the inventory's purpose.
    assert PHIFinding.objects.get(scan_run=on_a_share).relative_path == name
