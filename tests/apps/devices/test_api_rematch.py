"""A device created or edited through the API is matched again against the stored advisories
and its risk recomputed, exactly as after an edit in the page (one service:
``feeds.device_saved``). Synthetic demo advisory: InfuStar P5 5.1 affected, 5.3 fixed."""

from __future__ import annotations

import pytest

from hygie.core.models import Asset
from hygie.devices.models import DeviceVulnerability
from hygie.devices.services import feeds
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _statuses(device_id: int) -> set[str]:
    return set(
        DeviceVulnerability.objects.filter(device_id=device_id).values_list("status", flat=True)
    )


def test_api_create_and_edit_rematch_the_device(biomed, establishment_a, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    api = APIClient(issue_token(biomed, "write"))
    asset = Asset.objects.create(establishment=establishment_a, hostname="pompe-api")
    created = api.post(
        "/devices/devices",
        {
            "establishment_id": establishment_a.pk,
            "asset_id": asset.pk,
            "manufacturer": "Perfusia",
            "model_name": "InfuStar P5",
            "version": "5.1",
            "clinical_function": "life_sustaining",
        },
    )
    assert created.status_code == 201, created.content
    device_id = created.json()["id"]
    assert "known_affected" in _statuses(device_id)
    link = DeviceVulnerability.objects.filter(device_id=device_id).first()
    assert link is not None and link.risk_score > 0
    first_score = link.risk_score

    # PATCH: a patched version is no longer affected (undecided links follow the new verdict).
    patched = api.patch(f"/devices/devices/{device_id}", {"version": "5.3"})
    assert patched.status_code == 200, patched.content
    assert "known_affected" not in _statuses(device_id)

    # PUT back to the old version with compensating controls: affected again, risk lowered.
    replaced = api.put(
        f"/devices/devices/{device_id}",
        {
            "establishment_id": establishment_a.pk,
            "asset_id": asset.pk,
            "manufacturer": "Perfusia",
            "model_name": "InfuStar P5",
            "version": "5.1",
            "clinical_function": "life_sustaining",
            "compensating_controls": ["segmented", "no_internet"],
        },
    )
    assert replaced.status_code == 200, replaced.content
    link = DeviceVulnerability.objects.filter(device_id=device_id, status="known_affected").first()
    assert link is not None and link.risk_score < first_score
