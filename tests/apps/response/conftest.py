"""Fixtures of the response tests: a synthetic incident at establishment A (no real data)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)


@pytest.fixture
def incident(establishment_a, user_a):
    """A ransomware incident discovered on 2026-03-10 09:00 UTC, straight from the ORM."""
    from hygie.response.models import Incident

    return Incident.objects.create(
        reference="INC-2026-0001",
        establishment=establishment_a,
        title="Chiffrement des serveurs de fichiers",
        category="ransomware",
        severity=50,
        care_impact="degraded_mode",
        personal_data="unknown",
        discovered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        created_by=user_a,
    )


@pytest.fixture
def incident_b(establishment_b, user_b):
    from hygie.response.models import Incident

    return Incident.objects.create(
        reference="INC-2026-0002",
        establishment=establishment_b,
        title="Perte d'un portable",
        category="loss_theft",
        discovered_at=datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
        created_by=user_b,
    )
