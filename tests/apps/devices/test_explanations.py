"""A device vulnerability's explanation is stored as the engine's msgids and values and read in
the reader's language (decision 0041); the index of the stored feeds is built once per feed
version."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from hygie.devices.models import DeviceVulnerability
from hygie.devices.services import feeds

pytestmark = pytest.mark.django_db


def _affected(pumps):
    return DeviceVulnerability.objects.get(
        device=pumps["old_pump"], vulnerability__cve="CVE-2099-0101"
    )


def test_the_explanation_reads_in_the_readers_language(pumps, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    link = _affected(pumps)
    assert link.why_text and link.why_text != {}
    with translation.override("en"):
        assert link.get_why_display() == link.why
    assert "the advisory lists it as known affected" in link.why
    with translation.override("fr"):
        french = link.get_why_display()
    assert "l'avis le classe" in french and "«\u00a0affecté\u00a0»" in french
    assert "the advisory lists it as" not in french and "compared as" not in french
    assert "HYGIE-DEMO-2026-001" in french  # data stays as found


def test_a_row_without_stored_texts_shows_its_english_why(pumps, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    DeviceVulnerability.objects.update(why_text={})
    link = _affected(pumps)
    with translation.override("fr"):
        assert link.get_why_display() == link.why
    # Matching again fills the texts in.
    feeds.match_devices([pumps["old_pump"]])
    assert _affected(pumps).why_text


def test_the_detail_page_shows_the_french_explanation(
    client, login, biomed, pumps, demo_advisory_bytes
):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    link = _affected(pumps)
    login(biomed)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(reverse("devices:devicevulnerability_detail", args=[link.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "l&#x27;avis le classe" in text or "l'avis le classe" in text
    assert "the advisory lists it as" not in text


def test_the_stored_index_is_built_once_per_feed_version(pumps, demo_advisory_bytes):
    from hygie.devices.models import VendorAlias
    from hygie.devices.services.inventory import AliasBook

    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    first = feeds.stored_index(AliasBook.load())[1]
    assert feeds.stored_index(AliasBook.load())[1] is first
    VendorAlias.objects.create(alias="Perfusia SAS", canonical="Perfusia")
    second = feeds.stored_index(AliasBook.load())[1]
    assert second is not first
    feeds.import_feed("nvd", "nvd.json", _NVD)
    assert feeds.stored_index(AliasBook.load())[1] is not second


_NVD = (
    b'{"vulnerabilities": [{"cve": {"id": "CVE-2099-0900", "descriptions": [], "configurations":'
    b' [{"nodes": [{"operator": "OR", "cpeMatch": [{"vulnerable": true, "criteria":'
    b' "cpe:2.3:a:perfusia:infustar_p5:*:*:*:*:*:*:*:*"}]}]}]}}]}'
)
