"""Sharing an incident to a partner's TAXII collection: Hygie's client (I2's push service)
against ``medallion``, the OASIS reference server, on 127.0.0.1 (fixtures of the interop test)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.apps.intel.test_taxii_interop_medallion import (  # noqa: F401  (fixtures)
    COLLECTION,
    medallion,
    partner,
)

pytestmark = pytest.mark.django_db


def test_an_approved_stix_share_lands_in_the_partners_collection(
    request: Any, make_user: Any, establishment_a: Any
) -> None:
    remote = request.getfixturevalue("partner")  # medallion's partner (interop fixture)
    from hygie.intel.services import sharing, taxii_client
    from hygie.response.models import Incident, Observable

    user = make_user("rssi-share", "rssi", [establishment_a])
    incident = Incident.objects.create(
        reference="INC-2026-0077",
        establishment=establishment_a,
        title="Hameçonnage",
        description="Le patient Paul Girard a reçu le lien. NIR 185057800608491.",
        category="phishing",
        discovered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    )
    Observable.objects.create(
        incident=incident, kind="url", value="https://phish.example.net/login", is_ioc=True
    )
    share = sharing.prepare(user, str(incident.pk), partner=remote, tlp="amber")
    sharing.approve(user, share)
    sharing.send(user, share)
    share.refresh_from_db()
    assert share.status == "sent" and COLLECTION in share.destination

    connection = taxii_client.partner_connection(remote)
    root = taxii_client.api_root_url(connection, remote.taxii_url, remote.taxii_api_root)
    url = taxii_client.collection_url(root, COLLECTION)
    stored: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": 2}  # medallion needs limit beside next
    while True:
        page = connection.request("GET", f"{url}objects/", params=params).resource
        stored.extend(page.get("objects", []))
        if not page.get("more"):
            break
        params = {"next": page["next"], "limit": 2}
    types = {obj["type"] for obj in stored}
    assert {"indicator", "note", "sighting", "identity"} <= types
    text = str(stored)
    assert "phish.example.net" in text
    assert "Girard" not in text and "185057800608491" not in text
