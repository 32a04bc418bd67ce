"""Fixtures of the privacy platform tests: a scan area under an allowed folder, with synthetic
patient data only (the made-up patients of the engine's own fixtures, tests/engines/privacy)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

# Synthetic: the same made-up patients as tests/engines/privacy/builders.py (valid NIR keys).
NOTE = (
    "Patient : Mme Nathalie ROUSSEL, née le 01/01/1990\n"
    "NIR 2 90 01 75 056 023 23 - Tél. 01 23 45 67 89\n"
)
CSV = "nom;nir\nROUSSEL;290017505602323\nDURAND;262026938701293\n"
CLEAN = "Compte rendu de la réunion du comité: rien à signaler.\n"


@pytest.fixture
def allowed(tmp_path, settings) -> Path:
    """The administrator's allow-list: one folder."""
    folder = tmp_path / "allowed"
    folder.mkdir()
    settings.HYGIE_PRIVACY_SCAN_ROOTS = [str(folder)]
    return folder


@pytest.fixture
def share(allowed) -> Path:
    root = allowed / "share"
    (root / "notes").mkdir(parents=True)
    (root / "exports").mkdir()
    (root / "notes" / "cr.txt").write_text(NOTE, encoding="utf-8")
    (root / "exports" / "patients.csv").write_text(CSV, encoding="utf-8")
    (root / "clean.txt").write_text(CLEAN, encoding="utf-8")
    return root


@pytest.fixture
def root_a(establishment_a, share):
    from hygie.privacy.models import ScanRoot

    return ScanRoot.objects.create(
        establishment=establishment_a,
        label="Partage Finances",
        path=str(share),
        exposure="shared_drive",
    )


@pytest.fixture
def dpo(make_user, establishment_a):
    return make_user("dpo", "dpo", [establishment_a])


@pytest.fixture
def scanned(root_a, dpo):
    """A completed scan of root_a, through the real job mechanism."""
    from hygie.privacy.services import start_scan

    run = start_scan(dpo, root=root_a)
    assert run.status == "succeeded", (run.status, run.job.error if run.job else None)
    return run
