"""The intel API: indicators CRUD (normalised values), import with a dry run and located errors,
export with a TLP ceiling, sources, sightings, feeds (poll through the task runner) and
partners with a write-only secret; other establishments stay invisible."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.intel.models import Indicator, Partner
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = pytest.mark.django_db

CSV = b"type,value,tlp\nipv4,203.0.113.5,TLP:GREEN\nurl,hxxp://x[.]example/a,TLP:RED\n"


@pytest.fixture
def api(user_a) -> APIClient:
    return APIClient(issue_token(user_a, "write"))


def _upload(api, establishment, content=CSV, **extra):
    return api.upload(
        "/intel/indicators/import",
        {
            "establishment_id": establishment.pk,
            "file": SimpleUploadedFile("iocs.csv", content),
            "source": "CERT Santé",
            **extra,
        },
    )


def test_import_dry_run_then_import(api, establishment_a):
    preview = _upload(api, establishment_a, dry_run="true")
    assert preview.status_code == 200, preview.content
    assert preview.json()["created"] == 2 and not Indicator.objects.exists()
    done = _upload(api, establishment_a)
    assert done.json()["created"] == 2
    bad = _upload(api, establishment_a, content=CSV + b"ipv4,1.2.3.999,\n")
    assert bad.status_code == 422 and "iocs.csv:4" in bad.content.decode()
    assert Indicator.objects.count() == 2


def test_import_into_another_establishment_is_refused(api, establishment_b):
    assert _upload(api, establishment_b).status_code in (403, 404)
    assert not Indicator.objects.exists()


def test_indicator_crud_normalises(api, establishment_a, establishment_b):
    created = api.post(
        "/intel/indicators",
        {"establishment_id": establishment_a.pk, "kind": "domain", "value": "Evil[.]Example"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["value"] == "evil.example"
    listed = api.get("/intel/indicators", {"kind": "domain"}).json()
    assert listed["count"] == 1
    sources = api.get(f"/intel/indicators/{body['id']}/sources")
    assert sources.status_code == 200 and sources.json() == []
    other = Indicator.objects.create(establishment=establishment_b, kind="ipv4", value="192.0.2.9")
    assert api.get(f"/intel/indicators/{other.pk}").status_code == 404
    bad = api.post(
        "/intel/indicators",
        {"establishment_id": establishment_a.pk, "kind": "ipv4", "value": "nope"},
    )
    assert bad.status_code == 422


def test_export_respects_the_ceiling_and_red_stays(api, establishment_a):
    _upload(api, establishment_a)
    response = api.get("/intel/indicators/export", {"format": "stix21", "max_tlp": "amber+strict"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "203.0.113.5" in text and "x.example" not in text
    assert json.loads(text)["type"] == "bundle"
    misp = api.get("/intel/indicators/export", {"format": "misp", "max_tlp": "red"})
    assert "x.example" in misp.content.decode()


def test_partner_secret_is_write_only(api, establishment_a):
    created = api.post(
        "/intel/partners",
        {
            "establishment_id": establishment_a.pk,
            "name": "Health-ISAC",
            "kind": "isac",
            "max_tlp": "green",
            "taxii_url": "https://isac.example.org/taxii2/",
        },
    )
    assert created.status_code == 201, created.content
    partner_id = created.json()["id"]
    answer = api.put(f"/intel/partners/{partner_id}/secret", {"secret": "k3y-material"})
    assert answer.status_code == 200
    assert answer.json()["has_secret"] is True and "k3y" not in answer.content.decode()
    assert Partner.objects.get().get_secret() == "k3y-material"
    assert "k3y" not in api.get(f"/intel/partners/{partner_id}").content.decode()


def test_feed_crud_and_poll(api, establishment_a, settings, tmp_path):
    settings.HYGIE_HOME = tmp_path
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "drop.csv").write_bytes(CSV)
    refused = api.post(
        "/intel/feeds",
        {"establishment_id": establishment_a.pk, "name": "x", "kind": "file", "url": "/etc/passwd"},
    )
    assert refused.status_code == 422
    created = api.post(
        "/intel/feeds",
        {"establishment_id": establishment_a.pk, "name": "drop", "kind": "file", "url": "drop.csv"},
    )
    assert created.status_code == 201, created.content
    polled = api.post(f"/intel/feeds/{created.json()['id']}/poll")
    assert polled.status_code == 202
    assert Indicator.objects.count() == 2
    feed = api.get(f"/intel/feeds/{created.json()['id']}").json()
    assert feed["last_success_at"] and feed["last_counts"]["created"] == 2
    assert api.get("/intel/sightings").json()["count"] == 0
