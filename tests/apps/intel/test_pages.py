"""Intel pages: indicator list/detail with provenance, import with preview then confirm (and a
located error writing nothing), export, partners (secret write-only), feeds and their poll."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import AuditEntry, Job
from hygie.intel.models import Feed, Indicator, Partner
from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CSV = b"type,value,tlp\nipv4,203.0.113.9,TLP:GREEN\ndomain,c2[.]example,TLP:AMBER\n"


def _preview(client, establishment, content=CSV, name="iocs.csv", **extra):
    return client.post(
        reverse("intel:indicator_import"),
        {
            "establishment": establishment.pk,
            "file": SimpleUploadedFile(name, content),
            "format": "auto",
            "default_tlp": "amber",
            "source": "CERT Santé",
            **extra,
        },
    )


def test_import_preview_then_confirm(client_a, establishment_a):
    response = _preview(client_a, establishment_a)
    assert response.status_code == 200
    assert b"Preview of iocs.csv" in response.content
    assert not Indicator.objects.exists()
    token = response.context["token"]
    done = client_a.post(reverse("intel:indicator_import"), {"token": token})
    assert done.status_code == 302
    assert Indicator.objects.filter(establishment=establishment_a).count() == 2
    assert AuditEntry.objects.filter(action="import").exists()
    # The token is spent.
    again = client_a.post(reverse("intel:indicator_import"), {"token": token})
    assert again.status_code == 302 and Indicator.objects.count() == 2


def test_import_error_is_located_and_nothing_written(client_a, establishment_a):
    response = _preview(client_a, establishment_a, CSV + b"ipv4,300.1.1.1,\n")
    assert response.status_code == 422
    assert b"iocs.csv:4" in response.content
    assert not Indicator.objects.exists()


def test_a_preview_token_is_its_users_only(client_a, establishment_a, make_user, login, client):
    token = _preview(client_a, establishment_a).context["token"]
    other = make_user("carol", "rssi", [establishment_a])
    from django.test import Client

    other_client = Client()
    login(other, other_client)
    other_client.post(reverse("intel:indicator_import"), {"token": token})
    assert not Indicator.objects.exists()


def test_pasted_defanged_text(client_a, establishment_a):
    response = client_a.post(
        reverse("intel:indicator_import"),
        {
            "establishment": establishment_a.pk,
            "text": "beacon to hxxp://bad-cdn[.]example/p.php from 192.0.2[.]44",
            "format": "text",
            "default_tlp": "green",
        },
    )
    assert response.status_code == 200
    client_a.post(reverse("intel:indicator_import"), {"token": response.context["token"]})
    assert set(Indicator.objects.values_list("value", flat=True)) >= {
        "http://bad-cdn.example/p.php",
        "192.0.2.44",
    }


def test_list_detail_and_export(client_a, establishment_a):
    token = _preview(client_a, establishment_a).context["token"]
    client_a.post(reverse("intel:indicator_import"), {"token": token})
    listing = client_a.get(reverse("intel:indicator_list"), {"kind": "domain"})
    assert listing.status_code == 200 and b"c2.example" in listing.content
    domain = Indicator.objects.get(kind="domain")
    detail = client_a.get(reverse("intel:indicator_detail", args=[domain.pk]))
    assert b"CERT Sant" in detail.content
    export = client_a.get(
        reverse("intel:indicator_export"), {"format": "stix21", "max_tlp": "green"}
    )
    assert export.status_code == 200
    bundle = json.loads(export.content)
    patterns = [o.get("pattern", "") for o in bundle["objects"]]
    assert any("203.0.113.9" in p for p in patterns)
    assert not any("c2.example" in p for p in patterns)  # AMBER is above the ceiling
    assert client_a.get(reverse("intel:indicator_export")).status_code == 200


def test_other_establishment_is_not_visible(client_a, establishment_b):
    row = Indicator.objects.create(establishment=establishment_b, kind="ipv4", value="192.0.2.1")
    assert client_a.get(reverse("intel:indicator_detail", args=[row.pk])).status_code == 404


def test_partner_secret_is_sealed_and_never_rendered(client_a, establishment_a):
    response = client_a.post(
        reverse("intel:partner_add"),
        {
            "establishment": establishment_a.pk,
            "name": "CERT Santé",
            "kind": "cert_sante",
            "max_tlp": "amber",
            "auth_username": "hygie-ch-alpha",
            "secret": "s3cr3t-token-value",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    partner = Partner.objects.get()
    assert partner.get_secret() == "s3cr3t-token-value"
    assert "s3cr3t" not in partner.auth_secret
    for url in (
        reverse("intel:partner_detail", args=[partner.pk]),
        reverse("intel:partner_edit", args=[partner.pk]),
    ):
        assert b"s3cr3t-token-value" not in client_a.get(url).content
    assert not AuditEntry.objects.filter(changes__icontains="s3cr3t").exists()
    # Editing without a secret keeps it.
    client_a.post(
        reverse("intel:partner_edit", args=[partner.pk]),
        {
            "establishment": establishment_a.pk,
            "name": "CERT Santé",
            "kind": "cert_sante",
            "max_tlp": "green",
            "is_active": "on",
        },
    )
    partner.refresh_from_db()
    assert partner.max_tlp == "green" and partner.get_secret() == "s3cr3t-token-value"
    assert partner.may_receive("green") and not partner.may_receive("amber")
    assert not partner.may_receive("red")


def test_feed_add_and_poll_a_file_feed(client_a, establishment_a, settings, tmp_path):
    settings.HYGIE_HOME = tmp_path
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "cert.csv").write_bytes(CSV)
    response = client_a.post(
        reverse("intel:feed_add"),
        {
            "establishment": establishment_a.pk,
            "name": "CERT drop",
            "kind": "file",
            "url": "cert.csv",
            "poll_interval_minutes": 60,
            "default_tlp": "amber",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    feed = Feed.objects.get()
    polled = client_a.post(reverse("intel:feed_poll", args=[feed.pk]))
    assert polled.status_code == 302
    job = Job.objects.get(kind="intel.poll_feed")
    assert job.status == "succeeded", job.error
    feed.refresh_from_db()
    assert feed.last_success_at is not None and feed.last_counts["created"] == 2
    # Unchanged file: nothing imported again.
    client_a.post(reverse("intel:feed_poll", args=[feed.pk]))
    feed.refresh_from_db()
    assert feed.last_counts.get("unchanged") == 1
    assert client_a.get(reverse("intel:feed_detail", args=[feed.pk])).status_code == 200


def test_file_feed_cannot_leave_the_feeds_folder(client_a, establishment_a):
    response = client_a.post(
        reverse("intel:feed_add"),
        {
            "establishment": establishment_a.pk,
            "name": "escape",
            "kind": "file",
            "url": "../hygie.toml",
            "poll_interval_minutes": 60,
            "default_tlp": "amber",
        },
    )
    assert response.status_code == 422
    assert not Feed.objects.exists()
