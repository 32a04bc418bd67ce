"""A device's SBOM is its establishment's: its advisory and feed import are listed and opened only
there (pages, API, dashboard), while public advisories stay everyone's. Captures wait for their
analysis as private files under the data folder (not in the database) and are deleted once
analysed or refused. Synthetic data only."""

from __future__ import annotations

import json
import stat

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.devices.models import Advisory, DiscoveryRun, FeedImport
from hygie.devices.services import discovery, feeds, sbom
from tests.apps.core.api_support import APIClient, issue_token
from tests.apps.devices.test_discovery import _capture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SECRET_NAME = "Zorglub Ward Firmware"


def _bom() -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "metadata": {"component": {"type": "device", "name": SECRET_NAME, "version": "9"}},
            "components": [{"type": "library", "name": "zlib", "version": "1.2.11"}],
        }
    ).encode()


@pytest.fixture
def b_sbom(make_device, establishment_b):
    device = make_device("b-pump", establishment=establishment_b, manufacturer="Perfusia")
    return sbom.import_sbom(device, "zorglub-bom.json", _bom())


def test_sbom_advisory_and_feed_belong_to_the_device_establishment(
    client, login, biomed, curator, b_sbom, establishment_b, demo_advisory_bytes
):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    advisory = Advisory.objects.get(source="sbom")
    assert advisory.establishment == establishment_b == b_sbom.establishment
    public = Advisory.objects.exclude(source="sbom").get()
    assert public.establishment is None

    login(biomed)  # establishment A only
    for url in (reverse("devices:advisory_list"), reverse("devices:feedimport_list")):
        text = client.get(url).content.decode()
        assert SECRET_NAME not in text and "zorglub" not in text
    assert public.tracking_id in client.get(reverse("devices:advisory_list")).content.decode()
    assert client.get(reverse("devices:advisory_detail", args=[advisory.pk])).status_code == 404
    assert client.get(reverse("devices:feedimport_detail", args=[b_sbom.pk])).status_code == 404
    assert client.get(reverse("devices:advisory_detail", args=[public.pk])).status_code == 200

    api = APIClient(issue_token(biomed, "read"))
    listed = api.get("/devices/advisories").json()["items"]
    assert [item["tracking_id"] for item in listed] == [public.tracking_id]
    assert api.get(f"/devices/advisories/{advisory.pk}").status_code == 404
    assert api.get(f"/devices/feeds/{b_sbom.pk}").status_code == 404
    assert all(item["id"] != b_sbom.pk for item in api.get("/devices/feeds").json()["items"])

    # A user who sees every establishment sees it.
    assert Advisory.objects.visible_to(curator).filter(pk=advisory.pk).exists()
    assert FeedImport.objects.visible_to(curator).filter(pk=b_sbom.pk).exists()


def test_capture_waits_as_a_private_file_and_is_deleted_after_analysis(
    biomed, establishment_a, monkeypatch
):
    waiting: list[tuple[str, int]] = []
    real_analyse = discovery.analyse

    def spy(run):
        path = discovery.upload_dir() / run.upload
        waiting.append((path.read_bytes()[:4].hex(), stat.S_IMODE(path.stat().st_mode)))
        return real_analyse(run)

    monkeypatch.setattr(discovery, "analyse", spy)
    upload = SimpleUploadedFile("ward.pcap", _capture())
    run = discovery.start_capture(biomed, establishment_a, "ward.pcap", upload)
    run.refresh_from_db()
    assert waiting and waiting[0][1] == 0o600  # the file existed, private, until analysed
    assert run.status == "succeeded" and run.upload == ""
    assert list(discovery.upload_dir().iterdir()) == []
    assert "data" not in {f.name for f in DiscoveryRun._meta.get_fields()}


def test_refused_capture_leaves_no_file(biomed, establishment_a, monkeypatch):
    with pytest.raises(ValidationError, match="not a pcap"):
        discovery.start_capture(biomed, establishment_a, "x.pcap", SimpleUploadedFile("x", b"hi"))
    monkeypatch.setattr(discovery, "MAX_CAPTURE_BYTES", 100)
    big = SimpleUploadedFile("big.pcap", _capture() + b"\0" * 200)
    big.size = 10  # a lying size: the streamed count refuses it
    with pytest.raises(ValidationError, match="too large"):
        discovery.start_capture(biomed, establishment_a, "big.pcap", big)
    assert not DiscoveryRun.objects.exists()
    folder = discovery.upload_dir()
    assert not folder.exists() or list(folder.iterdir()) == []
