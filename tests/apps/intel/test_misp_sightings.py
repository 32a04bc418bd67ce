"""MISP exports carry sightings as MISP does (``Attribute.Sighting``: epoch ``date_sighting``,
``type`` "0", ``source``, ``Organisation``; checked against a real MISP event from the PyMISP
test files): indicator exports (the latest sightings of each indicator) and incident shares (each
indicator seen in the incident). The MISP reader still takes them back. Synthetic data only."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from hygie.intel.engine.misp import SightingMark, export_event, import_event
from hygie.intel.engine.model import make_indicator
from hygie.intel.models import Indicator, Sighting
from hygie.intel.services import indicators
from tests.apps.intel.test_sharing import _leaks, _partner
from tests.shared_data import shared_data

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _real_sighting_keys() -> set[str]:
    path = shared_data("misp", "pymisp", "tests", "reportlab_testfiles", "sighting_1.json")
    event = json.loads(path.read_text())
    event = event.get("Event", event)
    return {
        key
        for attribute in event["Attribute"]
        for sighting in attribute.get("Sighting", [])
        for key in sighting
    }


def test_engine_writes_misp_sightings_and_reads_the_event_back():
    ip = make_indicator("ipv4", "203.0.113.9")
    domain = make_indicator("domain", "evil.example.net")
    marks = {ip.key: [SightingMark(AT, "Hygie detection"), SightingMark(AT + timedelta(hours=1))]}
    document = export_event([ip, domain], producer="CH Exemple", sightings=marks, now=AT)
    by_value = {a["value"]: a for a in document["Event"]["Attribute"]}
    assert "Sighting" not in by_value["evil.example.net"]
    sightings = by_value["203.0.113.9"]["Sighting"]
    assert [s["date_sighting"] for s in sightings] == [
        str(int(AT.timestamp())),
        str(int(AT.timestamp()) + 3600),
    ]
    first = sightings[0]
    assert first["type"] == "0" and first["source"] == "Hygie detection"
    assert first["Organisation"]["name"] == "CH Exemple"
    assert len({s["uuid"] for s in sightings}) == 2
    assert set(first) <= _real_sighting_keys()  # the keys a real MISP event uses
    back = import_event(json.loads(json.dumps(document)), "event.json")
    assert {i.value for i in back.indicators} == {"203.0.113.9", "evil.example.net"}


@pytest.mark.django_db
def test_indicator_export_carries_the_latest_sightings(establishment_a, monkeypatch):
    seen = Indicator.objects.create(
        establishment=establishment_a, kind="ipv4", value="203.0.113.9", sighting_count=3
    )
    Indicator.objects.create(establishment=establishment_a, kind="domain", value="x.example.net")
    now = timezone.now()
    for hours, source in ((1, "detection"), (2, "retro-hunt"), (3, "detection")):
        Sighting.objects.create(indicator=seen, at=now - timedelta(hours=hours), source=source)
    monkeypatch.setattr(indicators, "MAX_SIGHTINGS_EXPORTED", 2)
    queryset = Indicator.objects.all()
    event = json.loads(indicators.export(queryset, "misp").content)["Event"]
    by_value = {a["value"]: a for a in event["Attribute"]}
    sightings = by_value["203.0.113.9"]["Sighting"]
    assert [s["source"] for s in sightings] == ["Hygie detection", "Hygie retro-hunt"]
    assert sightings[0]["date_sighting"] == str(int((now - timedelta(hours=1)).timestamp()))
    assert "Sighting" not in by_value["x.example.net"]
    archive = zipfile.ZipFile(io.BytesIO(indicators.export(queryset, "misp-feed").content))
    name = next(n for n in archive.namelist() if n.endswith(".json") and "manifest" not in n)
    feed_event = json.loads(archive.read(name))["Event"]
    assert any(a.get("Sighting") for a in feed_event["Attribute"])
    stix = json.loads(indicators.export(queryset, "stix21").content)
    assert stix["type"] == "bundle"  # other formats unchanged


@pytest.mark.django_db
def test_misp_incident_share_carries_a_sighting_per_indicator(incident, sharer):
    from hygie.intel.services import sharing

    share = sharing.prepare(
        sharer, str(incident.pk), partner=_partner(incident.establishment), fmt="misp"
    )
    attributes = [a for a in share.bundle["Event"]["Attribute"] if a["type"] != "text"]
    assert attributes and all(len(a.get("Sighting", [])) == 1 for a in attributes)
    assert {a["Sighting"][0]["source"] for a in attributes} == {"Incident INC-2026-0042"}
    assert _leaks(share.bundle) == []
